"""The ESLint analyzers: `eslint-security`, `eslint-maintainability`, `eslint-performance`,
three views of one ESLint run on the changed JavaScript and TypeScript files.

ESLint and its plugins are an npm tool, provisioned like checkov (`provision.py`): pinned in
reviewloop's shipped lockfile, installed with `npm ci` on first use into the tools folder. The
rule set is reviewloop's own (`node/eslint/reviewloop.config.mjs`, rules and severities from
`eslint_rules.py`), and nothing from the reviewed tree configures it: `--config` ours,
`--no-config-lookup`, `--no-inline-config` (an `eslint-disable` comment counts only where the
trusted side wrote it: `reviewloop.checks.suppressions`), with ESLint's own `node_modules/`
ignore lifted by our config (`--no-ignore` would switch that off as well, and keep the built-in
one), on absolute paths. Scripts without a suffix whose shebang names node are linted too. What
each file is — JavaScript or TypeScript, CommonJS or ES module with their globals, with
TypeScript's type information or without — is decided by `eslint_env.py` and handed to the
config in a file. Every file ESLint's report does not list, or lists with a fatal parse error,
is named as not read: the review is incomplete, never quietly clean. ESLint ignores files
outside its base path (the working folder, with `--config`), so it runs from the filesystem
root, where `--config` leaves it nothing to read. `NODE_OPTIONS` and `NODE_PATH` are cleared:
no `--require` from the environment.

The reviewers run in parallel and each asks for its view: the first to ask runs ESLint, the
others wait for that run and share its report (keyed by the files and their content), so
three reviewers never start three node processes on the same files.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewloop.checks.analyzers import eslint_directives as directives
from reviewloop.checks.analyzers import eslint_rules, npm_env, tsconfigs
from reviewloop.checks.analyzers.base import (
    AnalyzerContext,
    AnalyzerError,
    parse_json,
    run_tool,
    short_title,
)
from reviewloop.checks.analyzers.eslint_base import AtBase, at_base
from reviewloop.checks.analyzers.eslint_columns import Columns
from reviewloop.checks.analyzers.line_breaks import JAVASCRIPT as JS_BREAKS
from reviewloop.checks.analyzers.provision import TOOLS, home, unavailable
from reviewloop.checks.analyzers.shared_run import SharedRuns
from reviewloop.checks.paths import repo_paths
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.languages import JAVASCRIPT, TYPESCRIPT
from reviewloop.git.names import is_utf8
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.markers import MarkerSyntax, Reach

if TYPE_CHECKING:  # what a run reads of the files and the project: loaded when ESLint runs
    from reviewloop.checks.analyzers import eslint_env, eslint_files, eslint_importers

TOOL = TOOLS["eslint"]
MAX_BYTES = 4_000_000
CONFIG = npm_env.manifests("eslint") / "reviewloop.config.mjs"
NODE_FIX = "install Node.js 20 or later and make sure `node` is on PATH"
CONFIDENCE = {Severity.MUST_FIX: 0.8, Severity.SHOULD_FIX: 0.7, Severity.NIT: 0.5}
# a typed file no tsconfig includes: linted without types, as the project's ESLint could not
_NOT_IN_A_PROJECT = re.compile(r"was not found by the project service|\bTS18003\b")
_TS_ERROR = re.compile(r"error (TS\d+: [^\n]*)")
UNTYPED = "reviewloop_untyped"  # the report's key: typed files linted without types, and why
TSCONFIG = "reviewloop_tsconfig"  # the report's key: typed files whose tsconfig is read past
TYPES_LOST = ("its type-aware rules did not run: typescript-eslint could not load its "
              "TypeScript project ({problem}); fix: install the project's packages (npm ci) "
              "before reviewing, or fix its tsconfig")
_RUNS: SharedRuns[dict[str, Any]] = SharedRuns()  # one run, three readers
_BASE_RUNS: SharedRuns[list[dict[str, Any]]] = SharedRuns()  # the importers at the base
log = logging.getLogger(__name__)


def js_files(ctx: AnalyzerContext) -> list[str]:
    """The changed JS/TS files, by suffix or shebang, and those the trusted side's own ESLint
    config lints as JavaScript or TypeScript (`eslint_files`: `files: ["**/*.es6"]`)."""
    own = ctx.files_for(JAVASCRIPT, TYPESCRIPT)
    return sorted([*own, *_declared(ctx, own).linted])


def _declared(ctx: AnalyzerContext, own: list[str]) -> eslint_files.Declared:
    from reviewloop.checks.analyzers import eslint_files

    return eslint_files.declared(ctx, own)


def command(node: str, tool_home: Path, files: list[str]) -> list[str]:
    """ESLint with reviewloop's rule set only, on `files` (absolute paths)."""
    return [node, str(tool_home / "node_modules" / "eslint" / "bin" / "eslint.js"),
            "--config", str(CONFIG), "--no-config-lookup", "--no-inline-config",
            "--no-warn-ignored", "--format", "json-with-metadata", *files]


