"""The `bandit` analyzer: Python security issues, for the security reviewer.

Severity is bandit's issue severity weighed by its confidence:

=================  ==========  ==========  ==========
bandit severity    HIGH conf.  MED. conf.  LOW conf.
=================  ==========  ==========  ==========
HIGH               must_fix    must_fix    should_fix
MEDIUM             should_fix  should_fix  nit
LOW                nit         nit         nit
=================  ==========  ==========  ==========

A finding's confidence is bandit's (HIGH 0.9, MEDIUM 0.6, LOW 0.3). Files bandit cannot
parse are left to the build and test gates, which report the syntax error. `assert` (B101)
is reported outside test code only: a `conftest.py`, a file under `tests/` or `test/`, a
test module as the project's pytest configuration collects it (`test_*.py`, `*_test.py` by
default) — but never in one production code loads or may load (`bandit_loads`); each
file's left-out asserts are counted in bandit's health with the reason (`bandit_tests`). A
`spec/` folder holds production code.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers import bandit_api
from reviewloop.checks.analyzers.bandit_config import config_file, malformed
from reviewloop.checks.analyzers.bandit_loads import imported
from reviewloop.checks.analyzers.bandit_nosec import nosec_ids
from reviewloop.checks.analyzers.bandit_tests import pytest_files, why_test_code
from reviewloop.checks.analyzers.base import (
    AnalyzerContext,
    AnalyzerError,
    FileByFile,
    module_missing,
    parse_json,
    run_tool,
    short_title,
)
from reviewloop.checks.analyzers.line_breaks import PYTHON as PYTHON_BREAKS
from reviewloop.checks.analyzers.python_versions import newer_syntax
from reviewloop.checks.analyzers.ruff_includes import declared
from reviewloop.checks.paths import repo_paths
from reviewloop.findings.schema import Finding, Severity, normalise_path
from reviewloop.git.argv import batches
from reviewloop.git.languages import JUPYTER, PYTHON, PYTHON2
from reviewloop.git.names import under, under_text
from reviewloop.git.scratch import LazyFolder
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.markers import MarkerSyntax, Reach

NAME = "bandit"
INSTALL = "pip install bandit"
MAX_BYTES = 2_000_000  # ~8 s of bandit a MB on this project's machines (benchmarks/big_inputs)
ASSERT_USED = "B101"  # how tests are written; flagged outside tests only
CONFIDENCE = {"HIGH": 0.9, "MEDIUM": 0.6, "LOW": 0.3}
_SEVERITY = {
    ("HIGH", "HIGH"): Severity.MUST_FIX, ("HIGH", "MEDIUM"): Severity.MUST_FIX,
    ("HIGH", "LOW"): Severity.SHOULD_FIX,
    ("MEDIUM", "HIGH"): Severity.SHOULD_FIX, ("MEDIUM", "MEDIUM"): Severity.SHOULD_FIX,
}


def _nosec_ids(match: re.Match[str]) -> frozenset[str] | None:
    """The tests a `# nosec` names, by id or by name, as bandit reads them (`bandit_nosec`);
    none: every test."""
    return nosec_ids(match.group(0))


# the markers bandit honours (found in any case, so that an added NOSEC is told; honoured as
# bandit reads it, in lower case: `bandit_nosec`), in Python files, in
# comments only (a string holding the marker silences nothing: `checks.suppressions.comments`)
MARKERS = (MarkerSyntax(NAME, r"#\s*nosec\b[^\n]*", Reach.LINES, _nosec_ids, "nosec",
                        frozenset({PYTHON}), in_comments=True),)


def severity(issue_severity: str, issue_confidence: str) -> Severity:
    """The table in the module docstring; anything not listed there is a nit."""
    return _SEVERITY.get((issue_severity.upper(), issue_confidence.upper()), Severity.NIT)


# where bandit finds its settings and skips by itself (`-c`/`--ini` name the same files)
CONFIG_FILES = (*(ConfigFile(name, "bandit") for name in (
    ".bandit", "bandit.yaml", "bandit.yml", ".bandit.yaml", ".bandit.yml")),
    ConfigFile("pyproject.toml", "bandit", ("tool", "bandit")))


_PYTHON2 = ("did not read it: its shebang names a Python 2 interpreter (python2, Jython, "
            "IronPython), and bandit and ruff judge Python 3, whose meaning differs; review "
            "it by hand")


class Bandit(FileByFile):
    name = NAME
    max_bytes = MAX_BYTES
    notebook_code = True  # of a notebook, its code cells as one script: `max_bytes` is theirs
    markers = MARKERS
    config_files = CONFIG_FILES
    line_breaks = PYTHON_BREAKS  # through Python's tokenizer

    def available(self) -> str | None:
        return module_missing("bandit", INSTALL)

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """Python files and notebooks, and the files the project's ruff configuration
        declares Python (`ruff_includes`: `*.py3`, `bin/*`): bandit reads any file it is
        named, so a shell injection there is its B602 at bandit's severity, as in a `.py`
        file, not ruff's S602 alone at a nit."""
        python = ctx.files_for(PYTHON, JUPYTER)
        return [*python, *declared(ctx, python), *ctx.files_for(PYTHON2)]

    def wants(self, ctx: AnalyzerContext) -> bool:
        return bool(self.reads(ctx))

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        for path in (old := ctx.files_for(PYTHON2)):
            ctx.not_read(path, _PYTHON2 + ctx.caller_note(path))
        files = [f for f in self.reads(ctx) if f not in old]
        if not files:
            return []
        with LazyFolder("reviewloop-bandit-") as tmp:
            # a notebook's code cells as a script (bandit reads .py files only)
            scripts = notebook_scripts(ctx, [f for f in files if ctx.language(f) == JUPYTER],
                                       tmp)
            targets = [scripts[f][0] if f in scripts else under_text(ctx.root, f)
                       for f in files if f in scripts or ctx.language(f) != JUPYTER]
            # --ignore-nosec: a `# nosec` counts only where the trusted side wrote it, which
            # reviewloop.checks.suppressions decides (and lists the finding as suppressed);
            # -x with a path that cannot exist: none of bandit's default excludes applies
            # -c: the trusted side's plugin settings that widen a check (`bandit_config`)
            config = config_file(ctx, tmp)
            argv = [sys.executable, "-m", "bandit", "-f", "json", "-q", "--ignore-nosec",
                    "-x", bandit_api.EXCLUDED, *config, "--"]
            # in this process when the files fit its deadline (`bandit_api`), the same report
            in_process = bandit_api.fits(targets, ctx.timeout, os.fspath(ctx.root))
            # in batches under ARG_MAX (`git.argv`): 7,000 deep names do not start bandit
            report = merged([_batch(argv, batch, config[1:], in_process, ctx)
                             for batch in batches(targets)])
        report = in_notebooks(report, {script: (str(under(ctx.root, path)), lines)
                                       for path, (script, lines) in scripts.items()})
        found = to_findings(report, ctx)
        record_reads(report, [f for f in files if ctx.language(f) != JUPYTER or f in scripts],
                     ctx)
        for problem in malformed(ctx)[:1]:  # a trusted setting bandit would run as given
            for path in files:
                ctx.not_read(path, problem)
        return found


def _batch(argv: list[str], batch: list[str], config: list[str], in_process: bool,
           ctx: AnalyzerContext) -> Any:
    """bandit's JSON report on `batch`, read: from `bandit_api` when `in_process` and it
    gives one (the document itself), else from the CLI `argv` starts (the oracle, and
    whatever the CLI says instead); each ends at the analyzer's deadline with the same
    failure."""
    report = bandit_api.report(batch, config[0] if config else None,
                               timeout=ctx.timeout) if in_process else None
    if report is not None:
        return report
    return parse_json(run_tool([*argv, *batch], ctx.root, ctx.timeout), NAME)


def merged(reports: list[Any]) -> dict[str, Any]:
    """One report of bandit's reports on batches of the files (none: no file, no result)."""
    whole: dict[str, Any] = {"results": [], "errors": [], "metrics": {}}
    for report in reports:
        if not isinstance(report, dict) or not isinstance(report.get("results"), list):
            return report  # as bandit said it: `to_findings` names what is wrong with it
        whole["results"] += report["results"]
        whole["errors"] += report.get("errors") or []
        whole["metrics"].update(report.get("metrics") or {})  # by file; `_totals` unread
    return whole


def notebook_scripts(ctx: AnalyzerContext, notebooks: list[str], folder: Path | LazyFolder
                     ) -> dict[str, tuple[str, tuple[int, ...]]]:
    """{notebook: (its code cells written as a script in `folder`, the notebook line of each
    script line)}; a notebook that is not one, or with cells no analyzer reads, is named as
    not read."""
    if not notebooks:
        return {}
    from reviewloop.checks.notebooks import read as read_notebook  # with a notebook only

    scripts = {}
    for n, path in enumerate(notebooks):
        try:
            notebook = read_notebook(under(ctx.root, path).read_text("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            ctx.not_read(path, f"could not read it ({exc})")
            continue
        if notebook is None:
            ctx.not_read(path, "could not parse it (not a notebook's JSON)")
            continue
        if (unread := notebook.unread()) is not None:  # a cell no analyzer reads
            ctx.not_read(path, unread)
        text, lines = notebook.script()
        script = folder / f"notebook_{n}.py"
        script.write_text(text, "utf-8")
        scripts[path] = (str(script), lines)
    return scripts


def in_notebooks(report: Any, scripts: dict[str, tuple[str, tuple[int, ...]]]) -> Any:
    """bandit's report with each script's name and lines turned into its notebook's."""
    if not scripts or not isinstance(report, dict):
        return report

    def line(name: str, number: int) -> int:
        lines = scripts[name][1]
        return lines[min(max(number, 1), len(lines)) - 1] if lines else 1

    for issue in report.get("results") or []:
        name = issue.get("filename") if isinstance(issue, dict) else None
        if name in scripts:
            issue["filename"] = scripts[name][0]
            if isinstance(issue.get("line_number"), int):
                issue["line_number"] = line(name, issue["line_number"])
            issue["line_range"] = [line(name, n) for n in issue.get("line_range") or []
                                   if isinstance(n, int)]
    for error in report.get("errors") or []:
        if isinstance(error, dict) and error.get("filename") in scripts:
            error["filename"] = scripts[error["filename"]][0]
    metrics = report.get("metrics")
    if isinstance(metrics, dict):
        report["metrics"] = {scripts[k][0] if k in scripts else k: v for k, v in metrics.items()}
    return report


def record_reads(report: dict[str, Any], files: list[str], ctx: AnalyzerContext) -> None:
    """Every file of `files` bandit could not parse, or its report does not list as
    scanned, as not read."""
    where = repo_paths(ctx.root)
    errors = {where(str(e["filename"])): str(e.get("reason") or "no reason")
              for e in report.get("errors") or [] if isinstance(e, dict) and e.get("filename")}
    # a file of a later Python's syntax is named so (`python_versions`), not "syntax error"
    newer = newer_syntax(ctx.root, [p for p, why in errors.items() if "syntax" in why
                                    and ctx.language(p) != JUPYTER], ctx.timeout)
    for path, why in errors.items():
        ctx.not_read(path, newer.get(path) or f"could not parse it ({why})")
    scanned = {where(name) for name in (report.get("metrics") or {}) if name != "_totals"}
    for path in files:
        if path not in scanned:
            ctx.not_read(path, "its report does not list it as scanned")


def to_findings(report: Any, ctx: AnalyzerContext) -> list[Finding]:
    """bandit's JSON report as findings (agent and fingerprint are set by the registry); the
    asserts in test code are left out, counted per file with why (`bandit_tests`)."""
    if not isinstance(report, dict) or not isinstance(report.get("results"), list):
        raise AnalyzerError(f"bandit's JSON report has no results list: {str(report)[:200]}")
    where = repo_paths(ctx.root)
    # asserts in tests are most of a report (10,000 of a 20k-line change's): left out before
    # they are made findings, each file judged once
    pytest = ctx.once("pytest-files", lambda: pytest_files(ctx))
    why = cache(lambda path: why_test_code(path, pytest))
    in_test = cache(lambda name: _in_test(name, where, why))
    held: dict[str, int] = {}
    for issue in report["results"]:
        if (path := _test_assert(issue, in_test)) is not None:
            held[path] = held.get(path, 0) + 1
    # judged on the reviewed tree in either run: a base run's copy holds the asked files only
    # (no importer), and its pre-existing asserts would come out as introduced
    kept = imported(ctx.reviewed, held, lambda path: why(path) is not None) if held else set()
    for path, count in held.items():
        if path not in kept:
            ctx.leave_out(path, f"{count} assert(s) (bandit {ASSERT_USED}) left out: test "
                                f"code ({why(path)}), which no production module imports")
    return [_finding(issue, ctx, where) for issue in report["results"]
            if (path := _test_assert(issue, in_test)) is None or path in kept]


def _test_assert(issue: dict[str, Any], in_test: Callable[[str], str | None]) -> str | None:
    """The file of an `assert` (B101) in test code, as the finding would name it."""
    if issue.get("test_id") != ASSERT_USED:
        return None
    name = issue.get("filename")
    return in_test(name) if isinstance(name, str) else None


def _in_test(name: str, where: Callable[[str], str],
             why: Callable[[str], str | None]) -> str | None:
    try:
        path = normalise_path(where(name), named_by_a_model=False)
    except ValueError:  # not a path a finding can name: _finding says why
        return None
    return path if why(path) is not None else None


def _finding(issue: dict[str, Any], ctx: AnalyzerContext,
             where: Callable[[str], str]) -> Finding:
    lines = issue.get("line_range") or [issue["line_number"]]
    rule = issue["test_id"]
    cwe = (issue.get("issue_cwe") or {}).get("id")
    rationale = f"bandit {rule} ({issue.get('test_name', '')}): {issue['issue_text']}"
    if cwe:
        rationale += f" CWE-{cwe}."
    if issue.get("more_info"):
        rationale += f" See {issue['more_info']}"
    return Finding(
        severity=severity(issue["issue_severity"], issue["issue_confidence"]),
        file=where(issue["filename"]),
        start_line=min(lines), end_line=max(lines),
        title=short_title(issue["issue_text"]), rationale=rationale,
        confidence=CONFIDENCE.get(issue["issue_confidence"].upper(), 0.5),
        agent=ctx.agent, source=NAME, rule=rule)
