"""Learnings kept for every later session: `handoff --learn` appends the decisions and
preferences recorded with `reviewloop note` to `.kiro/steering/memory.md`, a steering file
included always, so the agents of the next runs read them. Lines already there (whatever
their date) are not added again, so asking twice adds nothing. What the file already says is
kept byte for byte (a BOM, CRLF line ends: the new lines end as its lines do), and a memory.md
whose front matter does not include it always (`fileMatch`, `manual`, `auto`) is refused with
the fix: learnings appended there would reach only some prompts."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from reviewloop.errors import ConfigError
from reviewloop.git.nofollow import refuse_symlinks, write_entry
from reviewloop.session.notes import Note
from reviewloop.spec import documents

MEMORY_MD = ".kiro/steering/memory.md"
_HEADER = ("---\ninclusion: always\n---\n\n# Project memory\n\n"
           "Learnings recorded with `reviewloop handoff --learn`, newest last.\n")


def learnings(notes: Iterable[Note]) -> list[str]:
    """The memory lines for these notes: decisions with their date, preferences as they are."""
    return [f"- {n.created[:10]}: {n.text}" if n.kind == "decision" else f"- Preference: {n.text}"
            for n in notes]


def check(root: Path) -> None:
    """Refuse (exit 2) a memory.md that is a symlink or that would not reach every agent: one
    whose front matter is `fileMatch`, `manual` or `auto`, or cannot be read."""
    from reviewloop.spec.steering import Inclusion, read_steering

    refuse_symlinks(root, [MEMORY_MD], fix="make .kiro/steering a plain folder in the repository")
    _refuse_other_kinds(root)
    path = root / MEMORY_MD
    if not os.path.lexists(path):
        return
    item = read_steering(path)
    if item.diagnostic is None and item.inclusion is Inclusion.ALWAYS:
        return
    why = (item.diagnostic.message.removesuffix("; included as `always`")
           if item.diagnostic is not None else f"its front matter says `inclusion: "
                                               f"{item.inclusion.value}`")
    line = item.diagnostic.line if item.diagnostic is not None else _inclusion_line(path)
    raise ConfigError(f"handoff --learn keeps learnings for every agent, and this memory.md "
                      f"would not reach every prompt: {why}", where=f"{MEMORY_MD}:{line}",
                      fix="make its front matter `inclusion: always`, or rename the file "
                          "(its rules stay as they are) so --learn starts a memory.md of its own")


def _refuse_other_kinds(root: Path) -> None:
    """Only the regular file --learn writes is ever replaced: a folder named memory.md (and
    the files in it), a FIFO there, or a file where `.kiro` or `.kiro/steering` should be a
    folder is refused by name (exit 2), nothing removed or written."""
    for folder in (".kiro", ".kiro/steering"):
        if os.path.lexists(root / folder) and not (root / folder).is_dir():
            raise ConfigError(f"handoff --learn writes {MEMORY_MD}, and {folder} is not a "
                              "folder: nothing was written", where=folder,
                              fix=f"rename {folder} (it is kept as it is), then try again")
    kind = documents.unreadable(root / MEMORY_MD)
    if kind is not None:
        raise ConfigError(f"handoff --learn appends to {MEMORY_MD}, which {kind}: it is never "
                          "replaced nor removed, so nothing was written", where=MEMORY_MD,
                          fix="move it out of the way (its content is yours to keep), then run "
                              "`reviewloop handoff --learn` again")


def append(root: Path, lines: Iterable[str]) -> list[str]:
    """Append the lines memory.md does not hold yet (creating it); return those added."""
    check(root)
    path = root / MEMORY_MD
    try:
        before = path.read_bytes().decode("utf-8") if path.is_file() else _HEADER
    except UnicodeDecodeError:
        raise ConfigError("memory.md is not UTF-8 text", where=MEMORY_MD,
                          fix="save it as UTF-8 (steering files are read as UTF-8)") from None
    known = {_key(line) for line in before.splitlines()}
    added = [line for line in dict.fromkeys(lines) if _key(line) not in known]
    if added:
        end = "\r\n" if "\r\n" in before else "\n"  # the file's own line ends
        text = before if before.endswith("\n") else before + end
        write_entry(root, MEMORY_MD, (text + end.join(added) + end).encode("utf-8"))
    return added


def _inclusion_line(path: Path) -> int:
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    return next((n for n, line in enumerate(lines, start=1)
                 if line.lstrip("\ufeff").lstrip().startswith("inclusion:")), 1)


def _key(line: str) -> str:
    """A learning without its date, so the same decision noted twice is kept once."""
    text = line.strip().removeprefix("- ")
    if len(text) > 12 and text[4] == "-" and text[10:12] == ": ":
        text = text[12:]
    return " ".join(text.split())
