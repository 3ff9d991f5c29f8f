"""An implementer that deletes, moves, replaces or garbles the run's spec, or rewrites
another task's block: the spec goes back right after the agent stops — before the gates and
the reviewers run on it — the summary says what was put back, and the commit holds the run's
change and its own tick only (docs/loop.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reviewloop.spec.loader import load_spec
from tests.support.chat import ScriptedChatModel
from tests.support.gitutil import git
from tests.support.runner import NO_MARKDOWN, SPEC, clean_round, runner, spec_file, start

SPEC_PATH = ".kiro/specs/calc/tasks.md"
# what the agent does to the spec besides its change, and what the summary then says
SABOTAGE = {
    "deleted": ("p.unlink()", f"the spec ({SPEC_PATH}): deleted"),
    "moved away": ("p.rename(p.with_name('old-tasks.md'))", f"the spec ({SPEC_PATH}): deleted"),
    "a folder in its place": ("p.unlink(); p.mkdir()", f"the spec ({SPEC_PATH}): left unreadable"),
    "a link out of the repository": ("p.unlink(); p.symlink_to('/nonexistent/tasks.md')",
                                     f"the spec ({SPEC_PATH}): left unreadable"),
    "another task's details rewritten": (
        "p.write_text(p.read_text().replace('_Requirements: 1.2_', 'SKIP: covered by 1'))",
        "2 Add subtraction: line `- _Requirements: 1.2_` deleted, line `- SKIP: covered by 1` "
        "added"),
}


def _agent(root: Path, sabotage: str) -> str:
    script = root.parent / "agent.py"
    script.write_text("from pathlib import Path\n"
                      "Path('calc.py').write_text('def add(a, b):\\n    return a + b\\n')\n"
                      f"p = Path('{SPEC_PATH}')\n{sabotage}\n", encoding="utf-8")
    return f"cmd:{sys.executable} {script}"


@pytest.mark.parametrize("how", list(SABOTAGE))
def test_a_sabotaged_spec_goes_back_before_it_is_gated_and_lands_only_the_tick(
        project: Path, how: str) -> None:
    sabotage, said = SABOTAGE[how]
    model = ScriptedChatModel()
    clean_round(model, apart=NO_MARKDOWN)  # apart: read a moved spec's new .md alone
    run = runner(project, model)

    result = start(run, project, _agent(project, sabotage))

    assert result.status == "awaiting_approval", result
    assert result.summary is not None and result.summary.spec_restored == [said]
    done = run.resume(result.run_id, "approve")
    assert done.status == "committed", done
    landed = git(project, "show", f"HEAD:{SPEC_PATH}")
    assert landed == SPEC.replace("- [ ] 1. Add the calculator", "- [x] 1. Add the calculator")
    # the copy a move left is the agent's new file: reviewed and committed like any other
    moved = [".kiro/specs/calc/old-tasks.md"] if how == "moved away" else []
    assert sorted(git(project, "show", "--name-only", "--format=", "HEAD").split()) == sorted(
        [SPEC_PATH, "calc.py", *moved])
    assert [t.id for t in load_spec(project, spec_file(project)).tasks if not t.is_done] == ["2"]
