"""trusted_config: a project's config file as a pull request's trusted side has it, read from
the base commit. The oracle is a plain tool on a checkout of that commit: it opens the file
by name, through any link that stays in the checkout.

Generated: each config name (at the root, in a folder, a non-ASCII folder) × what the base
commit holds there (a regular file, an executable one, nothing, a folder, a link to a
sibling, a link through a linked folder, a chain of links, a link out of the repository, a
link round in a loop). And the cost: the base commit is listed once for every name asked,
not asked about name by name (a `rev-parse` and an `ls-tree` each: 30 of the ~50 git
processes of an offline review of a branch)."""

from __future__ import annotations

import itertools
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.trusted_config import trusted_named, trusted_text
from reviewloop.git.diff import ChangeSet
from reviewloop.policy.trust import Trust
from tests.support.gitutil import git
from tests.support.repos import branch_repo

NAMES = ("ruff.toml", "api/v1/.hadolint.yaml", "café/.shellcheckrc")
SHAPES = ("regular", "executable", "missing", "folder", "sibling link", "linked folder",
          "link chain", "link out", "link loop")


def _shape(root: Path, name: str, shape: str) -> None:
    """What the base commit holds at `name`."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"# {name} as {shape}\nselect = 1\n"
    if shape in ("regular", "executable"):
        path.write_text(text)
        path.chmod(0o755 if shape == "executable" else 0o644)
    elif shape == "folder":
        (path / "inner.toml").parent.mkdir(parents=True)
        (path / "inner.toml").write_text(text)
    elif shape == "sibling link":
        (path.parent / "shared.cfg").write_text(text)
        path.symlink_to("shared.cfg")
    elif shape == "linked folder":
        (root / "configs").mkdir(exist_ok=True)
        (root / "configs" / path.name).write_text(text)
        (path.parent / "via").symlink_to(os.path.relpath(root / "configs", path.parent))
        path.symlink_to(f"via/{path.name}")
    elif shape == "link chain":
        (path.parent / "second").symlink_to("third")
        (path.parent / "third").write_text(text)
        path.symlink_to("second")
    elif shape == "link out":
        path.symlink_to(os.path.relpath("/etc/hostname", path.parent))
    elif shape == "link loop":
        path.symlink_to(path.name)


def _plain_read(checkout: Path, name: str) -> str | None:
    """The file as a plain tool on the checkout opens it (None: none it would read)."""
    full = os.path.realpath(checkout / name)
    if not Path(full).is_relative_to(checkout.resolve()) or not os.path.isfile(full):
        return None
    return Path(full).read_text()


def _pull_request(tmp: Path, shapes: dict[str, str]) -> tuple[AnalyzerContext, Path]:
    """A branch whose base commit holds each name as its shape (and whose head rewrites every
    one: the head's text must never be read); its context, and a checkout of the base."""
    root = branch_repo(tmp / "repo", {"README.md": "hello\n"})
    git(root, "switch", "-q", "main")
    for name, shape in shapes.items():
        _shape(root, name, shape)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "configs")
    base = git(root, "rev-parse", "HEAD").strip()
    checkout = tmp / "base"
    git(root, "worktree", "add", "-q", "--detach", str(checkout), base)
    git(root, "switch", "-q", "feature")
    git(root, "merge", "-q", "main")
    for name in shapes:
        if (root / name).is_symlink() or (root / name).is_file():
            (root / name).unlink()
            (root / name).write_text("# the head's own text: never trusted\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "head")
    trust = Trust(touched=frozenset(shapes), base=base)
    return AnalyzerContext(root=root, changes=ChangeSet(), diff_text="", agent="review-x",
                           trust=trust), checkout


CASES = list(itertools.product(SHAPES, repeat=2))[::4]  # a fixed spread of the pairs


@pytest.mark.parametrize(("first", "second"), CASES)
def test_the_base_commits_config_is_what_a_plain_tool_on_its_checkout_reads(
        tmp_path: Path, first: str, second: str) -> None:
    shapes = {NAMES[0]: first, NAMES[1]: second, NAMES[2]: first}
    ctx, checkout = _pull_request(tmp_path, shapes)
    for name in NAMES:
        assert trusted_text(ctx, name) == _plain_read(checkout, name), (name, shapes[name])
    on_disk = {str(p.relative_to(checkout)) for p in checkout.rglob("*")
               if p.name in {"ruff.toml", ".shellcheckrc"} and p.is_file()
               and not p.is_symlink() and ".git" not in p.parts}
    named = trusted_named(ctx, frozenset({"ruff.toml", ".shellcheckrc"}))
    assert named is not None and on_disk <= set(named)


def test_the_base_commit_is_listed_once_for_every_config_name_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = [f"{folder}{config}" for folder in ("", "api/", "web/src/")
             for config in ("ruff.toml", ".ruff.toml", "pyproject.toml", ".shellcheckrc")]
    ctx, _ = _pull_request(tmp_path, {"api/ruff.toml": "regular"})
    started: list[list[str]] = []

    class Counted(subprocess.Popen):  # type: ignore[type-arg]
        def __init__(self, args: Any, *rest: Any, **options: Any) -> None:
            started.append(list(args))
            super().__init__(args, *rest, **options)

    monkeypatch.setattr(subprocess, "Popen", Counted)
    texts = {name: trusted_text(ctx, name) for name in names}
    assert [name for name, text in texts.items() if text is not None] == ["api/ruff.toml"]
    # the repository found, its base listed, and the one file there read: nothing per name
    assert len(started) <= 3, [argv[-4:] for argv in started]
