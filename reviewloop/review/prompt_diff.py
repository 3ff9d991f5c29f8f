"""The diff as a reviewer reads it: git's unified diff without the header lines that only
repeat what the `---`/`+++` lines say or that nothing in a review can use.

Every reviewer reads the diff, so each line of it is paid for in the shared prefix. Left
out of a file's header: `index` lines (blob ids), the `diff --git a/… b/…` line when a
`+++` line names the file, and `new file mode 100644` / `deleted file mode 100644` (the
`/dev/null` side says the same). Kept: every hunk, renames, mode changes, binary notes.
"""

from __future__ import annotations

from reviewloop.memo import TextMemo

_IMPLIED = ("new file mode 100644\n", "deleted file mode 100644\n")


def shown(diff_text: str) -> str:
    # every reviewer of a chunk builds its prompt from the same diff: cut once per chunk
    return _SHOWN.get(diff_text, lambda: _shown(diff_text))


_SHOWN: TextMemo[str] = TextMemo(keep=16)  # a round's chunks


def _shown(diff_text: str) -> str:
    out: list[str] = []
    header: list[str] | None = None  # the current file's header, until `+++` or a hunk
    for line in diff_text.splitlines(keepends=True):
        if line.startswith("diff --git "):
            out += header or []
            header = [line]
        elif header is None:
            out.append(line)
        elif line.startswith("+++ "):
            out += [h for h in header[1:] if h not in _IMPLIED] + [line]
            header = None
        elif line.startswith("@@"):  # a header with no `+++` line: keep it whole
            out += [*header, line]
            header = None
        elif not (line.startswith("index ") and ".." in line[:60]):
            header.append(line)
    return "".join(out + (header or []))
