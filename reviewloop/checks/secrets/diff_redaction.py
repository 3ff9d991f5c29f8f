"""A file's diff redacted for a prompt without scanning its added lines a second time.

The secrets analyzer and gate scan every added line of a round (`diff_scan.file_hits`,
remembered per file); the prompt's copy of the same file's diff needs its added lines, its
context and removed lines and its header lines free of secrets. The added lines' scan is
reused, and the rest of the diff is scanned with the added lines inside each run blanked:

* the first and last added line of each run stay, so a secret whose match spans an added
  line and its unchanged neighbour (a key on one line, its value on the next) is still
  seen where the two meet;
* git's own `index <blob>..<blob>` lines are blanked too: blob ids are 40 hex digits, which
  detect-secrets' hex formats would otherwise look at in every file.

When either scan finds anything, the file's whole diff is scanned and redacted as one text
(`scanner.redact`), exactly as before: a secret block that runs from an unchanged line into
added ones is redacted whole; so is a file holding a value the review's secrets analyzer
reported (`known_values`). Only a file in which neither scan finds anything is passed on
as it is — nearly every file of a change. `redact` reads text of no kind; what the scan of
the file's kind found on its added lines (a YAML anchor's or string tag's literal, `password:
&pw v`, a flow mapping's plain value) is replaced besides, value by value.
"""

from __future__ import annotations

from reviewloop.checks.secrets.diff_scan import file_hits
from reviewloop.checks.secrets.known_values import found_in
from reviewloop.checks.secrets.scanner import SecretHit, redact, scan_text
from reviewloop.git.diff import FileDiff
from reviewloop.memo import compiled_on_first_use

# `index 1a2b…..3c4d… 100644`, as `git diff --full-index` writes it (and short ids)
_blob_ids = compiled_on_first_use(r"index [0-9a-f]{7,64}\.\.[0-9a-f]{7,64}(?: [0-7]{6})?\r?")


def redact_file_diff(file: FileDiff) -> str:
    """`redact(file.text)`, scanning the added lines once per round (see the module)."""
    hits = file_hits(file)
    if hits or scan_text(unscanned_part(file.text)) or found_in(file.text):
        text = redact(file.text)
        for value, rule in _values(file, hits):  # longest first: none is cut by a shorter
            text = text.replace(value, f"[REDACTED:{rule}]")
        return text
    return file.text


def _values(file: FileDiff, hits: list[SecretHit]) -> list[tuple[str, str]]:
    """(value, rule) of each hit on one added line of `file`, longest first."""
    added = {a.line: a.text for a in file.added}
    found = {(added[hit.line][hit.column - 1:hit.end_column - 1], hit.rule) for hit in hits
             if hit.line in added and hit.end_column > hit.column}
    return sorted((v for v in found if v[0].strip()), key=lambda v: (-len(v[0]), v))


def unscanned_part(text: str) -> str:
    """A file's diff with what `file_hits` has scanned blanked: the added lines inside
    each run of them (their `+` kept, so lines keep their places), and the blob ids."""
    lines = text.split("\n")
    added = [_is_added(line) for line in lines]
    last = len(lines) - 1
    out = []
    blob_ids = _blob_ids()
    for at, line in enumerate(lines):
        if added[at] and 0 < at < last and added[at - 1] and added[at + 1]:
            out.append("+")
        elif not added[at] and blob_ids.fullmatch(line):
            out.append("index")
        else:
            out.append(line)
    return "\n".join(out)


def _is_added(line: str) -> bool:
    # a `+++ ` line is a file header (or an added line that starts with `++ `: kept, and
    # so scanned twice, which is only cautious)
    return line.startswith("+") and not line.startswith("+++ ")
