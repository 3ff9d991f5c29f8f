"""`reviewloop plan` exits 1 when open tasks remain and none can ever start (a dependency
cycle, or only a wait on one), in every format, so the batch workflow fails instead of
skipping `implement` green; a cycle beside a task that can start is no failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli_main import run_cli
from tests.support.gitutil import git

SPEC = ".kiro/specs/feat/tasks.md"
# (tasks file, exit code, matrix ids): 1 ticked, the rest as each case says
CASES = {
    "cycle": ("- [ ] 2. Two [deps: 3]\n- [ ] 3. Three [deps: 2]\n", 1, []),
    "waits on a cycle": ("- [ ] 2. Two [deps: 3]\n- [ ] 3. Three [deps: 2]\n"
                         "- [ ] 4. Four [deps: 2]\n", 1, []),
    "cycle beside a free task": ("- [ ] 2. Two [deps: 3]\n- [ ] 3. Three [deps: 2]\n"
                                 "- [ ] 4. Four [deps: 1]\n", 0, ["4"]),
    "self cycle": ("- [ ] 2. Two\n  - _Depends: 2_\n", 1, []),
    "all done": ("- [x] 2. Two [deps: 1]\n", 0, []),
}


def _repo(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "r"
    (root / SPEC).parent.mkdir(parents=True)
    git(root, "init", "-q")
    for name in ("requirements.md", "design.md"):
        (root / SPEC).with_name(name).write_text("# R\n")
    (root / SPEC).write_text("# Implementation Plan\n\n- [x] 1. Done\n" + body)
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "spec")
    return root


@pytest.mark.parametrize("fmt", ["github-matrix", "json", "text"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_plan_fails_when_what_is_open_can_never_start(tmp_path, capsys, monkeypatch, case,
                                                      fmt):
    body, expected, ids = CASES[case]
    monkeypatch.chdir(_repo(tmp_path, body))
    code, out, err = run_cli(capsys, "plan", "--format", fmt)
    assert code == expected
    said = " ".join(err.split())
    if fmt == "github-matrix":
        assert [t["task"] for t in json.loads(out)["include"]] == ids
    elif fmt == "json":
        data = json.loads(out)
        assert [t["task"] for t in data["tasks"]] == ids
        assert bool(data["left_out"]) == (case not in ("all done",))
    if expected:
        assert "No task can start, and none will until the spec is fixed" in said
        assert "dependency cycle" in said
    else:
        assert "none will" not in said
