"""The new-code coverage check (`reviewloop.checks.coverage.analyzer` names the analyzer):
each new or changed public function no test executed, the changed lines below a threshold,
as findings and as the coverage gate's result. Loaded only when the tests run."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerError, short_title
from reviewloop.checks.coverage.collectors import COLLECTORS, Collector, TestRun
from reviewloop.checks.coverage.lines import LineCoverage, changed_line_coverage
from reviewloop.checks.coverage.newcode import FunctionSpan, finder_for, untested
from reviewloop.checks.coverage.rules import AGENT, NAME, RULE, THRESHOLD_RULE
from reviewloop.checks.coverage.unmeasured import DeclaredFunctions, measured_languages
from reviewloop.checks.gates.base import GateResult
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.checks.paths import collected_test
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import ChangeSet, FileStatus, parse_diff
from reviewloop.git.names import under


@dataclass(frozen=True)
class CoverageCheck:
    """The new or changed public functions, those no test executed, and what was not checked."""

    functions: tuple[FunctionSpan, ...] = ()
    untested: tuple[FunctionSpan, ...] = ()
    notes: tuple[str, ...] = ()  # languages or files left unchecked, and why
    # the notes no change of the code can clear: a language reviewloop does not measure, or
    # one whose test command (configured or detected) cannot be measured under (`user_fix`)
    unmeasurable: tuple[str, ...] = ()
    tests_failed: bool = False
    commands: tuple[str, ...] = ()
    lines: LineCoverage | None = None  # measured only with a threshold (`lines.py`)
    threshold: float | None = None

    @property
    def checked(self) -> bool:
        return bool(self.commands)

    @property
    def below_threshold(self) -> bool:
        return self.lines is not None and self.lines.below(self.threshold)


def new_code_coverage(root: Path, changes: ChangeSet, tests: ProjectTests, *,
                      files: Collection[str] | None = None,
                      collectors: dict[str, Collector] | None = None,
                      is_test: Callable[[str], bool] = collected_test) -> CoverageCheck:
    """Find the new or changed public functions in `changes` (limited to `files` when given;
    test files, as `is_test` says, left out), run each language's tests under coverage once
    (sandboxed, as `tests` says), and report the functions none executed."""
    table = COLLECTORS if collectors is None else collectors
    by_language = changed_functions(root, changes, files, is_test)
    spans: list[FunctionSpan] = []
    missing: list[FunctionSpan] = []
    notes: list[str] = []
    unmeasurable: list[str] = []
    commands: list[str] = []
    failed = False
    runs: dict[str, TestRun] = {}
    if tests.threshold is not None and \
            changed_line_coverage(root, changes, {}, files, is_test).total:
        by_language.setdefault("python", [])  # the lines need a run, functions or not
    for language, found in by_language.items():
        spans += found
        functions = [f for f in found if f.not_checked is None]
        notes += _not_checked_notes(language, [f for f in found if f.not_checked])
        if found and not functions and not (language == "python" and tests.threshold):
            continue  # nothing a run could tell
        collector = table.get(language)
        if collector is None:
            notes.append(f"{language}: {len(functions)} function(s) not measured "
                         f"({_named(functions)}): {measured_languages()}")
            unmeasurable.append(notes[-1])
            continue
        reason = collector.unavailable(root, tests.command)
        if reason is not None:
            notes.append(f"{language}: {len(functions)} function(s) not checked "
                         f"({_named(functions)}): {reason}")
            # a command there, configured or detected, that cannot run under coverage: no
            # code change fixes that; with none at all, the tests the change adds (or a test
            # script) may give one, which the implementer can do
            if tests.command is not None or collector.command(root, None) is not None:
                unmeasurable.append(notes[-1])
            continue
        run = runs[language] = collector.collect(root, tests)
        commands.append(run.command)
        failed = failed or run.tests_failed
        measured, unmeasured = _split_measured(functions, run.measured)
        notes += _unmeasured_notes(language, unmeasured)
        missing += untested(measured, run.executed, run.functions)
    lines = None
    if tests.threshold is not None and "python" in runs:
        lines = changed_line_coverage(root, changes, runs["python"].executed, files, is_test)
    return CoverageCheck(tuple(spans), tuple(missing), tuple(notes), tuple(unmeasurable),
                         failed, tuple(commands), lines, tests.threshold)


def _named(functions: Sequence[FunctionSpan]) -> str:
    """`path: f, g; other: h`: the functions a note says were not measured."""
    by_file: dict[str, list[str]] = {}
    for function in functions:
        by_file.setdefault(function.path, []).append(function.qualname)
    return "; ".join(f"{path}: {', '.join(names)}" for path, names in by_file.items())


def _not_checked_notes(language: str, functions: Sequence[FunctionSpan]) -> list[str]:
    """One note per reason a function's run cannot be told (`FunctionSpan.not_checked`)."""
    by_reason: dict[str, list[FunctionSpan]] = {}
    for function in functions:
        by_reason.setdefault(function.not_checked or "", []).append(function)
    return [f"{language}: {len(group)} function(s) not checked ({_named(group)}): {reason}"
            for reason, group in by_reason.items()]


