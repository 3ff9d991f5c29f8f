"""What landing has to tell the user reaches them: a file of theirs it left alone (edited
while the landing was under way) is in the landing's result, and the CLI prints it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.app.run import _report_outcome
from reviewloop.cli.terminal import terminal
from reviewloop.config import Settings
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import open_repository
from reviewloop.landing import engine
from reviewloop.landing.job import LAND_PLAN, LandJob
from reviewloop.landing.land import land_change
from reviewloop.runs.result import RunResult
from tests.support.repos import write
from tests.support.worktrees import commit_in

KEPT = "app.py changed in your checkout while landing: your version was kept"


def test_a_file_edited_while_landing_keeps_your_version_and_you_are_told(
        root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkout = open_repository(root)
    tree = worktree.create(checkout, "r1", "reviewloop/1", carry=False)
    sha = commit_in(tree, {"app.py": "x = 3\n"})
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    # planned (and saved) before a crash; then the user edited the file the run changes
    plan = engine.plan(checkout, sha, "work")
    (run_dir / LAND_PLAN).write_text(plan.model_dump_json(), encoding="utf-8")
    write(root, "app.py", "x = 'mine'\n")

    landed = land_change(LandJob(repo=open_repository(Path(tree.path)), settings=Settings(),
                                 run_dir=run_dir, spec_file=None, checkout=checkout,
                                 run_tree=tree, run_id="r1", task_id="1"), sha)

    assert landed.kept == ("app.py",) and landed.notices == [KEPT]
    assert (root / "app.py").read_text() == "x = 'mine'\n"
    _report_outcome(RunResult("r1", "committed", commit=landed.commit, tree=tree,
                              notices=landed.notices), root, terminal())
    assert KEPT in " ".join(capsys.readouterr().out.split())
