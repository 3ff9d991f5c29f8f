"""Every benchmark still imports against the code it measures.

A benchmark is run by hand, so a rename in the package breaks it silently (the triage
benchmark imported `group` from its old home for a session). Each module under
`benchmarks/` is imported in one child process, as `python benchmarks/<name>.py` would load
it, without running its `main`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py"))

_IMPORT_ALL = """
import importlib, sys, traceback
broken = []
for name in sys.argv[1:]:
    try:
        importlib.import_module("benchmarks." + name)
    except BaseException:
        broken.append(name + ": " + traceback.format_exc(limit=-1).strip().splitlines()[-1])
print("\\n".join(broken))
"""


def test_every_benchmark_module_imports():
    assert "triage" in BENCHMARKS and "round_cpu" in BENCHMARKS
    done = subprocess.run([sys.executable, "-c", _IMPORT_ALL, *BENCHMARKS], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"benchmarks that no longer import:\n{done.stdout}"


def test_a_relative_pythonpath_names_the_tree_it_was_given_in_not_each_runs_repository():
    """`PYTHONPATH=. python benchmarks/wide_changes.py` in a worktree: each review starts in
    a temporary repository, where `.` would name no reviewloop and the editable install's
    checkout would be measured instead of the worktree."""
    shown = subprocess.run(
        [sys.executable, "-c", "from benchmarks.big_inputs import users_env; "
         "print(users_env()['PYTHONPATH'])"], cwd=ROOT, capture_output=True, text=True,
        timeout=600, check=True, env={"PYTHONPATH": f".{os.pathsep}sub", "PYTHONHASHSEED": "0"})
    assert shown.stdout.strip() == os.pathsep.join([str(ROOT), str(ROOT / "sub")])
