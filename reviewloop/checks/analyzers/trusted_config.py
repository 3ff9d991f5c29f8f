"""A project's own tool config file as the trusted side has it, for the analyzers that add
the rules it enables (ruff, shellcheck, hadolint) to their own.

The trusted side is the user's own tree in a review of the user's own change (`Trust`
everything, or no `Trust` given), else the base (`trust.base`): a change's own edits to a
config file never narrow its own review (one that only switches checks on is taken:
`tightened_text`). With no base to read, a file the change touched is not read at all. In
a run on the change's base (`review.introduced`) the file is read where the head run read it
(`AnalyzerContext.reviewed`), so both runs enable the same rules.
"""

from __future__ import annotations

import functools
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.suppressions.tightening import tightening
from reviewloop.config import load_yaml
from reviewloop.git.names import on_disk, posix_parts, shown
from reviewloop.git.repository import open_repository
from reviewloop.git.tree_links import REGULAR, LinkedTree

MAX_BYTES = 1_000_000  # a config file larger than this is not read


def trusted_text(ctx: AnalyzerContext, path: str) -> str | None:
    """The text of the repository file `path` as the trusted side has it; None when that side
    has no such regular file (or it must not be read)."""
    trust, tree = ctx.trust, ctx.reviewed
    if trust is None or trust.trusted_all or trust.base is None:
        text = _tree_text(tree, path) if trust is None or trust.trusted_all or \
            trust.file(path) else None
        out = text is None and _tree_leads_out(tree, path)
    else:
        repository = str(Path(trust.checkout) if trust.checkout else tree)
        text = _at_base(repository, trust.base, path)
        linked = _base_tree(repository, trust.base) if text is None else None
        out = linked is not None and linked.leads_out(path)
    if out:
        for file in ctx.files:
            ctx.not_read(file, f"the project's {path} is a link out of the repository (or "
                         "round in a loop), which reviewloop does not follow: its settings "
                         "are not applied; fix: make it a file of the repository")
    return text


@functools.lru_cache(maxsize=64)
def _at_base(repository: str, base: str, path: str) -> str | None:
    """`path` in the commit `base`, which never changes: read once. A link is followed as a
    plain tool on the checkout follows it, while it stays in the repository."""
    tree = _listed(repository, base)
    mode, sha = tree.entries.get(path, ("", ""))
    if mode not in REGULAR:
        sha = (tree.regular(path) or "") if tree.has_links else ""
    return tree.repo.git("cat-file", "blob", sha, errors="replace") if sha else None


def _base_tree(repository: str, base: str) -> LinkedTree | None:
    """The commit's listing with its links, or None when it holds no link (the common case:
    the listing's own entries answer alone)."""
    tree = _listed(repository, base)
    return tree if tree.has_links else None


def _listed(repository: str, base: str) -> LinkedTree:
    """The commit's whole listing, asked of git once for every config file the analyzers
    read there (each file asked alone was a `rev-parse` and an `ls-tree` a name: 30 git
    processes of an offline review of a branch), once even when the analyzers of five
    reviewers ask at the same moment."""
    with _LISTING:
        return _listing(repository, base)


_LISTING = threading.Lock()


@functools.lru_cache(maxsize=4)
def _listing(repository: str, base: str) -> LinkedTree:
    return LinkedTree.of(open_repository(Path(repository)), base)


def tightened_text(ctx: AnalyzerContext, path: str,
                   tightens: Callable[[str, str, str], object] = tightening) -> str | None:
    """`trusted_text`, or the change's own version of the file when its edit only switches
    checks on (`tightening`, or the judge `tightens` of `path`, the change's text and the
    trusted one): an edit that can only add findings cannot narrow the review,
    and plain tools after the merge run those checks. Read in the reviewed tree, in the base
    run (`review.introduced`) too, so both runs enable the same checks."""
    trusted = trusted_text(ctx, path)
    if ctx.trust is None or ctx.trust.trusted_all or trusted is None:
        return trusted
    mine = _tree_text(ctx.reviewed, path)
    return mine if mine is not None and tightens(path, mine, trusted) else trusted


def reviewed_text(ctx: AnalyzerContext, path: str) -> str | None:
    """The change's own text of `path` (the reviewed tree's), for what plain tools after
    the merge will do with it: never a setting of the review."""
    return _tree_text(ctx.reviewed, path)


