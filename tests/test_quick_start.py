"""The README's quick start is two commands, and CI runs the second one as written."""

from __future__ import annotations

import re

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


def test_ci_runs_the_readme_test_command_and_installs_nothing_from_apt():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    _, tests = quick_start()
    assert tests in ci.splitlines()
    assert "apt-get" not in ci