def _split_measured(functions: Sequence[FunctionSpan], measured: Collection[str] | None
                    ) -> tuple[list[FunctionSpan], list[FunctionSpan]]:
    """The functions in files the run measured, and those in files its report left out."""
    if measured is None:
        return list(functions), []
    return ([f for f in functions if f.path in measured],
            [f for f in functions if f.path not in measured])


def _unmeasured_notes(language: str, functions: Sequence[FunctionSpan]) -> list[str]:
    """One note per file the runner's coverage left out: unchecked, never called untested."""
    by_file: dict[str, list[str]] = {}
    for function in functions:
        by_file.setdefault(function.path, []).append(function.qualname)
    return [f"{language}: {len(names)} function(s) in {path} not checked ({', '.join(names)}): "
            "the test runner's coverage report leaves the file out (its coverage `include`/"
            "`exclude` or `collectCoverageFrom`, or no test loaded it)"
            for path, names in by_file.items()]


def changed_functions(root: Path, changes: ChangeSet, files: Collection[str] | None = None,
                      is_test: Callable[[str], bool] = collected_test
                      ) -> dict[str, list[FunctionSpan]]:
    """The new or changed public functions of the change's source files, by language; test
    files (those the runner collects, `is_test`) are left out: their functions are the tests."""
    found: dict[str, list[FunctionSpan]] = {}
    for diff in changes.files:
        finder = finder_for(diff.path)
        if finder is None or diff.status is FileStatus.DELETED or not diff.added \
                or (files is not None and diff.path not in files) or is_test(diff.path) \
                or (isinstance(finder, DeclaredFunctions) and finder.is_test(diff.path)) \
                or PurePosixPath(diff.path).name == "conftest.py":
            continue
        try:
            # its bytes as they are, on git's lines as `diff.added_lines` (read as text, a
            # lone CR became a line of its own and moved every function below it)
            source = under(root, diff.path).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        spans = finder.new_public_functions(diff.path, source, diff.added_lines)
        if spans:
            found.setdefault(finder.language, []).extend(spans)
    return found


def coverage_findings(check: CoverageCheck, agent: str = AGENT) -> list[Finding]:
    """One should_fix finding per untested function, over its whole definition, and one when
    the changed lines are covered below the threshold."""
    caveat = (" Some tests failed in that run, so a failing test may be the one meant to "
              "cover it.") if check.tests_failed else ""
    return [*_function_findings(check, agent, caveat), *_threshold_findings(check, agent)]


