"""A Python file of syntax newer than the Python reviewloop runs on is named so — the version,
the forms and their lines, which analyzers could not read it and that ruff can — and stays not
analysed; a real syntax error keeps its parse error. The forms are generated."""

from __future__ import annotations

import ast
import re
import sys
from itertools import count
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.python_versions import RUNNING
from reviewloop.findings.ledger import Ledger
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

# (the version that added it, ruff's names for what it uses, its code: `{n}` a name)
FORMS = [
    (12, ("`type` alias statement",), "type Alias{n} = list[int]"),
    (12, ("type parameter lists",), "def first{n}[T](xs: list[T]) -> T:\n    return xs[0]"),
    (12, ("type parameter lists",), "class Box{n}[T]:\n    item: T"),
    (12, ("reuse outer quote character in f-strings",),
     "word{n} = 'w'\nsaid{n} = f\"{{word{n} + f\"{{word{n}}}\"}}\""),
    (13, ("type parameter lists", "set default type for a type parameter"),
     "def made{n}[T = int]() -> None:\n    return None"),
    (14, ("multiple exception types must be parenthesized",),
     "try:\n    pass\nexcept ValueError, TypeError:\n    pass"),
]
_NEWER = [f for f in FORMS if f[0] > sys.version_info.minor]
_RUNS = count()


def text_of(chosen: list[int]) -> tuple[str, dict[str, list[int]], int]:
    """The module, each form's lines (1-based, where it starts) and the newest version."""
    lines = ["import subprocess", ""]
    where: dict[str, list[int]] = {}
    for n, index in enumerate(chosen):
        _, forms, code = _NEWER[index]
        for form in forms:
            where.setdefault(form, []).append(len(lines) + 1 + (code.startswith("word") or
                                                                code.startswith("try") * 2))
        lines += code.format(n=n).split("\n")
    lines.append('subprocess.call("ls", shell=True)')
    return "\n".join(lines) + "\n", where, max(_NEWER[i][0] for i in chosen)


@settings(derandomize=True, max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, max(len(_NEWER) - 1, 0)), min_size=1, max_size=3))
def test_newer_syntax_is_named_with_its_version_forms_and_readers(tmp_path, chosen) -> None:
    assume(_NEWER)  # on a Python that has all of them, nothing is newer
    text, where, version = text_of(chosen)
    try:
        ast.parse(text)
        raise AssertionError("the running Python parsed it")
    except SyntaxError:
        pass
    repo = Repo(tmp_path / f"r{next(_RUNS)}")
    diff = repo.change({"app.py": text})

    report = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)

    (row,) = [h for h in report.health if h.name == "bandit"]
    why = row.unread["app.py"]
    assert why.startswith(f"uses Python 3.{version} syntax (")
    assert f"reviewloop runs on Python {RUNNING}, so its own AST checks did not run on it and " \
        "bandit, which runs on that Python, could not parse it; ruff parses newer syntax " \
        f"itself; fix: install reviewloop in a Python 3.{version} or later environment" in why
    for form, lines in where.items():
        said = re.search(re.escape(form) + r", lines? ([\d, ]+)[;)]", why)
        assert said is not None and {int(n) for n in said[1].split(", ")} == set(lines), why
    ledger = Ledger(health=report.health)
    assert not ledger.complete and ledger.unanalysed() == {"app.py": [f"bandit: {why}"]}


def test_a_real_syntax_error_beside_newer_syntax_keeps_its_parse_error(tmp_path) -> None:
    repo = Repo(tmp_path)
    diff = repo.change({"app.py": "type Alias = int\ndef broken(:\n    pass\n"})

    report = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)

    (row,) = [h for h in report.health if h.name == "bandit"]
    assert row.unread["app.py"].startswith("could not parse it (")
    assert not Ledger(health=report.health).complete


