"""A run whose gates fail for a reason no change of the code fixes stops for the user at once,
with the reason and the fix, and never spends an implement round on it: a new Go function
under `gates.coverage = "strict"` (reviewloop does not measure Go's coverage), tests added
in a project with no test command (nothing runs them). Each counts in the verdict."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

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
JS_FIX = ('nothing runs the tests the change adds (sum.test.js): set `[gates] test = ["<the '
          'command that runs them>"]` in .reviewloop.toml (`node --test`, `npx jest`, '
          "`python -m pytest`), or give package.json a `test` script, which reviewloop finds "
          "and runs")


@pytest.mark.parametrize(("config", "files", "agent", "gate", "fix"), [
    ('[gates]\ncoverage = "strict"\nbuild = []\ntest = ["true"]\n',
     {"go.mod": "module example.com/calc\n\ngo 1.21\n"}, GO_AGENT, "coverage", GO_FIX),
    ("[gates]\nbuild = []\n", {"package.json": '{"name": "calc", "version": "1.0.0"}\n'},
     JS_AGENT, "test", JS_FIX),
], ids=["go-coverage-not-measured", "tests-no-command-runs"])
def test_a_gate_only_the_user_can_pass_stops_the_run_after_one_attempt(
        tmp_path: Path, config: str, files: dict[str, str], agent: str, gate: str,
        fix: str) -> None:
    root = wave_repo(tmp_path, "- [ ] 1. Feature\n")
    for name, text in {".reviewloop.toml": config, **files}.items():
        (root / name).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "project")
    script = tmp_path / "agent.py"
    script.write_text(agent)

    done = cli(root, "run", "1", "--implementer", f"cmd:{sys.executable} {script}", "--yes")

    assert done.returncode == 1, done.stdout + done.stderr  # waiting for a human
    # two retries by default: three attempts before
    assert done.stderr.count("implement: attempt") == 1, done.stderr
    report = json.loads(cli(root, "report", "--format", "json").stdout)
    assert report["escalations"] == [
        f"guard-rails failed: {gate}; the {gate} gate needs you (the implementer is not "
        f"asked again): {fix}"]
    assert report["verdict"].startswith(f"gates failed: {gate}; ")
    assert "escalated (1)" in report["verdict"]
