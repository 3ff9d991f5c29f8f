"""A spec that exists: loaded back as drafts in every format, revised, or replaced — and
never silently: without a choice a non-interactive `spec new` stops with exit 2."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.authoring import document, drafting, existing
from reviewloop.authoring import phases as ph
from reviewloop.authoring.sessions import SpecSessions
from reviewloop.authoring.start import NewSpec, deps_for, first_state
from reviewloop.cli.app import main
from reviewloop.config import load_settings
from reviewloop.errors import UserInputError
from reviewloop.spec.loader import load_spec
from tests.support import drafts, file_kinds
from tests.support.chat import ScriptedChatModel, message_text
from tests.support.repos import init_repo, repo_here, write

pexpect = pytest.importorskip("pexpect")

DRAFTS = drafts.plan(drafts.PARALLEL_TASKS)
APPROVE = {"action": "approve"}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    return repo_here(tmp_path / "repo", monkeypatch)


def _written(root, fmt):
    return drafts.write_spec(root, fmt, DRAFTS)[0]


def _listing(capsys, tasks_file):
    with pytest.raises(SystemExit):
        main(["tasks", "--json", "--spec", str(tasks_file)])
    listing = json.loads(capsys.readouterr().out)
    return [(t["title"].split(": ")[-1], t["status"], t["wave"]) for t in listing["tasks"]
            if t["wave"] is not None or t["status"] == "done"]


@pytest.mark.parametrize("fmt", document.FORMATS)
def test_each_format_loads_back_as_drafts_the_reader_accepts(repo, capsys, fmt):
    tasks_file = _written(repo, fmt)
    before = _listing(capsys, tasks_file)
    loaded = existing.load_drafts(repo, fmt, tasks_file)
    assert set(loaded) == set(ph.PHASES)
    inputs = ph.Inputs(what="A todo API", name="todo",
                       approved={ph.REQUIREMENTS: loaded[ph.REQUIREMENTS]})
    for phase, text in loaded.items():
        assert drafting.draft_phase(phase, inputs, None, previous=text).problems == (), phase
    assert "**NFR-1** Standard library only" in loaded[ph.REQUIREMENTS]
    assert "- [x] T" in loaded[ph.TASKS]  # the done task stays done
    (tasks_file if fmt == "doc" else tasks_file.parent).rename(repo / "moved-away")
    again = document.target(fmt, "todo", repo)
    meta = document.Meta(name="todo", what="A todo API", model=None, approve_all=False,
                         created="2026-11-23")
    for path, text in document.render(fmt, meta, loaded, again).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert _listing(capsys, again) == before  # same tasks, statuses and waves


def test_kiro_requirement_numbers_map_back_to_ids(repo):
    folder = repo / ".kiro/specs/login"
    folder.mkdir(parents=True)
    (folder / "requirements.md").write_text(
        "# Requirements Document\n\n## Requirements\n\n### Requirement 1: Sign in\n\n"
        "#### Acceptance Criteria\n\n1. WHEN a user signs in THE SYSTEM SHALL greet them\n\n"
        "### Requirement 2: Sign out\n\n#### Acceptance Criteria\n\n"
        "1. WHEN a user signs out THE SYSTEM SHALL forget them\n")
    (folder / "design.md").write_text("# Design\n\n## Overview\n\nSessions in a cookie.\n")
    (folder / "tasks.md").write_text("- [ ] 1. Sign in\n  - _Requirements: 1.1_\n"
                                     "- [ ] 2. Sign out\n  - _Requirements: 2.1, 1_\n")
    loaded = existing.load_drafts(repo, "kiro", folder / "tasks.md")
    assert loaded[ph.REQUIREMENTS].splitlines() == [
        "- **FR-1** Sign in", "  - WHEN a user signs in THE SYSTEM SHALL greet them",
        "- **FR-2** Sign out", "  - WHEN a user signs out THE SYSTEM SHALL forget them"]
    assert loaded[ph.HIGH_LEVEL] == "### Overview\n\nSessions in a cookie."
    assert "- [ ] T2 Sign out\n  - Requirements: FR-2, FR-1" in loaded[ph.TASKS]
    assert ph.LOW_LEVEL not in loaded  # drafted as usual


def test_non_interactive_without_a_choice_is_exit_2_naming_both(repo, capsys):
    _written(repo, "doc")
    with pytest.raises(SystemExit) as exited:
        main(["spec", "new", "Add a due date", "--name", "todo"])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "docs/todo-spec.md already exists" in err
    assert "--revise" in err and "--fresh" in err


@pytest.mark.parametrize("flags", [("--revise", "--fresh"), ("--fresh", "--revise")])
def test_revise_and_fresh_together_are_a_usage_error_in_either_order(repo, capsys, flags):
    tasks_file = _written(repo, "doc")
    before = tasks_file.read_text()
    with pytest.raises(SystemExit) as exited:
        main(["spec", "new", "Add a due date", "--name", "todo", *flags, "--approve-all"])
    assert exited.value.code == 2
    assert "--revise and --fresh are alternatives" in capsys.readouterr().err
    assert tasks_file.read_text() == before
    assert not (repo / ".reviewloop/spec-backups").exists()


def test_revise_needs_a_spec_to_revise(repo):
    with pytest.raises(UserInputError, match="no doc spec named 'todo' to revise"):
        first_state(repo, NewSpec(what="x", name="todo", existing="revise"), None)


def test_revise_offline_keeps_the_spec_and_a_hand_edit(repo, capsys):
    tasks_file = _written(repo, "doc")
    edited = tasks_file.read_text().replace("  - [ ] T2.1 Todo dataclass",
                                            "  - [ ] T2.1 Todo dataclass\n    - frozen=True")
    tasks_file.write_text(edited)
    before = _listing(capsys, tasks_file)
    with pytest.raises(SystemExit) as exited:
        main(["spec", "new", "Add a due date", "--name", "todo", "--revise", "--approve-all"])
    out = capsys.readouterr().out
    assert exited.value.code == 0 and "path: docs/todo-spec.md" in out
    text = tasks_file.read_text()
    assert "    - frozen=True" in text and "`todo/` does not exist yet." in text
    assert "> A todo API\n> \n> Revised: Add a due date\n" in text  # the description stays
    assert "- [x] T1 Scaffold the package" in text
    assert _listing(capsys, tasks_file) == before
    backups = list((repo / ".reviewloop/spec-backups").rglob("todo-spec.md"))
    assert [b.read_text() for b in backups] == [edited]  # the front matter changed: kept


HAND_WRITTEN = """\
# Cache

