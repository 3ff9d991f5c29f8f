"""A handoff after a real run: test counts and fixed findings come from the run's checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import warm_cli


def test_handoff_after_the_demo_run_reports_its_tests_and_fixes(tmp_path: Path) -> None:
    demo = warm_cli.run(["demo", "--dir", str(tmp_path)], tmp_path, timeout=300)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    root = tmp_path / "todo-api"
    done = warm_cli.run(["handoff", "--json"], root, timeout=120, check=True)
    data = json.loads(done.stdout)
    run = data["facts"]["runs"][0]
    assert (run["task_id"], run["status"]) == ("T2", "committed")
    assert run["passed_tests"] > 0 and run["fixed"] >= 1 and run["escalated"] == 0
    assert data["blockers"] == []
    assert data["next_steps"][0].startswith("`reviewloop run next` — T3")
    text = (root / ".reviewloop/handoff.md").read_text()
    assert f"- last test count: {run['passed_tests']} passing" in text
    assert f"T2 Delete a todo — committed ({run['commit'][:8]}); findings fixed " \
        f"{run['fixed']}, escalated 0" in text
