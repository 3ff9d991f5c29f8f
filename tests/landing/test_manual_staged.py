"""A manual run of a change half staged (`git add`, then more edits to the same file): the
landing is refused before anything of the user's is touched, with a fix that works —
unstaging, not committing the staged half (which would make the run's commit conflict) —
and after following it the run lands with every edit and a clean checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.errors import BlockingOutcome
from tests.support.chat import ScriptedChatModel
from tests.support.gitutil import git
from tests.support.runner import clean_round, runner, start

ADD = "def add(a, b):\n    return a + b\n"
MORE = "\n\ndef double(a):\n    return add(a, a)\n"


def test_a_half_staged_manual_change_lands_after_the_fix_it_is_given(project: Path) -> None:
    (project / "calc.py").write_text(ADD)
    git(project, "add", "calc.py")  # the staged half
    (project / "calc.py").write_text(ADD + MORE)  # and more of the change, not staged
    staged = git(project, "diff", "--cached", "--", "calc.py")
    model = ScriptedChatModel()
    clean_round(model)
    run = runner(project, model)
    result = start(run, project, "manual")
    assert result.status == "awaiting_approval", result

    with pytest.raises(BlockingOutcome) as refused:
        run.resume(result.run_id, "approve")

    said = str(refused.value)
    assert "cannot land: your checkout has edits to calc.py" in said
    assert ("fix: only what you staged of calc.py is in the way: unstage it, the file keeps "
            "every edit (`git diff --cached -- calc.py` shows it first): "
            "git restore --staged -- calc.py, then "
            f"`reviewloop approve {result.run_id}`") in said
    assert git(project, "diff", "--cached", "--", "calc.py") == staged  # untouched
    assert (project / "calc.py").read_text() == ADD + MORE

    git(project, "restore", "--staged", "--", "calc.py")  # the fix, as given
    landed = run.resume(result.run_id)

    assert landed.status == "committed", landed
    assert git(project, "show", "HEAD:calc.py") == ADD + MORE
    assert (project / "calc.py").read_text() == ADD + MORE
    assert git(project, "status", "--porcelain", "--", "calc.py") == ""
    assert (project / "notes.txt").read_text() == "mine, uncommitted\n"  # unrelated: kept
