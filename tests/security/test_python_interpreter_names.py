"""A script is Python by the name its shebang gives any real CPython or PyPy build. Only
`python`/`pypy` with digits and dots were: `python3.13t` (the free-threaded build),
`python3m`, `python3.12d`, `python3.11-dbg`, `python3-dbg` and `graalpy` made `bin/tool`
nobody's, read by the secrets scan alone (`complete: true`, no B602). Now the family is
known by a pattern, and a Python 2 interpreter (`python2.7`, Jython, IronPython), whose
code bandit and ruff (judging Python 3) cannot judge, is named as not analysed rather than
read as Python 3 or left unread.

Generated: interpreter stems × versions × ABI flags × debug suffixes × how the line reaches
it (direct, `env`, `env -S … -u`), each a suffix-less script of one review; the oracle is
plain bandit on the file, which reports its `shell=True` (B602): the review must too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from itertools import product
from pathlib import Path

from reviewloop.git.languages import PYTHON, PYTHON2, language
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

STEMS = ("python", "pypy")
VERSIONS = ("", "3", "3.13", "3.10")
FLAGS = ("", "t", "m", "d", "dm")
DEBUG = ("", "-dbg", "-debug")
OTHERS = ("graalpy", "micropython")
PYTHON2_NAMES = ("python2", "python2.7", "jython", "ironpython", "ipy")
LINES = ("#!/usr/bin/{}", "#!/usr/bin/env {}", "#!/usr/bin/env -S {} -u")
BODY = "import subprocess\n\n\ndef g(x):\n    subprocess.call(x, shell=True)\n"


def _interpreters() -> list[str]:
    built = [f"{stem}{version}{flags}{debug}" for stem, version, flags, debug
             in product(STEMS, VERSIONS, FLAGS, DEBUG) if version or not (flags or debug)]
    return [*built, *OTHERS]


def test_every_python_build_s_name_is_python_and_python_2_is_named() -> None:
    python = {f"bin/p{n}": line.format(name) + "\n" + BODY for n, (name, line)
              in enumerate(product(_interpreters(), LINES))}
    old = {f"bin/old{n}": line.format(name) + "\n" + BODY for n, (name, line)
           in enumerate(product(PYTHON2_NAMES, LINES))}
    for path, text in python.items():
        assert language(path, text.encode()) == PYTHON, text
    for path, text in old.items():
        assert language(path, text.encode()) == PYTHON2, text
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch))
        diff = repo.change({**python, **old})
        sample = sorted(python)[::7]  # the oracle: plain bandit, as its users run it
        plain = json.loads(subprocess.run(
            [sys.executable, "-m", "bandit", "-f", "json", "-q", *sample], cwd=repo.root,
            capture_output=True, text=True, check=False).stdout)
        report = run_for_agent(agent("a", ("bandit",)), repo.root, diff)
    assert {r["filename"].removeprefix("./") for r in plain["results"]
            if r["test_id"] == "B602"} == set(sample)
    health = next(h for h in report.health if h.name == "bandit")
    assert {f.file for f in report.findings if f.rule == "B602"} == set(python)
    assert set(health.unread) == set(old), health.unread
    assert all("Python 2" in why for why in health.unread.values())
