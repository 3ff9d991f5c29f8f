"""A run lands its own task's tick and nothing else of the spec's status: an implementer that
ticks, unticks, deletes or rewords another task's line in the spec has it put back, the
summary says so, and the other task stays to be run."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.support.gitutil import git
from tests.support.loop_cli import (
    SPEC,
    cli,
    example_project,  # noqa: F401 - the fixture `project` here
)

# does T2, and on the way ticks T4, unticks T1, rewords T5, deletes T6 and adds a note
AGENT = f"""from pathlib import Path
Path('todo/extra.py').write_text('VALUE = 1\\n')
spec = Path({SPEC!r})
text = spec.read_text()
text = text.replace('- [ ] T4 Search', '- [x] T4 Search')
text = text.replace('- [x] T1 Create', '- [ ] T1 Create')
text = text.replace('- [ ] T5 Tests', '- [ ] T5 All tests')
text = '\\n'.join(l for l in text.split('\\n') if not l.startswith('- [ ] T6'))
text = text.replace('- [ ] T2 Delete a todo', '- [x] T2 Delete a todo\\n  Note: delete() added.')
spec.write_text(text)
"""


def test_other_tasks_edited_by_the_implementer_are_put_back_and_said(project: Path) -> None:
    agent = project.parent / "agent.py"
    agent.write_text(AGENT, encoding="utf-8")
    before = (project / SPEC).read_text()

    done = cli(project, "run", "T2", "--spec", SPEC, "--implementer",
               f"cmd:{sys.executable} {agent}", "--branch", "task-2", timeout=300)
    assert "reviewloop approve " in done.stdout, done.stdout + done.stderr
    panel = " ".join(done.stdout.replace("│", " ").split())
    for said in ("T1 Create the `Todo` model and a `TodoStore` with add, list and complete: "
                 "unticked by the agent; not landed",
                 "T4 Search todos by text: ticked by the agent; not landed",
                 # T6's details, left under T5 when its checkbox line went, are T6's:
                 # said once, with T6 (they were also said as T5's lines added)
                 "T5 Tests for every new public function: reworded by the agent; not landed",
                 "T6 Add a `clear_completed()` helper that deletes completed todos: "
                 "its checkbox line deleted (put back) by the agent; not landed"):
        assert said in panel, done.stdout
    assert "added" not in panel.split("spec put back", 1)[1].split("review rounds", 1)[0]
    run_id = done.stdout.split("reviewloop approve ", 1)[1].split()[0]
    approved = cli(project, "approve", run_id)
    assert approved.returncode == 0, approved.stdout + approved.stderr

    landed = (project / SPEC).read_text()
    expected = before.replace("- [ ] T2 Delete a todo", "- [x] T2 Delete a todo\n"
                              "  Note: delete() added.")
    assert landed == expected
    assert git(project, "show", "HEAD:" + SPEC) == expected
    listed = cli(project, "tasks", "--spec", SPEC).stdout
    assert "T4" in listed and "T6" in listed
