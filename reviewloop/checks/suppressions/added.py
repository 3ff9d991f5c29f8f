"""What the untrusted change adds to silence findings, as findings of their own: a 🟡
`adds-suppression` on each line it wrote with a suppression marker (one its tool reads in
comments only, in a comment: `comments.reader`), and on each suppression file it adds or
edits (`config_files`: also a shared file whose tool table it changes, `[tool.ruff]` of
pyproject.toml or `eslintConfig` of package.json). The finding such a
suppression would hide is judged as if it were not there (`suppressor`), so the verdict is
what it would be without the trick. An edit that only switches checks on is no suppression
(`tightening`), nor is a raised `requires-python` or ruff `target-version`
(`declared_python`): both are named truly."""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Collection, Sequence
from functools import partial
from itertools import repeat
from pathlib import PurePosixPath

from reviewloop.checks.analyzers.ruff_version import raised
from reviewloop.checks.suppressions.comments import View, reader
from reviewloop.checks.suppressions.config_files import edited_tables, lever, tables_in
from reviewloop.checks.suppressions.declared_python import (
    RUFF_CONFIGS,
    declared_python_edit,
    sub_targets,
    target_version_edit,
)
from reviewloop.checks.suppressions.files import TrustedFiles, tree_text
from reviewloop.checks.suppressions.markers import file_language, table
from reviewloop.checks.suppressions.script_comments import SPANNED
from reviewloop.checks.suppressions.tightening import (
    APPLIED,
    tightening,
    tightening_finding,
)
from reviewloop.findings.code_index import CodeIndex
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.names import under
from reviewloop.policy.markers import Marker
from reviewloop.policy.trust import LeverKind

RULE = "adds-suppression"
_NO_MARKERS = (".map",)  # files no analyzer reads markers in
SOURCE = "reviewloop"
AGENT = "review-security"  # the reviewer whose re-run judges it fixed
_ASK = ("A suppression counts only when it comes from the base branch (or from a person "
        "reviewing their own change); this review ignored it, and what it would hide is "
        "reported as if it were not there.")
_FIX = ("Fix what it hides instead, or have a maintainer accept it on the base branch: the "
        "marker committed there, or a `.reviewloop-baseline.json` entry with `by` and "
        "`reason`.")


def added_suppressions(files: TrustedFiles) -> list[Finding]:
    """A finding for every marker line and suppression file of the untrusted change."""
    trust = files.trust
    if trust.trusted_all:
        return []
    found = []
    levers = {path: lever(path) for path in trust.touched}  # each path asked once
    for path in sorted(trust.touched):
        kind = levers[path]
        if kind is None or kind.kind is not LeverKind.SUPPRESSION:
            continue
        if os.path.lexists(under(files.root, path)):  # deleting one suppresses nothing
            added = trust.added.get(path, ())
            enables = tightening(path, tree_text(files.root, path), files.trusted_text(path))
            if enables is None:
                found.append(_file_finding(path, kind.owner, added))
            elif kind.owner not in APPLIED:
                found.append(tightening_finding(path, kind.owner, added, enables))
    for path in sorted(p for p in trust.touched if p.endswith(("pyproject.toml", "ruff.toml"))):
        texts = (tree_text(files.root, path), files.trusted_text(path))
        if (named := target_version_edit(path, trust.added.get(path, ()), *texts)):
            found.append(named)
        if PurePosixPath(path).name == "pyproject.toml" and texts[0] != texts[1]:
            below = sub_targets(_ruff_configs(files, path), path) \
                if raised(*texts) is not None else []  # the tree walked for a raise only
            if (named := declared_python_edit(path, trust.added.get(path, ()), *texts, below)):
                found.append(named)
    for path in sorted(p for p in trust.touched if tables_in(p)):  # one git read a file
        tables = edited_tables(path, tree_text(files.root, path), files.trusted_text(path))
        if tables and tree_text(files.root, path) is not None:
            enables = tightening(path, tree_text(files.root, path), files.trusted_text(path))
            if enables is not None and [c.owner for c in tables] == ["ruff"]:
                if "ruff" not in APPLIED:
                    found.append(tightening_finding(path, "ruff", trust.added.get(path, ()),
                                                    enables))
                continue
            said = "; ".join(f"its {'.'.join(c.key)} table configures {c.owner}" for c in tables)
            found.append(_file_finding(path, "", trust.added.get(path, ()),
                                       said=f"{path} holds a tool's suppressions: {said}"))
    written: list[tuple[str, list[str], list[int]]] = []  # (path, its lines, added lines)
    for path, numbers in sorted(trust.added.items()):
        kind = levers[path] if path in levers else lever(path)
        if kind is not None and kind.kind is LeverKind.SUPPRESSION:
            continue  # the file's own finding says it
        if path.endswith(_NO_MARKERS):
            continue  # no tool reads a marker there: a source map quotes the code it maps
        lines = files.lines(path)
        ordered = sorted(numbers)  # those past the file's end dropped: a cut, not a filter
        written.append((path, lines, ordered[:bisect_right(ordered, len(lines))]))
    marked = _marked(written)
    return found + [_line_finding(path, number, marks, lines)
                    for at, (path, lines, _) in enumerate(written)
                    for number, marks in marked.get(at, {}).items()]


