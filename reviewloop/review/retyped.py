"""Findings on a file the change made code of another language.

A change that renames `tool.txt` to `tool.py`, or adds `#!/usr/bin/env python3` atop an
extensionless file, writes one line and makes every other line code of a language, read
by that language's analyzers for the first time. Their findings on the lines it did not
write are the change's all the same: before it, nothing ran them as that language. Such a
finding is `introduced` (inside the change, `findings.rounds.outside_reason`), with a note
saying why. A file's language before the change is its old name's, or its old first
line's shebang (`git.languages.language`), read back from the diff (`git.reverse`).

The same holds for a rename into a name that makes a tool read the file as something it was
not (`checks.analyzers.roles`): a YAML file moved into `.github/workflows/` is a workflow
GitHub runs, every line of it new to zizmor.

And for a change that only makes a file executable (`old mode 100644`, `new mode 100755`)
where `./file` then runs it as a shell script (no shebang: `sh` runs it; a shell's shebang
over another name's language, `git.executed`): the shell analyzers' findings on it are the
change's, which made it run.
"""

from __future__ import annotations

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.roles import moved_into
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import FileDiff, FileStatus
from reviewloop.git.executed import made_executable
from reviewloop.git.languages import head, language
from reviewloop.git.names import under
from reviewloop.git.reverse import base_text

NOTE = (" The change made its file {now} (it was {before}): every line of it is new to "
        "{now}'s analyzers, though this one lies on none of the lines the change wrote.")
MOVED = (" The change renamed its file from {old}, making it {now}: every line of it is new "
         "there, though this finding lies on none of the lines the change wrote.")
EXECUTABLE = (" The change made its file executable, so `./{path}` runs it as a {shell} script: "
              "every line of it is new to the shell's analyzers, though this finding lies on "
              "none of the lines the change wrote.")
_SHELL_SOURCES = ("shellcheck", "shellcheck-security")


def retyped(found: list[Finding], ctx: AnalyzerContext) -> list[Finding]:
    """`found`, each finding on a file whose language the change changed marked
    `introduced` (see the module)."""
    notes: dict[str, str | None] = {}
    ran: dict[str, str | None] = {}
    for finding in found:
        if not finding.introduced and finding.file not in notes:
            notes[finding.file] = _note(ctx, finding.file)
            ran[finding.file] = _made_to_run(ctx, finding.file)
    if not any(notes.values()) and not any(ran.values()):
        return found
    return [f.model_copy(update={"introduced": True, "rationale": f.rationale + note})
            if not f.introduced and (note := notes.get(f.file) or (
                ran.get(f.file) if f.source in _SHELL_SOURCES else None)) else f
            for f in found]


def _made_to_run(ctx: AnalyzerContext, path: str) -> str | None:
    """The note for a file the change only made executable, run then as a shell script."""
    diff = ctx.changes.file(path)
    if diff is None or diff.status is not FileStatus.MODIFIED or not made_executable(diff.text):
        return None
    shell = ctx.runs_as(path)
    return None if shell is None else EXECUTABLE.format(path=path, shell=shell)


def _note(ctx: AnalyzerContext, path: str) -> str | None:
    diff = ctx.changes.file(path)
    if diff is None or diff.status in (FileStatus.ADDED, FileStatus.DELETED) or diff.binary:
        return None  # an added file is the change's whole: no line of it is outside
    if (now := moved_into(diff, ctx.changes, ctx.root)) is not None:
        return MOVED.format(old=diff.old_path, now=now)
    first_written = 1 in diff.added_lines or 0 in diff.removals
    if diff.old_path in (None, diff.path) and not first_written:
        return None  # the same name and the same first line: the same language, unread
    now = ctx.language(path)
    before = _base_language(ctx, diff, first_written)
    if now == before or now is None:
        return None
    return NOTE.format(now=now, before=before or "no language an analyzer reads")


def _base_language(ctx: AnalyzerContext, diff: FileDiff, first_written: bool) -> str | None:
    old = diff.old_path or diff.path
    if not first_written:  # its first line as it was: the file's start says it
        return language(old, head(under(ctx.root, diff.path)))
    return language(old, _first_line(base_text(_read(ctx, diff.path), diff)))


def _read(ctx: AnalyzerContext, path: str) -> str | None:
    try:
        return under(ctx.root, path).read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None


def _first_line(text: str | None) -> bytes:
    return (text or "").split("\n", 1)[0].encode("utf-8", "surrogateescape") + b"\n"
