"""`reviewloop approve` of a run that changed no file: refused with exit 2 and the fix, the
spec not ticked, nothing committed; a run that changed a file is committed as before."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.loop_cli import (
    SPEC,
    cli,
    example_project,  # noqa: F401 - the fixture `project` here
)

# implementers (Python scripts run as `cmd:`) that leave the tree as it was, each a way a
# task ends up implementing nothing, and one that changes a file (the control)
SCRIPTS = {
    "fails, writes nothing": "import sys\nprint('boom', file=sys.stderr)\nsys.exit(7)\n",
    "succeeds, writes nothing": "print('done')\n",
    "writes a file back as it was": (
        "from pathlib import Path\np = Path('todo/store.py')\nt = p.read_text()\n"
        "p.write_text(t + '# x\\n')\np.write_text(t)\n"),
    "creates and removes a file": (
        "from pathlib import Path\np = Path('todo/new.py')\np.write_text('x = 1\\n')\n"
        "p.unlink()\n"),
}
CHANGES = "from pathlib import Path\nPath('todo/extra.py').write_text('VALUE = 1\\n')\n"


def waiting_run(project: Path, script: str) -> tuple[str, str]:
    agent = project.parent / "agent.py"
    agent.write_text(script, encoding="utf-8")
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer",
               f"cmd:{sys.executable} {agent}", "--branch", "task-2", timeout=300)
    assert "reviewloop reject " in done.stdout, done.stdout + done.stderr
    return done.stdout.split("reviewloop reject ", 1)[1].split()[0], done.stdout


@pytest.mark.parametrize("how", list(SCRIPTS))
def test_approving_a_run_that_changed_nothing_is_refused(project: Path, how: str) -> None:
    run_id, said = waiting_run(project, SCRIPTS[how])
    # the run's own summary offers no approve that would be refused, only the reject
    assert f"Run {run_id} changed no file: nothing was implemented, so there is nothing to " \
           "approve" in said
    assert "reviewloop approve" not in said
    head, spec = git(project, "rev-parse", "HEAD"), (project / SPEC).read_text()
    done = cli(project, "approve", run_id)
    assert done.returncode == 2, done.stdout + done.stderr
    assert (f"error: {run_id}: run {run_id} changed no file: nothing of T2 was implemented, "
            "and approving it would commit only the task's tick in the spec") in done.stderr
    assert f"fix: `reviewloop reject {run_id}` and run T2 again" in done.stderr
    assert git(project, "rev-parse", "HEAD") == head
    assert (project / SPEC).read_text() == spec
    assert run_id in cli(project, "runs").stdout  # still waiting: reject it, or tick by hand
    assert cli(project, "reject", run_id).returncode == 0


def test_approving_a_run_that_changed_a_file_commits_it(project: Path) -> None:
    run_id, said = waiting_run(project, CHANGES)
    assert f"approve: reviewloop approve {run_id}" in said
    done = cli(project, "approve", run_id)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "todo/extra.py" in git(project, "show", "--name-only", "--format=", "HEAD").split()
