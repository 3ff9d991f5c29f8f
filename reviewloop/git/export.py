"""Writing a commit's files into a folder from `git ls-tree -r -l` output, content as git
stores it: no filter, textconv or attribute of the tree applies (`git archive` would honour
the tree's own `export-ignore`, which a change could use to hide a file from its review)."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from reviewloop.errors import ReviewloopError
from reviewloop.git.command import GitCommand
from reviewloop.git.names import shown
from reviewloop.git.sizes import MAX_FILE_BYTES


def left_out(listing: str) -> dict[str, str]:
    """The entries of `listing` (`ls-tree -r -z -l`) `write_blobs` does not write, by name
    (`names.shown`): their mode, `120000` a symlink, `160000` a submodule."""
    out: dict[str, str] = {}
    for meta, _, path in (record.partition("\t") for record in listing.split("\0") if record):
        mode = meta.split(" ", 1)[0]
        if mode in ("120000", "160000"):
            out[shown(path)] = mode
    return out


def write_blobs(cmd: GitCommand, listing: str, dest: Path, options: Sequence[str]) -> list[str]:
    """Write the regular files of `listing` (`ls-tree -r -z -l`) under `dest`; their paths.
    Symlinks and submodules are left out; `options` go before every git command."""
    files: list[tuple[str, str, int]] = []
    for meta, _, path in (record.partition("\t") for record in listing.split("\0") if record):
        mode, kind, sha, length = meta.split()
        if kind == "blob" and mode in ("100644", "100755"):
            files.append((path, sha, int(length)))
    base = os.fspath(dest)  # names as strings: two `Path`s a file were a third of the export
    for folder in sorted({os.path.dirname(os.path.join(base, path)) for path, _, _ in files}):
        os.makedirs(folder, exist_ok=True)
    small = [(path, sha) for path, sha, size in files if size <= MAX_FILE_BYTES]
    if small:
        _batch(cmd, options, small, dest)
    for path, sha, size in files:
        if size > MAX_FILE_BYTES:  # never whole in this process: git writes the file
            with (dest / path).open("wb") as fh:
                cmd.run(["git", *options, "cat-file", "blob", sha], output=fh)
    return [path for path, _, _ in files]


def _batch(cmd: GitCommand, options: Sequence[str], files: Sequence[tuple[str, str]],
           dest: Path) -> None:
    """Every blob of `files` from one `git cat-file --batch`: the ids are written from a
    thread while the answers are read, so neither pipe fills up and waits on the other."""
    with subprocess.Popen(["git", *options, "cat-file", "--batch"], cwd=cmd.working_dir,
                          env=dict(os.environ), stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        writer = threading.Thread(target=_ask, args=(proc.stdin, [sha for _, sha in files]),
                                  daemon=True)
        writer.start()
        try:
            base = os.fspath(dest)
            for path, sha in files:
                with open(os.path.join(base, path), "wb") as out:
                    out.write(_answer(proc.stdout, sha))
        except BaseException:
            proc.kill()  # git may be blocked on a full pipe, and the writer behind it
            raise
        finally:
            writer.join()
    if proc.returncode != 0:
        raise ReviewloopError(f"git cat-file --batch failed in {cmd.working_dir} "
                              f"(exit {proc.returncode})")


def _ask(stdin: IO[bytes], shas: Sequence[str]) -> None:
    try:
        stdin.write("".join(f"{sha}\n" for sha in shas).encode())
    except BrokenPipeError:  # git stopped early; the reader says why
        pass
    finally:
        stdin.close()


def _answer(stdout: IO[bytes], sha: str) -> bytes:
    """One object's content from `cat-file --batch` output (`<id> <type> <size>\\n`, the
    content, a newline)."""
    header = stdout.readline().split()
    if len(header) != 3 or header[0].decode() != sha:
        raise ReviewloopError(f"git cat-file --batch has no blob {sha}: "
                              f"{b' '.join(header).decode(errors='replace')}")
    data = stdout.read(int(header[2]) + 1)
    return data[:-1]
