"""A run whose gates fail for a reason no change of the code fixes stops for the user at once,
with the reason, the fix and the step after it, and never spends an implement round on it: a
new Go function under `gates.coverage = "strict"` (reviewloop does not measure Go's coverage).
Tests added in a project with no test command (nothing runs them) stop nothing: the run
lands, and its verdict says they were not run."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.repos import wave_repo

GO_AGENT = """import pathlib, sys
sys.stdin.read()
pathlib.Path('calc.go').write_text(
    'package calc\\n\\nfunc Add(a, b int) int {\\n\\treturn a + b\\n}\\n')
"""
JS_AGENT = """import pathlib, sys
sys.stdin.read()
pathlib.Path('sum.js').write_text('exports.sum = (a, b) => a + b;\\n')
pathlib.Path('sum.test.js').write_text("require('node:test')('sum', () => {});\\n")
"""
GO_FIX = ("go: 1 function(s) not measured (calc.go: Add): reviewloop measures new-code "
          "coverage of Python and JavaScript/TypeScript only; new public functions whose "
          'coverage is not measured fail `gates.coverage = "strict"`: test them under a test '
          "command reviewloop measures (pytest, the package's Node test script), or set "
          '`[gates] coverage = "report"`')
def project(tmp_path: Path, config: str, files: dict[str, str], agent: str) -> Path:
    root = wave_repo(tmp_path, "- [ ] 1. Feature\n")
    for name, text in {".reviewloop.toml": config, **files}.items():
        (root / name).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "project")
    (tmp_path / "agent.py").write_text(agent)
    return root


def test_a_gate_only_the_user_can_pass_stops_the_run_after_one_attempt(tmp_path: Path) -> None:
    root = project(tmp_path, '[gates]\ncoverage = "strict"\nbuild = []\ntest = ["true"]\n',
                   {"go.mod": "module example.com/calc\n\ngo 1.21\n"}, GO_AGENT)
    script = tmp_path / "agent.py"

    done = cli(root, "run", "1", "--implementer", f"cmd:{sys.executable} {script}", "--yes")

    assert done.returncode == 1, done.stdout + done.stderr  # waiting for a human
    # two retries by default: three attempts before
    assert done.stderr.count("implement: attempt") == 1, done.stderr
    report = json.loads(cli(root, "report", "--format", "json").stdout)
    found = re.search(r"`reviewloop reject (\S+)`", report["escalations"][0])
    assert found is not None, report["escalations"]
    run_id = found.group(1)
    assert report["escalations"] == [
        "guard-rails failed: coverage; the coverage gate needs you (the implementer is not "
        f"asked again): {GO_FIX}; then `reviewloop reject {run_id}` and `reviewloop run 1` "
        "again (resuming this run replays this stop)"]
    assert report["verdict"].startswith("gates failed: coverage; ")
    assert "escalated (1)" in report["verdict"]
    # what the stop says is true: resuming replays it, rejecting and running again goes on
    assert cli(root, "resume", run_id, "--yes").returncode == 1
    assert cli(root, "reject", run_id).returncode == 0


def test_tests_no_command_runs_land_with_a_verdict_saying_they_were_not_run(
        tmp_path: Path) -> None:
    root = project(tmp_path, "[gates]\nbuild = []\n",
                   {"package.json": '{"name": "calc", "version": "1.0.0"}\n'}, JS_AGENT)
    script = tmp_path / "agent.py"

    done = cli(root, "run", "1", "--implementer", f"cmd:{sys.executable} {script}", "--yes")

    assert done.returncode == 0, done.stdout + done.stderr  # landed, as without the test
    assert "incomplete: tests added but not run (sum.test.js)" in done.stdout
    report = json.loads(cli(root, "report", "--format", "json").stdout)
    assert report["escalations"] == []
    assert "incomplete: tests added but not run (sum.test.js): no test command runs them " \
           "(no pytest, npm, go, cargo, maven, gradle or make project found)" in report["verdict"]
