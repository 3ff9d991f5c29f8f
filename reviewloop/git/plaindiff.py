"""Diffs no tree's `.gitattributes` can blind: git run against an empty work tree and index.

`git diff` obeys the `.gitattributes` of the checkout (and, where the work tree has none, of
the index): a change that adds `* -diff` would turn every file of its own diff into "Binary
files differ", leaving reviewers and analyzers no added line to look at. Git 2.39 has no
`--attr-source`, so the diff is computed with an empty folder as the work tree and a
missing file as the index: then only git's own content test decides what is binary (a NUL
byte in the first 8000 bytes), as for a repository without attributes. The user's own
`$GIT_DIR/info/attributes` and `core.attributesFile` still apply (they are not the tree's).
A file of a known language that git's test calls binary is diffed again as text
(`as_text`): `node` runs a `.js` file with a NUL in a comment, so a review must see its
lines.
Which files a model skips is decided apart from the diff, from the trusted side only
(`reviewloop.review.classify`).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from reviewloop.git import neutral

if TYPE_CHECKING:
    from reviewloop.git.diff import FileDiff


@contextmanager
def without_tree_attributes(git_dir: Path) -> Iterator[tuple[tuple[str, ...], dict[str, str]]]:
    """(global git options, environment) that run a tree-to-tree diff of the repository at
    `git_dir` with no tree's `.gitattributes`; valid inside the context."""
    with tempfile.TemporaryDirectory(prefix="reviewloop-plain-") as empty:
        options = ("-C", empty, f"--git-dir={git_dir}", f"--work-tree={empty}")
        yield options, {"GIT_INDEX_FILE": os.path.join(empty, "index")}


_BLOBS = re.compile(r"^index ([0-9a-f]+)\.\.([0-9a-f]+)", re.MULTILINE)
_CONTEXT = re.compile(r"-U\d+$")
# Blob ids to a blob's bytes: (its id, how many of its first bytes; None: all of them)
ReadBlob = Callable[[str, "int | None"], bytes]


