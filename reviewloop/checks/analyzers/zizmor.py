"""The `zizmor` analyzer: GitHub Actions security (template injection, unpinned actions,
persisted credentials, excessive permissions, dangerous triggers), for the infrastructure
reviewer.

zizmor is a Rust binary shipped in its PyPI wheel, provisioned in its own cached
environment on first use (`provision.py`). It always runs `--offline`: no GitHub API
calls and no token. Files are workflows (`.github/workflows/*.yml|yaml`), action
definitions (`action.yml|yaml`) and Dependabot's config (`.github/dependabot.yml|yaml`, where
Dependabot reads it: `insecure-external-code-execution: allow` runs a dependency's code with
the update's credentials, and one with no cooldown, or under 7 days, proposes a release
before a compromised one is usually found out). zizmor tells the three apart by the file's
name, as reviewloop selects them. It honours no ignore comment and no ignore list
(`--no-ignores`): an ignored result is a finding like any other, and
`reviewloop.checks.suppressions` lists it as suppressed when the trusted side ignores it. Of
the configuration it reads the trusted side's settings only (`zizmor_config`), given with
`--config`, so a config in the reviewed tree is never discovered.

Severity: zizmor's High → must_fix, Medium → should_fix, Low and Informational → nit; its
Low-confidence results are at most nits — the levels zizmor itself reports (its SARIF
marks High as an error). One exception, for what the change did not introduce: an
`unpinned-uses` on a `uses:` line whose action the change also removed unpinned (a routine
version bump, `@v4` → `@v5`) was there before the change, and is at most should_fix: the
review asks to pin it, it does not block the bump.

A file whose name is not UTF-8 zizmor refuses, and with it the whole run ("invalid UTF-8 was
detected in one or more arguments"): such a file is given as a copy under a UTF-8 name that
keeps what tells zizmor its kind (`Zizmor.stage`), and its findings are named by its own path.

A file zizmor cannot parse (a UTF-8 BOM, which it takes for a second YAML document; broken
YAML) is skipped with a warning that does not name it, and when another file was given the
run goes on and exits 0; its log names each file it audited (`completed PATH`, at its
default level, which `RUST_LOG` would change: it is set), so a file given and not named
there is not read (`Zizmor.heard`).

What zizmor finds in a file depends on that file alone (`--offline`), and often on lines far
from the ones a change wrote: `pull_request:` made `pull_request_target:` turns an untouched
`>> "$GITHUB_ENV"` step into `github-env`, a deleted `persist-credentials: false` an untouched
checkout into `artipacked`. So it is compared with its run on the base versions of the files
where it reports findings off the change's lines (`FileByFile`, `review.introduced`): a
finding the base does not have on the same code is the change's.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.base import (
    AnalyzerContext,
    AnalyzerError,
    FileByFile,
    short_title,
)
from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.analyzers.provisioned import ProvisionedAnalyzer
from reviewloop.checks.analyzers.zizmor_config import NAMES as CONFIG_NAMES
from reviewloop.checks.analyzers.zizmor_config import trusted_settings
from reviewloop.checks.paths import repo_path
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.names import on_disk, under
from reviewloop.memo import compiled_on_first_use
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.markers import MarkerSyntax, Reach, bracketed

NAME = "zizmor"
TOOL = TOOLS[NAME]
SEVERITY = {"High": Severity.MUST_FIX, "Medium": Severity.SHOULD_FIX}
_uses = compiled_on_first_use(r"^\s*-?\s*uses:\s*['\"]?([^@\s'\"]+)@([^\s'\"#]+)")
_full_sha = compiled_on_first_use(r"^[0-9a-f]{40}$")
CONFIDENCE = {"High": 0.9, "Medium": 0.7, "Low": 0.4}
LOG_ENV = {"RUST_LOG": "info"}  # its log at the level that names each file it audited
_completed = compiled_on_first_use(r"\bcompleted (.+)$", re.MULTILINE)
_warned = compiled_on_first_use(r"\bWARN\b.*?: (failed to [^\n]+)$", re.MULTILINE)
_named = compiled_on_first_use(r"\bfile://(\S+)")  # the file a warning is about
_files = compiled_on_first_use(r"(^|/)\.github/workflows/[^/]+\.ya?ml$|(^|/)action\.ya?ml$"
                               r"|(^|/)\.github/dependabot\.ya?ml$")


def audited(path: str) -> bool:
    """Whether zizmor audits `path`: a workflow, an action definition, Dependabot's config."""
    return _files().search(path) is not None


