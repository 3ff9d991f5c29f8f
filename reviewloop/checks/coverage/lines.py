"""Coverage of the changed lines, for the `test_coverage` quality gate: of the executable lines
the change adds to the project's Python source (tests and conftest left out), the share the
test run executed.

A changed line counts once, as the statement it belongs to (a line inside a multi-line call
is its statement's first line, as coverage.py records it); blank lines, comments and
docstrings are not executable and count nowhere. The executable lines come from coverage.py's
own parser, so the figure agrees with what `coverage report` would say for those lines.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from reviewloop.checks.paths import collected_test
from reviewloop.git.diff import ChangeSet, FileStatus
from reviewloop.git.names import under


@dataclass(frozen=True)
class LineCoverage:
    """Executable changed lines per file, and those of them no test executed."""

    total: int = 0
    missed: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def covered(self) -> int:
        return self.total - sum(len(lines) for lines in self.missed.values())

    @property
    def ratio(self) -> float | None:
        """The covered share, None when the change has no executable line."""
        return self.covered / self.total if self.total else None

    def below(self, threshold: float | None) -> bool:
        ratio = self.ratio
        return threshold is not None and ratio is not None and ratio < threshold

    def describe(self) -> str:
        return f"{self.covered} of {self.total} covered ({_pct(self.ratio)})"


def changed_line_coverage(root: Path, changes: ChangeSet, executed: Mapping[str, Collection[int]],
                          files: Collection[str] | None = None,
                          is_test: Callable[[str], bool] = collected_test) -> LineCoverage:
    """The coverage of the change's added executable Python lines by `executed`."""
    total = 0
    missed: dict[str, tuple[int, ...]] = {}
    for diff in changes.files:
        path = diff.path
        if PurePosixPath(path).suffix != ".py" or diff.status is FileStatus.DELETED \
                or (files is not None and path not in files) or is_test(path) \
                or PurePosixPath(path).name == "conftest.py" or not diff.added:
            continue
        statements = _statements(under(root, path))
        if statements is None:
            continue
        changed = sorted(statements[n] for n in diff.added_lines if n in statements)
        changed = sorted(set(changed))
        ran = set(executed.get(path, ()))
        total += len(changed)
        gaps = tuple(n for n in changed if n not in ran)
        if gaps:
            missed[path] = gaps
    return LineCoverage(total, missed)


def _statements(path: Path) -> dict[int, int] | None:
    """Each line of an executable statement -> the statement's first line; None when the
    file cannot be read or parsed (the build and test gates report that)."""
    # coverage.py loads only when coverage is measured (a review without tests never is)
    from coverage.exceptions import CoverageException
    from coverage.parser import PythonParser

    try:
        parser = PythonParser(text=path.read_text(encoding="utf-8"), filename=str(path))
        parser.parse_source()
    except (OSError, UnicodeDecodeError, CoverageException, SyntaxError):
        return None
    first = parser.statements
    lines: dict[int, int] = {}
    total_lines = parser.text.count("\n") + 1
    for number in range(1, total_lines + 1):
        start = parser.first_line(number)
        if start in first:
            lines[number] = start
    return lines


def _pct(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.0%}"
