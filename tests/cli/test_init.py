"""`reviewloop init` and `reviewloop install-hook` from the command line, in real repositories."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support import warm_cli
from tests.support.gitutil import git


def reviewloop(root: Path, *args: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return warm_cli.run(args, root, env={**base, **(env or {})}, timeout=180)


def test_init_in_an_empty_repository_then_review_works_offline(tmp_path: Path):
    root = tmp_path / "new"
    root.mkdir()
    git(root, "init", "-q")
    done = reviewloop(root, "init", "--pre-commit")
    assert done.returncode == 0, done.stderr
    assert "created  .reviewloop.toml" in done.stdout
    assert "created  .github/workflows/reviewloop-pr.yml" in done.stdout
    assert "created  .pre-commit-config.yaml" in done.stdout
    assert "pin reviewloop/reviewloop@v0" in done.stdout
    review = reviewloop(root, "review", "--format", "json")
    # the offline review of the three new files: the one thing to do is pin the action,
    # which the workflow carries no suppression for
    assert review.returncode == 1, review.stdout + review.stderr
    assert '"llm": false' in review.stdout
    report = json.loads(review.stdout)
    assert [(f["rule"], f["file"]) for f in report["findings"]["remaining"]] == [
        ("unpinned-uses", ".github/workflows/reviewloop-pr.yml")]
    workflow = root / ".github/workflows/reviewloop-pr.yml"
    workflow.write_text(workflow.read_text().replace(
        "reviewloop/reviewloop@v0", "reviewloop/reviewloop@" + "a" * 40 + "  # v0.9.0"))
    pinned = reviewloop(root, "review", "--format", "json")
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr


def test_a_second_init_changes_nothing_and_says_so(tmp_path: Path):
    git(tmp_path, "init", "-q")
    assert reviewloop(tmp_path, "init").returncode == 0
    files = {p: p.read_bytes() for p in tmp_path.rglob("*")
             if ".git" not in p.parts and p.is_file()}
    again = reviewloop(tmp_path, "init")
    assert again.returncode == 0
    assert "nothing to change: this project is already set up" in again.stdout
    assert files == {p: p.read_bytes() for p in tmp_path.rglob("*")
                     if ".git" not in p.parts and p.is_file()}


def test_init_outside_a_repository_is_an_input_error(tmp_path: Path):
    done = reviewloop(tmp_path, "init")
    assert done.returncode == 2
    assert "not a git repository" in done.stderr and "git init" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_install_hook_refuses_a_foreign_hook_with_the_fix(tmp_path: Path):
    git(tmp_path, "init", "-q")
    hook = tmp_path / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text("#!/bin/sh\nexit 0\n")
    refused = reviewloop(tmp_path, "install-hook")
    assert refused.returncode == 2
    assert "reviewloop install-hook --force" in refused.stderr
    forced = reviewloop(tmp_path, "install-hook", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "installed .git/hooks/pre-commit" in forced.stdout
    assert "pre-commit.reviewloop-backup" in forced.stdout
    removed = reviewloop(tmp_path, "install-hook", "--uninstall")
    assert removed.returncode == 0 and hook.read_text() == "#!/bin/sh\nexit 0\n"


@pytest.mark.parametrize("uninstall", [False, True], ids=["install", "uninstall"])
def test_a_global_hooks_folder_is_written_only_with_shared(tmp_path: Path, uninstall: bool):
    """A global core.hooksPath is every repository's hooks folder: install-hook (or its
    --uninstall from another repository) there is refused without --shared, which then says
    every repository runs it (r17 fz2 D11)."""
    shared = tmp_path / "global-hooks"
    config = tmp_path / "global-gitconfig"
    config.write_text(f"[core]\n\thooksPath = {shared}\n")
    env = {"GIT_CONFIG_GLOBAL": str(config)}
    first, other = tmp_path / "a", tmp_path / "b"
    for root in (first, other):
        root.mkdir()
        git(root, "init", "-q")
    if uninstall:
        assert reviewloop(first, "install-hook", "--shared", env=env).returncode == 0
    args = ("install-hook", "--uninstall") if uninstall else ("install-hook",)
    refused = reviewloop(other, *args, env=env)
    assert refused.returncode == 2
    said = " ".join(refused.stderr.split())
    assert f"git's hooks folder here is {shared}, from your global git config" in said
    assert "--shared" in said and "git config core.hooksPath .git/hooks" in said
    assert (shared / "pre-commit").is_file() == uninstall  # untouched either way
    done = reviewloop(other, *args, "--shared", env=env)
    assert done.returncode == 0, done.stderr
    assert (shared / "pre-commit").is_file() != uninstall
    if not uninstall:
        assert f"{shared} is your global hooks folder: commits of every repository using it " \
            "now run the review" in " ".join(done.stdout.split())
    git(other, "config", "core.hooksPath", ".git/hooks")  # a folder of its own: no question
    local = reviewloop(other, "install-hook", env=env)
    assert local.returncode == 0, local.stderr
    assert (other / ".git/hooks/pre-commit").is_file()


def _tree(root: Path) -> dict[str, str]:
    """Every path under `root` (outside .git) with what it is: what init must not change."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        found[rel] = ("link:" + os.readlink(path) if path.is_symlink() else
                      "dir" if path.is_dir() else path.read_bytes().hex())
    return found


