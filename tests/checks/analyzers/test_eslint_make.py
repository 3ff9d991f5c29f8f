"""A Makefile's `include` (`-include`, `sinclude`) is read where it stands, as make reads it:
the included file's recipes and variables count, relative to the folder make runs in, a
missing one, one outside the tree, a cycle and a chain past `MAX_INCLUDED` passed by.
Generated: the directive's spellings and where the recipe and its variables are."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.eslint_make import MAX_FILES, MAX_INCLUDED, recipes
from reviewloop.checks.analyzers.eslint_named import NamedConfigs

DIRECTIVES = st.sampled_from(["include", "-include", "sinclude", "  include"])
# the included file's name as the Makefile writes it (`MK = mk` is assigned before)
WRITTEN = st.sampled_from(["mk/lint.mk", "./mk/lint.mk", "$(MK)/lint.mk", "${MK}/lint.mk",
                           "mk/../mk/lint.mk"])
SPELLINGS = st.sampled_from(["-c {}", "--config {}", "--config={}"])
FOLDERS = st.sampled_from(["", "tools"])


@given(DIRECTIVES, WRITTEN, SPELLINGS, FOLDERS, st.booleans(), st.booleans())
def test_a_recipe_in_an_included_makefile_names_its_config(
        directive: str, written: str, spelling: str, folder: str, variable_there: bool,
        others: bool) -> None:
    prefix = f"{folder}/" if folder else ""
    config = "$(CFG)" if variable_there else "ci/eslint.mjs"
    included = ("CFG := ci/eslint.mjs\n" if variable_there else "") + (
        f"lint:\n\t@npx eslint {spelling.format(config)} src\n")
    make = f"MK = mk\n{directive} {'missing.mk ' if others else ''}{written}\nbuild:\n\ttsc\n"
    texts = {f"{prefix}Makefile": make, f"{prefix}mk/lint.mk": included}
    found = NamedConfigs(texts.get).named(f"{prefix}src/a.js")
    assert found is not None and (found.config, found.cwd, found.unread) == (
        f"{prefix}ci/eslint.mjs", folder or ".", "")
    assert found.source == f"{prefix}mk/lint.mk target `lint`"
    assert NamedConfigs(texts.get).named(f"{prefix}lib/a.js") is None  # not its paths


@given(DIRECTIVES)
def test_make_reads_the_recipes_in_its_order_the_included_ones_where_the_include_stands(
        directive: str) -> None:
    texts = {"Makefile": f"lint-a:\n\teslint -c first.mjs .\n{directive} mk/b.mk\n",
             "mk/b.mk": "lint-b:\n\teslint -c second.mjs .\n"}
    found = NamedConfigs(texts.get).named("a.js")
    assert found is not None and found.config == "first.mjs"
    texts["Makefile"] = f"{directive} mk/b.mk\nlint-a:\n\teslint -c first.mjs .\n"
    found = NamedConfigs(texts.get).named("a.js")
    assert found is not None and found.config == "second.mjs"


@given(DIRECTIVES, st.sampled_from(["../outside.mk", "/etc/lint.mk", "mk/*.mk", "$(HOME)/l.mk",
                                    "mk/absent.mk"]))
def test_an_include_outside_the_tree_a_glob_or_a_missing_file_is_passed_by(
        directive: str, name: str) -> None:
    lint = "lint:\n\teslint -c ci.mjs .\n"
    texts = {"Makefile": f"{directive} {name}\n", "mk/a.mk": lint, "../outside.mk": lint,
             "/etc/lint.mk": lint, "outside.mk": lint}
    assert NamedConfigs(texts.get).named("src/a.js") is None


@given(st.integers(1, 4), DIRECTIVES)
def test_a_cycle_of_includes_ends_and_a_chain_too_deep_is_not_followed(
        length: int, directive: str) -> None:
    names = [f"mk/{n}.mk" for n in range(length)]
    texts = {"Makefile": f"include {names[0]}\n"}
    # each includes the next, the last the first again, and each the Makefile
    for a, b in zip(names, [*names[1:], names[0]], strict=True):
        texts[a] = f"{directive} {b}\n{directive} Makefile\n"
    texts[names[-1]] += "lint:\n\teslint -c ci.mjs .\n"
    found = NamedConfigs(texts.get).named("a.js")
    assert found is not None and found.config == "ci.mjs"
    deep = [f"d{n}.mk" for n in range(MAX_INCLUDED + 2)]
    texts = {"Makefile": f"include {deep[0]}\n", **{a: f"include {b}\n" for a, b in
                                                   itertools.pairwise(deep)}}
    texts[deep[-1]] = "lint:\n\teslint -c deep.mjs .\n"
    assert NamedConfigs(texts.get).named("a.js") is None



class _Counted:
    """A project's files whose every reading is counted (no cache: each include read)."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts, self.reads = texts, 0

    def text(self, path: str) -> str | None:
        self.reads += 1
        return self.texts.get(path)

    def data(self, path: str) -> object:
        return None


@settings(max_examples=20, deadline=None)
@given(st.integers(3, 12), DIRECTIVES)
def test_includes_that_fan_out_are_read_at_most_max_files_times(
        count: int, directive: str) -> None:
    # each file includes every file: count^MAX_INCLUDED readings, were they all followed
    names = [f"mk/{n}.mk" for n in range(count)]
    every = f"{directive} {' '.join(names)}\nlint-x:\n\teslint -c x.mjs lib\n"
    files = _Counted({"Makefile": every, **dict.fromkeys(names, every)})
    found = list(recipes(every, "Makefile", files))
    assert files.reads <= MAX_FILES
    assert ("Makefile", "lint-x", "eslint -c x.mjs lib") in found
    named = NamedConfigs(files.texts.get).named("lib/a.js")
    assert named is not None and named.config == "x.mjs"
