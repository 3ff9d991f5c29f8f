"""The regular files of one commit (or tree) as `provenance.read_at` reads them, for the steps
that read many: the files a step expects to ask for (`want`) come from one `git ls-tree` and
one `git cat-file --batch` the first time one of them is asked, and a file asked again is
answered from memory. Each file read alone was two git processes, and a JavaScript change's
files were read three times (the globals and the rule comments ESLint is handed, the
suppression markers): 600 processes for 100 files.

The answers are `read_at`'s: a name git refuses (outside the repository, a NUL in it; found
by halving the names it was refused with), a blob git cannot give, or a file past the memory
`BUDGET` is left to `read_at` itself; a commit git does not know has no files.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from reviewloop.git.argv import batches
from reviewloop.git.names import on_disk
from reviewloop.git.provenance import REGULAR, read_at
from reviewloop.git.repository import Repository

BUDGET = 64 << 20  # bytes of text one reader keeps
_NAMES = 96 << 10  # bytes of names on one `ls-tree` command line (Linux: 128 KiB an argument)


class CommitFiles:
    """The files of commit (or tree) `rev` of `repo`, each asked of git once."""

    def __init__(self, repo: Repository, rev: str):
        self.repo = repo
        self.rev = rev
        self._known: dict[str, str | None] = {}  # path -> its text, None: no regular file
        self._wanted: dict[str, None] = {}  # paths to read with the next one asked, in order
        self._kept = 0
        self._rev_known: bool | None = None  # `_known_rev`
        self._lock = threading.Lock()  # the analyzers ask from several threads

    def want(self, paths: Iterable[str]) -> None:
        """`paths` will likely be asked: the first of them asked reads them all at once."""
        with self._lock:
            self._wanted.update((p, None) for p in paths if p not in self._known)

    def read(self, path: str) -> str | None:
        """`read_at(repo, rev, path)`."""
        with self._lock:
            if path in self._known:
                return self._known[path]
            wanted = [*self._wanted, *(() if path in self._wanted else (path,))]
            self._wanted.clear()
        if len(wanted) > 1:
            self._read_together(wanted)
            with self._lock:
                if path in self._known:
                    return self._known[path]
        text = read_at(self.repo, self.rev, path)
        self._keep(path, text)
        return text

    def read_all(self, paths: Iterable[str]) -> dict[str, str | None]:
        """Each of `paths` → `read`'s answer, the unknown ones read together."""
        asked = list(dict.fromkeys(paths))
        self.want(asked)
        return {path: self.read(path) for path in asked}

    def _read_together(self, paths: list[str]) -> None:
        """Keep what one `ls-tree` a chunk of names and one `cat-file --batch` say of
        `paths`; a path they cannot answer as `read_at` would stays unknown."""
        blobs: dict[str, tuple[str, int]] = {}  # path -> (blob id, size)
        pending = list(batches([p for p in paths if "\0" not in p], _NAMES, on_disk))
        while pending:
            chunk = pending.pop()
            listed = self._listed(chunk)
            if listed is None:  # git refused the commit, or a name of the chunk
                if not self._known_rev():
                    for path in chunk:  # `read_at`: nothing of a commit git does not know
                        self._keep(path, None)
                elif len(chunk) > 1:  # halved until the refused name is alone: left to
                    pending += [chunk[:len(chunk) // 2], chunk[len(chunk) // 2:]]  # read_at
                continue
            for path in chunk:
                entry = listed.get(on_disk(path))
                if entry is None:
                    self._keep(path, None)
                else:
                    blobs[path] = entry
        room, ids = BUDGET - self._kept, {}
        for sha, size in blobs.values():
            if sha not in ids and size <= room:
                ids[sha] = size
                room -= size
        contents = self._contents(list(ids))
        for path, (sha, _) in blobs.items():
            if sha in contents:
                self._keep(path, contents[sha].decode("utf-8", "replace"))

    def _known_rev(self) -> bool:
        """Whether `rev` names a tree git has (asked once)."""
        if self._rev_known is None:
            self._rev_known = self.repo.try_git("rev-parse", "--verify", "--quiet",
                                                f"{self.rev}^{{tree}}")[0] == 0
        return self._rev_known

    def _listed(self, chunk: list[str]) -> dict[str, tuple[str, int] | None] | None:
        """Each name `ls-tree` lists for `chunk` → its blob and size when it is a regular
        file; None when git refuses the command."""
        status, out, _ = self.repo.try_git("ls-tree", "-z", "-l", self.rev, "--",
                                           *map(on_disk, chunk))
        if status != 0:
            return None
        found: dict[str, tuple[str, int] | None] = {}
        for record in out.split("\0"):
            meta, _, name = record.partition("\t")
            if not name:
                continue
            mode, kind, sha, size = meta.split()  # a submodule's size is "-"
            found[name] = (sha, int(size)) if kind == "blob" and mode in REGULAR else None
        return found

    def _contents(self, ids: list[str]) -> dict[str, bytes]:
        """Each of the blobs `ids` git has → its bytes, from one `cat-file --batch`."""
        if not ids:
            return {}
        status, out, _ = self.repo.try_git("cat-file", "--batch",
                                           given="".join(f"{sha}\n" for sha in ids).encode())
        if status != 0:
            return {}
        data, at, found = out.encode("utf-8", "surrogateescape"), 0, {}
        for sha in ids:
            end = data.index(b"\n", at)
            header = data[at:end].split()
            at = end + 1
            if len(header) != 3 or header[0].decode() != sha or header[1] != b"blob":
                continue  # missing: `read_at` asks alone, and fails as it does
            size = int(header[2])
            found[sha] = data[at:at + size]
            at += size + 1
        return found

    def _keep(self, path: str, text: str | None) -> None:
        with self._lock:
            if path in self._known:
                return
            size = len(text) if text is not None else 0
            if self._kept + size <= BUDGET:
                self._known[path] = text
                self._kept += size
