"""The secrets scanner on a diff: each file's added lines, with the unchanged lines the
diff shows around them (`scanner.scan_text` on each run of them)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import partial
from operator import itemgetter
from typing import TypeVar

from reviewloop.checks.secrets import names
from reviewloop.checks.secrets.gitleaks_rules import CONFIDENCE, file_rules
from reviewloop.checks.secrets.scanner import SecretHit, preview, scan_text
from reviewloop.git.diff import ChangeSet, FileDiff, FileStatus, parse_diff
from reviewloop.git.hunk_lines import context_lines
from reviewloop.memo import ByObject, TextMemo

T = TypeVar("T")
_NUMBER, _TEXT = itemgetter(0), itemgetter(1)  # an `AddedLine`'s
# a line of a key's body (base64, PEM's armour headers' characters) or its BEGIN or END
# line: what a key block reaching into unchanged lines must have on every added line it
# covers, one of them 16 characters of body at least, to be the change's
_KEY_BODY = re.compile(r"[A-Za-z0-9+/=:-]+|-{4,5} ?(?:BEGIN|END)[ A-Z0-9]*-{4,5}")
_KEY_LINE = re.compile(r"[A-Za-z0-9+/=:-]{16,}")
# Each file's hits, by its path and shown lines: a round's files, a few MB of text at most.
_FILES: TextMemo[list[SecretHit]] = TextMemo(100_000, from_chars=0, budget=8_000_000)
_ASKED: ByObject[list[SecretHit]] = ByObject(20_000)  # the same file object asked again


def scan_added_lines(diff_text: str) -> list[SecretHit]:
    """Secrets on the `+` lines of a unified diff, located by file and new-file line.

    Consecutive added lines are scanned together so a key block added whole is one hit.
    """
    return scan_changes(parse_diff(diff_text))


def scan_changes(changes: ChangeSet, paths: Iterable[str] | None = None) -> list[SecretHit]:
    """`scan_added_lines` on a parsed diff, only on the files in `paths` when given (the
    lines of other files are never scanned)."""
    hits: list[SecretHit] = []
    chosen = changes if paths is None else changes.filter(paths)
    names.scan([f.path for f in chosen.files if names.new(f)], scan_text)  # one scan
    for file in chosen.files:
        hits += file_hits(file)
    return hits


def file_hits(file: FileDiff) -> list[SecretHit]:
    """The secrets on one file's added lines. The secrets gate, the analyzer and the
    prompt's redaction (`checks.secrets.diff_redaction`) of a round ask about the same
    files: each file's added lines are scanned once."""
    def scanned() -> list[SecretHit]:
        # whether it is binary is in the key: a binary file shows no line, as an empty one
        # does, and only the binary one is a key bundle by its name (`_file_rule_hits`)
        kind = f"{file.status}{' binary' * file.binary}\0{file.path}\0"
        if (texts := _whole(file)) is not None:  # keyed by its texts alone: numbered 1..n
            # (and their count: no line and one empty line join alike)
            return _FILES.get(f"whole {kind}{len(texts)}\0" + "\n".join(texts),
                              partial(_whole_hits, file, texts))
        shown = _shown(file)
        key = "\n".join(f"{n}\t{'+' if added else ' '}{text}" for n, text, added in shown)
        return _FILES.get(kind + key, partial(_file_hits, file, shown))

    return _ASKED.get(file, scanned)  # the same file again: not keyed by its lines again


def _whole(file: FileDiff) -> list[str] | None:
    """The texts of a file the change adds whole, its lines numbered 1..n in order (all a
    new file's diff shows), or None for any other file."""
    if file.status is not FileStatus.ADDED:
        return None
    numbers = list(map(_NUMBER, file.added))
    return list(map(_TEXT, file.added)) if numbers == list(range(1, len(numbers) + 1)) \
        else None


def _whole_hits(file: FileDiff, texts: list[str]) -> list[SecretHit]:
    """`_file_hits` of a file `_whole` reads: its lines are one run of added lines from
    line 1, scanned as one text, each hit where the scan places it (a copy: the scan's own
    are kept for the next ask). No tuple a line, no grouping: 5,000 new files."""
    hits: list[SecretHit] = names.hits(file, scan_text) + _file_rule_hits(file)
    if texts:
        hits += [hit.model_copy(update={"line": hit.line})
                 for hit in scan_text("\n".join(texts), path=file.path)]
    return hits