Owner: alice, reviewed weekly.

## Introduction
Some intro text that matters.

## Requirements
- **FR-1** Cache widgets for 60 s.
  - Acceptance: a second read within 60 s hits the cache.

## High-level design
An LRU in `cache.py` (FR-1).

## Low-level design
`Cache.get(key)` (FR-1).

## Tasks
- [x] T1 LRU core
  - Requirements: FR-1

## Open questions
- Should TTL be configurable?
"""


def test_revise_offline_keeps_the_title_and_sections_no_phase_holds(repo, capsys):
    spec = repo / "docs/cache-spec.md"
    spec.parent.mkdir()
    spec.write_text(HAND_WRITTEN)
    with pytest.raises(SystemExit) as exited:
        main(["spec", "new", "cache widgets", "--name", "cache", "--revise", "--approve-all"])
    assert exited.value.code == 0, capsys.readouterr()
    text = spec.read_text()
    assert "\n# Cache\n\n> cache widgets\n\nOwner: alice, reviewed weekly.\n" in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Introduction", "## Requirements", "## High-level design",
                        "## Low-level design", "## Tasks", "## Open questions"]
    assert "## Introduction\nSome intro text that matters.\n" in text
    assert text.endswith("## Open questions\n- Should TTL be configurable?\n")
    assert "- [x] T1 LRU core" in text


def test_a_revision_the_reader_rejects_is_exit_2_under_approve_all_then_runs_again(repo, capsys):
    """Offline nothing can redraft a rejected phase: --approve-all says so with exit 2 and
    the reader's problem, writes nothing, and runs again once the file is corrected."""
    spec = repo / "docs/cache-spec.md"
    spec.parent.mkdir()
    broken = HAND_WRITTEN.replace("  - Requirements: FR-1\n",
                                  "  - Requirements: FR-1\n- [ ]* T2 Benchmark\n")
    spec.write_text(broken)
    argv = ["spec", "new", "cache widgets", "--name", "cache", "--revise", "--approve-all"]
    with pytest.raises(SystemExit) as exited:
        main(argv)
    err = " ".join(capsys.readouterr().err.split())
    assert exited.value.code == 2
    assert "the task-plan draft cannot be approved: task T2 cites no requirement" in err
    assert "nothing written" in err and spec.read_text() == broken
    spec.write_text(HAND_WRITTEN)
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 0, capsys.readouterr().err


