"""Reading a tree that is not checked out: the gitattributes git gives paths in it, which of
the paths it holds (as files or folders), and how one of its files starts.

The tree is a commit or a tree id (a pull request's base commit, a run's baseline
snapshot); None means the checkout itself, as plain git sees it. Attributes are asked of
git (`check-attr` against a throw-away index holding the tree), so nested `.gitattributes`
files, macros and precedence are git's own.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable

from reviewloop.git import argv
from reviewloop.git.failures import failed
from reviewloop.git.names import on_disk, shown
from reviewloop.git.repository import Repository

Attributes = dict[str, str]  # attribute → "set", "unset" or its value (unspecified: absent)


def attributes(repo: Repository, tree: str | None, paths: Iterable[str]
               ) -> dict[str, Attributes]:
    """The attributes git gives each of `paths` in `tree` (None: the checkout)."""
    wanted = sorted(set(paths))
    found: dict[str, Attributes] = {p: {} for p in wanted}
    if not wanted:
        return found
    # the paths on git's input, not its argv: a change's names can pass ARG_MAX (7,000 files
    # in a deep folder), which no command line holds
    given = b"".join(os.fsencode(on_disk(p)) + b"\0" for p in wanted)
    if tree is None:
        out = _check_attr(repo, given)
    else:
        with tempfile.TemporaryDirectory(prefix="reviewloop-attr-") as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index")}
            repo.git("read-tree", tree, env=env)
            out = _check_attr(repo, given, "--cached", env=env)
    fields = out.split("\0")
    for named, name, value in zip(fields[0::3], fields[1::3], fields[2::3], strict=False):
        if (path := shown(named)) in found:
            found[path][name] = value
    return found


def _check_attr(repo: Repository, given: bytes, *flags: str,
                env: dict[str, str] | None = None) -> str:
    status, out, err = repo.try_git("check-attr", *flags, "--stdin", "-z", "-a", env=env,
                                    given=given)
    if status != 0:
        raise failed("git check-attr", repo.root, status, err)
    return out


def present(repo: Repository, tree: str, paths: Iterable[str]) -> set[str]:
    """Which of `paths` are files in `tree`."""
    wanted = sorted(set(paths))
    if not wanted:
        return set()
    out = "".join(repo.git("ls-tree", "-r", "-z", "--name-only", tree, "--", *batch)
                  for batch in argv.batches([on_disk(p) for p in wanted]))
    return {shown(p) for p in out.split("\0") if p} & set(wanted)


def folders(repo: Repository, tree: str, paths: Iterable[str]) -> set[str]:
    """Which of `paths` (without a trailing slash) are folders in `tree`."""
    wanted = sorted(set(paths))
    if not wanted:
        return set()
    out = "".join(repo.git("ls-tree", "-z", tree, "--", *batch)
                  for batch in argv.batches([on_disk(p) for p in wanted]))
    return {shown(path) for meta, _, path in (r.partition("\t") for r in out.split("\0") if r)
            if meta.split()[1:2] == ["tree"]} & set(wanted)


def file_start(repo: Repository, tree: str, path: str, limit: int = 4096) -> str | None:
    """The first `limit` characters of `path` in `tree`, None when the tree has no such file."""
    status, out, _ = repo.try_git("cat-file", "blob", f"{tree}:{on_disk(path)}",
                                  errors="replace")
    return out[:limit] if status == 0 else None


def export(repo: Repository, tree: str, into: str) -> None:
    """Write the files of `tree` under the folder `into` through a throw-away index: the
    repository's checkout and index are untouched, and nothing of the tree runs."""
    with tempfile.TemporaryDirectory(prefix="reviewloop-export-") as folder:
        env = {"GIT_INDEX_FILE": os.path.join(folder, "index")}
        repo.git("read-tree", tree, env=env)
        repo.git("checkout-index", "--all", f"--prefix={into.rstrip('/')}/", env=env)
