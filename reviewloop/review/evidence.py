"""The evidence behind a reviewer: its analyzers, run on the changed files in its scope.

`run_for_agent` runs the analyzers an agent lists (`reviewloop.checks.analyzers.registry`)
on the changed files in the agent's scope, and keeps the findings the change touches (on an
added line, or spanning a place where it removed lines: a resource whose protective line was
deleted; or, for an IaC analyzer, one its run on the base does not report,
`reviewloop.review.introduced`), attributed to the agent and located on the flagged code;
findings on the other unchanged lines a diff hunk shows are kept apart in `outside`, which
the ledger shows as outside the change, never drops silently. Every analyzer's `Health` is
reported: `ok`, `missing` (not installed, while it had files to look at) or `failed` (with the
reason), never skipped silently. Its health is also its row of the coverage matrix: the files
it was to read (`Analyzer.reads`) and those it did not read after all, with why — over its
size limit, or named by its own run (a parse error, its tool's ignore list, a file its report leaves
out). Each analyzer runs with a context of its own, so what it records is its alone.

Analyzers read every changed text file that `reviewloop.review.readable` lets them read
(the one rule, which also says what no model may read); the run summary lists what was left
out with its reasons. Which
generated or vendored files a model skips is `reviewloop.review.classify`'s, never the
analyzers' business.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from reviewloop import plugins
from reviewloop.checks.analyzers import line_breaks
from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerSkipped
from reviewloop.checks.analyzers.deadline import bounded
from reviewloop.checks.analyzers.dockerfile_builds import built
from reviewloop.checks.analyzers.failure import failed, skipped
from reviewloop.checks.analyzers.line_breaks import Renumbering
from reviewloop.checks.analyzers.registry import Analyzer, analyzers, package_of
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.checks.lane import cpu_lane
from reviewloop.findings.code_index import CodeIndex
from reviewloop.findings.ledger import Health, HealthStatus
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet, FileStatus, parse_diff
from reviewloop.git.names import under, under_text
from reviewloop.git.reads import read_bytes
from reviewloop.git.reverse import git_lines
from reviewloop.git.run_by import run_by
from reviewloop.memo import TextMemo
from reviewloop.policy.trust import Trust
from reviewloop.review.agent_scope import scope_of
from reviewloop.review.analyzer_output import located as located_in
from reviewloop.review.analyzer_output import repository_paths
from reviewloop.review.claimed import claimers, claims_of, present, scoped_files
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.introduced import BaseTree, BaseTrees, Compared, marked
from reviewloop.review.readable import Readability
from reviewloop.review.retyped import retyped
from reviewloop.review.size_limit import too_large
from reviewloop.sandbox.bubblewrap import SandboxMode

log = logging.getLogger(__name__)
T = TypeVar("T")


NOTHING_TO_ANALYZE = "no changed file it analyzes"
# One reviewer's scoping at a time. Side by side, the reviewers' diff parses and file checks
# (pure Python) contend for the GIL, and each takes about as long as all of them: bandit
# started ~0.15 s into the early analysis of a 442-file change. In turn, the first
# reviewer's tools start at once and each next one's as its scoping ends, which goes before
# bandit's and the secrets scan's turns in the CPU lane (`checks.lane`).
_SCOPING = threading.Lock()


@dataclass(frozen=True)
class AnalyzerReport:
    """What an agent's analyzers found, and whether each of them ran."""

    findings: list[Finding] = field(default_factory=list)  # what the change touches
    outside: list[Finding] = field(default_factory=list)  # on unchanged lines next to it
    health: list[Health] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """`<name>: <reason with the install fix>` for each analyzer not installed."""
        return [f"{h.name}: {h.reason}" for h in self.health if h.status == "missing"]

    @property
    def errors(self) -> list[str]:
        """`<name>: <what went wrong>` for each analyzer that failed."""
        return [f"{h.name}: {h.reason}" for h in self.health if h.status == "failed"]

    @property
    def complete(self) -> bool:
        """True when every listed analyzer ran."""
        return all(h.complete for h in self.health)


