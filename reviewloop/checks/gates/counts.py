"""Passing and failing test counts, read from what a test runner printed.

Supported: pytest, jest, vitest, mocha, node's own runner (`node --test`, TAP and spec
reporters), go test, cargo test and unittest. The first runner
whose summary appears wins; output with no recognisable summary gives None, never 0.
Units are tests, except for `go test` without `-v`, which only reports packages. jest and
vitest also count the test files that failed (`Test Suites:`, `Test Files`): a file that fails
as a whole (a syntax error, an import that throws) is counted there and never as a test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass(frozen=True)
class TestCounts:
    """How many tests passed and failed (errors count as failures)."""

    __test__ = False  # not a pytest test class, despite the name

    passed: int
    failed: int
    runner: str = ""
    failed_files: int = 0  # jest's and vitest's failed test files; 0 where not reported

    def __add__(self, other: TestCounts) -> TestCounts:
        runner = self.runner if self.runner == other.runner else "+".join(
            r for r in (self.runner, other.runner) if r)
        return TestCounts(self.passed + other.passed, self.failed + other.failed, runner,
                          self.failed_files + other.failed_files)


def parse_counts(output: str) -> TestCounts | None:
    """The counts of the first supported runner whose summary is in `output`."""
    text = _ANSI.sub("", output).replace("\r\n", "\n")
    for parser in _PARSERS:
        counts = parser(text)
        if counts is not None:
            return counts
    return None


# -- pytest: `5 passed, 1 failed, 2 skipped in 0.12s`, `=== 3 passed in 1.01s ===` ----------

_PYTEST = re.compile(
    r"^=*\s*(?P<body>(?:\d+ [a-z]+(?:, )?)+|no tests ran)(?: in [\d.]+s(?: \([\d:]+\))?)"
    r"\s*=*\s*$", re.M)
_PYTEST_ITEM = re.compile(r"(\d+) ([a-z]+)")


def _pytest(text: str) -> TestCounts | None:
    matches = list(_PYTEST.finditer(text))
    if not matches:
        return None
    words = {word: int(n) for n, word in _PYTEST_ITEM.findall(matches[-1].group("body"))}
    passed = words.get("passed", 0) + words.get("xpassed", 0)
    failed = words.get("failed", 0) + words.get("error", 0) + words.get("errors", 0)
    return TestCounts(passed, failed, "pytest")


# -- cargo: `test result: ok. 5 passed; 0 failed; 0 ignored; …`, one per test binary ------

_CARGO = re.compile(r"^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed;", re.M)


def _cargo(text: str) -> TestCounts | None:
    matches = _CARGO.findall(text)
    if not matches:
        return None
    return TestCounts(sum(int(p) for p, _ in matches), sum(int(f) for _, f in matches), "cargo")


def _last_words(pattern: re.Pattern[str], text: str) -> dict[str, int] | None:
    """`{"passed": 4, "failed": 1}` from the last line `pattern` finds, None without one."""
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    return {word: int(n) for n, word in _PYTEST_ITEM.findall(matches[-1].group("body"))}


# -- jest: `Tests:       1 failed, 4 passed, 5 total`, `Test Suites: 1 failed, 1 total` ---

_JEST = re.compile(r"^Tests:\s+(?P<body>.*?\d+ total)\s*$", re.M)
_JEST_SUITES = re.compile(r"^Test Suites:\s+(?P<body>.*?\d+ total)\s*$", re.M)


def _jest(text: str) -> TestCounts | None:
    words = _last_words(_JEST, text)
    if words is None:
        return None
    files = _last_words(_JEST_SUITES, text) or {}
    return TestCounts(words.get("passed", 0), words.get("failed", 0), "jest",
                      files.get("failed", 0))


# -- vitest: ` Tests  1 failed | 3 passed (4)`, ` Test Files  1 failed | 1 passed (2)` ------
# (a run whose every file failed to load prints `Tests  no tests`)

_VITEST = re.compile(r"^\s*Tests\s+(?P<body>\d+ [a-z]+(?: \| \d+ [a-z]+)*) \(\d+\)\s*$", re.M)
_VITEST_FILES = re.compile(
    r"^\s*Test Files\s+(?P<body>\d+ [a-z]+(?: \| \d+ [a-z]+)*) \(\d+\)\s*$", re.M)


def _vitest(text: str) -> TestCounts | None:
    words = _last_words(_VITEST, text)
    files = _last_words(_VITEST_FILES, text)
    if words is None and files is None:
        return None
    words = words or {}
    return TestCounts(words.get("passed", 0), words.get("failed", 0), "vitest",
                      (files or {}).get("failed", 0))


# -- go test: `--- PASS: TestX` with -v (subtests count); else `ok <pkg>` / `FAIL <pkg>` ---

_GO_TEST = re.compile(r"^\s*--- (PASS|FAIL): \S+", re.M)
_GO_PACKAGE = re.compile(r"^(ok|FAIL)\s+\S+\s+(?:[\d.]+s|\(cached\)|\[[^\]]+\])", re.M)


def _go(text: str) -> TestCounts | None:
    tests = _GO_TEST.findall(text)
    if "PASS" in tests:
        return TestCounts(tests.count("PASS"), tests.count("FAIL"), "go")
    packages = _GO_PACKAGE.findall(text)
    if not packages:
        return None
    return TestCounts(packages.count("ok"), packages.count("FAIL"), "go")


# -- mocha: `  4 passing (12ms)`, `  1 failing` --------------------------------------------

_MOCHA_PASSING = re.compile(r"^\s*(\d+) passing\b", re.M)
_MOCHA_FAILING = re.compile(r"^\s*(\d+) failing\s*$", re.M)


def _mocha(text: str) -> TestCounts | None:
    passing = _MOCHA_PASSING.findall(text)
    if not passing:
        return None
    failing = _MOCHA_FAILING.findall(text)
    return TestCounts(int(passing[-1]), int(failing[-1]) if failing else 0, "mocha")


# -- node --test: TAP `# pass 4` / `# fail 1`, spec `ℹ pass 4` / `ℹ fail 1` ------------------

_NODE = re.compile(r"^(?:#|ℹ) (pass|fail) (\d+)\s*$", re.M)


def _node(text: str) -> TestCounts | None:
    found = dict(_NODE.findall(text))  # the last summary wins
    if "pass" not in found:
        return None
    return TestCounts(int(found["pass"]), int(found.get("fail", 0)), "node")


# -- unittest: `Ran 5 tests in 0.001s`, then `OK (skipped=1)` or `FAILED (failures=1)` -----

_UNITTEST_RAN = re.compile(r"^Ran (\d+) tests? in [\d.]+s\s*$", re.M)
_UNITTEST_END = re.compile(r"^(OK|FAILED)(?: \((?P<detail>[^)]*)\))?\s*$", re.M)


def _unittest(text: str) -> TestCounts | None:
    ran = _UNITTEST_RAN.search(text)
    if ran is None:
        return None
    end = _UNITTEST_END.search(text, ran.end())
    if end is None:
        return None
    detail = {}
    for part in (end.group("detail") or "").split(","):
        key, _, value = part.partition("=")
        if value.strip().isdigit():
            detail[key.strip().replace(" ", "_")] = int(value)
    failed = detail.get("failures", 0) + detail.get("errors", 0) + \
        detail.get("unexpected_successes", 0)
    not_passed = failed + detail.get("skipped", 0) + detail.get("expected_failures", 0)
    return TestCounts(max(int(ran.group(1)) - not_passed, 0), failed, "unittest")


_PARSERS: tuple[Callable[[str], TestCounts | None], ...] = (
    _pytest, _cargo, _jest, _vitest, _node, _go, _mocha, _unittest)
