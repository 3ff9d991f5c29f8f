"""Writing a commit's files into a folder from `git ls-tree -r -l` output, content as git
stores it: no filter, textconv or attribute of the tree applies."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import git

from reviewloop.git.sizes import MAX_FILE_BYTES


def write_blobs(cmd: git.Git, listing: str, dest: Path, options: Sequence[str]) -> list[str]:
    """Write the regular files of `listing` (`ls-tree -r -z -l`) under `dest`; their paths.
    Symlinks and submodules are left out; `options` go before every git command."""
    written = []
    for meta, _, path in (record.partition("\t") for record in listing.split("\0") if record):
        mode, kind, sha, size = meta.split()
        if kind != "blob" or mode not in ("100644", "100755"):
            continue
        (dest / path).parent.mkdir(parents=True, exist_ok=True)
        if int(size) > MAX_FILE_BYTES:  # never whole in this process: git writes the file
            with (dest / path).open("wb") as fh:
                cmd.execute(["git", *options, "cat-file", "blob", sha], output_stream=fh)
        else:  # one `git cat-file --batch` for every blob (GitPython keeps it running)
            (dest / path).write_bytes(cmd.get_object_data(sha)[3])
        written.append(path)
    return written