def run_for_agent(agent: AgentDefinition, root: Path, diff_text: str, *,
                  tests: ProjectTests | None = None,
                  registry: Mapping[str, Analyzer] | None = None,
                  only: Collection[str] | None = None,
                  trust: Trust | None = None,
                  bases: BaseTrees | None = None,
                  timeout: float = 600,
                  sandbox: SandboxMode = "auto") -> AnalyzerReport:
    """Run `agent`'s analyzers on the changed files in its scope (of those, only the files
    in `only` when given: a re-review of a fix); the project's tests run (sandboxed) only
    when `tests` is given, its own ESLint config only when `trust` says where the trusted
    side is. The analyzers see the whole change as `diff_text`. Those run on the change's
    base too (`review.introduced`) share the review's copy of it in `bases`; without it, the
    agent's analyzers make one of their own. `timeout`: each analyzer's own tool's, and each
    call of a plugin analyzer's, its claims too (`checks.analyzers.deadline`). `sandbox`: the
    setting, for the project material an analyzer runs (a Kustomize build)."""
    table = analyzers() if registry is None else registry
    off = [Health(kind="analyzer", name=name, agent=agent.name, status="skipped", reason=why)
           for name, why in agent.turned_off]
    if not agent.analyzers:
        return AnalyzerReport(health=off)
    with cpu_lane(first=True), _SCOPING:
        changes = parse_diff(diff_text, source=f"{agent.name} diff")
    # asked once per review, outside the lock: a claim that hangs holds no other reviewer
    shared = claims_of(bases)
    paths = present(changes)
    claimed = {name: shared.of(name, table[name], root, diff_text, paths, timeout)
               for name in claimers(agent, table)}
    with cpu_lane(first=True), _SCOPING:
        readable = Readability.of(root)
        scoped = scoped_files(agent, changes, claimed, readable)
        files = scoped.files if only is None else tuple(f for f in scoped.files if f in only)
        languages, sizes, encodings = readable.facts(files)
        # a file docker is told to build, or the repository runs as a language (`run_by`)
        unknown = [f for f, known in languages.items() if known is None]
        callers = run_by(root, unknown)
        languages |= {p: c.language for p, c in callers.items()} | built(root, unknown)
    ctx = AnalyzerContext(root=root, changes=changes, diff_text=diff_text, agent=agent.name,
                          files=files, tests=tests, trust=trust, languages=languages,
                          encodings=encodings, timeout=timeout, sandbox=sandbox, callers=callers,
                          shells={p: s for p in files if (s := readable.shell(p))})
    report = AnalyzerReport(health=off)
    base = bases.of(root, diff_text, changes) if bases is not None else BaseTree(root, changes)
    try:
        results = _side_by_side(agent.analyzers, table, ctx, sizes, base, scoped.failed)
    finally:
        if bases is None:
            base.close()
    left = _left_out(agent, ctx, readable, only)
    for found, health in results:
        placed = located_in(found, ctx, health.files, lambda f: code_index(
            under_text(ctx.root, f), ctx.root))
        report.health.append(_with_dropped(_with_left_out(health, table, left, agent),
                                           placed.said(health.name)))
        for finding in placed.kept:
            if _in_change(finding, ctx.changes):
                report.findings.append(finding)
            elif ctx.changes.contains(finding.file, finding.start_line, finding.end_line):
                report.outside.append(finding)
    report.findings.sort(key=Finding.sort_key)
    report.outside.sort(key=Finding.sort_key)
    return report