def linted(ctx: AnalyzerContext) -> list[str]:
    """The JS/TS files ESLint is given: those whose names node can open (it reads its argv
    as UTF-8; one name that is not would fail the whole run), `run` names the others."""
    return [p for p in js_files(ctx) if is_utf8(p)]


def report_for(ctx: AnalyzerContext, importers: Sequence[str] = ()) -> dict[str, Any]:
    """ESLint's JSON report for the changed JS/TS files and the unchanged `importers` of
    changed TypeScript modules (`eslint_importers`), run once for all three views."""
    files = [*linted(ctx), *importers]
    return _RUNS.get(ctx.root, files, lambda: _run(files, ctx))


def _importers(ctx: AnalyzerContext) -> eslint_importers.Importers:
    from reviewloop.checks.analyzers import eslint_importers

    return eslint_importers.importers(ctx, [] if at_base(ctx) else linted(ctx))


def _brought_about(report: dict[str, Any], found: eslint_importers.Importers,
                   ctx: AnalyzerContext, category: str) -> list[Finding]:
    """What the change brought about on its modules' unchanged importers (`eslint_importers`):
    their messages at the head that a lint of them at the base has not, on each module."""
    from reviewloop.checks.analyzers import eslint_importers

    head = eslint_importers.typed_messages(report, found, repo_paths(ctx.root))
    if not head:
        return []
    base = _BASE_RUNS.get(ctx.root, [*found.files, *found.modules],
                          lambda: _base_messages(found, ctx))
    meta = (report.get("metadata") or {}).get("rulesMeta") or {}
    columns = Columns(ctx.root)
    return [eslint_importers.shown(_finding(m, m["file"], meta.get(m["ruleId"]) or {}, ctx,
                                            category, columns), module, ctx,
                                  found.through.get(m["file"], ""))
            for m in eslint_importers.introduced(head, base) for module in found.files[m["file"]]
            if m.get("ruleId") and eslint_rules.category(m["ruleId"]) == category]


def _base_messages(found: eslint_importers.Importers, ctx: AnalyzerContext
                   ) -> list[dict[str, Any]]:
    """The importers' messages in a copy of their projects as before the change."""
    from reviewloop.checks.analyzers import eslint_env, eslint_importers

    node, tool_home = shutil.which("node"), home(TOOL)
    if node is None or tool_home is None:
        raise AnalyzerError("eslint is not installed; fix: reviewloop tools install eslint")
    with eslint_importers.scratch() as folder:
        base = eslint_importers.base_project(ctx, found.projects, Path(folder))
        at = replace(ctx, root=base, files=tuple(found.files))
        facts = eslint_env.facts(at, list(found.files))
        report = _lint(node, tool_home, facts, list(facts), at)
        where = repo_paths(base)
        return [{**m, "file": where(r["filePath"])} for r in report["results"]
                for m in r.get("messages") or []]