# 3.11 code that looks like the newer forms: never named (a `type` name, a list index after a
# name, a parenthesized `except`, f-strings of 3.11)
LOOK_ALIKES = [
    "type = 1\nkind = type",
    "def kind{n}(x):\n    return type(x)",
    "class Box{n}(list):\n    item = [1][0]",
    "try:\n    pass\nexcept (ValueError, TypeError):\n    pass",
    "word{n} = 'w'\nsaid{n} = f\"{{word{n}}}\" + F'{{word{n}!r}}' + rf\"\\d{{word{n}}}\"",
    "except_{n} = 1, 2",
]


@settings(derandomize=True, max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, max(len(_NEWER) - 1, 0)), max_size=2),
       st.lists(st.integers(0, len(LOOK_ALIKES) - 1), max_size=3),
       st.sampled_from([("ruff-maintainability",), ("ruff-performance",),
                        ("ruff-maintainability", "bandit")]))
def test_newer_syntax_is_named_by_ruff_with_bandit_or_without(tmp_path, chosen, alike,
                                                               analyzers) -> None:
    """With bandit off (turned off, or no security reviewer in scope), ruff's rows name a file
    of a later Python's syntax: reviewloop's own AST readings could not read it, ruff did;
    3.11 code shaped like those forms is named by nothing."""
    assume(_NEWER or not chosen)
    newer, _, version = text_of(chosen) if chosen else ("", {}, 0)
    plain = "\n".join(LOOK_ALIKES[i].format(n=n) for n, i in enumerate(alike)) + "\n"
    ast.parse(plain)
    repo = Repo(tmp_path / f"r{next(_RUNS)}")
    files = {"old.py": plain, **({"new.py": newer} if chosen else {})}
    diff = repo.change(files)

    report = run_for_agent(agent("review-x", analyzers), repo.root, diff)

    for row in (h for h in report.health if h.name.startswith("ruff")):
        assert "old.py" not in row.unread, row.unread
        if chosen:
            why = row.unread["new.py"]
            assert why.startswith(f"uses Python 3.{version} syntax (") and \
                f"reviewloop runs on Python {RUNNING}, so its own AST checks (the lines a " \
                "`# noqa` covers in a multi-line statement, the new public functions coverage " \
                f"looks for, bandit) could not read it, though ruff did; fix: install " \
                f"reviewloop in a Python 3.{version} or later environment" == why[why.index(
                    "reviewloop runs"):], why
    ledger = Ledger(health=report.health)
    assert ledger.complete is not bool(chosen)
    assert set(ledger.unanalysed()) == ({"new.py"} if chosen else set())


@settings(derandomize=True, max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(("Box", "café", "Ωmega", "x_1")),
                          st.sampled_from(("type {n} = int", "def {n}[T](x: T) -> T:\n    "
                                           "return x", "class {n}[T]:\n    pass",
                                           "{n} = 1", "def {n}(x):\n    return x"))),
                min_size=1, max_size=6))
def test_unparsed_here_finds_each_newer_file_among_many(tmp_path, files) -> None:
    """One search over the files together: each file of a later Python's syntax is found
    wherever it sits among the others, a non-ASCII name included; 3.11 code is not."""
    from reviewloop.checks.analyzers.python_versions import unparsed_here

    assume(_NEWER)
    root = tmp_path / f"t{next(_RUNS)}"
    root.mkdir()
    newer = set()
    for index, (name, form) in enumerate(files):
        text = "import os\n\n" + form.format(n=name) + "\n"
        (root / f"m{index}.py").write_text(text, encoding="utf-8")
        try:
            ast.parse(text)
        except SyntaxError:
            newer.add(f"m{index}.py")
    found = unparsed_here(root, [f"m{i}.py" for i in range(len(files))], 60)
    assert set(found) == newer


