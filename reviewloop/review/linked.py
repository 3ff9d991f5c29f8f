"""Symlinks in the reviewed tree followed to the file they end at, as the plain tools do.

`checkov -d .`, `bandit -r .`, `shellcheck` and the rest open a symlinked file through its
link, by the link's name: `k8s/pod.yaml -> ../templates/pod.txt` is a Kubernetes manifest to
checkov, however the text file is named, and `k8s/pod.yaml -> mid -> pod.txt` too. A change
that edits only `pod.txt` changes what they read as `k8s/pod.yaml`, though the link is not in
the diff. This module finds those links (one pass over the tree, following none of them on
the way); `review.matrix` says what each name makes the changed file.

A link to a folder gives every file under it a name of its own: with `.husky -> tools/hooks`
husky runs `tools/hooks/pre-commit` as `.husky/pre-commit`, a shell script by its folder
(`git.languages.SHELL_FOLDERS`), so an edit of the real file is named under the link's name.

Under `core.symlinks = false` (Git for Windows' default) a link is checked out as a small
text file holding its target, and the index keeps `120000` (`git.kept_modes`): every other
checkout of the commit, and the CI that runs the tools, has the link. Such a file is taken
for the link it is, followed by its text (through other such links), as a link an export
of a commit left out is (`left_out`); before, the working-tree review of a Windows checkout
named no dependent of a changed file a link leads to.
"""

from __future__ import annotations

import bisect
import os
import posixpath
import stat
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

from reviewloop.git.kept_modes import LINK, kept_modes

_GIT = ".git"
_LINK_TEXT = 4096  # bytes: a link's text is a path (PATH_MAX)
# folders the plain tools leave out by default (ruff's, checkov's, ESLint's excludes): a
# link under them is read by none, and a local checkout's virtualenv holds thousands of files
_SKIPPED = frozenset((_GIT, "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
                      ".mypy_cache", ".ruff_cache", ".pytest_cache"))


def linked_names(root: Path, changed: Collection[str], written: Collection[str],
                 left_out: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """For each changed regular file some symlink of the tree at `root` ends at (through any
    chain of links, all inside the tree), every such link, by the file's path, in path order:
    `{"t/pod.txt": ["k8s/pod.yaml", "t/mid"]}`; a file under a folder a link ends at by the
    name the link gives it (`{"tools/hooks/pre-commit": [".husky/pre-commit"]}`), the links
    an export of the tree left out (`left_out`: path → what it points at,
    `git.export_links`) and those a checkout has as text files (`_kept_links`) included.
    Links the change writes are left out
    (`review.matrix` judges those by their own diff)."""
    if not changed:
        return {}
    base = os.path.realpath(root)
    ordered = sorted(changed)
    found: dict[str, list[str]] = {}
    for link in sorted(_symlinks(str(root))):
        name = Path(os.path.relpath(link, root)).as_posix()
        if name in written:
            continue
        target = last_target(root, name)
        if target is None:
            continue
        if target in changed and _regular(os.path.join(base, target)):
            found.setdefault(target, []).append(name)
        elif os.path.isdir(os.path.join(base, target)):
            _through_folder(found, ordered, name, target)
    texts = {**_kept_links(root), **(left_out or {})}
    for name in texts:
        target = _text_target(texts, name)
        if name in written or target is None:
            continue
        if target in changed and _regular(os.path.join(base, target)):
            found.setdefault(target, []).append(name)
        elif os.path.isdir(os.path.join(base, target)):
            _through_folder(found, ordered, name, target)
    return {path: sorted(set(names)) for path, names in found.items()}


def _kept_links(root: Path) -> dict[str, str]:
    """Each link the checkout at `root` has as a text file (`core.symlinks = false`: its
    index says `120000`) → the target its text names."""
    texts = {}
    for name, mode in kept_modes(root).items():
        path = os.path.join(root, name)
        if mode != LINK or os.path.islink(path) or not _regular(path):
            continue
        try:
            with open(path, "rb") as handle:
                texts[name] = handle.read(_LINK_TEXT).decode("utf-8", "surrogateescape")
        except OSError:  # unreadable: no target to follow
            continue
    return texts


def _text_target(texts: Mapping[str, str], name: str) -> str | None:
    """Where the link `name` leads, its text and then any link's among `texts` it leads to
    followed, from the tree's top; None when it leaves the tree, is absolute, or loops."""
    seen = {name}
    while True:
        text = texts[name]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(name), text))
        if not text or text.startswith("/") or target == ".." or target.startswith("../") \
                or target.split("/", 1)[0] == _GIT:
            return None
        if target not in texts:
            return target
        if target in seen:
            return None
        seen.add(target)
        name = target


def _through_folder(found: dict[str, list[str]], ordered: list[str], link: str,
                    folder: str) -> None:
    """The names the link `link` to `folder` gives the changed files under it, into `found`
    (`.husky/pre-commit` for `tools/hooks/pre-commit`)."""
    for path in _under(ordered, folder):
        found.setdefault(path, []).append(f"{link}{path[len(folder):]}")


def _under(ordered: list[str], folder: str) -> list[str]:
    """The paths of the sorted `ordered` inside `folder`."""
    prefix = f"{folder}/"
    start = bisect.bisect_left(ordered, prefix)
    end = bisect.bisect_left(ordered, f"{folder}0")  # "0" sorts right after "/"
    return [p for p in ordered[start:end] if p.startswith(prefix)]


def last_target(root: Path, link: str) -> str | None:
    """The path, from `root`, of the file the link `link` ends at after every link on the way
    (None: it ends outside the tree, inside `.git`, or nowhere the tree has)."""
    base = os.path.realpath(root)
    try:
        real = os.path.realpath(os.path.join(root, link), strict=True)
    except (OSError, RuntimeError):  # dangling, a loop, unreadable: no file to follow to
        return None
    if not real.startswith(base + os.sep):
        return None
    target = Path(os.path.relpath(real, base)).as_posix()
    return None if target.split("/", 1)[0] == _GIT else target


def _symlinks(top: str) -> Iterator[str]:
    """Every symlink under `top`, not descending into a linked folder nor `_SKIPPED`."""
    folders = [top]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        yield entry.path
                    elif entry.name not in _SKIPPED and entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
        except OSError:  # a folder that cannot be listed holds no link the tools follow
            continue


def _regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