_EXTRA = st.sampled_from(["Introduction", "Open questions", "Glossary", "Risks", "Notes"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(placed=st.lists(st.tuples(st.integers(0, 4), _EXTRA), max_size=4, unique_by=lambda p: p[1]),
       body=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                    min_size=1, max_size=30).filter(lambda t: t.strip() and t[0] not in "#>"))
def test_sections_no_phase_holds_come_back_where_they_were(tmp_path_factory, placed, body):
    """Sections no phase claims, wherever they stand among the phases, are written back in
    their place and word for word by a revision that keeps every phase's text."""
    root = tmp_path_factory.mktemp("spec")
    titles = [ph.TITLES[p] for p in (ph.REQUIREMENTS, ph.HIGH_LEVEL, ph.LOW_LEVEL, ph.TASKS)]
    texts = dict(zip(titles, (drafts.REQUIREMENTS, drafts.HIGH_LEVEL, drafts.LOW_LEVEL,
                              drafts.TASKS), strict=True))
    order: list[tuple[str, str]] = []
    for i, title in enumerate([*titles, None]):
        order += [(extra, f"{body} ({extra})") for at, extra in placed if at == i]
        if title is not None:
            order.append((title, texts[title].strip()))
    spec = root / "docs/todo-spec.md"
    spec.parent.mkdir()
    spec.write_text("# Todo\n\n" + "\n".join(f"## {t}\n\n{x}\n" for t, x in order))
    loaded = existing.load_drafts(root, "doc", spec)
    kept = existing.kept("doc", spec, root)
    meta = document.Meta(name="todo", what="A todo API", model=None, approve_all=True,
                         created="2026-11-29")
    again = document.single_document(meta, loaded, kept)
    assert [line for line in again.splitlines() if line.startswith("## ")] == [
        f"## {t}" for t, _ in order]
    for title, text in order:
        assert f"## {title}\n\n{text}\n" in again


def test_revise_with_a_model_sends_each_existing_phase_back_to_it(repo):
    _written(repo, "kiro")
    model = ScriptedChatModel().enqueue("NONE", drafts.REQUIREMENTS, drafts.HIGH_LEVEL_REVISED,
                                        drafts.LOW_LEVEL, drafts.PARALLEL_TASKS)
    settings = load_settings(repo, flags={"model": "scripted"})
    deps = deps_for(repo, settings, lambda name: model)
    request = NewSpec(what="Back the store by a dict", name="todo", format="kiro",
                      interactive=False, existing="revise")
    sessions = SpecSessions(repo)
    step = sessions.start(first_state(repo, request, "scripted"), deps)
    step = sessions.resume("todo", APPROVE, deps)  # requirements
    assert step.waiting["phase"] == ph.HIGH_LEVEL
    assert (step.waiting["previous"], step.waiting["draft"]) == (drafts.HIGH_LEVEL,
                                                                 drafts.HIGH_LEVEL_REVISED)
    asked = message_text(model.history[2][-1])
    assert f"Your previous draft:\n\n{drafts.HIGH_LEVEL}" in asked
    assert "Revise it for: Back the store by a dict" in asked
    for _ in range(3):
        step = sessions.resume("todo", APPROVE, deps)
    assert step.status == "written"
    design = (repo / ".kiro/specs/todo/design.md").read_text()
    assert "backed by a dict keyed by id" in design
    assert "`todo/` does not exist yet." in (repo / ".kiro/specs/todo/requirements.md").read_text()
    assert step.values["backups"]  # requirements, design and tasks were replaced


def test_fresh_writes_a_new_spec_and_keeps_the_old_one_aside(repo, capsys):
    tasks_file = _written(repo, "speckit")
    old = tasks_file.read_text()
    with pytest.raises(SystemExit) as exited:
        main(["spec", "new", "A todo API", "--name", "todo", "--format", "speckit", "--fresh",
              "--approve-all"])
    out = capsys.readouterr().out
    assert exited.value.code == 0 and "path: specs/001-todo/tasks.md" in out
    assert "Implement todo (placeholder)" in tasks_file.read_text()
    assert "previous text is kept in" in out
    backup = next((repo / ".reviewloop/spec-backups").rglob("tasks.md"))
    assert backup.read_text() == old
    assert len(load_spec(repo, tasks_file).tasks) == 1


def _spawn(repo, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWLOOP_")}
    env.update({"NO_COLOR": "1", "TERM": "dumb"})
    return pexpect.spawn(sys.executable, ["-m", "reviewloop", *args], cwd=str(repo), env=env,
                         encoding="utf-8", timeout=180, dimensions=(60, 220))


def test_interactive_prompt_offers_revise_and_fresh(repo):
    tasks_file = _written(repo, "doc")
    child = _spawn(repo, "spec", "new", "Add a due date", "--name", "todo")
    child.expect_exact("docs/todo-spec.md already exists")
    child.expect_exact("revise/fresh/stop")
    child.sendline("revise")
    for title in ("Requirements", "High-level design", "Low-level design", "Tasks"):
        child.expect_exact(f"{title} — review")
        child.expect_exact("approve/feedback/stop")
        child.sendline("approve")
    child.expect_exact("Spec written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "- [x] T1 Scaffold the package" in tasks_file.read_text()


def test_interactive_stop_leaves_the_spec_alone(repo):
    tasks_file = _written(repo, "doc")
    before = tasks_file.read_text()
    child = _spawn(repo, "spec", "new", "Add a due date", "--name", "todo")
    child.expect_exact("revise/fresh/stop")
    child.sendline("stop")
    child.expect_exact("the existing spec is unchanged")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and tasks_file.read_text() == before


@settings(max_examples=3, deadline=None, derandomize=True)
@given(words=st.lists(st.text("qwxyz", min_size=1, max_size=6), min_size=1, max_size=4)
       .map(" ".join))
@pytest.mark.parametrize("doc", ["requirements.md", "design.md"])
@pytest.mark.parametrize("kind", file_kinds.KINDS)
def test_revise_loads_a_kiro_document_as_it_is_or_refuses_it_by_name(kind, doc, words):
    """`spec new --revise` (f_a D8): a requirements.md or design.md that cannot be read as
    it is (a dangling link, a folder, a FIFO, UTF-16, Latin-1, a link out) is refused by
    name, never shown as an empty draft to revise; the entry is left as it was."""
    text = {"requirements.md": "# Requirements\n\n## Requirements\n\n### Requirement 1: "
                               "{w}\n\n#### Acceptance Criteria\n\n1. WHEN {w} THEN it SHALL "
                               "work\n",
            "design.md": "# Design\n\n## Overview\n\n{w}\n"}[doc].format(w=words)
    with tempfile.TemporaryDirectory(prefix="revise-") as name:
        root = init_repo(Path(name) / "repo")
        tasks_file = root / ".kiro/specs/feat/tasks.md"
        write(root, ".kiro/specs/feat/tasks.md", "# Implementation Plan\n\n- [ ] 1. Base\n")
        file_kinds.make(kind, root, f".kiro/specs/feat/{doc}", text)
        before = file_kinds.state(tasks_file.parent / doc)
        if kind in file_kinds.READABLE:
            loaded = existing.load_drafts(root, "kiro", tasks_file)
            assert (words in "\n".join(loaded.values())) is (kind != "empty")
        else:
            with pytest.raises(UserInputError) as caught:
                existing.load_drafts(root, "kiro", tasks_file)
            assert doc in (caught.value.where or "")
            assert file_kinds.NAMED[kind] in str(caught.value)
        assert file_kinds.state(tasks_file.parent / doc) == before