def audited_files(ctx: AnalyzerContext) -> list[str]:
    """The changed files zizmor audits (`audited`)."""
    return [p for p in ctx.files if audited(p)]


# zizmor's inline ignore, `# zizmor: ignore[rule, …]`, in every file it reads
MARKERS = (MarkerSyntax(NAME, r"zizmor\s*:\s*ignore\b(?:\[(?P<rules>[^\]]*)\])?[^\n]*",
                        Reach.LINES, bracketed, "zizmor"),)


# zizmor's config, under .github/ or at the root, in the order zizmor takes the first of them
# (the root names are matched at any depth)
CONFIG_FILES = tuple(ConfigFile(name, "zizmor") for name in CONFIG_NAMES)


class Zizmor(FileByFile, ProvisionedAnalyzer):
    name = NAME
    markers = MARKERS
    config_files = CONFIG_FILES
    tool = TOOL
    env = LOG_ENV

    def __init__(self, settings: str | None = None) -> None:
        self.settings = settings  # the trusted side's config (`zizmor_config`)
        self.settings_file: Path | None = None

    def targets(self, ctx: AnalyzerContext) -> list[str]:
        return audited_files(ctx)

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        settings = trusted_settings(ctx) if self.targets(ctx) else None
        if settings != self.settings:
            return Zizmor(settings).run(ctx)
        if settings is None:
            return super().run(ctx)
        with tempfile.TemporaryDirectory(prefix="reviewloop-zizmor-config-") as folder:
            self.settings_file = Path(folder) / "zizmor.yml"
            self.settings_file.write_text(settings, encoding="utf-8")
            return super().run(ctx)

    def command(self, executable: Path, targets: list[str], at: Path) -> list[str]:
        # every result, ignore comments and ignore lists or not: which of those count is
        # decided by reviewloop.checks.suppressions (the trusted side's only); the trusted
        # config's other settings as its only config
        config = ["--config", str(self.settings_file)] if self.settings_file else ["--no-config"]
        return [str(executable), "--offline", "--no-exit-codes", "--no-progress", "--color",
                "never", *config, "--no-ignores", "--format", "json",
                *(str(under(at, t)) for t in targets)]

    def to_findings(self, report: Any, ctx: AnalyzerContext) -> list[Finding]:
        return to_findings(report, ctx)

    def stage(self, ctx: AnalyzerContext, targets: list[str], at: Path, scratch: Path
              ) -> tuple[list[str], dict[str, str]]:
        """Each target whose name is not UTF-8 (`utf8_name`) as a copy in `scratch`, named
        as zizmor tells its kind (`_alias`), the report naming it by its own path again; the
        others as they are."""
        given, aliases = [], {}
        for index, path in enumerate(targets):
            if utf8_name(path):
                given.append(path)
                continue
            copy = scratch / str(index) / _alias(path)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(under(ctx.root, path), copy)
            given.append(str(copy))
            aliases[str(copy)] = str(under(at, path))
        return given, aliases

    def heard(self, log: str, given: Any, at: Path, ctx: AnalyzerContext) -> None:
        """Each file given that zizmor's log does not say it completed was skipped, named
        with its own warning (`_own_warnings`). `given` is `targets` in order, a copy in the
        place of a file given under an alias."""
        audited = {line.rstrip("\r") for line in _completed().findall(log)}
        skipped = {path: str(under(at, shown_as)) for path, shown_as in
                   zip(self.targets(ctx), given, strict=True)
                   if str(under(at, shown_as)) not in audited}
        for path, warned in _own_warnings(skipped, _warned().findall(log)).items():
            ctx.not_read(path, "zizmor's log does not name it as audited: it skipped it"
                         + (f" (it warned: {warned})" if warned else ""))


