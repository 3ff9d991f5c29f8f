"""The two ruff analyzers on a real repository: each reviewer's rule set, only changed lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruff.__main__ import find_ruff_bin

from reviewloop.checks.analyzers.ruff import RUFF_MAINTAINABILITY, RUFF_PERFORMANCE
from reviewloop.findings.schema import Severity
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.processes import started

OLD = "def legacy(d={}):\n    return d\n"  # B006, but not part of the change
BRANCHY = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(12))
NEW = (
    "import asyncio\n"
    "import os\n"
    "import time\n"
    "\n"
    "\n"
    "def legacy(d={}):\n"
    "    return d\n"
    "\n"
    "\n"
    "def collect(xs, extra=[]):\n"
    "    out = []\n"
    "    for x in xs:\n"
    "        out.append(x * 2)\n"
    "    return out + extra\n"
    "\n"
    "\n"
    "async def handler(seconds):\n"
    "    time.sleep(seconds)\n"
    "    await asyncio.sleep(0)\n"
    "\n"
    "\n"
    "def classify(x):\n" + BRANCHY + "    return None\n"
)
CLEAN = "def add(a: int, b: int) -> int:\n    return a + b\n"


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path, {"pkg/mod.py": OLD})


def rules(findings):
    return {(f.rule, f.start_line, f.severity) for f in findings}


def test_maintainability_reports_bug_prone_complex_and_unused_code_on_changed_lines(repo):
    diff = repo.change({"pkg/mod.py": NEW, "pkg/clean.py": CLEAN})

    report = run_for_agent(agent("review-maintainability", ("ruff-maintainability",)),
                           repo.root, diff)

    assert report.complete
    assert rules(report.findings) == {
        ("F401", 2, Severity.NIT),  # os; asyncio is used
        ("B006", 10, Severity.SHOULD_FIX),  # B006 on line 6 is old code
        ("C901", 22, Severity.SHOULD_FIX),
        ("PLR0911", 22, Severity.SHOULD_FIX),
    }
    assert all(f.source == "ruff-maintainability" for f in report.findings)
    b006 = next(f for f in report.findings if f.rule == "B006")
    assert b006.agent == "review-maintainability"
    assert "mutable" in b006.title.lower() and "docs.astral.sh" in b006.rationale
    assert b006.suggestion and "unsafe fix" in b006.suggestion


def test_performance_reports_blocking_sleep_in_async_code_and_manual_comprehension(repo):
    diff = repo.change({"pkg/mod.py": NEW})

    report = run_for_agent(agent("review-performance", ("ruff-performance",)), repo.root, diff)

    assert rules(report.findings) == {
        ("PERF401", 13, Severity.SHOULD_FIX),
        ("ASYNC251", 18, Severity.SHOULD_FIX),
    }
    assert {f.source for f in report.findings} == {"ruff-performance"}


def test_a_clean_file_has_no_findings_from_either(repo):
    diff = repo.change({"pkg/clean.py": CLEAN})

    for name in ("ruff-maintainability", "ruff-performance"):
        report = run_for_agent(agent("r", (name,)), repo.root, diff)
        assert report.findings == [] and report.complete


def test_the_project_ruff_config_does_not_silence_the_reviewers(repo):
    repo.write({"pyproject.toml": '[tool.ruff.lint]\nignore = ["B006", "PERF401"]\n'})
    diff = repo.change({"pkg/mod.py": NEW})

    m = run_for_agent(agent("m", ("ruff-maintainability",)), repo.root, diff).findings
    p = run_for_agent(agent("p", ("ruff-performance",)), repo.root, diff).findings

    assert "B006" in {f.rule for f in m} and "PERF401" in {f.rule for f in p}


def test_a_syntax_error_is_left_to_the_gates(repo):
    diff = repo.change({"pkg/broken.py": "def broken(:\n    pass\n"})

    report = run_for_agent(agent("m", ("ruff-maintainability",)), repo.root, diff)

    assert report.findings == [] and report.complete


@pytest.mark.parametrize(("code", "expected"), [
    ("F821", Severity.MUST_FIX), ("F811", Severity.SHOULD_FIX), ("F401", Severity.NIT),
    ("B006", Severity.SHOULD_FIX), ("PLE0101", Severity.SHOULD_FIX),
    ("PLR0912", Severity.SHOULD_FIX), ("PLR1714", Severity.NIT), ("SIM108", Severity.NIT),
    ("ERA001", Severity.NIT), ("C901", Severity.SHOULD_FIX),
])
def test_maintainability_severity(code, expected):
    assert RUFF_MAINTAINABILITY.severity(code) is expected


@pytest.mark.parametrize(("code", "expected"), [
    ("ASYNC230", Severity.SHOULD_FIX), ("PERF401", Severity.SHOULD_FIX),
    ("PERF203", Severity.NIT), ("C416", Severity.NIT), ("RUF015", Severity.NIT),
])
def test_performance_severity(code, expected):
    assert RUFF_PERFORMANCE.severity(code) is expected


def test_maintainability_flags_a_bare_except_and_a_blind_one(repo):
    code = ("def load(path):\n"
            "    try:\n"
            "        return open(path).read()\n"
            "    except:\n"
            "        return None\n"
            "\n"
            "\n"
            "def save(path, text):\n"
            "    try:\n"
            "        open(path, 'w').write(text)\n"
            "    except Exception:\n"
            "        return False\n"
            "    return True\n")
    diff = repo.change({"pkg/io.py": code})

    report = run_for_agent(agent("review-maintainability", ("ruff-maintainability",)),
                           repo.root, diff)

    found = {(f.rule, f.start_line, f.severity) for f in report.findings if f.file == "pkg/io.py"}
    assert ("E722", 4, Severity.SHOULD_FIX) in found
    assert ("BLE001", 11, Severity.SHOULD_FIX) in found


def test_a_noqa_comment_does_not_hide_the_finding_from_the_review(repo):
    """ruff runs --ignore-noqa: whether a `# noqa` counts is reviewloop's decision."""
    code = "# ruff: noqa\ndef f():\n    return undefined_a  # noqa\n\n\n" \
           "def g():\n    return undefined_b  # noqa: F821\n"
    diff = repo.change({"pkg/marked.py": code})

    report = run_for_agent(agent("review-maintainability", ("ruff-maintainability",)),
                           repo.root, diff)

    assert sorted((f.rule, f.start_line) for f in report.findings
                  if f.rule == "F821") == [("F821", 3), ("F821", 7)]


def test_ruff_runs_as_the_installed_package_s_binary_not_through_python(repo):
    """`python -m ruff` only execs the package's binary: a Python start-up (~25 ms) per
    run, ten times ruff's own time on a small change (#41)."""
    diff = repo.change({"pkg/mod.py": NEW})

    with started() as runs:
        report = run_for_agent(agent("review-performance", ("ruff-performance",)),
                               repo.root, diff)

    assert rules(report.findings)  # ruff ran and was read
    binary = Path(find_ruff_bin())
    assert [argv[0] for argv in runs if "check" in argv] == [str(binary)]
