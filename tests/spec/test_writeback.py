"""Status write-back: only the mark bytes change, whatever the file looks like."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reviewloop.errors import SpecError
from reviewloop.spec import kiro
from reviewloop.spec.loader import load_spec
from reviewloop.spec.model import TaskStatus
from reviewloop.spec.writeback import mark_done, mark_for, mark_in_progress, set_mark

SPECS = Path(__file__).parent.parent / "fixtures" / "specs"
ALL_TASK_FILES = sorted(SPECS.glob("**/tasks.md"))


def _copy(fixture: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Copy a fixture under a layout the loader recognises; return (root, tasks file)."""
    kind = fixture.relative_to(SPECS).parts[0]
    folder = ".kiro/specs/feature" if kind == "kiro" else "specs/001-feature"
    target = tmp_path / folder / "tasks.md"
    target.parent.mkdir(parents=True)
    shutil.copyfile(fixture, target)
    return tmp_path, target


def _diff_positions(before: bytes, after: bytes) -> list[int]:
    assert len(before) == len(after)
    return [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]


def _spec_tasks(path: Path):
    return kiro.parse(path.read_bytes().decode("utf-8-sig"), path.name).tasks


@pytest.mark.parametrize("fixture", ALL_TASK_FILES, ids=lambda p: "/".join(p.parts[-3:-1]))
def test_marking_one_open_task_done_changes_only_its_mark(fixture: Path, tmp_path: Path):
    root, path = _copy(fixture, tmp_path)
    spec = load_spec(root, path)
    candidates = [t for t in spec.tasks if not t.is_done and t.is_leaf]
    if not candidates:  # everything is done: reopen one leaf first, through set_mark
        leaf = next(t for t in spec.tasks if t.is_leaf)
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
        path.write_bytes(set_mark(text, leaf, TaskStatus.OPEN).encode("utf-8", "surrogateescape"))
        spec = load_spec(root, path)
        candidates = [t for t in spec.tasks if t.id == leaf.id]
    task = candidates[len(candidates) // 2]
    before = path.read_bytes()
    changed = mark_done(path, spec.tasks, task.id)
    after = path.read_bytes()
    assert task.id in changed
    positions = _diff_positions(before, after)
    assert len(positions) == len(changed)
    changed_lines = {t.line for t in spec.tasks if t.id in changed}
    assert {before.count(b"\n", 0, pos) + 1 for pos in positions} == changed_lines
    assert all(after[pos:pos + 1] in (b"x", b"X") for pos in positions)
    reread = load_spec(root, path).task(task.id)
    assert reread is not None and reread.is_done


@pytest.mark.parametrize("fixture", ALL_TASK_FILES, ids=lambda p: "/".join(p.parts[-3:-1]))
def test_set_mark_round_trip_restores_every_byte(fixture: Path, tmp_path: Path):
    root, path = _copy(fixture, tmp_path)
    spec = load_spec(root, path)
    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    for task in spec.tasks[:40]:
        flipped = set_mark(text, task, TaskStatus.IN_PROGRESS)
        assert sum(a != b for a, b in zip(flipped, text, strict=True)) <= 1
        assert set_mark(flipped, task, task.status).replace("X", "x") == text.replace("X", "x")


def test_crlf_bom_and_missing_final_newline_are_kept(tmp_path: Path):
    path = tmp_path / "tasks.md"
    original = "\ufeff- [ ] 1. First\r\n  - detail\r\n- [ ] 2. Second".encode()
    path.write_bytes(original)
    tasks = _spec_tasks(path)
    assert mark_done(path, tasks, "1") == ["1"]
    assert path.read_bytes() == "\ufeff- [x] 1. First\r\n  - detail\r\n- [ ] 2. Second".encode()
    assert mark_done(path, _spec_tasks(path), "2") == ["2"]
    assert path.read_bytes().endswith(b"- [x] 2. Second")


def test_bom_on_the_task_line_itself(tmp_path: Path):
    path = tmp_path / "tasks.md"
    path.write_bytes("\ufeff- [ ] 1. Only".encode())
    mark_in_progress(path, _spec_tasks(path), "1")
    assert path.read_bytes() == "\ufeff- [-] 1. Only".encode()


def test_invalid_utf8_elsewhere_survives(tmp_path: Path):
    path = tmp_path / "tasks.md"
    original = b"# caf\xe9\n- [ ] 1. a\n  - \xff\xfe bytes\n"
    path.write_bytes(original)
    tasks = kiro.parse(original.decode("utf-8", errors="replace"), "t.md").tasks
    mark_done(path, tasks, "1")
    assert path.read_bytes() == original.replace(b"[ ] 1.", b"[x] 1.")


def test_upper_case_convention_is_kept(tmp_path: Path):
    path = tmp_path / "tasks.md"
    path.write_text("- [X] 1. done\n- [ ] 2. open\n", encoding="utf-8")
    mark_done(path, _spec_tasks(path), "2")
    assert path.read_text(encoding="utf-8") == "- [X] 1. done\n- [X] 2. open\n"


def test_lower_case_by_default():
    assert mark_for("- [ ] 1. a", TaskStatus.DONE) == "x"
    assert mark_for("- [x] 1. a\n- [X] 2. b", TaskStatus.DONE) == "X"
    assert mark_for("", TaskStatus.IN_PROGRESS) == "-"
    assert mark_for("", TaskStatus.OPEN) == " "


PARENTED = (
    "- [ ] 1. Parent\n"
    "  - [ ] 1.1 First\n"
    "  - [ ]* 1.2 Optional test\n"
    "  - [ ] 1.3 Last\n"
    "- [ ] 2. Other\n"
)


def test_parent_closes_only_after_last_required_child(tmp_path: Path):
    path = tmp_path / "tasks.md"
    path.write_text(PARENTED, encoding="utf-8")
    assert mark_done(path, _spec_tasks(path), "1.1") == ["1.1"]
    assert "- [ ] 1. Parent" in path.read_text(encoding="utf-8")
    assert mark_done(path, _spec_tasks(path), "1.3") == ["1.3", "1"]
    text = path.read_text(encoding="utf-8")
    assert "- [x] 1. Parent" in text and "- [ ]* 1.2 Optional test" in text
    assert "- [ ] 2. Other" in text


def test_optional_child_never_closes_the_parent(tmp_path: Path):
    path = tmp_path / "tasks.md"
    path.write_text(PARENTED, encoding="utf-8")
    assert mark_done(path, _spec_tasks(path), "1.2") == ["1.2"]
    assert "- [ ] 1. Parent" in path.read_text(encoding="utf-8")


def test_parents_close_recursively(tmp_path: Path):
    path = tmp_path / "tasks.md"
    path.write_text("- [ ] 0. a\n  - [x] 0.1 b\n  - [-] 0.2 c\n    - [ ] 0.2.1 d\n",
                    encoding="utf-8")
    assert mark_done(path, _spec_tasks(path), "0.2.1") == ["0.2.1", "0.2", "0"]
    assert path.read_text(encoding="utf-8") == (
        "- [x] 0. a\n  - [x] 0.1 b\n  - [x] 0.2 c\n    - [x] 0.2.1 d\n")


def test_already_done_changes_nothing(tmp_path: Path):
    path = tmp_path / "tasks.md"
    path.write_text("- [x] 1. a\n", encoding="utf-8")
    assert mark_done(path, _spec_tasks(path), "1") == []
    assert path.read_text(encoding="utf-8") == "- [x] 1. a\n"


def test_mark_in_progress_marks_open_ancestors(tmp_path: Path):
    path = tmp_path / "tasks.md"
    path.write_text(PARENTED, encoding="utf-8")
    assert mark_in_progress(path, _spec_tasks(path), "1.3") == ["1.3", "1"]
    text = path.read_text(encoding="utf-8")
    assert "- [-] 1. Parent" in text and "- [-] 1.3 Last" in text and "- [ ] 1.1 First" in text


def test_stale_line_raises_and_writes_nothing(tmp_path: Path):
    path = tmp_path / "tasks.md"
    path.write_text(PARENTED, encoding="utf-8")
    tasks = _spec_tasks(path)
    path.write_text("# inserted\n" + PARENTED, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(SpecError) as caught:
        mark_done(path, tasks, "1.1")
    assert "tasks.md:2" in str(caught.value) and "1.1" in str(caught.value)
    assert path.read_bytes() == before


def test_set_mark_rejects_line_past_end_and_other_task():
    task = kiro.parse("- [ ] 1. a\n- [ ] 2. b", "t.md").by_id()["2"]
    with pytest.raises(SpecError, match=r"t\.md:2"):
        set_mark("- [ ] 1. a\n- [ ] 3. b", task, TaskStatus.DONE)
    with pytest.raises(SpecError, match=r"t\.md:2"):
        set_mark("- [ ] 1. a", task, TaskStatus.DONE)


def test_synthetic_ids_are_checked_by_title():
    text = "- [ ] write docs\n- [ ] ship"
    task = kiro.parse(text, "t.md").by_id()["2"]
    assert set_mark(text, task, TaskStatus.DONE) == "- [ ] write docs\n- [x] ship"
    with pytest.raises(SpecError):
        set_mark("- [ ] write docs\n- [ ] something else", task, TaskStatus.DONE)


def test_unknown_task_id_is_an_error(tmp_path: Path):
    path = tmp_path / "tasks.md"
    path.write_text(PARENTED, encoding="utf-8")
    with pytest.raises(SpecError, match="no task 9"):
        mark_done(path, _spec_tasks(path), "9")