def _threshold_findings(check: CoverageCheck, agent: str) -> list[Finding]:
    """The changed lines covered below `test_coverage`: anchored on the first missed line."""
    if check.lines is None or not check.below_threshold or not check.lines.missed:
        return []
    path, missed = next(iter(check.lines.missed.items()))
    where = "; ".join(f"{p}: {_ranges(lines)}" for p, lines in check.lines.missed.items())
    return [Finding(
        severity=Severity.SHOULD_FIX, file=path, start_line=missed[0], end_line=missed[0],
        title=short_title(f"Changed lines {check.lines.describe()}, below the "
                          f"{check.threshold:.0%} threshold"),
        rationale=(f"The quality gate asks that tests run at least {check.threshold:.0%} of "
                   f"the changed lines; under the test suite (`{'`; `'.join(check.commands)}`) "
                   f"the changed executable lines are {check.lines.describe()}. Not executed: "
                   f"{where}."),
        suggestion="Add tests that exercise the changed lines listed.",
        confidence=0.9, agent=agent, source=NAME, rule=THRESHOLD_RULE)]


def _ranges(lines: Sequence[int]) -> str:
    runs: list[list[int]] = []
    for n in lines:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def _function_findings(check: CoverageCheck, agent: str, caveat: str) -> list[Finding]:
    return [Finding(
        severity=Severity.SHOULD_FIX, file=span.path, start_line=span.start, end_line=span.end,
        title=short_title(f"Public {_kind(span)} {span.qualname} is not executed by any test"),
        rationale=(f"The change adds or edits {span.qualname}, but no line of its body ran "
                   f"during the test suite (`{'`; `'.join(check.commands)}`), so nothing "
                   f"checks that it works.{caveat}"),
        suggestion=f"Add a test that calls {span.qualname} and asserts on its result.",
        confidence=0.6 if check.tests_failed else 0.9, agent=agent, source=NAME, rule=RULE,
        level="symbol", symbol=span.qualname)
        for span in check.untested]


def coverage_gate_result(root: Path, diff: ChangeSet | str, tests: ProjectTests, *,
                         strict: bool, files: Collection[str] | None = None) -> GateResult:
    """The new-code coverage check as a gate result: blocking only when `strict`; untested
    functions are in its findings either way."""
    changes = diff if isinstance(diff, ChangeSet) else parse_diff(diff, source="coverage gate")
    try:
        check = new_code_coverage(root, changes, tests, files=files)
    except AnalyzerError as exc:
        return GateResult(name=NAME, passed=False, blocking=strict,
                          summary=f"the coverage run failed: {str(exc).splitlines()[0]}",
                          output_tail=str(exc))
    if not check.checked and not check.notes:
        return GateResult.skip(NAME, "no public function added or changed")
    summary = _gate_summary(check) if check.checked else ""
    if check.lines is not None and check.threshold is not None:
        verdict = "below" if check.below_threshold else "meets"
        summary += (f"; changed lines: {check.lines.describe()}, {verdict} the "
                    f"{check.threshold:.0%} threshold")
    if check.notes:  # not measured is not measured and covered: strict cannot pass it
        summary = "; ".join(filter(None, (summary, *check.notes, UNMEASURED_FIX)))
    passed = not check.untested and not check.below_threshold and not check.notes
    user_fix = "; ".join((*check.unmeasurable, UNMEASURED_FIX)) \
        if check.unmeasurable and not passed else None
    return GateResult(name=NAME, passed=passed, blocking=strict, summary=summary,
                      output_tail="\n".join(_gate_lines(check)),
                      findings=coverage_findings(check), user_fix=user_fix)


UNMEASURED_FIX = ('new public functions whose coverage is not measured fail `gates.coverage = '
                  '"strict"`: test them under a test command reviewloop measures (pytest, '
                  'the package\'s Node test script), or set `[gates] coverage = "report"`')


def _kind(span: FunctionSpan) -> str:
    return "method" if "." in span.qualname else "function"


def _gate_summary(check: CoverageCheck) -> str:
    total, bad = len(check.functions), len(check.untested)
    if not bad:
        return f"every new or changed public function ({total}) is executed by a test"
    names = ", ".join(s.qualname for s in check.untested[:5]) + (" …" if bad > 5 else "")
    return f"{bad} of {total} new or changed public functions are not executed by any test: {names}"


def _gate_lines(check: CoverageCheck) -> Sequence[str]:
    return [*(f"not executed by any test: {s.path}:{s.start} {s.qualname}"
              for s in check.untested), *check.notes]
