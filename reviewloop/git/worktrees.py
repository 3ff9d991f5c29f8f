"""Run worktrees: every run in its own `git worktree` and branch.

A run starts from the user's HEAD in `.reviewloop/worktrees/<run>` on its own branch (with
the user's uncommitted files when it carries them); how its commit then lands in the user's
checkout is the landing engine's (`landing.engine`).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict

from reviewloop.errors import UserInputError
from reviewloop.git.command import locate
from reviewloop.git.entries import write_entry
from reviewloop.git.names import shown
from reviewloop.git.repository import NO_TREE_CODE, Repository, open_repository

WORKTREES = ".reviewloop/worktrees"

# A run's change is what the repository's own ignore rules let through (its .gitignore files
# and .git/info/exclude), the same for every user: the user's global excludes file (a
# personal `helpers.py` or `notes/`) would otherwise leave a file the implementer wrote, and
# a committed module imports, out of the review and the commit.
_REPOSITORY_IGNORES = ("-c", f"core.excludesFile={os.devnull}")


class RunRepository(Repository):
    """A run's working tree: every git call reads only the repository's ignore rules."""

    def try_git(self, *args: str, **kwargs: Any) -> tuple[int, str, str]:
        return super().try_git(*_REPOSITORY_IGNORES, *args, **kwargs)


def open_run_repository(path: str | os.PathLike[str]) -> RunRepository:
    """The run worktree (or checkout a run works in) holding `path` (`RunRepository`)."""
    return RunRepository(*locate(path, NO_TREE_CODE))


class RunTree(BaseModel):
    """Where one run works: its worktree folder, its branch and what it started from."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built at first use (#41)

    path: str
    branch: str
    base: str  # the user's HEAD when the run started
    target: str | None  # the user's branch the commit lands in; None on a detached HEAD
    carried: tuple[str, ...] = ()  # the user's uncommitted paths copied in (manual runs)
    carried_tree: str | None = None  # ... and the user's working tree they came from

    @property
    def started_in(self) -> Path:
        """The checkout the worktree was made in (`<checkout>/.reviewloop/worktrees/<run>`),
        perhaps another clone's or another machine's."""
        return Path(self.path).parents[2]


def branch_name(template: str, task_id: str, spec: str | None = None) -> str:
    """The run's branch: `{task}` the task id, `{spec}` the spec's name (`spec_name`); an
    empty `{spec}` takes one separator after it along (`reviewloop/{spec}/{task}` for a
    spec at the repository's root is `reviewloop/1`)."""
    name = _slug(spec_name(spec), keep="_").strip("_")
    if not name:
        template = re.sub(r"\{spec\}[/._-]?", "", template)
    return template.replace("{spec}", name).replace("{task}", _slug(task_id) or "task")


def spec_name(spec: str | None) -> str:
    """What tells a spec's tasks from another spec's: a Kiro spec's or Spec Kit feature's
    folder (`.kiro/specs/alpha/tasks.md` → `alpha`, `specs/001-auth/tasks.md` →
    `001-auth`), a one-document spec's name (`docs/auth-spec.md` → `auth`); "" for a spec
    file at the repository's root (or none), the one spec a repository has there."""
    if not spec:
        return ""
    path = PurePosixPath(spec)
    if len(path.parts) < 2:
        return ""
    if path.name == "tasks.md":
        return path.parent.name
    return path.stem.removesuffix("-spec") or path.stem


def _slug(text: str, keep: str = "._") -> str:
    return "-".join(p for p in "".join(c if c.isalnum() or c in keep else "-"
                                       for c in text).split("-") if p)


def create(checkout: Repository, run_id: str, branch: str, *, carry: bool) -> RunTree:
    """A new worktree at the user's HEAD on a new branch (`branch`, or `branch-2`, … when
    taken); with `carry`, the user's uncommitted files (staged, unstaged, untracked) too."""
    base = checkout.head_sha()
    if base is None:
        raise UserInputError("the repository has no commit yet", where=str(checkout.root),
                             fix="commit once (git commit --allow-empty -m start), then run "
                                 "again: each run starts from a commit")
    name = free_branch(checkout, branch)
    path = checkout.root / WORKTREES / run_id
    path.parent.mkdir(parents=True, exist_ok=True)
    checkout.git("worktree", "add", "--quiet", "-b", name, str(path), base)
    carried: list[str] = []
    mine = checkout.worktree_tree() if carry else None
    if mine:
        carried = restore(open_repository(path), mine)
    return RunTree(path=str(path), branch=name, base=base, target=checkout.current_branch(),
                   carried=tuple(map(shown, carried)), carried_tree=mine if carried else None)