def _run(files: list[str], ctx: AnalyzerContext) -> dict[str, Any]:
    """ESLint on `files`, with type information where `eslint_env` asks for it; a typed file
    the project service cannot place (no tsconfig includes it) is linted again without."""
    from reviewloop.checks.analyzers import eslint_env, eslint_importers

    node, tool_home = shutil.which("node"), home(TOOL)
    if node is None:
        raise AnalyzerError(f"ESLint needs Node.js, which is not on PATH; fix: {NODE_FIX}")
    if tool_home is None:
        raise AnalyzerError("eslint is not installed; fix: reviewloop tools install eslint")
    own = ctx.files_for(JAVASCRIPT, TYPESCRIPT)
    found = eslint_env.facts(ctx, files, typescript=frozenset(_declared(ctx, own).ts))
    report = _lint(node, tool_home, found, list(found), ctx)
    where = repo_paths(ctx.root)
    report[TSCONFIG] = tsconfigs.unloadable(ctx.root, [where(p) for p, f in found.items()
                                                       if f.typed])
    retry = {r["filePath"] for r in report["results"] if found.get(r["filePath"]) is not None
             and found[r["filePath"]].typed and _fatal(r)}
    if retry:
        log.info("linted again without type information (no tsconfig includes them): %s",
                 ", ".join(sorted(retry)))
        again = _lint(node, tool_home, eslint_env.untyped(found, retry), sorted(retry), ctx)
        fresh = {r["filePath"]: r for r in again["results"]}
        report[eslint_importers.RETRIED] = sorted(retry)  # linted without types after all
        report[UNTYPED] = {r["filePath"]: problem for r in report["results"]
                           if r["filePath"] in retry and not _fatal(fresh.get(r["filePath"], r))
                           and (problem := _types_lost(r, ctx.root))}
        report["results"] = [fresh.get(r["filePath"], r) for r in report["results"]]
        meta = report.setdefault("metadata", {}).setdefault("rulesMeta", {})
        meta.update((again.get("metadata") or {}).get("rulesMeta") or {})
    return report


def _lint(node: str, tool_home: Path, found: dict[str, eslint_env.FileFacts],
          files: list[str], ctx: AnalyzerContext) -> dict[str, Any]:
    from reviewloop.checks.analyzers import eslint_env

    with tempfile.TemporaryDirectory(prefix="reviewloop-eslint-") as folder:
        facts = Path(folder) / "files.json"
        facts.write_text(eslint_env.to_json(found, ctx.root), encoding="utf-8")
        env = {"REVIEWLOOP_ESLINT_HOME": str(tool_home), "NODE_OPTIONS": "", "NODE_PATH": "",
               "REVIEWLOOP_ESLINT_RULES": eslint_rules.config_json(),
               "REVIEWLOOP_ESLINT_FILES": str(facts)}
        # exit 1: findings; 2: a broken run (the error is on stderr)
        output = run_tool(command(node, tool_home, files), Path("/"), ctx.timeout, env=env)
    report = parse_json(output, "eslint")
    if not isinstance(report, dict) or not isinstance(report.get("results"), list):
        raise AnalyzerError(f"ESLint's JSON report has no results list: {str(report)[:200]}")
    return report


def _fatal(result: dict[str, Any]) -> bool:
    return any(m.get("fatal") for m in result.get("messages") or [])


def _types_lost(result: dict[str, Any], root: Path) -> str | None:
    """Why a typed file's run failed, when it is not that no tsconfig includes the file: its
    tsconfig `extends` a package that is not installed, or TypeScript cannot read it; a path
    in the reviewed tree (`root`, an export's scratch folder) by its repository path."""
    said = next((str(m.get("message") or "") for m in result.get("messages") or []
                 if m.get("fatal")), "")
    if not said or _NOT_IN_A_PROJECT.search(said):
        return None
    typescript = _TS_ERROR.search(said)  # TypeScript's own words
    said = typescript.group(1) if typescript else said.removeprefix("Parsing error: ")
    for where in {os.path.realpath(root), str(root.absolute())}:
        said = said.replace(where.rstrip("/") + "/", "")
    return short_title(" ".join(said.split()))


_JS = frozenset({JAVASCRIPT, TYPESCRIPT})
_NOT_UTF8 = ("its name is not UTF-8: node reads file names as UTF-8 and cannot open it "
             "(nor can node run it under that name); give it a UTF-8 name")
