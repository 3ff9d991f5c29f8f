"""What an analyzer gives, checked against its contract before the review uses it.

`reads(ctx)` must give repository paths: a sequence (a str is no sequence of paths: it
would be read letter by letter) of relative, normalised names of files in the tree or in
the change, never outside the repository nor in `.git`. Its findings must lie on a place
the tree has, in the reviewer's scope (`located`): one on a line past its file's end, or on a
file out of the scope, is counted and said in the analyzer's row — a plugin's breaks its
contract, so its row fails; a built-in's row names what it left out — never lost silently.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.findings.code_index import CodeIndex
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import FileStatus
from reviewloop.git.names import printable, under_text

_SHOWN = 3  # dropped findings named in a row; the rest counted
_NOT_NORMAL = frozenset(("", ".", ".."))  # the parts no normalised repository path has


def repository_paths(given: object, ctx: AnalyzerContext) -> tuple[str, ...]:
    """`reads(ctx)`'s value as repository paths, each once; raises (inside the analyzer's
    boundary: its failed row) naming the first entry that is none."""
    if isinstance(given, str | bytes) or not isinstance(given, Sequence):
        raise TypeError(f"reads() gave {type(given).__name__} {printable(repr(given)[:80])}, "
                        "not a list of repository-relative paths (return [path], not path)")
    for path in given:
        if (why := _not_a_path(path, ctx)) is not None:
            raise ValueError(f"reads() gave {printable(repr(path)[:200])}, not a "
                             f"repository-relative path: {why}")
    return tuple(dict.fromkeys(given))


def _not_a_path(path: object, ctx: AnalyzerContext) -> str | None:
    """Why `path` is no repository path of a file (None: it is one)."""
    if not isinstance(path, str):
        return f"it is {type(path).__name__}, not str"
    if not path:
        return "it is empty"
    if "\0" in path:
        return "it holds a NUL character"
    if path.startswith("/") or (os.sep != "/" and os.path.isabs(path)):
        return "it is absolute (name it from the repository's root)"
    parts = path.split("/")
    # a set's look-up a part, no generator: asked of every path each analyzer reads
    if not _NOT_NORMAL.isdisjoint(parts):
        return "it is not normalised (no '.', '..' or empty part)"
    if parts[0] == ".git":
        return "it is inside .git"
    if ctx.changes.file(path) is None and not os.path.lexists(under_text(ctx.root, path)):
        return "no such file in the repository"
    return None


@dataclass
class Located:
    """An analyzer's findings kept, located on their code, and those dropped, with why."""

    kept: list[Finding] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # `file:line: why`, one per finding

    def said(self, name: str) -> str | None:
        """What the row says of the dropped findings (None: none was)."""
        if not self.dropped:
            return None
        more = len(self.dropped) - _SHOWN
        return (f"{len(self.dropped)} finding(s) of {name} on no place of the review dropped: "
                + "; ".join(self.dropped[:_SHOWN]) + (f"; and {more} more" if more > 0 else ""))


def located(found: Sequence[Finding], ctx: AnalyzerContext, read: Sequence[str],
            index: Callable[[str], CodeIndex | None]) -> Located:
    """Findings in in-scope files, attributed and located on their code (`index`: a file's);
    and on a file the change wrote that the analyzer read though it is no file of the scope
    (`read`: a variable file the change made a link, which checkov follows,
    `terraform_var_links`). The others are dropped with why."""
    out = Located()
    in_scope = {*ctx.files, *(p for p in read if p not in ctx.file_set and (
        diff := ctx.changes.file(p)) is not None and diff.status is not FileStatus.DELETED)}
    sources: dict[str, CodeIndex | None] = {}
    for finding in found:
        where = f"{printable(finding.file)}:{finding.start_line}"
        if finding.file not in in_scope and not (  # a file-level finding on a deleted file
                finding.level == "file" and ctx.changes.file(finding.file) is not None):
            out.dropped.append(f"{where}: not a file of {ctx.agent}'s scope")
            continue
        if finding.file not in sources:
            sources[finding.file] = index(finding.file)
        code = sources[finding.file]
        # a tool may put an end-of-file finding just past the last line break
        if code is not None and finding.level != "file" and finding.start_line > len(
                code.compact) + 1:
            out.dropped.append(f"{where}: past the file's end (it has {len(code.compact)} "
                               "lines)")
            continue
        # attributed and located in one copy (1,300 findings a review)
        out.kept.append(finding.with_code(code, agent=ctx.agent))
    return out
