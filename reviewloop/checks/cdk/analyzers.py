"""The `cdk-checkov` and `cdk-nag` analyzers: checkov's CloudFormation checks and cdk-nag's
AwsSolutionsChecks on the templates of a CDK app the change touches, each finding reported
on the source line that created the construct (`reviewloop.checks.cdk.assembly`), naming
the construct path and the rule.

Both read the one synth of the tree (`reviewloop.checks.cdk.synth`, shared with the synth
gate). Synthesizing runs the project's code, so they run only where the project's tests may
run (`AnalyzerContext.tests`; the same sandbox and time limit), and say so otherwise.

checkov's findings keep the source `checkov` (a trusted `// checkov:skip=CKV_…` comment on
the construct's line covers them like any checkov marker); cdk-nag's have the source
`cdk-nag`. Acknowledged cdk-nag findings are reported too: whether an acknowledgement counts
is decided where every suppression is (`reviewloop.checks.suppressions`), by who wrote it.
"""

from __future__ import annotations

import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewloop.checks.analyzers.base import (
    AnalyzerContext,
    AnalyzerError,
    AnalyzerSkipped,
    parse_json,
    run_tool,
    short_title,
)
from reviewloop.checks.analyzers.checkov import CONFIG_FILES as CHECKOV_CONFIG_FILES
from reviewloop.checks.analyzers.checkov import QUIET_ENV, Checkov
from reviewloop.checks.analyzers.checkov_policies import project_policies
from reviewloop.checks.analyzers.checkov_results import CONFIDENCE
from reviewloop.checks.analyzers.iac_severity import severity_of
from reviewloop.checks.analyzers.provision import TOOLS, locate, unavailable
from reviewloop.checks.cdk.app import CdkApp, find_apps, is_source, nag_for
from reviewloop.findings.schema import Finding, Severity
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.markers import MarkerSyntax, Reach, listed

if TYPE_CHECKING:  # the synth (and the test runs' tree key) loads when an app is synthesized,
    # the cloud assembly's reader when its output is read
    from reviewloop.checks.cdk.assembly import Origin, Stack
    from reviewloop.checks.cdk.synth import Synth
    from reviewloop.checks.gates.commands import ProjectTests

NOT_RUN = ("the CDK app was not synthesized: the project's code does not run in this review "
           "(`reviewloop review --tests` or `[review] run_tests = true` runs it, sandboxed)")
NAG_SEVERITY = {"error": Severity.MUST_FIX, "warning": Severity.SHOULD_FIX}
NAG_CONFIDENCE = 0.7
SYNTH_TAIL_LINES = 12  # of a failed synth's output, in the analyzer's reason
SYNTH_TAIL_CHARS = 2000
_STACK_FRAME = re.compile(r"^\s+at\s")  # "    at Node.addChild (…)"
NAG_MISSING = ("cdk-nag is not a dependency of the CDK app in {where} and none is provisioned, "
               "so AwsSolutionsChecks did not run; fix: `reviewloop tools install cdk-nag`, or "
               "npm install --save-dev cdk-nag@3 there")


