"""Learnings kept for every later session: `handoff --learn` appends the decisions and
preferences recorded with `reviewloop note` to `.kiro/steering/memory.md`, a steering file
included always, so the agents of the next runs read them. Lines already there (whatever
their date) are not added again, so asking twice adds nothing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from reviewloop.git.nofollow import refuse_symlinks, write_entry
from reviewloop.session.notes import Note

MEMORY_MD = ".kiro/steering/memory.md"
_HEADER = ("---\ninclusion: always\n---\n\n# Project memory\n\n"
           "Learnings recorded with `reviewloop handoff --learn`, newest last.\n")


def learnings(notes: Iterable[Note]) -> list[str]:
    """The memory lines for these notes: decisions with their date, preferences as they are."""
    return [f"- {n.created[:10]}: {n.text}" if n.kind == "decision" else f"- Preference: {n.text}"
            for n in notes]


def append(root: Path, lines: Iterable[str]) -> list[str]:
    """Append the lines memory.md does not hold yet (creating it); return those added."""
    refuse_symlinks(root, [MEMORY_MD], fix="make .kiro/steering a plain folder in the repository")
    path = root / MEMORY_MD
    before = path.read_text(encoding="utf-8") if path.is_file() else _HEADER
    known = {_key(line) for line in before.splitlines()}
    added = [line for line in dict.fromkeys(lines) if _key(line) not in known]
    if added:
        text = before if before.endswith("\n") else before + "\n"
        write_entry(root, MEMORY_MD, (text + "\n".join(added) + "\n").encode("utf-8"))
    return added


def _key(line: str) -> str:
    """A learning without its date, so the same decision noted twice is kept once."""
    text = line.strip().removeprefix("- ")
    if len(text) > 12 and text[4] == "-" and text[10:12] == ": ":
        text = text[12:]
    return " ".join(text.split())
