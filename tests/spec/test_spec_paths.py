"""`--spec` at any of a spec's own places finds its tasks: the tasks file, a document beside it
(Kiro's requirements.md or design.md, Spec Kit's spec.md or plan.md — read as a one-document
spec it had no task), its folder, the `.kiro/specs` or `specs` folder holding it, `.kiro`.
Generated over both layouts and every such path; a document with no tasks.md beside it is
refused naming it (exit 2)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import ExitCode, SpecError
from reviewloop.spec.loader import load_spec

LAYOUTS = {
    "kiro": (".kiro/specs/f", "- [ ] 1. Base\n- [ ] 2. Models\n",
             ("requirements.md", "design.md"), (".kiro", ".kiro/specs", ".kiro/specs/f")),
    "speckit": ("specs/001-x", "## Phase 1: Setup\n- [ ] T001 Base\n- [ ] T002 Models\n",
                ("spec.md", "plan.md", "data-model.md", "research.md", "quickstart.md"),
                ("specs", "specs/001-x")),
}


@pytest.fixture(scope="module")
def repos() -> Iterator[dict[str, Path]]:
    with tempfile.TemporaryDirectory(prefix="spec-paths-") as name:
        made = {}
        for layout, (folder, tasks, documents, _) in LAYOUTS.items():
            root = Path(name) / layout
            (root / folder).mkdir(parents=True)
            (root / folder / "tasks.md").write_text(tasks)
            for document in documents:
                (root / folder / document).write_text("# A document\n\nProse, no tasks.\n")
            made[layout] = root
        yield made


@st.composite
def places(draw) -> tuple[str, str]:
    layout = draw(st.sampled_from(sorted(LAYOUTS)))
    folder, _, documents, folders = LAYOUTS[layout]
    place = draw(st.sampled_from([f"{folder}/tasks.md", *(f"{folder}/{d}" for d in documents),
                                  *folders]))
    return layout, place


@settings(max_examples=60, deadline=None, derandomize=True)
@given(chosen=places())
def test_every_place_of_a_spec_finds_its_tasks(repos: dict[str, Path],
                                               chosen: tuple[str, str]) -> None:
    layout, place = chosen
    root = repos[layout]
    spec = load_spec(root, root / place)
    assert spec.tasks_file == root / LAYOUTS[layout][0] / "tasks.md", place
    assert len(spec.tasks) == 2 and not spec.diagnostics, place


def test_a_document_with_no_tasks_file_beside_it_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / ".kiro/specs/f"
    folder.mkdir(parents=True)
    (folder / "requirements.md").write_text("# Requirements\n")
    with pytest.raises(SpecError) as raised:
        load_spec(tmp_path, folder / "requirements.md")
    assert raised.value.exit_code == ExitCode.USAGE
    assert raised.value.where == str(folder / "requirements.md")
    assert str(raised.value).splitlines()[0].endswith(
        "requirements.md is a document of the spec in f/, which has no tasks.md: its tasks "
        "are read from there")
    assert raised.value.fix == f"write the tasks in {folder / 'tasks.md'} (or pass --spec the " \
        "tasks file)"


def test_a_one_document_spec_elsewhere_is_still_read_as_given(tmp_path: Path) -> None:
    """`docs/plan.md` is no spec folder's document: it is read as the file it is."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/plan.md").write_text("# Plan\n\n## Tasks\n- [ ] T1 One\n")
    (tmp_path / "docs/tasks.md").write_text("- [ ] 1. Other\n")
    spec = load_spec(tmp_path, tmp_path / "docs/plan.md")
    assert spec.tasks_file == tmp_path / "docs/plan.md"
    assert [t.id for t in spec.tasks] == ["T1"]
