"""Kiro steering files (`.kiro/steering/*.md`) and which of them apply to a task.

The user's global steering (`~/.kiro/steering/*.md`) lies beneath the project's: both are
read, and a project file with the same file name wins (`load_layered`).

Front matter decides when a file applies::

    ---
    inclusion: fileMatch            # always (the default) | fileMatch | manual | auto
    fileMatchPattern: "src/**/*.ts" # a glob (minimatch's, as Kiro reads it) or a list
    ---

`manual` files apply only when named; `auto` files (Kiro's "the agent decides") apply when
named or when the task text mentions their name or enough words of their `description`.
Reading never fails: front matter that cannot be used (opened with `---` and never closed,
not YAML, an unknown inclusion, …) gives the file as `always` with a Diagnostic naming the
line, and `fix` saying what to write. A run or a review refuses such a file (exit 2,
`spec.steering_set.check_steering`): its author meant it to apply some way, and `always`
would put it, front matter and all, into every prompt.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from reviewloop.config import load_yaml
from reviewloop.memo import compiled_on_first_use
from reviewloop.spec import documents, kiro_globs

if TYPE_CHECKING:  # the spec's models load when a front matter fails (a review reads none)
    from reviewloop.spec.model import Diagnostic

STEERING_DIR = Path(".kiro") / "steering"  # in a project, and in your home folder
_word = compiled_on_first_use(r"[a-z][a-z0-9]{3,}")
_DESCRIPTION_HITS = 2  # distinct description words the task text must share for `auto`
_COMMON = frozenset(
    "with that this from into when then than have must should about their there these "
    "those what which while will your standards guidelines rules code project".split())


class Inclusion(StrEnum):
    ALWAYS = "always"
    FILE_MATCH = "fileMatch"
    MANUAL = "manual"
    AUTO = "auto"


@dataclass(frozen=True)
class SteeringFile:
    path: Path
    name: str  # the file name without `.md`, as Kiro shows it
    inclusion: Inclusion
    patterns: tuple[str, ...]
    body: str
    description: str = ""
    diagnostic: Diagnostic | None = None  # set when the front matter could not be used
    fix: str = ""  # with a diagnostic: what to write instead

    def matches(self, path: str) -> bool:
        """Whether `path` is one of the files this steering file's pattern list names
        (`kiro_globs.matches_any`: a `!` pattern excludes); none without patterns."""
        return bool(self.patterns) and kiro_globs.matches_any(self.patterns, _normalise(path))


def load_steering(directory: Path | None, *, project: bool = True) -> list[SteeringFile]:
    """Every `*.md` directly in `directory`, by name; [] when there is no such folder. In a
    project's folder (not your home folder's), a file that resolves outside the repository
    is not read (`_outside`). One that cannot be read (a dangling link, a folder, a FIFO)
    is listed with a diagnostic, never skipped: its rules would silently reach no prompt."""
    if directory is None or not directory.is_dir():
        return []
    root = repository_of(directory) if project else None
    return [_outside(path, root) or read_steering(path)
            for path in sorted(directory.glob("*.md"))]


def repository_of(directory: Path) -> Path:
    """The repository a project's `.kiro/steering` folder is in (a monorepo's package may
    have its own, steering by a file elsewhere in the repository)."""
    return next((base for base in directory.parents if (base / ".git").exists()),
                directory.parent.parent)


def _outside(path: Path, root: Path | None) -> SteeringFile | None:
    """A steering file's text goes into every prompt: one that resolves outside the
    repository (`.kiro/steering/team.md` linked to `~/.aws/credentials`) is not read, and
    carries a diagnostic `check_steering` refuses."""
    real = path.resolve()
    if root is None or real.is_relative_to(root.resolve()):
        return None
    return _fallback(path, "", 1, f"this steering file resolves outside the repository: {real}",
                     fix="make it a real file inside the repository, not a symlink out of "
                         "it; steering shared between repositories belongs in ~/.kiro/steering")


def global_steering_dir(home: Path | None = None) -> Path | None:
    """`~/.kiro/steering` (`$HOME` honoured), None when no home folder is known."""
    try:
        base = home if home is not None else Path.home()
    except (RuntimeError, KeyError):  # no HOME and no password entry (a bare container)
        return None
    return base / STEERING_DIR


def load_layered(project: Path | None, home: Path | None = None, *,
                 constitution: Path | None = None) -> list[SteeringFile]:
    """The user's global steering (`~/.kiro/steering/*.md`) beneath the project's
    (`.kiro/steering/*.md`): a project file with the same file name replaces the global
    one. Sorted by file name, as a folder lists them; Spec Kit's `constitution` after them,
    read as a steering file (without front matter: `always`)."""
    chosen = {f.path.name: f
              for f in load_steering(global_steering_dir(home), project=False)}
    chosen.update({f.path.name: f for f in load_steering(project)})
    layered = [chosen[name] for name in sorted(chosen)]
    if constitution is None:
        return layered
    root = repository_of(constitution.parent)  # one linked out of it is refused, as above
    return [*layered, _outside(constitution, root) or read_steering(constitution)]


def constitution_in(folder: Path) -> Path | None:
    """Spec Kit's constitution in a project folder: `.specify/memory/constitution.md` (the
    current layout), or `memory/constitution.md` beside a `specs/` folder (the first)."""
    current = folder / ".specify" / "memory" / "constitution.md"
    if os.path.lexists(current):
        return current
    first = folder / "memory" / "constitution.md"
    return first if os.path.lexists(first) and (folder / "specs").is_dir() else None


def read_steering(path: Path) -> SteeringFile:
    kind = documents.unreadable(path)  # looked at first: a FIFO is never opened
    if kind is not None:
        return _fallback(path, "", 1, f"this steering file {kind}: its rules would reach "
                                      "no prompt", fix=documents.ENTRY_FIX)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _fallback(path, "", 1, f"cannot read steering file ({exc.strerror})")
    text = documents.decode(data)
    if isinstance(text, documents.NotText):  # refused, as `note` and `#[[file:]]` are
        return _fallback(path, "", text.line, text.message, fix=text.fix)
    header, body, problem = _split_front_matter(text)
    if problem is not None:
        return _fallback(path, body, problem[0], problem[1],
                         fix="close the front matter with a line holding only `---` after "
                             "its last key, or remove the opening `---`")
    if header is None:
        return SteeringFile(path, path.stem, Inclusion.ALWAYS, (), body)
    return _from_front_matter(path, header, body)


def applicable(files: Sequence[SteeringFile], paths: Iterable[str],
               manual_names: Iterable[str] = (), *, text: str = "") -> list[SteeringFile]:
    """The files that apply: always; fileMatch when a path matches; manual/auto when named.

    `paths` are repository-relative (touched or mentioned by the task); `manual_names` may
    be `api-standards`, `api-standards.md` or `#api-standards`; `text` is the task text,
    used by `auto` files only.
    """
    wanted = {_plain_name(n) for n in manual_names}
    # the paths as a file's globs read them, made once and only when a file has globs: a
    # round asks for every reviewer's input, 5,000 paths each at 5,000 changed files
    candidates: list[str] | None = None
    chosen = []
    for item in files:
        if item.inclusion is Inclusion.ALWAYS:
            keep = True
        elif item.inclusion is Inclusion.FILE_MATCH:
            if candidates is None:
                candidates = [_normalise(p) for p in paths if p.strip()]
            keep = any(item.matches(p) for p in candidates)
        elif item.inclusion is Inclusion.MANUAL:
            keep = item.name.casefold() in wanted
        else:
            keep = item.name.casefold() in wanted or _mentioned(item, text)
        if keep:
            chosen.append(item)
    return chosen


def glob_matches(pattern: str, path: str) -> bool:
    """Match a repository path against a steering glob as Kiro does (`spec.kiro_globs`:
    minimatch's `**`, `[a-c]` classes, `{a,b}`, extglobs; a pattern without `/` also
    matches a file's base name, so `*.tsx` matches `src/App.tsx`)."""
    return kiro_globs.matches(pattern, _normalise(path))


def _split_front_matter(text: str) -> tuple[str | None, str, tuple[int, str] | None]:
    """(front matter or None, body, (line, problem) or None)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]).lstrip("\r\n"), None
    return None, text, (1, "front matter opened with --- is never closed; "
                           "included as `always`")


def _from_front_matter(path: Path, header: str, body: str) -> SteeringFile:
    import yaml  # loaded by `load_yaml`: here only for its error

    try:
        data = load_yaml(header)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for `---`, +1 for 1-based
        problem = getattr(exc, "problem", None) or "not valid YAML"
        return _fallback(path, body, line, f"front matter: {problem}; included as `always`")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return _fallback(path, body, 2, "front matter is not a mapping of keys; "
                                        "included as `always`")
    raw = str(data.get("inclusion", "always")).strip()
    inclusion = {i.value.casefold(): i for i in Inclusion}.get(raw.casefold())
    if inclusion is None:
        return _fallback(path, body, _key_line(header, "inclusion"),
                         f"unknown inclusion {raw!r} (expected always, fileMatch, manual or "
                         "auto); included as `always`")
    given = data.get("fileMatchPattern")
    odd = [v for v in given if not isinstance(v, str)] if isinstance(given, list) else []
    if odd or not isinstance(given, str | list | None):
        return _fallback(path, body, _key_line(header, "fileMatchPattern"),
                         f"fileMatchPattern holds {(odd or [given])[0]!r}, not a glob in "
                         "quotes; included as `always`",
                         fix='write each pattern as a quoted text: fileMatchPattern: '
                             '["*.py", "src/**/*.ts"]')
    patterns = _patterns(given)
    refused = next(((p, r) for p in patterns if (r := kiro_globs.problem(p)) is not None),
                   None)
    if refused is not None:
        return _fallback(path, body, _key_line(header, "fileMatchPattern"),
                         f"fileMatchPattern {refused[0]!r}: {refused[1].reason}; Kiro would "
                         "never apply it; included as `always`", fix=refused[1].fix)
    if inclusion is Inclusion.FILE_MATCH and not patterns:
        return _fallback(path, body, _key_line(header, "inclusion"),
                         "inclusion: fileMatch needs a fileMatchPattern; included as `always`")
    description = data.get("description")
    name = data.get("name") if inclusion is Inclusion.AUTO else None
    return SteeringFile(path, str(name or path.stem), inclusion, patterns, body,
                        description=str(description) if description else "")


_FIX = ("correct the front matter: `inclusion: always`, `fileMatch` (with "
        "`fileMatchPattern: \"src/**/*.ts\"`), `manual` or `auto`, between two `---` lines")


def _fallback(path: Path, body: str, line: int, message: str, *, fix: str = _FIX
              ) -> SteeringFile:
    from reviewloop.spec.model import Diagnostic

    diagnostic = Diagnostic(file=str(path), line=line, message=message)
    return SteeringFile(path, path.stem, Inclusion.ALWAYS, (), body, diagnostic=diagnostic,
                        fix=fix)


def refused(item: SteeringFile, line: int, message: str, *, fix: str) -> SteeringFile:
    """`item` with a diagnostic at `line` that `check_steering` refuses (a reference in its
    body that cannot be included: `spec.steering_refs`)."""
    from reviewloop.spec.model import Diagnostic

    return replace(item, diagnostic=Diagnostic(file=str(item.path), line=line, message=message),
                   fix=fix)


def _key_line(header: str, key: str) -> int:
    for number, line in enumerate(header.split("\n"), start=2):
        if line.lstrip().startswith(f"{key}:"):
            return number
    return 1


def _patterns(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        items = _split_top_level(value)
    elif isinstance(value, list):
        items = [part for v in value if isinstance(v, str) for part in _split_top_level(v)]
    else:
        return ()
    return tuple(item.strip().strip("'\"`") for item in items if item.strip())


def _split_top_level(value: str) -> list[str]:
    """Split on commas outside `{…}` and `[…]` classes: `a/*.ts, {b,c}/*.py` → `a/*.ts`,
    `{b,c}/*.py`; `src/[a,b]*.ts` stays whole (minimatch's class holds `a`, `,` and `b`)."""
    parts, depth, current, index = [], 0, "", 0
    while index < len(value):
        char = value[index]
        end = _class_end(value, index) if char == "[" else -1
        if end > 0:  # a whole class, commas and braces in it included
            current += value[index:end + 1]
            index = end + 1
            continue
        if char == "\\" and index + 1 < len(value):
            current += value[index:index + 2]
            index += 2
            continue
        depth += (char == "{") - (char == "}")
        if char == "," and depth <= 0:
            parts.append(current)
            current = ""
        else:
            current += char
        index += 1
    parts.append(current)
    return parts


def _class_end(value: str, start: int) -> int:
    """The index of the `]` closing the class opened at `start`, or -1 when it is not
    closed (then minimatch reads the `[` as itself): a `]` first in the class (after `[`,
    `[!` or `[^`) is a member, as is an escaped one."""
    index = start + 1
    if index < len(value) and value[index] in "!^":
        index += 1
    if index < len(value) and value[index] == "]":
        index += 1
    while index < len(value):
        if value[index] == "\\":
            index += 2
            continue
        if value[index] == "]":
            return index
        index += 1
    return -1


def _normalise(path: str) -> str:
    path = path.strip().strip("'\"`").replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _plain_name(name: str) -> str:
    name = name.strip().lstrip("#")
    return (name[:-3] if name.endswith(".md") else name).casefold()


def _mentioned(item: SteeringFile, text: str) -> bool:
    lowered = text.casefold()
    if not lowered:
        return False
    if any(_whole_word(name, lowered) for name in
           {item.name.casefold(), item.name.casefold().replace("-", " ")}):
        return True
    words = set(_word().findall(item.description.casefold())) - _COMMON
    present = set(_word().findall(lowered))
    return len(words & present) >= _DESCRIPTION_HITS


def _whole_word(name: str, text: str) -> bool:
    """`name` in `text` as a word of its own: `ui` in "a new UI", `api` in "the APIs" (a
    plural `s`), `python` in "python3" (a version), not `ui` in "guide" or `api` in
    "capital". Only a Latin letter or digit at the name's edge needs a boundary: CJK text
    has no spaces between its words (`测试` in "编写测试用例")."""
    head = "(?<![A-Za-z0-9])" if name[:1].isascii() and name[:1].isalnum() else ""
    tail = "(?:e?s)?[0-9.]*(?![A-Za-z])" if name[-1:].isascii() and name[-1:].isalnum() else ""
    return re.search(f"{head}{re.escape(name)}{tail}", text) is not None