def free_branch(checkout: Repository, wanted: str) -> str:
    """`wanted`, or `wanted-2`, … when taken. A branch is taken when git could not create
    it: a branch of that name, one below it (`reviewloop/1/old` takes `reviewloop/1`) or
    one above it (`reviewloop` takes every `reviewloop/…`, git keeps refs as files). When a
    branch above blocks the whole namespace, the name's `/` become `-` (`reviewloop-1`)."""
    if checkout.try_git("check-ref-format", "--branch", wanted)[0] != 0:
        raise UserInputError(f"not a valid branch name: {wanted!r}", where="run.branch",
                             fix='use letters, digits, "-", "_", "/" and {task}')
    # "\n" ends git's lines, nothing else: a branch name may hold U+2028 or U+0085
    taken = set(filter(None, checkout.git("for-each-ref", "--format=%(refname:lstrip=2)",
                                          "refs/heads/").split("\n")))
    if any(_above(branch, wanted) for branch in taken):
        wanted = wanted.replace("/", "-")
    for n in range(1, 1000):
        name = wanted if n == 1 else f"{wanted}-{n}"
        if not any(b == name or _above(b, name) or _above(name, b) for b in taken):
            return name
    raise UserInputError(f"too many branches named {wanted}-N", fix="reviewloop clean")


def _above(branch: str, name: str) -> bool:
    """Whether `branch` is a folder of `name` in git's ref namespace (`a` of `a/b`)."""
    return name.startswith(f"{branch}/")


def remove(checkout: Repository, tree: RunTree, *, branch: bool) -> None:
    """Remove the run's worktree (and its branch when `branch`); already gone is fine."""
    if Path(tree.path).exists():
        status, _, _ = checkout.try_git("worktree", "remove", "--force", tree.path)
        if status != 0:
            shutil.rmtree(tree.path, ignore_errors=True)
    if not Path(tree.path).exists():  # git's record of a folder gone (git drops its own)
        forget(checkout, Path(tree.path))
    if branch:
        checkout.try_git("branch", "-D", tree.branch)


def forget(checkout: Repository, path: Path) -> None:
    """Drop the clone's record of a worktree at `path` whose folder is gone — that one
    only (`git worktree prune` would drop every missing one: a worktree on a disk not
    mounted now, or one moved with its checkout and not yet repaired, would lose its index
    and HEAD)."""
    if path.exists():
        return
    common = Path(checkout.git("rev-parse", "--git-common-dir").strip())
    admin = (checkout.root / common if not common.is_absolute() else common) / "worktrees"
    for record in admin.glob("*/gitdir") if admin.is_dir() else ():
        named = Path(record.read_text(encoding="utf-8", errors="replace").strip())
        if os.path.realpath(named.parent) == os.path.realpath(path):
            shutil.rmtree(record.parent, ignore_errors=True)


def listed(checkout: Repository) -> dict[str, str | None]:
    """Run worktrees git knows of: {path: branch or None}."""
    found: dict[str, str | None] = {}
    path = None
    for line in checkout.git("worktree", "list", "--porcelain").split("\n"):  # paths: "\n" only
        if line.startswith("worktree "):
            path = line.removeprefix("worktree ")
            if f"/{WORKTREES}/" in path.replace(os.sep, "/"):
                found[path] = None
        elif line.startswith("branch ") and path in found:
            found[path] = line.removeprefix("branch refs/heads/")
    return found


def restore(repo: Repository, tree: str) -> list[str]:
    """Make the working tree's non-ignored files equal tree object `tree`; the paths changed."""
    changes = repo.tree_changes(repo.worktree_tree(), tree)
    for path, change in sorted(changes.items()):
        entry = None if change.status == "deleted" else (change.mode or "", change.blob or "")
        write_entry(repo, path, entry)
    return sorted(changes)