def _own_warnings(skipped: dict[str, str], warnings: list[str]) -> dict[str, str]:
    """{skipped file: its warnings}: one that names its file (`failed to validate
    file://X`) goes to X alone; the others name none, and zizmor collects its inputs in the
    order given, so with one such warning per remaining file each gets its own, in order,
    and otherwise each gets them all (which is the file's, the log does not say)."""
    own: dict[str, list[str]] = {path: [] for path in skipped}
    loose: list[str] = []
    for said in warnings:  # repeated text is two files' warnings: kept
        named = _named().search(said)
        owner = next((path for path, full in skipped.items() if named and (
            full == named[1] or full.endswith(f"/{named[1].removeprefix('./')}"))), None)
        (own[owner] if owner is not None else loose).append(said)
    unnamed = [path for path, said in own.items() if not said]
    if len(unnamed) == len(loose):
        for path, said in zip(unnamed, loose, strict=True):
            own[path].append(said)
    else:
        for path in unnamed:
            own[path] += dict.fromkeys(loose)
    return {path: "; ".join(dict.fromkeys(said)) for path, said in own.items()}


def utf8_name(path: str) -> bool:
    """Whether the text-form repo path `path` names its file in UTF-8 (zizmor takes no
    other name)."""
    try:
        on_disk(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _alias(path: str) -> str:
    """A UTF-8 name zizmor gives the kind `path` has: its tail as `audited` matches it,
    a workflow's own name replaced when it is not UTF-8."""
    found = _files().search(path)
    tail = found[0].lstrip("/") if found else PurePosixPath(path).name
    if utf8_name(tail):
        return tail
    folder, _, name = tail.rpartition("/")
    return f"{folder}/workflow{PurePosixPath(name).suffix}"


def to_findings(report: Any, ctx: AnalyzerContext) -> list[Finding]:
    if not isinstance(report, list):
        raise AnalyzerError(f"zizmor's JSON report is not a list: {str(report)[:200]}")
    return [f for item in report if (f := _finding(item, ctx))]


def _finding(item: dict[str, Any], ctx: AnalyzerContext) -> Finding | None:
    primary = next((loc for loc in item.get("locations") or []
                    if loc.get("symbolic", {}).get("kind") == "Primary"), None)
    if primary is None:
        return None
    local = (primary["symbolic"].get("key") or {}).get("Local") or {}
    where = primary["concrete"]["location"]
    start = where["start_point"]["row"] + 1  # zizmor counts rows from 0
    end = max(start, where["end_point"]["row"] + 1)
    found = item.get("determinations") or {}
    confidence = str(found.get("confidence"))
    severity = SEVERITY.get(str(found.get("severity")), Severity.NIT)
    if confidence == "Low":
        severity = Severity.NIT
    note = primary["symbolic"].get("annotation") or ""
    file = repo_path(ctx.root, str(local.get("verbatim_path")))
    before = ""
    if item["ident"] == "unpinned-uses" and _carried(ctx, file, start):
        severity = max(severity, Severity.SHOULD_FIX, key=lambda s: s.rank)  # the milder
        before = " It was unpinned before this change too (a version bump): pin it when " \
                 "convenient."
    return Finding(
        severity=severity, file=file,
        start_line=start, end_line=end, title=short_title(f"{item['desc']}: {note}"),
        rationale=f"zizmor {item['ident']}: {item['desc']} ({note}).{before} See "
                  f"{item['url']}",
        confidence=CONFIDENCE.get(confidence, 0.5), agent=ctx.agent, source=NAME,
        rule=item["ident"])


def _carried(ctx: AnalyzerContext, file: str, line: int) -> bool:
    """Whether `uses:` on `line` names an action the change removed from `file` with a
    reference that was not a commit SHA either: the unpinned use was already there."""
    diff = ctx.changes.file(file)
    added = next((a.text for a in diff.added if a.line == line), None) if diff else None
    now = _uses().match(added or "")
    if diff is None or now is None:
        return False
    removed = [line[1:] for line in diff.text.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    return any((old := _uses().match(text)) is not None and old[1] == now[1]
               and not _full_sha().match(old[2]) for text in removed)