def _shown(file: FileDiff) -> list[tuple[int, str, bool]]:
    """(new-file number, text, added) of the lines the diff shows on its new side: the
    added lines and the unchanged ones around them, in order."""
    if file.status is FileStatus.ADDED:
        return [(a.line, a.text, True) for a in file.added]
    context = context_lines(file.text)
    return sorted([*((a.line, a.text, True) for a in file.added),
                   *((n, text, False) for n, text in context.items())])


def _file_hits(file: FileDiff, shown: list[tuple[int, str, bool]]) -> list[SecretHit]:
    """Each run of added lines is scanned with the unchanged lines the diff shows around
    it, so a secret split between them is seen whole (a key body written between a `BEGIN`
    and an `END` line the file already had, a value under a key already there); a hit is
    kept when it covers an added line, and placed on the first it covers."""
    hits: list[SecretHit] = names.hits(file, scan_text) + _file_rule_hits(file)
    for first, lines in _runs((n, (text, added)) for n, text, added in shown):
        if any(added for _, added in lines):
            hits += _group_hits(file.path, first, lines)
    return hits


def _file_rule_hits(file: FileDiff) -> list[SecretHit]:
    """gitleaks' rules that name a kind of file by its path (`pkcs12-file`: a `.p12` or
    `.pfx` bundle holds a private key): on line 1 of a file the change adds text or bytes
    to, as gitleaks reports it."""
    if file.status is FileStatus.DELETED or not (file.added or file.binary):
        return []
    return [SecretHit(rule=rule.id, description=rule.description, path=file.path, line=1,
                      column=1, end_column=1, preview=preview(""), confidence=CONFIDENCE,
                      start=0, end=0)
            for rule in file_rules() if rule.path.search(file.path)]


def _group_hits(path: str, first: int, lines: list[tuple[str, bool]]) -> list[SecretHit]:
    """The hits of one run of shown lines (`_file_hits`). A hit that reaches from unchanged
    lines into added ones is the change's only when what it covers of them is key material
    by itself (`_KEY_BODY`): unchanged `BEGIN` and `END` constants around an edited
    function are no key; the added lines are then scanned alone as well, for what such a
    block's match had claimed."""
    text = "\n".join(line for line, _ in lines)
    kept: list[SecretHit] = []
    dropped = False
    for hit in scan_text(text, path=path):
        span = range(hit.line - 1, hit.line + text.count("\n", hit.start, hit.end))
        written = [at for at in span if lines[at][1]]
        if not written:
            continue  # an unchanged line's: not this change's to report
        if len(written) < len(span) and not _key_material([lines[at][0] for at in written]):
            dropped = True
            continue
        moved = {} if written[0] == hit.line - 1 else \
            {"column": 1, "end_column": len(lines[written[0]][0]) + 1}
        kept.append(hit.model_copy(update={"line": first + written[0], **moved}))
    if dropped:
        taken = {hit.line for hit in kept}
        for start, run in _runs((first + at, line) for at, (line, added) in enumerate(lines)
                                if added):
            kept += [alone.model_copy(update={"line": alone.line + start - 1})
                     for alone in scan_text("\n".join(run), path=path)
                     if alone.line + start - 1 not in taken]
    return kept


def _key_material(written: list[str]) -> bool:
    return all(_KEY_BODY.fullmatch(line.strip()) for line in written) \
        and any(_KEY_LINE.fullmatch(line.strip()) for line in written)


def _runs(lines: Iterable[tuple[int, T]]) -> Iterator[tuple[int, list[T]]]:
    """Consecutive (number, item) lines grouped as (first number, items)."""
    first, last = 0, -1
    texts: list[T] = []
    for number, text in lines:
        if texts and number != last + 1:
            yield first, texts
            texts = []
        if not texts:
            first = number
        texts.append(text)
        last = number
    if texts:
        yield first, texts