def _side_by_side(names: Sequence[str], table: Mapping[str, Analyzer], ctx: AnalyzerContext,
                  sizes: Mapping[str, int], base: BaseTree, failed: Mapping[str, str]
                  ) -> list[tuple[list[Finding], Health]]:
    """Each analyzer's (findings, health), in `names` order; run at once (most are
    subprocesses: bandit's 1 s need not wait for the secrets scan). One whose claim
    failed (`failed`, why by name) is not run: its row is that failure."""
    def one(name: str) -> tuple[list[Finding], Health]:
        if name in failed:
            return [], Health(kind="analyzer", name=name, agent=ctx.agent, status="failed",
                              reason=failed[name])
        return _run_one(name, table, ctx, sizes, base)

    if len(names) < 2:
        return [one(name) for name in names]
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        return list(pool.map(one, names))


def _run_one(name: str, table: Mapping[str, Analyzer], ctx: AnalyzerContext,
             sizes: Mapping[str, int], base: BaseTree) -> tuple[list[Finding], Health]:
    analyzer = table.get(name)
    if analyzer is None:
        return [], Health(kind="analyzer", name=name, agent=ctx.agent, status="failed",
                          reason=f"unknown analyzer in {ctx.agent}; known: {', '.join(table)}")
    # asked even with no changed file in scope: a change may leave it files to read without
    # one of its own (a Terraform module it only deleted a file of: checkov reads the module)
    try:  # read whole within its deadline: a generator may stall or raise midway
        wanted = repository_paths(_bounded(name, "reads()", ctx, lambda: (
            given if isinstance(given := analyzer.reads(ctx), str | bytes) else tuple(given))),
            ctx)
        limit = _limit(analyzer.max_bytes)
    # the per-analyzer boundary, as for `run`: anything but Ctrl-C (`failure.failed`)
    except BaseException as exc:  # noqa: BLE001
        return [], Health(kind="analyzer", name=name, agent=ctx.agent, status="failed",
                          reason=_why(name, exc))
    # what it would read but for its size limit: not given to it, and named as not read
    big = too_large(analyzer, wanted, sizes, limit, ctx.root)
    own = replace(ctx, files=tuple(p for p in ctx.files if p not in big) if big else ctx.files,
                  unread=dict(big), left_out={}, remarks=[])

    def health(status: HealthStatus, reason: str | None = None,
               failed: Sequence[str] = ()) -> Health:
        return Health(kind="analyzer", name=name, agent=ctx.agent, status=status, reason=reason,
                      files=tuple(dict.fromkeys((*wanted, *failed))) if failed else wanted,
                      unread={p: own.unread[p] for p in wanted if p in own.unread}
                      if own.unread else {},
                      left_out={p: own.left_out[p] for p in wanted if p in own.left_out}
                      if own.left_out else {})

    try:  # asked only with something to read: a provisioned tool installs on first use
        if not _wants(name, analyzer, own, [p for p in wanted if p not in big]):
            return [], health("skipped", NOTHING_TO_ANALYZE)
        reason = _bounded(name, "available()", own, analyzer.available)
        if reason is not None and not isinstance(reason, str):
            raise TypeError(f"available() gave {reason!r}, not None or a reason")
    except BaseException as exc:  # noqa: BLE001 (the boundary, as above)
        return [], health("failed", _why(name, exc))
    if reason is not None:
        return [], health("missing", reason)
    try:
        found = _bounded(name, "run()", own, lambda: analyzer.run(own))
        if not isinstance(found, list | tuple) or any(not isinstance(f, Finding) for f in found):
            raise TypeError(f"run() gave {type(found).__name__}, not a list of Finding")
        # its lines, where it counts a break git does not, put on git's (the base run
        # compares in the tool's own numbering, on either side)
        lines = Renumbering.of(own, wanted, analyzer, found)
        if isinstance(analyzer, Compared):  # an IaC analyzer: what the change introduced
            found = marked(found, own, lambda f: _in_change(lines.finding(f), ctx.changes),
                           analyzer, base)
        found = retyped(lines.findings(found), own)  # a file the change made Python: all new
        for path in lines.unplaced:
            own.not_read(path, line_breaks.REASON)
        if own.encodings and not getattr(analyzer, "wide_text", False):
            for path in (p for p in wanted if p in own.encodings):
                own.not_read(path, f"it is {own.encodings[path].upper()} text, and it reads "
                                   "UTF-8 only")
        return found, health("ok", "; ".join(own.remarks) or None)
    except AnalyzerSkipped as exc:  # off by the user's choice: shown, not a failure
        return [], health("skipped", skipped(exc))
    # The per-analyzer boundary: a broken adapter is a recorded failure, not a lost review;
    # its own AnalyzerError's row names the files the failure left unanalysed too
    except BaseException as exc:  # noqa: BLE001 (anything but Ctrl-C: `failure.failed`)
        return [], health("failed", *failed(name, exc))


