"""A project's own tool config file as the trusted side has it, for the analyzers that add
the rules it enables (ruff, shellcheck, hadolint) to their own.

The trusted side is the user's own tree in a review of the user's own change (`Trust`
everything, or no `Trust` given), else the base (`trust.base`): a change's own edits to a
config file never widen or narrow its own review. With no base to read, a file the change
touched is not read at all. In a run on the change's base (`review.introduced`) the file is
read where the head run read it (`AnalyzerContext.reviewed`), so both runs enable the same
rules.
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.config import load_yaml
from reviewloop.git.names import on_disk, posix_parts, shown
from reviewloop.git.provenance import read_at
from reviewloop.git.repository import open_repository

MAX_BYTES = 1_000_000  # a config file larger than this is not read


def trusted_text(ctx: AnalyzerContext, path: str) -> str | None:
    """The text of the repository file `path` as the trusted side has it; None when that side
    has no such regular file (or it must not be read)."""
    trust, tree = ctx.trust, ctx.reviewed
    if trust is None or trust.trusted_all:
        return _tree_text(tree, path)
    if trust.base is None:
        return _tree_text(tree, path) if trust.file(path) else None
    return _at_base(str(Path(trust.checkout) if trust.checkout else tree), trust.base, path)


@functools.lru_cache(maxsize=64)
def _at_base(repository: str, base: str, path: str) -> str | None:
    """`path` in the commit `base`, which never changes: read once."""
    return read_at(open_repository(Path(repository)), base, path)


def trusted_yaml(ctx: AnalyzerContext, path: str) -> dict[str, Any] | None:
    """The top-level mapping of the YAML file `path` as the trusted side has it; None when
    there is no such file (one that does not parse, or is not a mapping, is there and adds
    nothing: it still settles which of a tool's config names is read)."""
    text = trusted_text(ctx, path)
    if text is None:
        return None  # PyYAML is loaded only for a file there is
    from yaml import YAMLError  # loaded by `load_yaml`: here only for its error

    try:
        data = load_yaml(text)
    except YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def trusted_files(ctx: AnalyzerContext, folder: str) -> list[str]:
    """The repository paths of the regular files under `folder` as the trusted side has
    them (`trusted_text` reads each): with no base to read, the ones the change touched are
    left out."""
    trust, tree = ctx.trust, ctx.reviewed
    if trust is None or trust.trusted_all or trust.base is None:
        found = _tree_files(tree, folder)
        return found if trust is None or trust.trusted_all else \
            [path for path in found if trust.file(path)]
    return list(_files_at_base(str(Path(trust.checkout) if trust.checkout else tree),
                               trust.base, folder))


def trusted_named(ctx: AnalyzerContext, names: frozenset[str]) -> frozenset[str] | None:
    """The trusted side's repository paths whose file name is one of `names`, where one
    listing of the base commit answers for every folder (a pull request); None where each
    file is as cheap to ask for by itself (the tree)."""
    trust = ctx.trust
    if trust is None or trust.trusted_all or trust.base is None:
        return None
    listed = _files_at_base(str(Path(trust.checkout) if trust.checkout else ctx.reviewed),
                            trust.base, "")
    return frozenset(path for path in listed if path.rpartition("/")[2] in names)


@functools.lru_cache(maxsize=16)
def _files_at_base(repository: str, base: str, folder: str) -> tuple[str, ...]:
    listing = open_repository(Path(repository)).git(
        "ls-tree", "-r", "-z", "--full-tree", base, "--", on_disk(folder) or ".")
    return tuple(shown(name) for record in listing.split("\0") if record
                 for meta, _, name in [record.partition("\t")]
                 if meta.split()[0] in ("100644", "100755"))


def _tree_files(root: Path, folder: str) -> list[str]:
    """The regular files under `folder` of the tree, not through a link."""
    top = os.path.join(root, *posix_parts(on_disk(folder)))
    if not os.path.isdir(top) or os.path.islink(top) or \
            not Path(top).resolve().is_relative_to(root.resolve()):
        return []
    found = []
    for where, _, names in os.walk(top):  # os.walk does not follow a linked folder
        for name in names:
            full = os.path.join(where, name)
            if stat.S_ISREG(os.lstat(full).st_mode):
                found.append(shown(os.path.relpath(full, root).replace(os.sep, "/")))
    return sorted(found)


def _tree_text(root: Path, path: str) -> str | None:
    """A regular file of the tree (a symlink is not followed), None when there is none."""
    full = os.path.join(root, *posix_parts(on_disk(path)))
    try:
        info = os.lstat(full)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        if not Path(os.path.dirname(full)).resolve().is_relative_to(root.resolve()):
            return None  # a folder on the way leads out of the tree
        with open(full, encoding="utf-8", errors="replace") as file:
            return file.read()
    except (OSError, ValueError):
        return None
