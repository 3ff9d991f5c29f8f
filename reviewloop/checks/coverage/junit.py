"""The tests a run failed, read from the runner's own JUnit XML report, not its printed summary.

pytest writes the report when asked through `PYTEST_ADDOPTS` (so the project's command runs as
configured), with `junit_family=xunit1` for each test's file and line; vitest through its
`junit` reporter. A run with no report (jest without a JUnit reporter, a command that is not
a test runner) has `None`: the caller falls back on the exit code and says so.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET  # noqa: S405 - expat (>= 2.4 here) refuses entity bombs
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

PYTEST_REPORT = "pytest-junit.xml"
VITEST_REPORT = "junit.xml"  # in the folder vitest writes its coverage to (`runners.py`)
MAX_REPORT_BYTES = 50_000_000


@dataclass(frozen=True)
class FailedTest:
    """One failed or erroring test case."""

    id: str  # `tests/test_app.py::test_add` (pytest), `suite > name` (vitest)
    file: str | None = None  # repository path, when the report gives one
    line: int | None = None
    message: str = ""


def pytest_options(folder: Path, existing: str | None) -> str:
    """`PYTEST_ADDOPTS` asking pytest for its JUnit report in `folder` (the project's own
    options kept; a `--junitxml` of the command itself comes later and wins)."""
    ours = f"-o junit_family=xunit1 --junitxml={folder / PYTEST_REPORT}"
    return f"{existing} {ours}" if existing else ours


def failed_tests(reports: list[Path], root: Path) -> tuple[FailedTest, ...] | None:
    """Every failed or erroring test case of the JUnit `reports` that exist; None when none
    of them was written."""
    found: list[FailedTest] = []
    read = False
    for report in reports:
        if not report.is_file() or report.stat().st_size > MAX_REPORT_BYTES:
            continue
        try:
            tree = ET.parse(report)  # noqa: S314 - the report of a sandboxed run, size-capped
        except ET.ParseError:
            continue
        read = True
        found += [_failed(case, root) for case in tree.iter("testcase")
                  if case.find("failure") is not None or case.find("error") is not None]
    return tuple(found) if read else None


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
                      message=" ".join(message.split())[:300])


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
