"""A file name's two forms: its text form, which every model, report and store holds, and
its form on disk, which the file system and the tools are given.

A POSIX name is bytes. A name that is UTF-8 is the same text in both forms. A name that is
not (`mod_\\xff.py`) is read from git as its bytes, decoded with `surrogateescape` (its form
on disk: `open`, `lstat` and a tool's argv turn it back into the same bytes), and held
everywhere else with each byte that is not UTF-8 written `\\xff` — valid text JSON, SQLite,
SARIF, a terminal and GitHub all carry. The text form is the name as people read it, and
one-to-one: only a run of backslashes just before such an escape, or before what looks like
one, is doubled, so no two names share a text form (`a\\xff.py`, a UTF-8 name with a
backslash, is `a\\\\xff.py`) and every other name is its own text form (`a\\\\b.py`, two
backslashes, stays two: a text form the name does not have is a file SARIF, GitHub and the
reader look for in vain).

`shown` makes the text form and `on_disk` undoes it; both return unchanged a UTF-8 name
with no backslash before `x` and two hex digits of a byte >= 0x80. `printable` is the text
form as a terminal or a Markdown report shows it: what the text form keeps as it is (ESC,
a line break, a right-to-left override) could rewrite the screen or fake a report line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path, PurePosixPath

# a byte surrogateescape decoding gives for what is not UTF-8: U+DC80..U+DCFF
_RAW = re.compile(r"[\udc80-\udcff]")
# A run of backslashes before a byte (its escape: one more backslash) or before what reads
# as one (`x` and two hex digits >= 0x80): `shown` doubles the run, `on_disk` halves it. A
# run before anything else is the name's own, and stays as it is. (The lookbehinds start a
# match only at a run's first backslash: a long run is read once, not once a backslash.)
_BEFORE_BYTE = re.compile(r"(?<!\\)(\\*)([\udc80-\udcff]|x[89a-f][0-9a-f])")
_ESCAPE = re.compile(r"(?<!\\)(\\+)(x[89a-f][0-9a-f])")


def shown(name: str) -> str:
    """A name decoded with `surrogateescape` (git's bytes, `os.fsdecode`) as text: each byte
    that is not UTF-8 as `\\xNN`."""
    if "\\" not in name and _RAW.search(name) is None:
        return name
    return _BEFORE_BYTE.sub(_escaped, name)


def _escaped(before: re.Match[str]) -> str:
    run, what = before.groups()
    if _RAW.match(what):
        return f"{run * 2}\\x{ord(what) - 0xDC00:02x}"
    return f"{run * 2}{what}"


def on_disk(path: str) -> str:
    """A text-form name (`shown`) as the file system has it: give this to `open`, `Path`
    and a tool's argv."""
    if "\\" not in path:
        return path
    return _ESCAPE.sub(_byte, path)


def _byte(escape: re.Match[str]) -> str:
    run, code = escape.groups()
    kept = "\\" * (len(run) // 2)
    return kept + (chr(0xDC00 + int(code[1:], 16)) if len(run) % 2 else code)


def printable(name: str, keep: str = "") -> str:
    """A text-form name safe to show people: each character that is not printable — C0 and
    C1 controls, DEL, a line or paragraph separator, a format character such as U+202E
    (right-to-left override) or U+200B, a space other than U+0020 — written visibly, as
    `\\x1b`, `\\u202e`, but those of `keep` (a page's code keeps its tabs and line
    feeds). Only for people: JSON, SARIF and the tools keep the name itself. Every view
    for people (terminal, Markdown, HTML, GitHub's workflow commands) shows text through it."""
    if name.isprintable():  # nearly every name, in one pass in C: nothing to look at
        return name
    return "".join(c if c.isprintable() or c in keep else _visible(c) for c in name)


def code_span(text: str) -> str:
    """`text` (a file name, a finding's place) as a Markdown code span that shows it all:
    `printable`, so no control or bidi character reaches the reader, fenced by
    more backticks than its longest run of them (CommonMark: ``a`b``), and with a space
    inside each end when an end is a backtick or a space (CommonMark takes one space off
    each end of a span that has one at both, unless it is all spaces)."""
    text = printable(text)
    edges = text[:1] + text[-1:]
    if "`" not in text and " " not in edges:  # nearly every name
        return f"`{text}`"
    fence = "`" * (max(map(len, _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.strip(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_BACKTICKS = re.compile(r"`+")


def _visible(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


def is_utf8(path: str) -> bool:
    """Whether the text-form name `path` is UTF-8 on disk too (a tool that reads its argv as
    UTF-8, as node does, can open only such a name)."""
    return _RAW.search(on_disk(path)) is None


def from_bytes(name: bytes) -> str:
    """A name's bytes (git's `-z` output, a directory listing) in text form."""
    return shown(name.decode("utf-8", "surrogateescape"))


def under(root: Path, path: str) -> Path:
    """The file a text-form repository path names in the tree at `root`."""
    return root / on_disk(path)


def joined(base: str, name: str) -> str:
    """`os.path.join(base, name)` of two strings, without its general loop over any number of
    parts (asked of every changed file by the export, the first look at a file and the
    suppressions' reads: ~1 µs a call, four calls a file)."""
    if os.sep != "/":  # pragma: no cover - reviewloop runs on POSIX
        return os.path.join(base, name)
    if name.startswith("/"):
        return name
    return base + name if not base or base.endswith("/") else f"{base}/{name}"


def folder_of(path: str) -> str:
    """`os.path.dirname(path)` of a string, without its generic set-up (see `joined`)."""
    if os.sep != "/":  # pragma: no cover - reviewloop runs on POSIX
        return os.path.dirname(path)
    head = path[:path.rfind("/") + 1]
    return head.rstrip("/") or head


def under_text(root: str | os.PathLike[str], path: str) -> str:
    """`str(under(root, path))` without building a `Path` (an analyzer's argv names every
    changed file: 15,000 `Path`s at 5,000 files). A plain relative name, most of them, is put
    after the root as it is: `os.path.join`'s answer without its loop over the parts (asked
    four times a changed file)."""
    name = on_disk(path)
    parts = posix_parts(name)
    base = os.fspath(root)
    if base and parts and not name.startswith("/") and "/".join(parts) == name:
        return f"{base}{name}" if base.endswith("/") else f"{base}/{name}"
    return os.path.join(base, *parts)


@lru_cache(maxsize=65_536)  # the rules by name ask it of every changed file, ~8 times each
def posix_parts(path: str) -> tuple[str, ...]:
    """`PurePosixPath(path).parts`, without building one: the rules by name (vendored,
    generated, built output) ask it of every changed file, and a 5,000-file change made
    tens of thousands of paths for it."""
    names = path.split("/")
    if "" in names or "." in names:  # a name to normalise (`a//b`, `./a`, `a/`) or a root
        if path.startswith("/"):
            return PurePosixPath(path).parts
        return tuple(n for n in names if n and n != ".")
    return tuple(names)


def posix_name(path: str) -> str:
    """`PurePosixPath(path).name`, without building one (see `posix_parts`)."""
    parts = posix_parts(path)
    return parts[-1] if parts and not (len(parts) == 1 and path.startswith("/")) else ""


def posix_suffix(path: str) -> str:
    """`PurePosixPath(path).suffix`, without building one (see `posix_parts`)."""
    return name_suffix(posix_name(path))


def name_suffix(name: str) -> str:
    """`posix_suffix` of a file's name (`posix_name`'s answer), not asked to find it again."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def posix_parent(path: str) -> str:
    """`str(PurePosixPath(path).parent)`, without building one (see `posix_parts`)."""
    if path.startswith("/"):
        return str(PurePosixPath(path).parent)
    return "/".join(posix_parts(path)[:-1]) or "."


def posix_text(path: str) -> str:
    """`PurePosixPath(path).as_posix()`, without building one (see `posix_parts`)."""
    if path.startswith("/"):
        return PurePosixPath(path).as_posix()
    return "/".join(posix_parts(path)) or "."


# The longest name a folder of Linux's file systems holds (ext4, tmpfs, xfs: NAME_MAX) and the
# longest path a system call takes (PATH_MAX), in bytes
NAME_MAX, PATH_MAX = 255, 4096


def fits(root: str | os.PathLike[str], path: str) -> bool:
    """Whether the repository path `path` (as `on_disk` spells it) can be a file under
    `root`: git holds any name, but no part of one a file system keeps is over `NAME_MAX`
    bytes, and no path a tool opens is `PATH_MAX` long."""
    if 4 * len(path) <= NAME_MAX and 4 * (len(os.fspath(root)) + 1 + len(path)) < PATH_MAX:
        return True  # a character is at most 4 bytes: every export's short names, unencoded
    return unfit(root, path) is None


def unfit(root: str | os.PathLike[str], path: str) -> str | None:
    """Why the repository path `path` cannot be a file under `root`, with its figures: a
    part over `NAME_MAX` bytes, the name itself `PATH_MAX` long, or the path under `root`
    (a review's copy of the tree, or your checkout) that long though the name alone is not —
    a checkout in a shorter folder holds that one. None: it can be."""
    raw = os.fsencode(path)
    longest = max(map(len, raw.split(b"/")))
    if longest > NAME_MAX:
        return f"a part of it is {longest:,} bytes, over the {NAME_MAX} a file system holds"
    if len(raw) >= PATH_MAX:
        return f"it is {len(raw):,} bytes, and a path a tool opens is under {PATH_MAX:,}"
    whole = len(os.fsencode(root)) + 1 + len(raw)
    if whole >= PATH_MAX:
        return (f"it is {len(raw):,} bytes, {whole:,} in the folder the tree is reviewed "
                f"in, and a path a tool opens is under {PATH_MAX:,}: a checkout in a folder "
                "of a shorter path holds it")
    return None


def repository_relative(root: Path, paths: Iterable[str | os.PathLike[str]] | None) -> list[str]:
    """Paths relative to the repository `root`, POSIX, as git takes them (a text-form name,
    `shown`, back to its bytes); relative input is taken relative to the root."""
    result = []
    for path in paths or ():
        disk = on_disk(path) if isinstance(path, str) else os.fspath(path)
        full = os.path.normpath(os.path.join(root, disk))
        rel = Path(os.path.relpath(full, root)).as_posix()
        if rel == ".." or rel.startswith("../"):
            raise ValueError(f"{path} is outside the repository {root}")
        result.append(rel)
    return result
