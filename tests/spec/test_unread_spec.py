"""A spec none of whose task lines can be read is refused (exit 2, naming the file, its first
such line and what a task line looks like in its format), never taken for a finished spec.
Generated: each format's task lines bent by the slips writers make, or the file saved with
classic Mac OS line ends; one well-formed task line among them makes the spec readable."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import ExitCode, SpecError
from reviewloop.spec.loader import TASK_LINE, load_spec, require_tasks
from reviewloop.spec.markdown import parse_checkbox
from reviewloop.spec.model import SpecFormat

# (where the tasks file lives, the document before the tasks, the tasks' ids and titles)
FORMATS = {
    SpecFormat.KIRO: (".kiro/specs/f/tasks.md", "# Implementation Plan\n\n",
                      ("1. Base", "2. Models", "3. API")),
    SpecFormat.SPECKIT: ("specs/001-x/tasks.md", "# Tasks: X\n\n## Phase 1: Setup\n\n",
                         ("T001 Base", "T002 Models", "T003 API")),
    SpecFormat.DOCS: ("docs/x-spec.md", "# X\n\n## Tasks\n\n",
                      ("T1 Base", "T2 Models", "T3 API")),
}
SLIPS = st.sampled_from(["-[ ] {}", "- [ ]{}", "- [  ] {}", "- [ x] {}", "- [] {}",
                         "- [v] {}", "* [✓] {}", "- [xx] {}", "-\u00a0[ ] {}"])


def _spec(kind: SpecFormat, body: str):
    path, _, _ = FORMATS[kind]
    with tempfile.TemporaryDirectory(prefix="unread-") as name:
        folder = Path(name)
        (folder / path).parent.mkdir(parents=True)
        (folder / path).write_bytes(body.encode())
        return load_spec(folder, folder / path)  # read whole: nothing is read later


def _refused(kind: SpecFormat, body: str) -> SpecError:
    spec = _spec(kind, body)
    assert spec.tasks == ()
    with pytest.raises(SpecError) as raised:
        require_tasks(spec)
    error = raised.value
    assert error.exit_code == ExitCode.USAGE
    first = spec.diagnostics[0]
    assert error.where == FORMATS[kind][0]
    assert f"no task of this {kind.value} spec could be read: {first}" in str(error)
    assert TASK_LINE[kind] in (error.fix or "")
    return error


@settings(max_examples=60, deadline=None, derandomize=True)
@given(kind=st.sampled_from(sorted(FORMATS)), data=st.data())
def test_every_task_line_bent_is_refused_not_finished(kind: SpecFormat, data) -> None:
    _, head, tasks = FORMATS[kind]
    lines = [data.draw(SLIPS).format(task) for task in tasks]
    assert all(parse_checkbox(line) is None for line in lines)
    _refused(kind, head + "".join(f"{line}\n" for line in lines))
    # one task line written right among them: the spec reads, the others stay diagnostics
    fixed = head + f"- [ ] {tasks[0]}\n" + "".join(f"{line}\n" for line in lines[1:])
    readable = _spec(kind, fixed)
    require_tasks(readable)
    assert [t.title for t in readable.tasks] == [tasks[0].split(" ", 1)[1]]


@settings(max_examples=20, deadline=None, derandomize=True)
@given(ticked=st.lists(st.booleans(), min_size=3, max_size=3))
def test_a_kiro_file_with_lone_cr_line_ends_is_refused(ticked: list[bool]) -> None:
    _, head, tasks = FORMATS[SpecFormat.KIRO]
    body = head.replace("\n", "\r") + "".join(
        f"- [{'x' if done else ' '}] {task}\r" for done, task in zip(ticked, tasks, strict=True))
    error = _refused(SpecFormat.KIRO, body)
    assert "carriage return without a line feed" in str(error)
    assert "lines ending in LF or CRLF" in (error.fix or "")


@pytest.mark.parametrize("body", ["", "\ufeff", "# Implementation Plan\n", "\r\n\r\n",
                                  "# Implementation Plan\n\nProse, no checkbox.\n"])
def test_a_kiro_plan_with_no_task_line_is_named_not_listed_as_0_tasks(body: str) -> None:
    """An empty Kiro plan (or prose only) is said to have no tasks, as a one-document spec
    is, and a run refuses it: never "0 tasks", every task "done", in silence."""
    error = _refused(SpecFormat.KIRO, body)
    assert "no tasks found" in str(error) and "- [ ] 1. Title" in str(error)