def _bounded(name: str, call: str, ctx: AnalyzerContext, work: Callable[[], T]) -> T:
    """`work()`, a call of the analyzer `name`; a plugin's within `ctx.timeout` (a built-in
    bounds each of its tool's runs itself), past which the analyzer failed."""
    return bounded(name, call, ctx.timeout, work)


def _limit(value: object) -> int | float:
    """An analyzer's `max_bytes` as a number of bytes: an int or a float (`float("inf")`:
    no limit), 0 or more; a bool, NaN, a negative or a non-number raises (inside the
    boundary: its failed row)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"its max_bytes is {type(value).__name__}, not a number of bytes")
    if math.isnan(value) or value < 0:
        raise ValueError(f"its max_bytes is {float(value)!r}, not a number of bytes (0 or "
                         "more; float('inf') for no limit)")
    return value


def _why(name: str, exc: BaseException) -> str:
    """Why the analyzer `name` failed: its own error's message, or what its code raised
    (a plugin's named with its package and the fix)."""
    return failed(name, exc)[0]


def _wants(name: str, analyzer: Analyzer, ctx: AnalyzerContext, reads: Sequence[str]) -> bool:
    """Whether it has work: files of its to read (asked once, `Analyzer.reads`), else its
    own `wants` (an analyzer that reads no file as such: a CDK app, the tests)."""
    if reads:
        return True
    wants = getattr(analyzer, "wants", None)
    # one that reads no file as such may have work in a change of deletions only (the tests)
    return not analyzer.max_bytes and (_bounded(name, "wants()", ctx, lambda: bool(wants(ctx)))
                                       if wants is not None else bool(ctx.files))


def analyze(agent: AgentDefinition, diff_text: str, root: Path, *,
            tests: ProjectTests | None = None,
            only: Collection[str] | None = None,
            trust: Trust | None = None,
            bases: BaseTrees | None = None,
            sandbox: SandboxMode = "auto") -> AnalyzerReport:
    """The loop's view: findings and health, which the ledger records (and every view
    shows), redacted as they leave the analyzers (a tool's message, a failed synth's output,
    may quote a secret: none reaches the round's material, a prompt or a report). Missing tools and
    failures are logged as warnings as well."""
    report = run_for_agent(agent, root, diff_text, tests=tests, only=only, trust=trust,
                           bases=bases, sandbox=sandbox)
    from reviewloop.checks.secrets.scanner import redact, redact_finding

    for problem in (*report.missing, *report.errors):  # a tool's output may quote a secret
        log.warning("%s analyzer %s", agent.name, redact(problem))
    return AnalyzerReport(findings=list(map(redact_finding, report.findings)),
                          outside=list(map(redact_finding, report.outside)),
                          health=[h.model_copy(update={"reason": redact(h.reason)})
                                  if h.reason else h for h in report.health])


def _left_out(agent: AgentDefinition, ctx: AnalyzerContext, files: Readability,
              only: Collection[str] | None) -> AnalyzerContext | None:
    """The changed files the scope of the definition `agent` overrides covered and its own
    leaves out (None: it narrows nothing here), as its analyzers' context."""
    if agent.narrowed_from is None:
        return None
    before = scope_of(*agent.narrowed_from)
    left = tuple(path for f in ctx.changes.files
                 if f.status is not FileStatus.DELETED and (path := f.path) not in ctx.files
                 and before(path) and (only is None or path in only) and files.readable(path))
    return replace(ctx, files=left, languages={p: files.language(p) for p in left},
                   shells={p: s for p in left if (s := files.shell(p))}) if left else None


def _with_left_out(health: Health, table: Mapping[str, Analyzer], left: AnalyzerContext | None,
                   agent: AgentDefinition) -> Health:
    """An analyzer's row with the files it read under the definition `agent` overrides and
    not under its narrower scope, as not read: the override is honoured, the gap is said."""
    analyzer = table.get(health.name)
    if left is None or analyzer is None:
        return health
    try:  # asked again, of the files its wider scope held: the boundary, as in `_run_one`
        lost = [p for p in repository_paths(_bounded(health.name, "reads()", left,
                                                     lambda: tuple(analyzer.reads(left))), left)
                if p not in health.files]
    except BaseException as exc:  # noqa: BLE001
        return health.model_copy(update={"status": "failed",
                                         "reason": _why(health.name, exc)})
    if not lost:
        return health
    why = (f"out of {agent.name}'s scope: {agent.source.name} overrides its include/exclude "
           "and leaves it out (widen the scope to analyse it)")
    return health.model_copy(update={"files": (*health.files, *lost),
                                     "unread": {**health.unread, **dict.fromkeys(lost, why)}})


def _with_dropped(health: Health, said: str | None) -> Health:
    """An analyzer's row saying the findings it gave on no place of the review: a plugin's
    contract broken (its row failed, with its package and the fix), a built-in's row named."""
    if said is None:
        return health
    package = package_of(health.name)
    if package is None:
        return health.model_copy(update={"reason": "; ".join(filter(None, (health.reason,
                                                                           said)))})
    error = plugins.blamed("analyzer", health.name, package, f"gave {said}")
    return health.model_copy(update={"status": "failed",
                                     "reason": f"{error.args[0]}; fix: {error.fix}"})


def _in_change(finding: Finding, changes: ChangeSet) -> bool:
    """On what the change did: its lines hold an added line or span a removal; a file-level
    finding (a failing test, a missing test) when the change wrote to or removed from its
    file (`findings.rounds.outside_reason`'s rule)."""
    if finding.introduced:
        return True
    if finding.level == "file":
        diff = changes.file(finding.file)
        return diff is not None and bool(diff.added or diff.removals)
    return changes.touches(finding.file, finding.start_line, finding.end_line)


def located(findings: Sequence[Finding], root: Path) -> list[Finding]:
    """`findings` located on their code in the tree at `root` (files that may not be read,
    see `reviewloop.review.readable`, keep the line-based location)."""
    index: dict[str, CodeIndex | None] = {}
    files = Readability.of(root)
    out = []
    for finding in findings:
        if finding.file not in index:
            index[finding.file] = None if files.analyzable(finding.file) else code_index(
                under(root, finding.file))
        out.append(finding.with_code(index[finding.file]) if index[finding.file] else finding)
    return out


def code_index(path: str | os.PathLike[str], root: Path | None = None) -> CodeIndex | None:
    """The file at `path` indexed for locating findings (None when it cannot be read). Each
    reviewer's analyzers locate their findings in the same files: a file's index is made
    once for its text, not once per analyzer and reviewer. With `root` (the tree `path` is
    in), a review's one read of the file is shared (`git.reads`)."""
    try:  # its bytes, on git's lines: a lone CR or U+2028 is inside one (not as read as text)
        text = (Path(path).read_bytes() if root is None else read_bytes(root, os.fspath(path))
                ).decode("utf-8", "replace")
    except OSError:
        return None
    return _INDEXED.get(text, lambda: CodeIndex(git_lines(text)))


# A round's files' indexes, by text (bounded: a round's changed files, a few MB at most).
_INDEXED: TextMemo[CodeIndex] = TextMemo(100_000, from_chars=0, budget=8_000_000)