# the markers ESLint honours in the files it lints (`eslint-enable` ends a block:
# `eslint_directives.reenables`)
MARKERS = (  # each a directive only where ESLint reads one (`eslint_directives`)
    MarkerSyntax("eslint", directives.next_line("eslint-disable-next-line"), Reach.ABOVE,
                 directives.rules, "eslint", _JS, in_comments=True),
    MarkerSyntax("eslint", directives.line_or_block("eslint-disable-line"), Reach.LINES,
                 directives.rules, "eslint", _JS, in_comments=True),
    MarkerSyntax("eslint", directives.block("eslint-disable"), Reach.BLOCK, directives.rules,
                 "eslint", _JS, in_comments=True),
    MarkerSyntax("eslint", directives.block("eslint"), Reach.FILE, directives.switched_off,
                 "eslint", _JS, in_comments=True), *directives.DECLARING)


# ESLint's configs and ignore file, flat and legacy, and package.json's `eslintConfig`;
# reviewloop's ESLint reads none of them, the project's own config only from the base
CONFIG_FILES = (*(ConfigFile(name, "eslint") for name in (
    "eslint.config.js", "eslint.config.mjs", "eslint.config.cjs", "eslint.config.ts",
    "eslint.config.mts", "eslint.config.cts", ".eslintrc", ".eslintrc.*", ".eslintignore")),
    ConfigFile("package.json", "eslint", ("eslintConfig",)))


class EslintAnalyzer(AtBase):
    """One reviewer's view of the shared ESLint run: its category's rules (and `AtBase`)."""

    line_breaks = JS_BREAKS  # ECMAScript's line terminators

    def __init__(self, category: str):
        self.category = category
        self.name = f"eslint-{category}"

    def available(self) -> str | None:
        if shutil.which("node") is None:
            return f"ESLint needs Node.js, which is not on PATH; fix: {NODE_FIX}"
        return unavailable(TOOL)

    max_bytes = MAX_BYTES
    markers = MARKERS
    config_files = CONFIG_FILES

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """`js_files`, and the files the project's config lints that reviewloop's ESLint
        cannot (`eslint_files`: a plugin's language, a config that could not be evaluated)."""
        own = ctx.files_for(JAVASCRIPT, TYPESCRIPT)
        return sorted({*js_files(ctx), *_declared(ctx, own).unread})

    def wants(self, ctx: AnalyzerContext) -> bool:
        return bool(self.reads(ctx))

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        for path, why in _declared(ctx, ctx.files_for(JAVASCRIPT, TYPESCRIPT)).unread.items():
            ctx.not_read(path, why)
        for path in js_files(ctx):
            if not is_utf8(path):
                ctx.not_read(path, _NOT_UTF8)
        files = linted(ctx)
        if not files:
            return []
        found = _importers(ctx)
        for path, why in found.left_out_named().items():
            ctx.not_read(path, why)
        report = report_for(ctx, list(found.files))
        record_reads(report, files, ctx)
        own = [f for f in to_findings(report, ctx, self.category) if f.file not in found.files]
        try:
            own += _brought_about(report, found, ctx, self.category)
        except (AnalyzerError, OSError) as exc:  # the changed files' own findings stand
            for module in found.modules:
                ctx.not_read(module, f"its effect on unchanged importers was not compared ({exc})")
        return project_findings(ctx, self.category, own)


def record_reads(report: dict[str, Any], files: list[str], ctx: AnalyzerContext) -> None:
    """Every file of `files` ESLint could not parse (a fatal message), or that its report
    does not list (its own ignores, no matching config), as not read."""
    where = repo_paths(ctx.root)
    for lost, problem in (report.get(UNTYPED) or {}).items():
        if where(lost) in files:
            ctx.not_read(where(lost), TYPES_LOST.format(problem=problem))
    for path, why in (report.get(TSCONFIG) or {}).items():
        if path in files:
            ctx.not_read(path, why)
    linted = set()
    for result in report["results"]:
        path = where(result["filePath"])
        if path not in files:  # an unchanged importer, linted for what the change does to it
            continue
        linted.add(path)
        for message in result.get("messages") or []:
            if message.get("fatal"):
                ctx.not_read(path, f"could not parse it (line {message.get('line', '?')}"
                                   f": {short_title(message.get('message') or '')})")
    for path in files:
        if path not in linted:
            ctx.not_read(path, "its report does not list it (ESLint ignored it)")