# What can stand where init writes: (path that is in the way, how it is made)
_OBSTACLES = {
    "dangling link": lambda p: p.symlink_to("../shared/missing.toml"),
    "folder": lambda p: p.mkdir(),
}
_FILES = (".reviewloop.toml", ".github/workflows/reviewloop-pr.yml", ".pre-commit-config.yaml")


def _in_the_way():
    """Each file init writes x each obstacle at it, and a file where each of its folders
    goes."""
    for target, kind in itertools.product(_FILES, sorted(_OBSTACLES)):
        yield target, target, kind
    yield _FILES[1], ".github", "file"
    yield _FILES[1], ".github/workflows", "file"


@pytest.mark.parametrize(("target", "where", "kind"), list(_in_the_way()))
def test_init_with_something_in_the_way_is_an_input_error_and_writes_nothing(
        tmp_path: Path, target: str, where: str, kind: str):
    """Before: a traceback (exit 3), after .reviewloop.toml was already written when the
    workflow's folder was a file. Now exit 2 naming the path, nothing written."""
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q")
    spot = root / where
    spot.parent.mkdir(parents=True, exist_ok=True)
    if kind == "file":
        spot.write_text("keep me\n")
    else:
        _OBSTACLES[kind](spot)
    before = _tree(root)
    done = reviewloop(root, "init", "--pre-commit")
    assert done.returncode == 2, done.stdout + done.stderr
    assert str(spot) in done.stderr and "nothing written" in done.stderr
    assert "Traceback" not in done.stderr
    assert _tree(root) == before


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "cp1252", "shift_jis"])
def test_init_with_a_pre_commit_config_not_in_utf8_is_an_input_error(tmp_path: Path,
                                                                     encoding: str):
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q")
    (root / ".pre-commit-config.yaml").write_bytes(
        "# café ─ テスト\nrepos:\n  - repo: local\n    hooks: []\n".encode(encoding, "replace"))
    before = _tree(root)
    done = reviewloop(root, "init", "--pre-commit")
    assert done.returncode == 2, done.stdout + done.stderr
    assert ".pre-commit-config.yaml" in done.stderr and "UTF-8" in done.stderr
    assert _tree(root) == before


def test_init_honours_the_global_config_and_force_keeps_the_replaced_workflow(
        tmp_path: Path):
    git(tmp_path, "init", "-q")
    done = reviewloop(tmp_path, "--config", "ci/reviewloop.toml", "init")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / ".reviewloop.toml").exists()
    assert (tmp_path / "ci/reviewloop.toml").read_text().startswith("# reviewloop settings")
    assert "created  ci/reviewloop.toml" in done.stdout
    again = reviewloop(tmp_path, "--config", "ci/reviewloop.toml", "init")
    assert "unchanged  ci/reviewloop.toml" in again.stdout, again.stdout
    workflow = tmp_path / ".github/workflows/reviewloop-pr.yml"
    workflow.write_text("name: mine\n")
    forced = reviewloop(tmp_path, "init", "--force")
    assert forced.returncode == 0, forced.stderr
    backup = workflow.with_name("reviewloop-pr.yml.reviewloop-backup")
    assert backup.read_text() == "name: mine\n"
    assert "kept as .github/workflows/reviewloop-pr.yml.reviewloop-backup" in " ".join(
        forced.stdout.split())


