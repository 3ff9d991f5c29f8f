"""Where a file or a line came from: a file as a commit (or tree) holds it, and the commit
that introduced a line (`git blame`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reviewloop.git.argv import batches
from reviewloop.git.names import on_disk
from reviewloop.git.repository import Repository

LINK = "120000"  # the mode of a symlink's entry
_NOT_COMMITTED = "0" * 40  # blame's id for a line of the working tree no commit holds yet
REGULAR = ("100644", "100755")  # the modes of a regular file's entry


def read_at(repo: Repository, rev: str, path: str) -> str | None:
    """The text of the regular file `path` in the commit or tree `rev`; None when it has no
    such file (a symlink or a submodule is not read either)."""
    status, out, _ = repo.try_git("ls-tree", "-z", rev, "--", on_disk(path))
    if status != 0 or not out:
        return None
    meta, _, name = out.rstrip("\0").partition("\t")
    mode, kind, sha = meta.split()
    if name != on_disk(path) or kind != "blob" or mode not in REGULAR:
        return None
    return repo.git("cat-file", "blob", sha, errors="replace")


def link_at(repo: Repository, rev: str, path: str) -> str | None:
    """The target of the symlink `path` in the commit or tree `rev`, as its entry says it
    (never followed); None when `path` is no symlink there."""
    status, out, _ = repo.try_git("ls-tree", "-z", rev, "--", on_disk(path))
    if status != 0 or not out:
        return None
    meta, _, name = out.rstrip("\0").partition("\t")
    mode, kind, sha = meta.split()
    if name != on_disk(path) or kind != "blob" or mode != LINK:
        return None
    return repo.git("cat-file", "blob", sha, errors="replace")


def links_at(repo: Repository, rev: str, paths: Sequence[str]) -> dict[str, str]:
    """`link_at` of each of `paths` that is a symlink in `rev` → its target, the entries
    listed by one `git ls-tree` a batch of names (each path alone was a git process, 200
    `package.json` files 400); a batch git refuses (a name it will not take) is asked a
    path at a time."""
    found: dict[str, str] = {}
    names = {on_disk(path): path for path in paths if "\0" not in path}
    for batch in batches(list(names), argv=str):
        status, out, _ = repo.try_git("ls-tree", "-z", rev, "--", *batch)
        if status != 0:
            found |= {names[n]: t for n in batch if (t := link_at(repo, rev, names[n]))}
            continue
        for record in out.split("\0"):
            meta, _, name = record.partition("\t")
            if name in names and meta.startswith(f"{LINK} blob "):
                found[names[name]] = repo.git("cat-file", "blob", meta.split()[2],
                                              errors="replace")
    return found


@dataclass(frozen=True)
class Origin:
    """The commit that wrote a line, and the line's path and number in that commit."""

    commit: str
    path: str
    line: int


def blame(repo: Repository, path: str, line: int, rev: str | None = None) -> Origin | None:
    """Who wrote line `line` of `path` as `rev` has it (None: as the working tree has it);
    None for a line no commit holds yet, or a path git cannot blame."""
    args = ["blame", "--porcelain", "-L", f"{line},{line}"]
    status, out, _ = repo.try_git(*args, *([rev] if rev else []), "--", path)
    if status != 0 or not out:
        return None
    header = out.split("\n", 1)[0].split()
    if len(header) < 3 or header[0] == _NOT_COMMITTED:
        return None
    named = next((row[len("filename "):] for row in out.split("\n")  # a name may hold U+2028
                  if row.startswith("filename ")), path)
    return Origin(commit=header[0], path=named, line=int(header[1]))
