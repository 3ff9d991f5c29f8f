"""Runs waiting for approval, made offline through the real CLI: a repository on `work` with a
three-task spec, and a command implementer that writes app/greet.py and appends to
app/core.py (no model is asked: the analyzers alone review)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.loop_cli import cli
from tests.support.repos import branch_repo

SPEC = "docs/feat-spec.md"
TASKS = ("T1 Add greet function", "T2 Add farewell function", "T3 Add shout function")
IMPLEMENTER = ("#!/bin/sh\nprintf 'def greet(name):\\n    return \"hi \" + name\\n' "
               "> app/greet.py\nprintf '\\n# touched\\n' >> app/core.py\n")


def spec_text(tasks: tuple[str, ...] = TASKS, ticked: tuple[str, ...] = ()) -> str:
    lines = "".join(f"- [{'x' if t.split()[0] in ticked else ' '}] {t}\n" for t in tasks)
    return ("# Feat spec\n## Requirements\n- **FR-1** things work.\n## Design\nSimple.\n"
            f"## Tasks\n{lines}")


def waiting_repo(root: Path) -> Path:
    """The repository, on branch `work`; its gates pass at once."""
    return branch_repo(root, {SPEC: spec_text(), "app/core.py": "def base():\n    return 1\n",
                              "README.md": "user-readme\n", ".gitignore": ".reviewloop/\n",
                              ".reviewloop.toml": '[gates]\nbuild = ["true"]\ntest = ["true"]\n'},
                       branch="work", base_message="init")


def implementer(root: Path, script: str = IMPLEMENTER) -> str:
    path = root.parent / f"{root.name}-implement.sh"
    path.write_text(script)
    path.chmod(0o755)
    return f"cmd:{path}"


def start_waiting(root: Path, task: str = "T1", script: str = IMPLEMENTER) -> str:
    """Run `task` until it waits for approval; its run id."""
    done = cli(root, "run", task, "--spec", SPEC, "--implementer", implementer(root, script))
    found = re.search(r"reviewloop approve (\S+)", done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    return found.group(1)


def worktree(root: Path, run_id: str) -> Path:
    return root / ".reviewloop" / "worktrees" / run_id