def read_blob(root: Path, blob: str, flags: Sequence[str] = (),
              limit: int | None = None) -> bytes:
    """A blob's bytes, or its first `limit` (`languages.BINARY_PROBE`), read from git's
    output as it comes: a 16 MB image costs its first 8 kB, not a copy through a pipe."""
    with subprocess.Popen(neutral.argv(["git", *flags, "cat-file", "-p", blob]), cwd=root,
                          env=neutral.environment(os.environ),
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        assert process.stdout is not None  # noqa: S101 - stdout=PIPE
        head = process.stdout.read(-1 if limit is None else limit)
        process.kill()
    return head


def as_text(git: Callable[..., str], argv: Sequence[str], read: ReadBlob) -> str:
    """The diff `git(*argv)` prints, with each file git's content test took for binary that
    is text by `git.languages` (a known language by name, or by its first bytes — a shebang,
    or no binary format: `read` gives them), under the diff's ceiling, diffed again as text
    (all of them in one more git call; a rename with both its names); and each file in
    UTF-16 or UTF-32 (`git.encodings`) diffed as its decoded text, so that its lines are
    its characters' (`decoded_hunks`). Larger files stay binary, and the review names them
    as not analysed."""
    text = git(*argv)
    if "\nBinary files " not in text and "\0" not in text:  # NULs: UTF-16 git calls text
        return text
    from reviewloop.git.diff import parse_diff

    files = parse_diff(text).files
    if "".join(f.text for f in files) != text:
        return text  # a diff this parser does not cut cleanly
    again, wide = _to_show_again(git, files, read)
    if not again and not wide:
        return text
    shown: dict[str, str] = {}
    if again:
        from reviewloop.git.names import on_disk

        head = list(argv[:list(argv).index("--")] if "--" in argv else argv)
        paths = [on_disk(p) for f in again for p in (f.old_path, f.path) if p]
        shown = {f.path: f.text for f in parse_diff(git(*head, "--text", "--", *paths)).files}
    context = next((a for a in argv if _CONTEXT.match(a)), "-U3")
    marked = {id(f) for f in again}
    out = []
    for f in files:
        part = shown.get(f.path, f.text) if id(f) in marked else f.text
        hunks = decoded_hunks(*wide[id(f)], read, context) if id(f) in wide else None
        if hunks is not None:
            part = _with_hunks(part, hunks)
        out.append(part)
    return "".join(out)


def _to_show_again(git: Callable[..., str], files: Sequence[FileDiff], read: ReadBlob
                   ) -> tuple[list[FileDiff], dict[int, tuple[str, str, str]]]:
    """(the files git showed as binary to diff again as text; by `id`, those in UTF-16 or
    UTF-32 as (old blob, new blob, encoding)), of the files under the diff's ceiling."""
    from reviewloop.git.encodings import wide_encoding
    from reviewloop.git.languages import BINARY_PROBE, by_name, is_binary
    from reviewloop.git.sizes import MAX_DIFFED_BYTES

    again, wide = [], {}
    for f in files:
        blobs = _BLOBS.search(f.text)
        if not (f.binary or "\0" in f.text) or not blobs or not blobs.group(2).strip("0") \
                or int(git("cat-file", "-s", blobs.group(2)).strip() or 0) > MAX_DIFFED_BYTES:
            continue
        start = read(blobs.group(2), BINARY_PROBE)
        if f.binary and (by_name(f.path) or not is_binary(f.path, start)):
            again.append(f)
        if encoding := wide_encoding(start):
            wide[id(f)] = (blobs.group(1), blobs.group(2), encoding)
    return again, wide


def decoded_hunks(old: str, new: str, encoding: str, read: ReadBlob, context: str
                  ) -> str | None:
    """The hunks of a diff from blob `old` (its own text, `encodings.text_of`; none when
    its id is all zeros) to blob `new` decoded from `encoding`, as git prints them; None
    when `new` is not in `encoding` after all (`encodings.decoded`)."""
    from reviewloop.errors import ReviewloopError
    from reviewloop.git.encodings import decoded, text_of
    from reviewloop.git.sizes import MAX_DIFFED_BYTES

    before = text_of(read(old, None)) if old.strip("0") else ""
    after = decoded(read(new, None), encoding)
    if after is None:
        return None
    with tempfile.TemporaryDirectory(prefix="reviewloop-decoded-") as folder:
        for name, content in (("old", before), ("new", after)):
            Path(folder, name).write_bytes(content.encode("utf-8", "surrogateescape"))
        # decoded, UTF-16 text takes up to half as much again: still under the threshold
        done = subprocess.run(
            neutral.argv(["git", "-c", f"core.bigFileThreshold={2 * MAX_DIFFED_BYTES}",
                          "diff", "--no-index", "--no-color", "--no-ext-diff", "--no-textconv",
                          "--text", context, "--", "old", "new"]),
            cwd=folder, env=neutral.environment(os.environ), capture_output=True, check=False)
    out = done.stdout.decode("utf-8", "replace")
    at = out.find("\n@@ ") + 1
    if done.returncode not in (0, 1) or (done.returncode == 1 and not at):
        raise ReviewloopError(f"could not diff a file decoded from {encoding}: git diff "
                              f"--no-index exited {done.returncode}: {done.stderr[-500:]!r}")
    return out[at:] if done.returncode else ""


def _with_hunks(part: str, hunks: str) -> str:
    """A file's part of a diff with `hunks` in place of its own (no `---`/`+++` lines with
    none: what git prints for a change of no line)."""
    header = part[:part.find("\n@@ ") + 1 or len(part)].splitlines(keepends=True)
    if not hunks:
        return "".join(h for h in header if not h.startswith(("Binary files ", "--- ", "+++ ")))
    if any(h.startswith("--- ") for h in header):
        return "".join(header) + hunks
    # shown as binary still: its two names are those of git's "Binary files … differ"
    sides = [h[len("Binary files "):-len(" differ\n")].split(" and ")
             for h in header if h.startswith("Binary files ") and h.endswith(" differ\n")]
    if len(sides) != 1 or len(sides[0]) != 2:
        from reviewloop.errors import ReviewloopError

        raise ReviewloopError(f"could not show a decoded file's lines in the diff: {part[:300]!r}")
    kept = "".join(h for h in header if not h.startswith("Binary files "))
    return f"{kept}--- {sides[0][0]}\n+++ {sides[0][1]}\n{hunks}"
