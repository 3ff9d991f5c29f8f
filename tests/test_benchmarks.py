"""Every benchmark still imports against the code it measures.

A benchmark is run by hand, so a rename in the package breaks it silently (the triage
benchmark imported `group` from its old home for a session). Each module under
`benchmarks/` is imported in one child process, as `python benchmarks/<name>.py` would load
it, without running its `main`.
"""

from __future__ import annotations

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