# every f-string prefix (case and order), every quote, and what a replacement field may hold:
# 3.12's (PEP 701) reuse of the string's own quote, a nested f-string in it, a backslash, a
# comment; and 3.11's (another quote, a format spec)
F_PREFIXES = ["f", "F", "fr", "fR", "Fr", "FR", "rf", "rF", "Rf", "RF"]
F_QUOTES = ['"', "'", '"""', "'''"]
F_FIELDS = ["{d[QkQ]}", "{fQ{x}Q}", "{QaQ + x}", "{d[OkO]}", "{x!r:>{w}}", "{'\\n'.join(y)}",
            "{x # a comment\n}", "text {fQ{fQ{x}Q}Q} text"]
F_PLACES = ["z = {s}", "print({s})", "z = [x, {s}]"]


def test_f_strings_of_every_prefix_and_quote_are_named_as_the_parser_reads_them(
        tmp_path: Path) -> None:
    """r23 review: `fr"{d["k"]}"`, `FR`, `fR` were not searched for, so such a file was
    neither parsed nor named. Every variant is generated; the oracle is this Python's own
    parser: a file it cannot parse, whose only newer syntax is such an f-string, is named with
    3.12, and one it parses is named by nothing."""
    from reviewloop.checks.analyzers.python_versions import unparsed_here

    root = tmp_path / "fstrings"
    root.mkdir()
    expected: dict[str, bool] = {}
    for index, (prefix, quote, field, place) in enumerate(
            (p, q, f, w) for p in F_PREFIXES for q in F_QUOTES for f in F_FIELDS
            for w in F_PLACES):
        other = "'" if quote[0] == '"' else '"'
        literal = prefix + quote + field.replace("Q", quote[0]).replace("O", other) + quote
        text = ("d = {'k': 1}\nx = 'v'\nw = 3\ny = ['a']\n" + place.format(s=literal) + "\n")
        name = f"m{index}.py"
        (root / name).write_text(text, encoding="utf-8")
        try:
            ast.parse(text)
            expected[name] = False
        except SyntaxError:
            expected[name] = True
    assert sum(expected.values()) > (0 if _NEWER else -1)  # some need 3.12 where it is newer

    found = unparsed_here(root, sorted(expected), 120)

    assert {name for name, newer in expected.items() if newer} == set(found)
    assert all(why.startswith("uses Python 3.12 syntax (") for why in found.values()), found


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(("type Alias = int", "x = 1", "def f[T](x: T) -> T:\n    "
                                 "return x", "def broken(:\n    pass", "y = f'{1}'")),
                min_size=1, max_size=5), st.integers(2, 3))
def test_in_a_review_s_batch_the_files_are_searched_once_and_answer_as_alone(
        tmp_path, texts, asks) -> None:
    """ruff's views each ask about the same files: in a batch (`git.reads.one_read`) the
    search runs once and every ask gets its answer, the one the search gives alone (the
    oracle: asked outside a batch), the same answer, not an equal one; a batch's tree does
    not change, so files rewritten after the first ask are not searched again for the same
    paths; for other paths, and outside the batch, they are."""
    from reviewloop.checks.analyzers.python_versions import unparsed_here
    from reviewloop.git.reads import one_read

    root = tmp_path / f"b{next(_RUNS)}"
    root.mkdir()
    paths = []
    for index, text in enumerate(texts):
        (root / f"m{index}.py").write_text(text + "\n", encoding="utf-8")
        paths.append(f"m{index}.py")
    alone = unparsed_here(root, paths, 60)
    with one_read(root):
        first = unparsed_here(root, paths, 60)
        for path in paths:  # every file now plain 3.11 code
            (root / path).write_text("x = 1\n", encoding="utf-8")
        answers = [unparsed_here(root, paths, 60) for _ in range(asks - 1)]
        assert unparsed_here(root, [*paths, "gone.py"], 60) == {}  # other paths: searched
    assert first == alone and all(answer is first for answer in answers)
    assert unparsed_here(root, paths, 60) == {}  # outside: the files as they are now
