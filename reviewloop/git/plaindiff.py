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


@contextmanager
def without_tree_attributes(git_dir: Path) -> Iterator[tuple[tuple[str, ...], dict[str, str]]]:
    """(global git options, environment) that run a tree-to-tree diff of the repository at
    `git_dir` with no tree's `.gitattributes`; valid inside the context."""
    with tempfile.TemporaryDirectory(prefix="reviewloop-plain-") as empty:
        options = ("-C", empty, f"--git-dir={git_dir}", f"--work-tree={empty}")
        yield options, {"GIT_INDEX_FILE": os.path.join(empty, "index")}


_NEW_BLOB = re.compile(r"^index [0-9a-f]+\.\.([0-9a-f]+)", re.MULTILINE)


def blob_start(root: Path, blob: str, flags: Sequence[str] = ()) -> bytes:
    """A blob's first bytes (`languages.BINARY_PROBE`), read from git's output as it comes:
    a 16 MB image costs its first 8 kB, not a copy through a pipe."""
    from reviewloop.git.languages import BINARY_PROBE

    with subprocess.Popen(["git", *flags, "cat-file", "-p", blob], cwd=root,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        assert process.stdout is not None  # noqa: S101 - stdout=PIPE
        head = process.stdout.read(BINARY_PROBE)
        process.kill()
    return head


def as_text(git: Callable[..., str], argv: Sequence[str],
            start: Callable[[str], bytes] | None = None) -> str:
    """The diff `git(*argv)` prints, with each file git's content test took for binary that
    is text by `git.languages` (a known language by name, or by its first bytes — a shebang,
    or no binary format: `start(blob)` gives them), under the diff's ceiling, diffed again
    as text (all of them in one more git call; a rename with both its names). Larger files
    stay binary, and the review names them as not analysed."""
    from reviewloop.git.diff import parse_diff
    from reviewloop.git.languages import by_name, is_binary
    from reviewloop.git.names import on_disk
    from reviewloop.git.sizes import MAX_DIFFED_BYTES

    text = git(*argv)
    if "\nBinary files " not in text:
        return text
    files = parse_diff(text).files
    again = []
    for f in files:
        blob = _NEW_BLOB.search(f.text)
        if f.binary and blob and blob.group(1).strip("0") \
                and int(git("cat-file", "-s", blob.group(1)).strip() or 0) <= MAX_DIFFED_BYTES \
                and (by_name(f.path) or (start is not None and not is_binary(
                    f.path, start(blob.group(1))))):
            again.append(f)
    if not again or "".join(f.text for f in files) != text:
        return text  # nothing to show again, or a diff this parser does not cut cleanly
    head = list(argv[:list(argv).index("--")] if "--" in argv else argv)
    paths = [on_disk(p) for f in again for p in (f.old_path, f.path) if p]
    shown = {f.path: f.text for f in parse_diff(git(*head, "--text", "--", *paths)).files}
    marked = {id(f) for f in again}
    return "".join(shown.get(f.path, f.text) if id(f) in marked else f.text for f in files)