class _CdkAnalyzer(ABC):
    name: str

    def available(self) -> str | None:
        return None

    max_bytes = 0  # reads no file as a linter does
    markers: tuple[MarkerSyntax, ...] = ()
    config_files: tuple[ConfigFile, ...] = ()

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """None: it measures the change as a whole (an app synthesized, the tests run, the
        test files changed), it does not lint files; the coverage matrix names the app's
        changed sources only when its synth fails (`AnalyzerError.files`, from `run`)."""
        return []

    def wants(self, ctx: AnalyzerContext) -> bool:
        return bool(_apps(ctx))

    def claims(self, root: Path, path: str) -> bool:
        """Every source of a CDK app is infrastructure, whatever its name (`lib/uploads.ts`
        as much as `lib/app-stack.ts`): the reviewer's scope globs cannot say so."""
        return path in self.claimed(root, (path,))

    def claimed(self, root: Path, paths: Sequence[str]) -> set[str]:
        """The `paths` it `claims`, the apps above them looked for once (a folder's
        `cdk.json`), not once a file: a 216-file change asked 650 of them, twice."""
        # no other file is relevant to any app: the tree is not searched for them
        sources = [p for p in paths if is_source(p)]
        apps = find_apps(root, sources) if sources else []
        return {p for p in sources if any(app.relevant((p,)) for app in apps)} if apps else set()

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        if ctx.tests is None:
            raise AnalyzerSkipped(NOT_RUN)
        apps = _apps(ctx)
        try:
            return self._run(apps, ctx, ctx.tests)
        except AnalyzerError as exc:  # none of its findings stand: each app's sources unread
            raise AnalyzerError(str(exc), files=[path for app in apps
                                                 for path in app.sources(ctx.files)]) from exc

    def _run(self, apps: list[CdkApp], ctx: AnalyzerContext, tests: ProjectTests
             ) -> list[Finding]:
        from reviewloop.checks.cdk.synth import synthesized

        findings: list[Finding] = []
        for app in apps:
            if not app.language.synthesized:
                raise AnalyzerError(app.language.unsupported.format(
                    where=app.folder or ".", language=app.language.name, command=app.command,
                    files=", ".join(app.sources(ctx.files))))
            if app.problem:
                raise AnalyzerError(f"{app.problem}{_unread(app, ctx)}")
            synth = synthesized(ctx.root, app, sandbox=tests.sandbox, timeout=tests.timeout,
                                nag=nag_for(app.path(ctx.root)))
            if not synth.ok:
                raise AnalyzerError(f"{failed_synth(synth)}{_unread(app, ctx)}")
            findings += self.findings(synth, ctx)
        return findings

    def base_folders(self, ctx: AnalyzerContext) -> list[str]:
        """Compared with the synth of the change's base: an ingress rule added on its own
        line lands on the security group's construct, which the change did not write
        (`review.introduced`)."""
        return [app.folder for app in _apps(ctx)]

    @abstractmethod
    def findings(self, synth: Synth, ctx: AnalyzerContext) -> list[Finding]:
        """What the tool reports on this synth's templates, on the constructs' lines."""


class CdkCheckov(_CdkAnalyzer):
    name = "cdk-checkov"
    config_files = CHECKOV_CONFIG_FILES  # checkov, run on the synthesized templates

    def available(self) -> str | None:
        return unavailable(TOOLS["checkov"])

    def findings(self, synth: Synth, ctx: AnalyzerContext) -> list[Finding]:
        executable = locate(TOOLS["checkov"])
        if executable is None:
            raise AnalyzerError("checkov is not installed; fix: reviewloop tools install checkov")
        from reviewloop.checks.cdk.assembly import stacks

        by_file = {s.template_file.name: s for s in stacks(synth.out)}
        if not by_file:
            return []
        project = project_policies(ctx)  # the project's own YAML policies, as `checkov`'s
        with tempfile.TemporaryDirectory(prefix="reviewloop-cdk-checkov-") as empty:
            policies = Path(empty) / "policies" if project.files else None
            if policies is not None:
                project.write(policies)
            argv = Checkov(project, policies).command(
                executable, dict.fromkeys(by_file, "cloudformation"), synth.out)
            output = run_tool(argv, Path(empty), ctx.timeout, ok_codes=(0,), env=QUIET_ENV)
        report = parse_json(output, "checkov")
        found = []
        for one in report if isinstance(report, list) else [report]:
            results = (one.get("results") or {}) if isinstance(one, dict) else {}
            for check in [*(results.get("failed_checks") or []),
                          *(results.get("skipped_checks") or [])]:
                stack = by_file.get(Path(str(check.get("file_abs_path") or
                                             check.get("file_path") or "")).name)
                if stack is not None:
                    found.append(_checkov_finding(check, stack, synth, ctx))
        return found


# cdk-nag's acknowledgements (`Validations.of(x).acknowledge({ id: 'AwsSolutions-S1' })`,
# v2's `NagSuppressions`, `rules_to_suppress: - id:`): in the construct's file, not on its
# line, so they reach the whole file
NAG_MARKERS = (MarkerSyntax("cdk-nag", r"\bid\s*:\s*[\"']?(?P<rules>AwsSolutions-[A-Za-z]+\d+"
                            r"(?:\[[^\]\n]*\])?)[^\n]*", Reach.FILE, listed, "AwsSolutions"),)


class CdkNag(_CdkAnalyzer):
    name = "cdk-nag"
    markers = NAG_MARKERS

    def findings(self, synth: Synth, ctx: AnalyzerContext) -> list[Finding]:
        if synth.nag is None:
            raise AnalyzerSkipped(NAG_MISSING.format(where=synth.app.folder or "."))
        if not synth.nag_report.is_file():
            raise AnalyzerError("cdk-nag wrote no report: the app synthesized no App "
                                "(or the preload did not load)")
        report = parse_json(synth.nag_report.read_text(encoding="utf-8"), "cdk-nag")
        if not isinstance(report, dict) or report.get("error"):
            raise AnalyzerError(f"cdk-nag failed: {str(report.get('error'))[:500]}"
                                if isinstance(report, dict) else "cdk-nag's report is not JSON")
        from reviewloop.checks.cdk.assembly import stacks

        found = stacks(synth.out)
        return [_nag_finding(v, found, synth, ctx) for v in report.get("violations") or []]


