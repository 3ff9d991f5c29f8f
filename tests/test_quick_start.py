"""The README's quick start is two commands, and CI runs the second one as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT


def quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the quick start has no bash block"
    return [line.split("  #", 1)[0].strip() for line in block[1].splitlines() if line.strip()]


def test_the_quick_start_is_install_and_demo_then_install_and_test():
    demo, tests = quick_start()
    assert demo.startswith("pip install") and demo.endswith("reviewloop demo")
    assert tests.startswith("pip install") and tests.endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_and_installs_only_chromium_from_apt():
    """Everything else the tests need comes from PyPI and npm; Debian's Chromium opens the
    HTML report in a real browser (tests/cli/test_report_browser.py)."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    _, tests = quick_start()
    assert tests in ci.splitlines()
    installs = [line for line in ci.splitlines() if "apt-get install" in line]
    assert installs and all(line.rstrip().endswith(" chromium") for line in installs)


def test_the_suite_needs_nothing_from_the_machine_s_home_or_git_config(tmp_path: Path):
    """A fresh machine: an empty HOME (no git identity), a bare PATH, no other variable.
    A test whose module-scoped fixture commits runs before any function-scoped fixture, so
    it passes only when the suite builds its environment first (tests/support/environment.py)."""
    home = tmp_path / "empty-home"
    home.mkdir()
    env = {"HOME": str(home), "PYTHONPATH": str(ROOT),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0",
         f"--basetemp={tmp_path / 'basetemp'}",  # not the machine's: see suite_environment
         "tests/cli/test_json_schemas.py::test_a_schema_that_does_not_match_is_caught"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout
