"""The ruff analyzers: `ruff-maintainability` and `ruff-performance`, one rule set per reviewer.

ruff runs `--isolated` (the project's config never silences the reviewers' rules; only its
declarations count: `ruff_declarations`) and `--ignore-noqa` (a `# noqa` counts where the
trusted side wrote it: `checks.suppressions`) on the changed Python files, named after `--`.
A file ruff cannot parse is named as not read. The project's own rules, as the trusted
side's config selects them, run beside (`ruff_config`): what they add joins the performance
view under its prefixes (ASYNC, PERF, …), else the maintainability view (most: nit).

Severity, decided by the longest matching rule-code prefix of the analyzer's table:

* ruff-maintainability — must_fix: undefined names (F821-F823), broken at run time;
  should_fix: homoglyphs (RUF001-003 look-alike characters in strings, docstrings and
  comments; PLC2401/PLC2403 non-ASCII names), bug-prone patterns (B bugbear, PLE, other
  pyflakes F, PLW2901), complexity (C901, PLR09xx too-many-*), blind `except Exception`
  (BLE) and bare `except:` (E722);
  nit: style and simplifications (SIM, PLR17xx/PLR55xx, ERA commented-out code, PLW,
  unused imports and variables F401/F841, F541 f-strings without placeholders).
* ruff-performance — should_fix: blocking calls in async code (ASYNC) and PERF rules;
  nit: PERF203 (try/except in a loop costs nothing since Python 3.11) and the
  micro-optimisations (C4 comprehensions, SIM118, PLR1733/PLR1736, PLW3301, RUF015, FURB).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from reviewloop.checks.analyzers.base import (
    AnalyzerContext,
    AnalyzerError,
    FileByFile,
    module_missing,
    short_title,
)
from reviewloop.checks.analyzers.line_breaks import PYTHON as PYTHON_BREAKS
from reviewloop.checks.analyzers.lossy_names import relabel, spelled_back
from reviewloop.checks.analyzers.python_versions import unparsed_here
from reviewloop.checks.analyzers.ruff_chain import selects, written
from reviewloop.checks.analyzers.ruff_declarations import declaration_arguments
from reviewloop.checks.analyzers.ruff_errors import explained
from reviewloop.checks.analyzers.ruff_includes import declared, linted
from reviewloop.checks.analyzers.ruff_lookup import Lookup, grouped
from reviewloop.checks.analyzers.ruff_pinned import classic_note, pinned
from reviewloop.checks.analyzers.ruff_run import check, failed_on
from reviewloop.checks.analyzers.ruff_run import ruff_command as ruff_command
from reviewloop.checks.analyzers.ruff_version import of_config, versions
from reviewloop.checks.paths import repo_paths
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.languages import JUPYTER, PYTHON
from reviewloop.git.names import under, under_text
from reviewloop.git.pyinstaller_spec import injected
from reviewloop.git.scratch import LazyFolder
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.markers import MarkerSyntax, Reach

if TYPE_CHECKING:  # a notebook's reader loads with the first notebook
    from reviewloop.checks.notebooks import Notebook

INSTALL = "pip install ruff"
MAX_BYTES = 16_000_000  # ruff reads 4 MB in ~0.5 s (benchmarks/big_inputs): the diff's ceiling
SYNTAX_ERROR = "invalid-syntax"  # ruff's code for a file it cannot parse (older ruff: None)
UNREADABLE = "E902"  # ruff's io-error: a file it could not read
# an `invalid-syntax` ruff gives for syntax the declared Python lacks (`ruff_version`): ruff
# parsed the file and checked it all, and the code fails to compile on that Python
TOO_NEW = re.compile(r"on Python 3\.\d+ \(syntax was (?:added|removed) in Python 3\.\d+\)")
CONFIDENCE = 0.8  # ruff's rules are precise; what they flag is sometimes deliberate
_MUST, _SHOULD, _NIT = Severity.MUST_FIX, Severity.SHOULD_FIX, Severity.NIT

_PY = frozenset({PYTHON})
# ruff's markers: a line's noqa, its own and flake8's file-wide forms, in comments only (a
# string holding one silences nothing: `checks.suppressions.comments`)
# A colon after the noqa word asks for a code list: ruff rejects `noqa: F`, a bare `noqa:`,
# `noqa: see JIRA-12` (a code is letters then digits, ending there) and honours nothing,
# where a marker without a colon is blanket; reviewloop took each as blanket (fuzz6 D14).
# ruff's lexer, as ruff 0.17 reads it: the word ends at a space, `#` or the line's end
# (`noqa.`, `noqa-F821` after the hash honour nothing); codes are upper case, squashed
# (`F401F841`) or split by spaces and commas, and each ends at a space, a comma, `#` or the
# line's end, so `F821;`, `F821/E501`, `F821 E501x` void the whole marker, while text after
# a separator that is no code (`F821 see ticket`, `F821 .`) ends the list. The comment's
# first hash followed by the word decides: a bad one then a good one honours nothing. Its
# whitespace is Rust's (`char::is_whitespace`): Python's `\s` but U+001C-U+001F.
_WS = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_S = f"[{_WS}]"
_CODE = r"(?-i:[A-Z]+[0-9]+)"
_CODE_LIST = (rf"[{_WS},]*(?P<rules>{_CODE}+(?:[{_WS},]+{_CODE}+)*)(?=[{_WS},#]|$)"
              rf"(?![{_WS},]*(?-i:[A-Z]+[0-9]))")
_NOQA = rf"noqa(?:{_S}*:{_CODE_LIST}|(?=[{_WS}#]|$)(?!{_S}*:))[^\n]*"
# A file-wide exemption: the tool's name in lower case, the word in any case; the comment's
# first one alone counts, bad or good (a ruff one with E501 then a flake8 one with F821 waive
# E501 only), and only in a comment alone on its line (after code: nothing, fuzz7 D1).
_FIRST = rf"^(?:(?!#{_S}*(?-i:ruff|flake8){_S}*:{_S}*noqa)[^\n])*"  # before the first one


def _codes(match: re.Match[str]) -> frozenset[str] | None:
    """The codes a noqa lists (`F401F841` is two), or None for a blanket one."""
    text = match.group("rules")
    return frozenset(re.findall(_CODE, text)) if text else None


MARKERS = (
    MarkerSyntax("ruff", rf"^(?:(?!#{_S}*noqa)[^\n])*(?P<marker>#{_S}*{_NOQA})",
                 Reach.LINES, _codes, "noqa", _PY, in_comments=True),
    MarkerSyntax("ruff", rf"{_FIRST}(?P<marker>#{_S}*(?-i:ruff){_S}*:{_S}*{_NOQA})",
                 Reach.FILE, _codes, "noqa", _PY, in_comments=True, own_line=True),
    MarkerSyntax("flake8", rf"{_FIRST}(?P<marker>#{_S}*(?-i:flake8){_S}*:{_S}*{_NOQA})",
                 Reach.FILE, _codes, "noqa", _PY, in_comments=True, own_line=True),
)


# ruff's settings, found in the checkout by itself: the nearest of these (it reads no
# setup.cfg, tox.ini or .flake8)
CONFIG_FILES = (ConfigFile("ruff.toml", "ruff"), ConfigFile(".ruff.toml", "ruff"),
                ConfigFile("pyproject.toml", "ruff", ("tool", "ruff")))


@dataclass(frozen=True)
class RuffAnalyzer(FileByFile):
    """ruff with one rule selection and its severity table."""

    name: str
    select: tuple[str, ...]
    severities: Mapping[str, Severity]  # rule-code prefix → severity; longest prefix wins
    default: Severity = Severity.NIT
    max_bytes: int = MAX_BYTES
    markers: tuple[MarkerSyntax, ...] = MARKERS
    config_files: tuple[ConfigFile, ...] = CONFIG_FILES
    project: bool = False  # the project's own rules join this view (`ruff_config`)...
    project_own: bool = False  # ...or only those under this view's own `select` prefixes
    line_breaks: ClassVar[re.Pattern[str]] = PYTHON_BREAKS  # as Python's tokenizer
    notebook_code: ClassVar[bool] = True  # of a notebook, its cells' Python (a copy of them)

    def available(self) -> str | None:
        return module_missing("ruff", INSTALL)

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """Python files and notebooks (ruff reads notebooks itself), and the files the
        project's own ruff configuration includes (`ruff_includes`: `*.py3`)."""
        python = ctx.files_for(PYTHON, JUPYTER)
        return [*python, *declared(ctx, python)]

    def wants(self, ctx: AnalyzerContext) -> bool:
        return bool(self.reads(ctx))

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        files = self.reads(ctx)
        if not files:
            return []
        with LazyFolder("reviewloop-ruff-") as tmp:
            # a notebook as the Python its cells run (`notebooks.for_ruff`), named back after
            copies = _notebook_copies(ctx, [f for f in files if ctx.language(f) == JUPYTER],
                                      tmp)
            given = [copies.get(f) or under_text(ctx.root, f) for f in files]
            # E902: a file ruff could not read (not UTF-8, …), which it otherwise only warns of
            diagnostics = _own(ctx, ["--isolated", "--select",
                                     ",".join((*self.select, UNREADABLE))], files, given)
            if (self.project or self.project_own) and isinstance(diagnostics, list):
                diagnostics += _project_rules(ctx, files, given, diagnostics, self.takes)
        if isinstance(diagnostics, list):  # a notebook's copy; a name ruff printed lossily
            names = {copy: under_text(ctx.root, f) for f, copy in copies.items()}
            diagnostics = relabel(diagnostics, spelled_back(ctx, files, given, "ruff") | names)
        found = self.to_findings(diagnostics, ctx)
        if ctx.tree is None:  # a file of a later Python's syntax: said, bandit run or not
            for path, why in unparsed_here(ctx.root, ctx.files_for(PYTHON), ctx.timeout).items():
                ctx.not_read(path, why)
        return found

    def takes(self, code: str) -> bool:
        """Whether a rule the project's run reports joins this view: the performance view
        takes its own prefixes (`ASYNC119` under the project's `preview = true`: its own
        `--isolated` run never reports it), the maintainability view all others."""
        if self.project_own:
            return code.startswith(self.select)
        return not code.startswith(RUFF_PERFORMANCE.select)

    def severity(self, code: str) -> Severity:
        if code == SYNTAX_ERROR:  # only `TOO_NEW` reaches here: it fails on a declared Python
            return _MUST
        matches = [p for p in self.severities if code.startswith(p)]
        return self.severities[max(matches, key=len)] if matches else self.default

    def to_findings(self, diagnostics: Any, ctx: AnalyzerContext) -> list[Finding]:
        """ruff's JSON diagnostics as findings; a file with a syntax error (no rule code, or
        `invalid-syntax`) is named as not read, but for syntax the declared Python lacks
        (`TOO_NEW`: ruff read the file), a must-fix finding as plain ruff reports it — in
        the view the project's rules join (both views' runs report it: one finding)."""
        if not isinstance(diagnostics, list):
            raise AnalyzerError(f"ruff's JSON output is not a list: {str(diagnostics)[:200]}")
        where = repo_paths(ctx.root)
        notebooks: dict[str, Notebook | None] = {}
        diagnostics = [_in_notebook(d, ctx, where, notebooks) for d in diagnostics]
        for d in diagnostics:
            if d.get("code") == UNREADABLE:
                said = short_title(d.get("message") or "")
                ctx.not_read(where(d["filename"]), f"could not read it ({said})")
            elif not d.get("code") or (d["code"] == SYNTAX_ERROR and not _too_new(d)):
                row = (d.get("location") or {}).get("row", "?")
                ctx.not_read(where(d["filename"]), f"could not parse it (line {row}: "
                                                   f"{short_title(d.get('message') or '')})")
        severity = cache(self.severity)  # a report names few codes, each many times
        return [self._finding(d, ctx, where, severity) for d in diagnostics
                if d.get("code") and (d["code"] not in (SYNTAX_ERROR, UNREADABLE)
                                      or (self.project and _too_new(d)))
                and not injected(d["code"], str(d.get("filename")), str(d.get("message")))]

    def _finding(self, diagnostic: dict[str, Any], ctx: AnalyzerContext,
                 where: Callable[[str], str], severity: Callable[[str], Severity]) -> Finding:
        code = diagnostic["code"]
        start = diagnostic["location"]["row"]
        end = max(start, (diagnostic.get("end_location") or {}).get("row", start))
        return Finding(
            severity=severity(code), file=where(diagnostic["filename"]),
            start_line=start, end_line=end, title=short_title(diagnostic["message"]),
            rationale=_rationale(diagnostic), suggestion=_suggestion(diagnostic.get("fix")),
            confidence=CONFIDENCE, agent=ctx.agent, source=self.name, rule=code)


def _own(ctx: AnalyzerContext, selection: list[str], files: list[str],
         given: list[str]) -> Any:
    """reviewloop's own run on `given` (the `files` as ruff is given them), one per Python
    version (`ruff_version`) and declarations (`ruff_declarations`) of the trusted configs
    governing them (most reviews: one run)."""
    named, lookup = dict(zip(files, given, strict=True)), Lookup(ctx)
    batches: dict[tuple[str | None, tuple[str, ...]], list[str]] = {}
    for path, version in versions(ctx, files, lookup).items():
        config = lookup.of(path)
        declared = declaration_arguments(config.table) if config is not None else ()
        batches.setdefault((version, declared), []).append(named[path])
    report: list[Any] = []
    for (version, declared), batch in batches.items():
        found = check(ctx, [*selection, *declared,
                             *(["--target-version", version] if version else [])], batch,
                      failed_on(ctx, files, given, "ruff"))
        if not isinstance(found, list):
            return found
        report += found
    return report


def _too_new(diagnostic: dict[str, Any]) -> bool:
    return bool(TOO_NEW.search(str(diagnostic.get("message") or "")))


def _place(diagnostic: dict[str, Any]) -> tuple[Any, ...]:
    location = diagnostic.get("location") or {}
    return diagnostic.get("filename"), diagnostic.get("code"), location.get("row"), \
        location.get("column")


def _project_rules(ctx: AnalyzerContext, files: list[str], given: list[str],
                   own: list[Any], takes: Callable[[str], bool]) -> list[dict[str, Any]]:
    """The diagnostics of the project's own runs, one for each config that governs some of
    `files` (`ruff_lookup`; its chain resolved by ruff: `ruff_chain`; on those its `include`
    takes: `ruff_includes.linted`), that reviewloop's runs do not report at the same place in
    this view's `own` report, of the rules this view `takes` (each view runs the project's
    rules, deduped against its own run: the performance view's `--isolated` run lacks the
    project's `preview` and options: the fuzzer's D23 ASYNC119); a rule of a view the project
    configures tighter (`mccabe.max-complexity`) counts where it adds. A config whose
    `extend` chain was not all read, or a run that fails, names its files as not read."""
    named = dict(zip(files, given, strict=True))
    seen = {_place(d) for d in own if isinstance(d, dict)}
    found: list[dict[str, Any]] = []
    for config, governed in grouped(ctx, files).items():
        if config.problem is not None:
            for path in governed:
                ctx.not_read(path, f"the project's ruff config was not all read "
                                   f"({config.problem})")
        paths = [p for p in governed if linted(ctx, p, config.layers)]  # its `include`
        native = pinned(ctx, config)  # ruff's own default selection: `ruff_pinned`
        if paths and not native and (note := classic_note(config)) is not None:
            ctx.remark(note)
        if not paths or not (native or selects(config.layers)):
            continue
        version = of_config(ctx, config)
        try:
            with tempfile.TemporaryDirectory(prefix="reviewloop-ruff-chain-") as scratch:
                governing = written(config.layers, os.fspath(ctx.root), Path(scratch), version,
                                    native=native)
                report = check(ctx, ["--config", str(governing), "--force-exclude"],
                               [named[p] for p in paths],  # its patterns: all absolute
                               failed_on(ctx, files, given, "the project's own ruff rules"))
        except AnalyzerError as error:
            said = explained(ctx, config, error)  # about the user's file: `ruff_errors`
            for path in paths:
                ctx.not_read(path, f"the project's own ruff rules could not run ({said})")
            continue
        found += [d for d in report if isinstance(d, dict) and isinstance(d.get("code"), str)
                  and (d["code"] not in (SYNTAX_ERROR, UNREADABLE) or _too_new(d))
                  and _place(d) not in seen and takes(d["code"])] \
            if isinstance(report, list) else []
    return found


def _notebook_copies(ctx: AnalyzerContext, notebooks: list[str],
                     folder: LazyFolder) -> dict[str, str]:
    """{notebook: its copy for ruff in `folder`}; a cell no analyzer reads is named as not
    read. A file that is no notebook is left to ruff, which names it."""
    if not notebooks:
        return {}
    from reviewloop.checks.notebooks import for_ruff  # with a notebook only

    copies = {}
    for n, path in enumerate(notebooks):
        try:
            rewritten = for_ruff(under(ctx.root, path).read_text("utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        if rewritten is None:
            continue
        if (unread := rewritten[1].unread()) is not None:
            ctx.not_read(path, unread)
        copy = folder / f"notebook_{n}.ipynb"
        copy.write_text(rewritten[0], "utf-8")
        copies[path] = str(copy)
    return copies


def _in_notebook(diagnostic: dict[str, Any], ctx: AnalyzerContext, where: Callable[[str], str],
                 notebooks: dict[str, Notebook | None]) -> dict[str, Any]:
    """A diagnostic ruff gives by notebook cell and row, with the rows of the notebook file
    (`notebooks`: each notebook read once per report)."""
    cell = diagnostic.get("cell")
    if not isinstance(cell, int) or not diagnostic.get("filename"):
        return diagnostic
    path = where(diagnostic["filename"])
    if path not in notebooks:
        notebooks[path] = _notebook(under(ctx.root, path))
    notebook = notebooks[path]
    if notebook is None:
        return diagnostic
    moved = dict(diagnostic)
    for key in ("location", "end_location"):
        if isinstance(moved.get(key), dict) and isinstance(moved[key].get("row"), int):
            moved[key] = {**moved[key], "row": notebook.line(cell, moved[key]["row"])}
    return moved


def _notebook(path: Path) -> Notebook | None:
    from reviewloop.checks.notebooks import read as read_notebook  # with a notebook only

    try:
        return read_notebook(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _rationale(diagnostic: dict[str, Any]) -> str:
    text = f"ruff {diagnostic['code']}"
    if diagnostic.get("name"):
        text += f" ({diagnostic['name']})"
    text += f": {diagnostic['message']}"
    if diagnostic.get("url"):
        text += f". See {diagnostic['url']}"
    return text


def _suggestion(fix: dict[str, Any] | None) -> str | None:
    if not fix or not fix.get("message"):
        return None
    how = "ruff can apply it" if fix.get("applicability") == "safe" else \
        "ruff has an unsafe fix for it; check the result"
    return f"{fix['message']} ({how})."


def _table(entries: Sequence[tuple[Severity, str]]) -> dict[str, Severity]:
    return {prefix: severity for severity, prefixes in entries for prefix in prefixes.split()}


RUFF_MAINTAINABILITY = RuffAnalyzer(
    name="ruff-maintainability",
    project=True,
    select=("C901", "B", "SIM", "PLR09", "PLR1704", "PLR1711", "PLR1714", "PLR5501", "PLE",
            "PLW0120", "PLW0603", "PLW2901", "ERA001", "F", "BLE001", "E722",
            "RUF001", "RUF002", "RUF003", "PLC2401", "PLC2403"),
    severities=_table([
        (_MUST, "F821 F822 F823"),
        # homoglyphs: a look-alike letter in a name, string or comment reads as another
        (_SHOULD, "B PLE F PLW2901 C901 PLR09 BLE E722 RUF001 RUF002 RUF003 PLC2401 PLC2403"),
        (_NIT, "SIM PLR17 PLR55 ERA PLW F401 F841 F541"),
    ]))

RUFF_PERFORMANCE = RuffAnalyzer(
    name="ruff-performance",
    project_own=True,
    select=("PERF", "ASYNC", "C4", "SIM118", "PLR1733", "PLR1736", "PLW3301", "RUF015",
            "FURB122", "FURB129"),
    severities=_table([
        (_SHOULD, "ASYNC PERF"),
        (_NIT, "PERF203 C4 SIM118 PLR1733 PLR1736 PLW3301 RUF015 FURB"),
    ]))
