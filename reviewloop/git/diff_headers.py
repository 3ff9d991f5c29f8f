"""A `diff --git` header's two names, handed to the diff parser in a form it cannot split
wrongly."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

_DEV_NULL = "/dev/null"
LINK, SUBMODULE = "120000", "160000"  # git's modes of a symlink and of a submodule
_MODE_LINES = ("new file mode ", "deleted file mode ", "new mode ", "mode ")
PREFIX = re.compile(r"^[abciow12]/")  # a/ b/, mnemonic c/ i/ o/ w/, --no-index 1/ 2/


class HeaderNames:
    """A git header's two names, given to the parser so that a space in them cannot move
    where it splits `diff --git a/x b/y b/x b/y` (it takes the last " b/"): a name with a
    space is handed over quoted, its spaces as `\\040`, which `_clean` decodes. Only what
    the parser reads changes; a file's `text` stays verbatim."""

    def __init__(self, old: str, new: str):
        self.old, self.new = old, new

    @classmethod
    def of(cls, lines: list[str], at: int) -> HeaderNames | None:
        """The names of the header at `lines[at]`: those its `rename`/`copy` lines give,
        else its two equal halves, else its `---`/`+++` lines' (both sides keep the
        header's prefixes); None when none of them says (the lines are then left as they
        are)."""
        rest = lines[at][len("diff --git "):].rstrip("\n")
        moved: dict[str, str] = {}
        shown: dict[str, str] = {}
        for index in range(at + 1, len(lines)):  # no copy, no skipping: one a header is O(n²)
            line = lines[index]
            if line.startswith(("@@", "diff --git ")):
                break
            if line.startswith(("--- ", "+++ ")):
                shown[line[:3]] = line[4:].rstrip("\n").split("\t", 1)[0]
                if line.startswith("+++ "):
                    break
                continue
            kind, _, named = line.rstrip("\n").partition(" ")
            side, _, name = named.partition(" ")
            if kind in ("rename", "copy") and side in ("from", "to"):
                moved[side] = name
        old, new = moved.get("from"), moved.get("to")
        if old is not None and new is not None:
            # the header's prefixes sit before each name, inside its quotes when quoted
            tail = len(new.removeprefix('"'))
            return cls(_prefixed(rest.removeprefix('"')[:2], old),
                       _prefixed(rest[-tail - 2:-tail], new))
        half = len(rest) // 2
        if len(rest) % 2 and rest[half] == " " and _bare(rest[:half]) == _bare(rest[half + 1:]):
            return cls(rest[:half], rest[half + 1:])
        if _DEV_NULL not in shown.values() and len(shown) == 2:
            return cls(shown["---"], shown["+++"])
        return None

    def header(self, line: str) -> str:
        if " " not in self.old + self.new:
            return line
        # only a name with a space is quoted: the other stays as its `---`/`+++` line has it
        return f"diff --git {_spaceless(self.old)} {_spaceless(self.new)}\n"

    @staticmethod
    def file_line(line: str) -> str:
        name = line[4:].rstrip("\n").split("\t", 1)[0]
        if " " not in name:
            return line
        return f"{line[:4]}{_spaceless(name)}\n"


def header_mode(text: str) -> str | None:
    """The mode a file's part of a diff gives it as the change leaves it (a deleted file: as
    it was), from its header (up to its first hunk or binary content): a `new file mode`,
    `deleted file mode` or `new mode` line, or else the mode an `index <a>..<b> <mode>` line
    ends with — all that a file whose mode stays has (a symlink retargeted); None when the
    header gives none (a rename with no change, a diff without `index` lines)."""
    return next((mode for kind, mode in _modes(text) if kind in _MODE_LINES or
                 kind == "index "), None)


def base_mode(text: str) -> str | None:
    """The mode a file's part of a diff gives it before the change, as git read it from the
    base's tree (never from the disk, whose bit git does not read under `core.fileMode =
    false`): an `old mode` or `deleted file mode` line, or else the mode an `index <a>..<b>
    <mode>` line ends with, a mode the change kept; None for an added file, or when the
    header gives none (a rename with no change, a diff without `index` lines)."""
    for kind, mode in _modes(text):
        if kind == "new file mode ":
            return None
        if kind in ("old mode ", "deleted file mode ", "index "):
            return mode
    return None


def _modes(text: str) -> Iterator[tuple[str, str]]:
    """(kind, mode) of each line of the header of a file's part of a diff (up to its first
    hunk or binary content) that gives a mode: a `… mode <mode>` line (kind: its words up
    to the mode, with their space), or an `index <a>..<b> <mode>` line (kind: `index `)."""
    for line in text.split("\n@@", 1)[0].split("\n"):
        line = line.removesuffix("\r")
        if line.startswith(("Binary files ", "GIT binary patch")):
            return  # the header has ended: what follows is the file's content
        kind, _, mode = line.rpartition(" ")
        if len(mode) == 6 and mode.isdigit() and (kind == "mode" or kind.endswith(" mode") or (
                line.startswith("index ") and line.count(" ") == 2)):
            yield ("index " if line.startswith("index ") else kind + " "), mode


def _bare(name: str) -> str:
    """A header name without its opening quote and its a/ b/ (or mnemonic) prefix."""
    return PREFIX.sub("", name.removeprefix('"'), count=1)


def _prefixed(prefix: str, name: str) -> str:
    """A `rename from`/`to` name (git quotes it as it quotes header names) with a header
    prefix put inside its quotes."""
    if name.startswith('"'):
        return f'"{prefix}{name[1:]}'
    return prefix + name


def _spaceless(name: str) -> str:
    """A header name holding a space, quoted, its spaces written as octal escapes; any
    other as it is."""
    if " " not in name:
        return name
    body = name[1:-1] if len(name) >= 2 and name[0] == name[-1] == '"' else name
    return '"' + body.replace(" ", "\\040") + '"'


# git's quotePath=true form of a byte >= 0x80 (`\\303`): only a name holds one (content lines
# are never quoted), so a diff without one has no name to rewrite
_HIGH_OCTAL = re.compile(r"\\[23][0-7]{2}")
_QUOTED = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_C_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
              "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def utf8_names(text: str) -> str:
    """A diff git wrote with `core.quotePath=true` (every byte >= 0x80 of a name as an octal
    escape, so the output's names are ASCII whatever their bytes), with each name that is
    UTF-8 written back as `core.quotePath=false` writes it (`café.py`, bare unless it needs
    quotes). A name that is not UTF-8 keeps its octal escapes: the diff stays text, and its
    parser (`diff._clean`) gets the name's real bytes from them. Only header lines — from
    `diff --git` to the first `@@` — are rewritten; a content line is never touched."""
    if _HIGH_OCTAL.search(text) is None:
        return text
    lines = text.split("\n")
    header = False
    for at, line in enumerate(lines):
        if line.startswith("diff --git "):
            header = True
        elif line.startswith("@@"):
            header = False
        if header and '"' in line:
            lines[at] = _QUOTED.sub(_as_utf8, line)
    return "\n".join(lines)


def _as_utf8(match: re.Match[str]) -> str:
    try:
        name = codecs.escape_decode(match.group(1).encode("ascii"))[0].decode("utf-8")
    except (ValueError, UnicodeError):  # not UTF-8 (or not git's quoting): left as git gave it
        return match.group()
    if not any(c in _C_ESCAPES or c < " " or c == "\x7f" for c in name):
        return name
    return '"' + "".join(_C_ESCAPES.get(c) or (f"\\{ord(c):03o}" if c < " " or c == "\x7f"
                                              else c) for c in name) + '"'