def _ruff_configs(files: TrustedFiles, pyproject: str) -> list[tuple[str, str | None]]:
    """(path, the text the review applies) of the ruff configs in the reviewed tree in or
    below `pyproject`'s folder (hidden folders and `node_modules` left out, as ruff's default
    excludes leave them): the trusted side's, or the change's where its edit tightens."""
    top = PurePosixPath(pyproject).parent
    found = []
    for folder, names, files_here in os.walk(files.root / top):
        names[:] = [n for n in names if not n.startswith(".") and n != "node_modules"]
        for name in RUFF_CONFIGS:
            if name in files_here:
                path = PurePosixPath(os.path.relpath(os.path.join(folder, name),
                                                     files.root)).as_posix()
                mine, trusted = tree_text(files.root, path), files.trusted_text(path)
                found.append((path, mine if tightening(path, mine, trusted) is not None
                              else trusted))
    return found


def _marked(written: Sequence[tuple[str, list[str], list[int]]]
            ) -> dict[int, dict[int, list[Marker]]]:
    """The markers on the added lines of each file of `written` (by its index, then line
    number, in line order): the added lines of all files of one language searched in one
    pass (`line_markers`), not one search a line, nor a pass a file (5,000 small files)."""
    groups: dict[tuple[str | None, bool], list[tuple[int, int]]] = {}  # -> (file, line)
    texts: dict[tuple[str | None, bool], list[str]] = {}
    for at, (path, lines, numbers) in enumerate(written):
        shown = [lines[n - 1] for n in numbers]
        # one language a file (its name or `#!` line), and each file's lines searched the
        # way its own pass would (ASCII text lower-cased)
        key = (file_language(path, lines), all(map(str.isascii, shown)))
        groups.setdefault(key, []).extend(zip(repeat(at), numbers))
        texts.setdefault(key, []).extend(shown)
    marked: dict[int, dict[int, list[Marker]]] = {}
    for key, places in groups.items():
        view = reader(key[0])
        comment_of = partial(_comment_of, view, written, places, {}) if view else None
        for index, marker in table().line_markers(texts[key], key[0], comment_of):
            at, number = places[index - 1]
            marked.setdefault(at, {}).setdefault(number, []).append(marker)
    return marked


def _comment_of(view: View, written: Sequence[tuple[str, list[str], list[int]]],
                places: Sequence[tuple[int, int]], views: dict[int, list[str]],
                index: int) -> str:
    """The comment of the `index`th line of a group (`places`: its file and line number),
    its file's comments read once, when a line of it first holds a marker its tool reads in
    comments only (`"# nosec"` in a string the change adds is no suppression it adds)."""
    at, number = places[index]
    if at not in views:
        views[at] = view(written[at][1])
    return views[at][number - 1]


def _line_finding(path: str, number: int, marks: Sequence[Marker],
                  lines: Sequence[str]) -> Finding:
    said = ", ".join(f"`{_short(m.text)}` ({m.owner})" for m in marks)
    finding = Finding(
        severity=Severity.SHOULD_FIX, file=path, start_line=number, end_line=number,
        title=f"this change suppresses findings: {_short(marks[0].text)}"[:120],
        rationale=f"This line, written by the change under review, carries {said}. {_ASK}",
        suggestion=_FIX, confidence=1.0, agent=AGENT, source=SOURCE, rule=RULE)
    return finding.with_code(CodeIndex([f"{line}\n" for line in lines]))


def _short(text: str, limit: int = 80) -> str:
    """A marker as quoted: a minified line's marker runs to the end of a very long line; a
    `/* */` one read from several lines, on one."""
    text = text.replace(SPANNED, " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _file_finding(path: str, owner: str, added: Collection[int], *,
                  said: str | None = None) -> Finding:
    line = min(added, default=1)
    said = said or f"{path} is a suppression file ({owner} reads it)"
    return Finding(
        severity=Severity.SHOULD_FIX, file=path, start_line=line, end_line=line,
        level="file", title=f"this change suppresses findings: it edits {path}"[:120],
        rationale=(f"{said}. The change under review adds or edits it; this review read the "
                   f"base version instead. {_ASK}"),
        suggestion=_FIX, confidence=1.0, agent=AGENT, source=SOURCE, rule=RULE)