def trusted_yaml(ctx: AnalyzerContext, path: str, *,
                 tightened: bool = False) -> dict[str, Any] | None:
    """The top-level mapping of the YAML file `path` as the trusted side has it; None when
    there is no such file (one that does not parse, or is not a mapping, is there and adds
    nothing: it still settles which of a tool's config names is read). `tightened`: with
    the change's edit when it only tightens the file (`tightened_text`)."""
    text = (tightened_text if tightened else trusted_text)(ctx, path)
    if text is None:
        return None  # PyYAML is loaded only for a file there is
    from yaml import YAMLError  # loaded by `load_yaml`: here only for its error

    try:
        data = load_yaml(text)
    except YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def trusted_files(ctx: AnalyzerContext, folder: str, *, links: bool = False) -> list[str]:
    """The repository paths of the regular files under `folder` as the trusted side has
    them (`trusted_text` reads each): with no base to read, the ones the change touched are
    left out. A linked `folder` inside the repository is followed, its files named under
    `folder`; with `links`, so are the links in it that name a regular file."""
    trust, tree = ctx.trust, ctx.reviewed
    if trust is None or trust.trusted_all or trust.base is None:
        found = _tree_files(tree, folder, links)
        return found if trust is None or trust.trusted_all else \
            [path for path in found if trust.file(path)]
    repository = str(Path(trust.checkout) if trust.checkout else tree)
    linked = _base_tree(repository, trust.base)
    if linked is not None:
        return linked.files_under(folder, links=links)
    return list(_files_at_base(repository, trust.base, folder))


def trusted_named(ctx: AnalyzerContext, names: frozenset[str]) -> frozenset[str] | None:
    """The trusted side's repository paths whose file name is one of `names`, where one
    listing of the base commit answers for every folder (a pull request); None where each
    file is as cheap to ask for by itself (the tree)."""
    trust = ctx.trust
    if trust is None or trust.trusted_all or trust.base is None:
        return None
    repository = str(Path(trust.checkout) if trust.checkout else ctx.reviewed)
    linked = _base_tree(repository, trust.base)
    # a link that leads out is listed too: asking for it (`trusted_text`) names what it governs
    listed = [*linked.files_under("", links=True), *linked.out_links()] if linked is not None \
        else _files_at_base(repository, trust.base, "")
    return frozenset(path for path in listed if path.rpartition("/")[2] in names)


@functools.lru_cache(maxsize=16)
def _files_at_base(repository: str, base: str, folder: str) -> tuple[str, ...]:
    if not folder:  # the whole commit: its listing holds every file, in git's order
        return tuple(path for path, (mode, _) in _listed(repository, base).entries.items()
                     if mode in REGULAR)
    listing = _listed(repository, base).repo.git(
        "ls-tree", "-r", "-z", "--full-tree", base, "--", on_disk(folder) or ".")
    return tuple(shown(name) for record in listing.split("\0") if record
                 for meta, _, name in [record.partition("\t")]
                 if meta.split()[0] in ("100644", "100755"))


def _tree_files(root: Path, folder: str, links: bool) -> list[str]:
    """The regular files under `folder` of the tree (a linked `folder` inside the tree is
    followed, not a linked folder below it), with `links` the links to a regular file of the
    tree; each named under `folder`."""
    top = os.path.join(root, *posix_parts(on_disk(folder)))
    real = os.path.realpath(top)
    if not os.path.isdir(real) or not _inside(root, real):
        return []
    found = []
    for where, _, names in os.walk(real):  # os.walk does not follow a linked folder
        for name in names:
            full = os.path.join(where, name)
            if stat.S_ISREG(os.lstat(full).st_mode) or (links and _linked_file(root, full)):
                named = os.path.join(top, os.path.relpath(full, real))
                found.append(shown(os.path.relpath(named, root).replace(os.sep, "/")))
    return sorted(found)


def _tree_leads_out(root: Path, path: str) -> bool:
    full = os.path.join(root, *posix_parts(on_disk(path)))
    return os.path.islink(full) and (
        not _inside(root, real := os.path.realpath(full)) or not os.path.exists(real))


def _inside(root: Path, real: str) -> bool:
    return Path(real).is_relative_to(root.resolve())


def _linked_file(root: Path, full: str) -> bool:
    real = os.path.realpath(full)
    return os.path.islink(full) and os.path.isfile(real) and _inside(root, real)


def _tree_text(root: Path, path: str) -> str | None:
    """A regular file of the tree, None when there is none. A link is followed while it
    stays in the tree, as a plain tool on the checkout follows it."""
    full = os.path.realpath(os.path.join(root, *posix_parts(on_disk(path))))
    try:
        info = os.stat(full)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        if not _inside(root, full):
            return None  # a link on the way leads out of the tree
        with open(full, encoding="utf-8", errors="replace") as file:
            return file.read()
    except (OSError, ValueError):
        return None