def failed_synth(synth: Synth) -> str:
    """Why the synth failed, as the user reads it in the review: how it ended and the last
    lines of its output (the error the app threw)."""
    ending = f"timed out after {synth.run.duration:.0f}s" if synth.run.timed_out else \
        f"exited with {synth.run.exit_code}" if synth.run.exit_code else \
        "wrote no cloud assembly (no manifest.json)"
    lines = [line for line in synth.run.output.splitlines()
             if line.strip() and not _STACK_FRAME.match(line)]  # the messages, not the frames
    said = "\n".join(lines[-SYNTH_TAIL_LINES:])[-SYNTH_TAIL_CHARS:]
    return f"the CDK app in {synth.app.folder or '.'} did not synthesize: `{synth.command}` " \
           f"{ending}" + (f"; its output ends:\n{said}" if said else " with no output")


def _unread(app: CdkApp, ctx: AnalyzerContext) -> str:
    """The app's changed files the analyzer did not read, said after why."""
    return f"\n(not read: {', '.join(app.sources(ctx.files))})"


def _apps(ctx: AnalyzerContext) -> list[CdkApp]:
    changed = [f.path for f in ctx.changes.files]
    checkout = ctx.trust.checkout if ctx.trust is not None else None
    return [a for a in find_apps(ctx.root, changed, Path(checkout) if checkout else None)
            if a.relevant(ctx.files)]


def _where(stack: Stack, path: str, synth: Synth, ctx: AnalyzerContext) -> Origin:
    from reviewloop.checks.cdk.assembly import origin

    return origin(stack, path, ctx.root, synth.app.path(ctx.root), synth.origins)


def _unmapped(found: Origin) -> str:
    return "" if found.mapped else (" No creation line of the project's own code was recorded "
                                    "for this construct, so it is reported on its stack.")


def _checkov_finding(check: dict[str, Any], stack: Stack, synth: Synth,
                     ctx: AnalyzerContext) -> Finding:
    resource = str(check.get("resource") or "")
    logical_id = resource.rpartition(".")[2]
    path = stack.construct_path(logical_id) or f"{stack.name}/{logical_id}"
    found = _where(stack, path, synth, ctx)
    severity, rated = severity_of(check["check_id"], check.get("severity"))
    rationale = (f"checkov {check['check_id']} failed for construct {path} ({resource} in the "
                 f"synthesized {stack.template_file.name}): {check['check_name']}."
                 f"{_unmapped(found)} {rated}").rstrip()
    if check.get("guideline"):
        rationale += f" See {check['guideline']}"
    return Finding(
        severity=severity,
        file=found.file, start_line=found.line, end_line=found.last,
        title=short_title(f"{check['check_name']} ({path})"), rationale=rationale,
        confidence=CONFIDENCE, agent=ctx.agent, source="checkov", rule=check["check_id"],
        symbol=path)


def _nag_finding(violation: dict[str, Any], found: list[Stack], synth: Synth,
                 ctx: AnalyzerContext) -> Finding:
    from reviewloop.checks.cdk.assembly import stack_of

    path = str(violation.get("path") or "")
    rule_id = str(violation.get("rule") or "cdk-nag")
    stack = stack_of(path, found)
    if stack is None:
        raise AnalyzerError(f"cdk-nag reported {rule_id} on {path}, but the assembly has no stack")
    where = _where(stack, path, synth, ctx)
    # a granular rule keeps what it is about (AwsSolutions-IAM5[Action::s3:*] and
    # [Resource::*] are two findings, as cdk-nag reports them)
    said = " ".join(str(violation.get("description") or "").split())
    acknowledged = " The app acknowledges it (Validations.of(…).acknowledge)." \
        if violation.get("acknowledged") else ""
    return Finding(
        severity=NAG_SEVERITY.get(str(violation.get("severity")), Severity.SHOULD_FIX),
        file=where.file, start_line=where.line, end_line=where.last,
        title=short_title(f"{rule_id}: {said.split('. ')[0]} ({path})"),
        rationale=f"cdk-nag {rule_id} on construct {path}: {said}{acknowledged}"
                  f"{_unmapped(where)}",
        confidence=NAG_CONFIDENCE, agent=ctx.agent, source="cdk-nag", rule=rule_id,
        symbol=path)
