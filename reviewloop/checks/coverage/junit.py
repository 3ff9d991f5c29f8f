"""The tests a run failed, read from the runner's own report, not its printed summary.

pytest writes a JUnit XML report when asked through `PYTEST_ADDOPTS` (so the project's
command runs as configured), with `junit_family=xunit1` for each test's file and line;
vitest through its `junit` reporter; jest its results as JSON (`--json --outputFile`, which
it ships: no reporter package needed). A run with no report (a command that is not a test
runner) has `None`: the caller falls back on the exit code and says so.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET  # noqa: S405 - expat (>= 2.4 here) refuses entity bombs
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

PYTEST_REPORT = "pytest-junit.xml"
VITEST_REPORT = "junit.xml"  # in the folder vitest writes its coverage to (`runners.py`)
JEST_REPORT = "jest-results.json"  # in the folder jest writes its coverage to (`runners.py`)
MAX_REPORT_BYTES = 50_000_000


@dataclass(frozen=True)
class FailedTest:
    """One failed or erroring test case."""

    id: str  # `tests/test_app.py::test_add` (pytest), `file > suite > name` (vitest, jest)
    file: str | None = None  # repository path, when the report gives one
    line: int | None = None
    message: str = ""


def pytest_options(folder: Path, existing: str | None) -> str:
    """`PYTEST_ADDOPTS` asking pytest for its JUnit report in `folder` (the project's own
    options kept; a `--junitxml` of the command itself comes later and wins)."""
    ours = f"-o junit_family=xunit1 --junitxml={folder / PYTEST_REPORT}"
    return f"{existing} {ours}" if existing else ours


def failed_tests(reports: list[Path], root: Path) -> tuple[FailedTest, ...] | None:
    """Every failed or erroring test case of the `reports` that exist (JUnit XML, or jest's
    JSON for a `.json` one); None when none of them was written."""
    found: list[FailedTest] = []
    read = False
    for report in reports:
        if not report.is_file() or report.stat().st_size > MAX_REPORT_BYTES:
            continue
        cases = _jest_failed(report, root) if report.suffix == ".json" else \
            _junit_failed(report, root)
        if cases is not None:
            read = True
            found += cases
    return tuple(found) if read else None


def _junit_failed(report: Path, root: Path) -> list[FailedTest] | None:
    try:
        tree = ET.parse(report)  # noqa: S314 - the report of a sandboxed run, size-capped
    except ET.ParseError:
        return None
    return [_failed(case, root) for case in tree.iter("testcase")
            if case.find("failure") is not None or case.find("error") is not None]


def _jest_failed(report: Path, root: Path) -> list[FailedTest] | None:
    """jest's `--json` results: each failed assertion, and each test file that failed to
    run at all (a syntax error, a failing import), which has no assertion to fail."""
    try:
        results = json.loads(report.read_text(encoding="utf-8", errors="replace"))
    except ValueError:
        return None
    if not isinstance(results, dict) or not isinstance(results.get("testResults"), list):
        return None
    found = []
    for suite in results["testResults"]:
        if not isinstance(suite, dict):
            continue
        file = _repo_path(str(suite.get("name") or ""), root)
        failed = [a for a in suite.get("assertionResults") or []
                  if isinstance(a, dict) and a.get("status") == "failed"]
        found += [FailedTest(
            id=" > ".join([file or "?", *map(str, a.get("ancestorTitles") or []),
                           str(a.get("title") or "?")]), file=file,
            line=(a.get("location") or {}).get("line"),
            message=_message(" ".join(map(str, a.get("failureMessages") or []))))
            for a in failed]
        if suite.get("status") == "failed" and not failed:
            found.append(FailedTest(id=file or "?", file=file,
                                    message=_message(str(suite.get("message") or ""))))
    return found


def _message(text: str) -> str:
    return " ".join(text.split())[:300]


def _failed(case: ET.Element, root: Path) -> FailedTest:
    problem = case.find("failure")
    if problem is None:
        problem = case.find("error")
    message = (problem.get("message") or "").strip() if problem is not None else ""
    file = _repo_path(case.get("file"), root)
    name = case.get("name") or "?"
    classname = case.get("classname") or ""
    owner = classname.rsplit(".", 1)[-1]
    in_class = bool(file) and owner[:1].isupper() and owner != PurePosixPath(file or "").stem
    test_id = (f"{file}::{owner}::{name}" if in_class else f"{file}::{name}") if file else \
        f"{classname} > {name}" if classname else name
    line = case.get("line")
    return FailedTest(id=test_id, file=file,
                      line=int(line) + 1 if line and line.isdigit() else None,  # 0-based
                      message=_message(message))


def _repo_path(file: str | None, root: Path) -> str | None:
    if not file:
        return None
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(root.resolve())
        except ValueError:
            return None
    return PurePosixPath(os.fspath(path)).as_posix().removeprefix("./")