def to_findings(report: dict[str, Any], ctx: AnalyzerContext, category: str) -> list[Finding]:
    """The report's messages of `category`'s rules as findings (parse errors: the gates')."""
    meta = (report.get("metadata") or {}).get("rulesMeta") or {}
    where, columns = repo_paths(ctx.root), Columns(ctx.root)
    return [_finding(message, where(result["filePath"]), meta.get(message["ruleId"]) or {},
                     ctx, category, columns)
            for result in report["results"] for message in result.get("messages") or []
            if message.get("ruleId") and eslint_rules.category(message["ruleId"]) == category]


def project_findings(ctx: AnalyzerContext, category: str,
                     own: list[Finding]) -> list[Finding]:
    """`own` (less what the trusted config declares away: `ProjectLint.honoured`) and the
    project's own rules' findings in `category` (`eslint_project.py`), but those reviewloop's
    run reports on the same line (raised to 🟡 if an error there): 🟡 errors, 🟢 warnings. A
    file they would have linted and did not is named as not read by the views they report to
    (security, maintainability); one only the project's parser reads, with that reason."""
    from reviewloop.checks.analyzers import eslint_project

    project = eslint_project.project_lint(ctx, linted(ctx))
    own = project.raised(project.honoured(own))
    ctx.unread.update(project.explain(ctx.unread))
    seen = {(f.rule, f.file, f.start_line) for f in own}
    found, columns = [], Columns(ctx.root)
    if category in eslint_project.VIEWS:
        for path, why in project.unread.items():
            ctx.not_read(path, why)
    for file, message in project.messages:
        rule = message["ruleId"]
        start = max(1, int(message.get("line") or 1))
        if eslint_project.category(rule) != category or (rule, file, start) in seen:
            continue
        severity = Severity.SHOULD_FIX if message.get("severity") == 2 else Severity.NIT
        found.append(Finding(
            severity=severity, file=file, start_line=start,
            end_line=max(start, int(message.get("endLine") or start)),
            start_column=columns(file, message), title=short_title(message["message"]),
            rationale=f"ESLint {rule} (the project's own ESLint config{message.get('via', '')}"
            f"): {message['message']}",
            suggestion=_suggestion(message), confidence=CONFIDENCE[severity], agent=ctx.agent,
            source=f"eslint-{category}", rule=rule))
    return own + found


def _finding(message: dict[str, Any], file: str, meta: dict[str, Any], ctx: AnalyzerContext,
             category: str, columns: Columns) -> Finding:
    rule = message["ruleId"]
    start = max(1, int(message.get("line") or 1))
    end = max(start, int(message.get("endLine") or start))
    severity = eslint_rules.severity(rule, meta.get("type"), message)
    return Finding(
        severity=severity, file=file, start_line=start, end_line=end,
        start_column=columns(file, message), title=short_title(message["message"]),
        rationale=_rationale(rule, message, meta), suggestion=_suggestion(message),
        confidence=CONFIDENCE[severity], agent=ctx.agent, source=f"eslint-{category}", rule=rule)


def _rationale(rule: str, message: dict[str, Any], meta: dict[str, Any]) -> str:
    text = f"ESLint {rule}: {message['message']}"
    description = (meta.get("docs") or {}).get("description")
    if description:
        text += f" ({description.rstrip('.')})"
    url = (meta.get("docs") or {}).get("url")
    return text + (f". See {url}" if url else "")


def _suggestion(message: dict[str, Any]) -> str | None:
    if message.get("fix"):
        return "ESLint can fix this (`eslint --fix`)."
    offered = [str(s["desc"]) for s in message.get("suggestions") or [] if s.get("desc")]
    return "; ".join(offered) + "." if offered else None


ESLINT_SECURITY = EslintAnalyzer(eslint_rules.SECURITY)
ESLINT_MAINTAINABILITY = EslintAnalyzer(eslint_rules.MAINTAINABILITY)
ESLINT_PERFORMANCE = EslintAnalyzer(eslint_rules.PERFORMANCE)
