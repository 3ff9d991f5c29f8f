"""Kiro's and Spec Kit's governance files as their guides write them reach the prompts they
are meant for: a `fileMatchPattern` whose class holds a comma is one pattern, a `#name` at
the end of a sentence or starting with a digit names its steering file (and one naming no
file is said), an `auto` file applies when the task names it as a word, a near-miss checkbox
is told the fix in its own file's form, and Spec Kit's constitution and design documents
(plan, data model, research, contracts) all reach the agents."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import ConfigError
from reviewloop.spec import kiro, speckit
from reviewloop.spec.context import manual_names, task_context
from reviewloop.spec.loader import MAX_CONTRACT_CHARS, load_spec
from reviewloop.spec.references import unknown_references
from reviewloop.spec.steering import (
    Inclusion,
    SteeringFile,
    _split_top_level,
    applicable,
    glob_matches,
    read_steering,
)
from reviewloop.spec.steering_set import SteeringSet

# ---- fileMatchPattern: commas split patterns only outside `{…}` and `[…]` ------------------

_LITERAL = st.text(alphabet="abz09_-./*?", min_size=1, max_size=6)
_CLASS = st.builds(lambda neg, first, rest: "[" + neg + first + rest + "]",
                   st.sampled_from(["", "!", "^"]), st.sampled_from(["a", ",", "]", "0"]),
                   st.text(alphabet="abc,{}-0", max_size=4))
_BRACES = st.lists(st.text(alphabet="abc*", min_size=1, max_size=3), min_size=2,
                   max_size=3).map(lambda xs: "{" + ",".join(xs) + "}")
_PATTERN = st.lists(st.one_of(_LITERAL, _CLASS, _BRACES), min_size=1, max_size=4).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_PATTERN, min_size=1, max_size=4))
def test_patterns_joined_with_commas_split_back_whole(patterns):
    """Metamorphic: any list of patterns, joined with `,`, comes back as the same list:
    a comma inside a class or a brace set never cuts a pattern in two."""
    assert _split_top_level(",".join(patterns)) == patterns


def test_a_class_holding_a_comma_matches_as_minimatch_reads_it(tmp_path):
    path = tmp_path / "ts.md"
    path.write_text('---\ninclusion: fileMatch\nfileMatchPattern: "src/[a,b]*.ts"\n---\n\nRules.\n')
    item = read_steering(path)
    assert (item.diagnostic, item.patterns) == (None, ("src/[a,b]*.ts",))
    for candidate, hit in [("src/a1.ts", True), ("src/,x.ts", True), ("src/c1.ts", False)]:
        assert glob_matches("src/[a,b]*.ts", candidate) is hit
        assert bool(applicable([item], [candidate])) is hit, candidate
    # an unclosed `[` is itself (minimatch): the comma after it still splits
    assert _split_top_level("a[b,c") == ["a[b", "c"]


# ---- `#name` references ------------------------------------------------------------------

_NAME = st.from_regex(r"[a-z0-9][a-z0-9]{0,5}(?:[-_][a-z0-9]{1,5}){0,2}", fullmatch=True)
_ENDING = st.sampled_from(["", ".", "...", ".md", ".md.", ",", ")", "!", "?", ";", ":", "-"])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(_NAME, _ENDING, st.sampled_from(["Follow ", "Use (", "see ", ""]))
def test_a_reference_ends_at_its_name(name, ending, lead):
    text = f"{lead}#{name}{ending} for this."
    names = manual_names(text)
    assert [n.removesuffix(".md") for n in names] == [name]
    item = SteeringFile(Path(f"{name}.md"), name, Inclusion.MANUAL, (), "the rules")
    assert applicable([item], [], names) == [item]


def test_a_reference_to_no_steering_file_is_said(tmp_path):
    """Said for a name meant for a steering file (a near miss, or one ending `.md`); what `#`
    also starts in prose — ids, colours, versions, `#if`, link anchors, code — is left alone."""
    parsed = kiro.parse("# Implementation Plan\n\n- [ ] 1. Build the API following "
                        "#api-standard.\n- [ ] 2. Fix issue #12 and colour #fff with "
                        "#2fa-rules, keep #main-content, #abcd, #1.2.3 and #if DEBUG, see "
                        "[the model](#data-model) and `#include <x.h>`\n"
                        "- [x] 3. Done with #gone.md\n- [ ] 4. Per #security.md\n", "tasks.md")
    files = [SteeringFile(Path("api-standards.md"), "api-standards", Inclusion.MANUAL, (), "x"),
             SteeringFile(Path("2fa-rules.md"), "2fa-rules", Inclusion.MANUAL, (), "y")]
    notices = unknown_references(files, parsed.tasks)
    assert [n.split(", but")[0] for n in notices] == [
        "tasks.md:3: task 1 names `#api-standard`", "tasks.md:6: task 4 names `#security.md`"]
    assert "api-standards" in notices[0]


# ---- `auto`: the task names the file as a word -------------------------------------------

_AUTO_NAMES = ["ui", "db", "api", "go", "auth"]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sampled_from(_AUTO_NAMES), st.text(alphabet="abcxyz", min_size=1, max_size=4),
       st.text(alphabet="abcxyz", max_size=4), st.booleans())
def test_an_auto_file_applies_when_named_as_a_word(name, before, after, upper):
    item = SteeringFile(Path(f"{name}.md"), name, Inclusion.AUTO, (), "rules",
                        description="")
    shown = name.upper() if upper else name
    inside = f"Change the {before}{shown}{after} screen"  # a part of another word
    assert applicable([item], [], text=inside) == []
    for word in (f"Change the {shown} screen", f"Change the {shown}s", f"({shown}) work",
                 f"Update {shown}-related code", f"Port it to {shown}3"):
        assert applicable([item], [], text=word) == [item], word


def test_a_name_in_a_script_without_spaces_is_found_inside_its_text():
    for name, text in [("测试", "为登录功能编写测试用例"),
                       ("データベース", "ユーザーテーブルのデータベース移行"),
                       ("보안", "로그인보안 강화")]:
        item = SteeringFile(Path(f"{name}.md"), name, Inclusion.AUTO, (), "rules")
        assert applicable([item], [], text=text) == [item], name


# ---- a near-miss checkbox is told its own format's form ----------------------------------

def _suggested(message: str) -> str:
    return re.search(r"write `([^`]+)`", message).group(1)


def test_the_fix_a_near_miss_is_told_is_a_task_of_its_own_file():
    for reader, head in [(kiro.parse, "# Implementation Plan\n\n- [ ] 1. First\n"),
                         (speckit.parse, "# Tasks\n\n## Phase 1: Setup\n\n- [ ] T001 First\n")]:
        for slip in ["-[ ] 2. Build", "- [v] 2. Build", "- [ ]\u00a01. Build", "- [  ] Build"]:
            parsed = reader(head + slip + "\n", "tasks.md")
            messages = [d.message for d in parsed.diagnostics if "checkbox" in d.message]
            assert messages, (reader, slip)
            fixed = reader(head + _suggested(messages[0]) + "\n", "tasks.md")
            assert len(fixed.tasks) == 2 and not fixed.diagnostics, (slip, fixed.diagnostics)


# ---- Spec Kit: the constitution and every design document --------------------------------

def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _speckit_project(root: Path, *, layout: str) -> Path:
    feature = root / "specs" / "001-photo-albums"
    (feature / "contracts").mkdir(parents=True)
    (feature / "tasks.md").write_text(
        "# Tasks\n\n## Phase 1: Setup\n\n- [ ] T001 Create the Album model in src/album.py\n")
    (feature / "spec.md").write_text("# Spec\n\nUsers group photos into albums.\n")
    (feature / "plan.md").write_text("# Plan\n\nPython 3.11, SQLite.\n")
    (feature / "data-model.md").write_text("# Data model\n\n## Album\n\nAlbum has a title.\n")
    (feature / "research.md").write_text("# Research\n\nSQLite over Postgres.\n")
    (feature / "contracts" / "albums.yaml").write_text("openapi: 3.0.0\npaths: {}\n")
    memory = root / (".specify/memory" if layout == "current" else "memory")
    memory.mkdir(parents=True)
    (memory / "constitution.md").write_text("# Constitution\n\nEvery module has tests.\n")
    _git(root, "init", "-q")
    return feature


def test_spec_kit_s_constitution_and_design_documents_reach_the_task(tmp_path):
    for layout in ("current", "first"):
        root = tmp_path / layout
        root.mkdir()
        feature = _speckit_project(root, layout=layout)
        spec = load_spec(root, feature / "tasks.md")
        assert spec.constitution_file is not None and spec.constitution_file.is_file()
        design = spec.design_text or ""
        for said in ("Python 3.11", "Album has a title", "SQLite over Postgres",
                     "contracts/albums.yaml", "openapi: 3.0.0"):
            assert said in design, (layout, said)
        context = task_context(spec, spec.tasks[0])
        assert [(s.name, s.inclusion) for s in context.steering] == [
            ("constitution", Inclusion.ALWAYS)]
        assert "Every module has tests" in context.steering[0].body


def test_a_constitution_linked_out_of_the_repository_is_refused(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("SECRET123\n")
    root = tmp_path / "repo"
    feature = _speckit_project(root, layout="current")
    constitution = root / ".specify" / "memory" / "constitution.md"
    constitution.unlink()
    constitution.symlink_to(outside)
    spec = load_spec(root, feature / "tasks.md")
    with pytest.raises(ConfigError, match="resolves outside the repository"):
        SteeringSet.collect(spec.steering_dir, constitution=spec.constitution_file)
    assert "SECRET123" not in (spec.design_text or "")


def test_contracts_that_are_not_text_or_past_the_cap_are_named_not_read(tmp_path):
    root = tmp_path / "repo"
    feature = _speckit_project(root, layout="current")
    contracts = feature / "contracts"
    (contracts / "sequence.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    (contracts / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (contracts / "notes.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "far.yaml").write_text("far: away\n")
    (contracts / "far.yaml").symlink_to(tmp_path / "far.yaml")
    for n in range(40):
        (contracts / "gen" / f"c{n:02}.json").parent.mkdir(exist_ok=True)
        (contracts / "gen" / f"c{n:02}.json").write_text('{"x": "' + "y" * 2_000 + '"}\n')
    design = load_spec(root, feature / "tasks.md").design_text or ""
    assert "openapi: 3.0.0" in design and "Album has a title" in design
    unread = design.split("# contracts not read", 1)[1]
    for name in ("sequence.png", ".DS_Store", "notes.txt", "far.yaml"):
        assert f"contracts/{name} (" in unread, name
    assert "far: away" not in design
    shown = [n for n in range(40) if f"# contracts/gen/c{n:02}.json" in design]
    assert shown and len(shown) < 40
    assert all(f"contracts/gen/c{n:02}.json (past the" in unread
               for n in range(40) if n not in shown)
    assert len(design) < MAX_CONTRACT_CHARS + 10_000
