"""A commit's tree with its symbolic links followed the way the file system follows them,
for the config files a tool reads by name: `ruff.toml -> config/ruff.toml`, a policies
folder linked from a shared one. A plain tool run on the checkout follows such a link; the
trusted side's config is read from the base commit, where a link is a blob holding its
target's name.

A link is followed only while it stays inside the repository (a target outside it is not
the commit's, and is not read); a loop, or more than `MAX_HOPS` links on one path, ends
the walk with no answer, as the kernel's ELOOP does.
"""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass, field

from reviewloop.git.names import shown
from reviewloop.git.repository import Repository

MAX_HOPS = 40  # Linux follows at most 40 links resolving one path
REGULAR = ("100644", "100755")
_LINK = "120000"


@dataclass
class LinkedTree:
    """Every entry of one commit (`git ls-tree -r`), each path as its text form."""

    repo: Repository
    rev: str
    entries: dict[str, tuple[str, str]]  # path: (mode, object id)
    _targets: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, repo: Repository, rev: str) -> LinkedTree:
        listing = repo.git("ls-tree", "-r", "-z", "--full-tree", rev)
        entries = {}
        for record in listing.split("\0"):
            if record:
                meta, _, name = record.partition("\t")
                mode, _, sha = meta.split()
                entries[shown(name)] = (mode, sha)
        return cls(repo, rev, entries)

    @functools.cached_property
    def has_links(self) -> bool:  # asked for each config file a review reads: listed once
        return any(mode == _LINK for mode, _ in self.entries.values())

    def resolve(self, path: str) -> str | None:
        """`path` with every link on it followed: the path of what it names in this commit,
        or None when a link leads out of the repository or round in a loop."""
        parts = [part for part in path.split("/") if part not in ("", ".")]
        done: list[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == "..":
                if not done:
                    return None
                done.pop()
                continue
            here = "/".join([*done, part])
            mode, sha = self.entries.get(here, ("", ""))
            if mode != _LINK:
                done.append(part)
                continue
            hops += 1
            target = self._target(here, sha)
            if hops > MAX_HOPS or target.startswith("/"):
                return None
            parts = [p for p in target.split("/") if p not in ("", ".")] + parts
        return "/".join(done)

    def leads_out(self, path: str) -> bool:
        """Whether `path` is a link this commit cannot follow: out of the repository, or
        round in a loop."""
        return self.entries.get(path, ("", ""))[0] == _LINK and self.resolve(path) is None

    def out_links(self) -> list[str]:
        """The links of this commit it cannot follow (`leads_out`)."""
        return [path for path in self.entries if self.leads_out(path)]

    def regular(self, path: str) -> str | None:
        """The object id of the regular file `path` names (through links), else None."""
        real = self.resolve(path)
        mode, sha = self.entries.get(real, ("", "")) if real is not None else ("", "")
        return sha if mode in REGULAR else None

    def files_under(self, folder: str, *, links: bool) -> list[str]:
        """The regular files under `folder` (through a linked folder, named under `folder`),
        and with `links` the links in it that name a regular file."""
        real = self.resolve(folder) if folder else ""
        if real is None:
            return []
        prefix = f"{real}/" if real else ""
        found = []
        for path, (mode, _) in self.entries.items():
            if not path.startswith(prefix):
                continue
            shown_path = posixpath.join(folder, path[len(prefix):]) if folder else path
            if mode in REGULAR or (links and mode == _LINK and self.regular(path)):
                found.append(shown_path)
        return sorted(found)

    def _target(self, path: str, sha: str) -> str:  # a link's target, as git holds it
        if path not in self._targets:
            self._targets[path] = shown(self.repo.git("cat-file", "blob", sha))
        return self._targets[path]