@pytest.mark.parametrize(("given", "written"), [
    ("my.toml", "sub/my.toml"), ("../my.toml", "my.toml"),
    ("../ci/../conf/x.toml", "conf/x.toml"), ("./../sub/./y.toml", "sub/y.toml"),
    ("{outside}/z.toml", "{outside}/z.toml"),
    ("../.reviewloop.toml", ".reviewloop.toml"),
    ("./../sub/../.reviewloop.toml", ".reviewloop.toml")])
def test_init_from_a_subfolder_names_the_config_as_typed_from_there(
        tmp_path: Path, given: str, written: str):
    """The `--config` init tells the user to pass is the path from where they are (or
    absolute), normalised: `sub/my.toml` from `sub` named `sub/sub/my.toml`, and
    `sub/../my.toml` was printed as it came. The default file named by `--config` is read by
    every command: no "read only when given --config" for it, and no `--config` in the hint."""
    root, outside = tmp_path / "repo", tmp_path / "elsewhere"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    git(root, "init", "-q")
    given, written = (p.replace("{outside}", str(outside)) for p in (given, written))
    done = reviewloop(root / "sub", "--config", given, "init", "--no-workflow")
    assert done.returncode == 0, done.stderr
    target = root / written
    assert target.read_text().startswith("# reviewloop settings")
    said = " ".join(done.stdout.split())
    if target == root / ".reviewloop.toml":
        assert "read only when" not in said and "--config" not in said, said
        assert "next: `reviewloop review`" in said
        return
    shown = os.path.normpath(given)
    assert (root / "sub" / shown).resolve() == target.resolve()
    assert f"read only when a command is given `--config {shown}`" in said, said
    assert f"next: `reviewloop --config {shown} review`" in said, said
    agents = reviewloop(root / "sub", "--config", shown, "agents")
    assert agents.returncode == 0, agents.stderr


@pytest.mark.parametrize("given", ["link/../y.toml", "./link/../y.toml", "link/inner/../../y.toml"])
def test_init_config_through_a_symlinked_folder_writes_the_file_later_commands_read(
        tmp_path: Path, given: str):
    """`..` after a symlinked folder is that folder's real parent, as the OS opens the path
    later (`agents --config …`): init writes there, not where the text's `..` points (r16
    rev D9), and its hint keeps the spelling that names that file."""
    root, real = tmp_path / "repo", tmp_path / "elsewhere" / "inner"
    (root / "sub").mkdir(parents=True)
    (real / "inner").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "sub" / "link").symlink_to(real, target_is_directory=True)
    done = reviewloop(root / "sub", "--config", given, "init", "--no-workflow")
    assert done.returncode == 0, done.stderr
    opened = Path(os.path.realpath(root / "sub" / given))
    assert opened.read_text().startswith("# reviewloop settings")
    assert not (root / "sub" / "y.toml").exists()
    said = " ".join(done.stdout.split())
    hint = said.partition("next: `reviewloop --config ")[2].partition(" review`")[0]
    assert Path(os.path.realpath(root / "sub" / hint)) == opened, said
    for path in {given, hint}:
        agents = reviewloop(root / "sub", "--config", path, "agents")
        assert agents.returncode == 0, agents.stderr


@pytest.mark.parametrize("left", [(), ("h",), ("pre-commit",), ("h", "pre-commit")])
def test_install_hook_warns_when_huskys_dispatcher_is_gone(tmp_path: Path,
                                                           left: tuple[str, ...]):
    """`git clean -fdX` removes husky's `.husky/_` (it ignores itself): git, pointed there,
    runs no hook until husky writes it again, and install-hook says so instead of "commits
    now run the review"."""
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "core.hooksPath", ".husky/_")
    (tmp_path / ".husky" / "_").mkdir(parents=True)
    for name in left:
        (tmp_path / ".husky" / "_" / name).write_text('#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n')
    done = reviewloop(tmp_path, "install-hook")
    assert done.returncode == 0, done.stderr
    assert "installed .husky/pre-commit" in done.stdout
    complete = len(left) == 2
    assert ("commits now run" in done.stdout) is complete, done.stdout
    assert ("no commit runs a hook until husky writes them again" in
            " ".join(done.stdout.split())) is not complete, done.stdout
