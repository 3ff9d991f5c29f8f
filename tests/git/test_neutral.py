"""The user's git configuration and environment change nothing reviewloop reads
(reviewloop.git.neutral): a generator of settings users do set — in a global config
(GIT_CONFIG_GLOBAL in a HOME built here) and in the repository's .git/config — and of the
environment variables that bend pathspecs and diffs; under each, the change's diff, its
files (a submodule's move among them), the working-tree snapshot, the secret history scan,
blame, the commit messages read back and the author of a commit reviewloop writes are those
of a clean configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.history import branch_history
from reviewloop.errors import UserInputError
from reviewloop.git import history, neutral
from reviewloop.git.diff import parse_diff
from reviewloop.git.repository import open_repository
from tests.support.environment import IDENTITY
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo, write_files

TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # GitHub-token-shaped, not a token
OLD, NEW = "1" * 40, "2" * 40  # the submodule's commits: a gitlink needs no object
# Settings users set for their own reading of git's output, each with the value that would
# change what a reviewloop read sees if it were not pinned.
SETTINGS: dict[str, list[str]] = {
    "color.ui": ["always"], "color.diff": ["always"], "color.grep": ["always"],
    "log.showSignature": ["true"], "log.date": ["relative", "unix", "human"],
    "log.follow": ["true"], "log.decorate": ["full"], "format.pretty": ["oneline"],
    "i18n.logOutputEncoding": ["ISO-8859-1"],
    "grep.lineNumber": ["true"], "grep.column": ["true"], "grep.fullName": ["true"],
    "grep.patternType": ["perl", "extended"], "submodule.recurse": ["true"],
    "diff.ignoreSubmodules": ["all", "dirty"], "diff.submodule": ["log", "diff"],
    "diff.noprefix": ["true"], "diff.mnemonicPrefix": ["true"], "diff.relative": ["true"],
    "diff.context": ["0", "10"], "diff.interHunkContext": ["20"],
    "diff.algorithm": ["patience", "histogram"], "diff.external": ["/bin/false"],
    "diff.renames": ["copies", "false"], "diff.suppressBlankEmpty": ["true"],
    "blame.markUnblamableLines": ["true"], "blame.markIgnoredLines": ["true"],
    "blame.ignoreRevsFile": ["{ignored}"], "core.safecrlf": ["true"],
    "core.quotePath": ["false"], "status.showUntrackedFiles": ["no"],
}
ENVIRONMENT = {"GIT_GLOB_PATHSPECS": "1", "GIT_ICASE_PATHSPECS": "1",
               "GIT_NOGLOB_PATHSPECS": "1", "GIT_LITERAL_PATHSPECS": "1",
               "GIT_DIFF_OPTS": "--unified=0", "GIT_EXTERNAL_DIFF": "/bin/false"}
_PATHSPEC = [name for name in ENVIRONMENT if name.endswith("PATHSPECS")]
_pairs = st.sampled_from(sorted(SETTINGS)).flatmap(
    lambda key: st.tuples(st.just(key), st.sampled_from(SETTINGS[key])))
configs = st.lists(_pairs, max_size=8).map(dict)
variables = st.tuples(st.sampled_from([None, *_PATHSPEC]),
                      st.sets(st.sampled_from(["GIT_DIFF_OPTS", "GIT_EXTERNAL_DIFF"])))


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A repository whose change moves a submodule, adds and removes a secret the base
    already held, edits a file, on commits signed with an SSH key; a working-tree edit and
    an untracked file on top; and what reviewloop reads of it under a clean configuration."""
    folder = tmp_path_factory.mktemp("neutral")
    key = folder / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "t@t", "-f", str(key)],
                   check=True, capture_output=True)
    signers = folder / "allowed"
    signers.write_text(f"{IDENTITY['GIT_AUTHOR_EMAIL']} {key.with_suffix('.pub').read_text()}")
    root = init_repo(folder / "r")
    for option, value in (("gpg.format", "ssh"), ("user.signingkey", str(key)),
                          ("commit.gpgsign", "true")):
        git(root, "config", option, value)
    write_files(root, {"fixture.py": f"TOKEN = '{TOKEN}'\n", "m.py": "a = 1\nb = 2\nc = 3\n",
                       ".gitmodules": '[submodule "vendor/lib"]\n\tpath = vendor/lib\n'
                                      "\turl = ../lib\n\tignore = all\n"})
    (root / "vendor" / "lib").mkdir(parents=True)  # as a clone has a submodule not checked out
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{OLD},vendor/lib")
    commit(root, message="base")
    git(root, "switch", "-qc", "feature")
    git(root, "update-index", "--cacheinfo", f"160000,{NEW},vendor/lib")
    commit(root, {"a.py": f"T = '{TOKEN}'\n", "m.py": "a = 1\nb = 20\nc = 3\n"}, "add")
    commit(root, {"a.py": "T = None\n"}, "remove")
    for option in ("gpg.format", "user.signingkey", "commit.gpgsign"):
        git(root, "config", "--unset", option)
    write_files(root, {"m.py": "a = 1\nb = 20\nc = 30\n", "new.py": "n = 1\n"})
    (folder / "home").mkdir()
    return root, {"signers": str(signers), "clean": _reads(_copy(root, folder / "clean"))}


def _copy(root: Path, to: Path) -> Path:
    """A copy of the repository (its diffs are remembered by path: a fresh one is read)."""
    shutil.rmtree(to, ignore_errors=True)
    shutil.copytree(root, to, symlinks=True)
    return to


def _reads(root: Path) -> dict[str, Any]:
    """What reviewloop reads of the repository at `root`."""
    repo = open_repository(root)
    text = repo.diff_refs("main", "feature")
    net = parse_diff(text)
    (root / "landed.py").write_text("x = 1\n")
    landed = repo.commit_paths(["landed.py"], "land")
    return {
        "diff": text,
        "files": sorted(repo.tree_changes("main", "feature")),
        "changed": sorted(repo.changed_files("main", "feature")),
        "working": repo.diff(),
        "snapshot": sorted(repo.snapshot().files),
        "secrets": [(f.file, f.title) for f in branch_history(repo, "main", "feature",
                                                              net).findings],
        "blame": history.blame(repo, "feature", "m.py", [1, 2, 3]),
        "message": history.commit(repo, "feature~1").message,
        "log": [c.message for c in history.log(repo, "feature")],
        "last": repo.last_commit_message(),
        "author": git(root, "cat-file", "commit", landed).split("\nauthor ")[1].split(" <")[0],
    }


@contextmanager
def _environment(config: Path, names: set[str]) -> Iterator[None]:
    """The process's environment with the global config at `config`, the identity only in
    it (as a user has it), and `names` of `ENVIRONMENT` set."""
    saved = dict(os.environ)
    try:
        for name in IDENTITY:
            os.environ.pop(name, None)
        os.environ.update({"GIT_CONFIG_GLOBAL": str(config),
                           **{name: ENVIRONMENT[name] for name in names}})
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(global_config=configs, repo_config=configs, env=variables,
       submodule_ignored=st.booleans())
def test_the_users_settings_change_nothing_reviewloop_reads(
        made: tuple[Path, dict[str, Any]], tmp_path: Path, global_config: dict[str, str],
        repo_config: dict[str, str], env: tuple[str | None, set[str]],
        submodule_ignored: bool) -> None:
    root, known = made
    repo = _copy(root, tmp_path / "r")
    config = tmp_path / "gitconfig"
    config.write_text("")
    ignored = tmp_path / "ignore-revs"  # every commit of the branch: blame would skip them
    ignored.write_text(git(repo, "rev-list", "feature"))
    settings_in = {"user.name": "Tess Ter", "user.email": IDENTITY["GIT_AUTHOR_EMAIL"],
                   "gpg.format": "ssh", "gpg.ssh.allowedSignersFile": known["signers"],
                   **global_config}
    for option, value in settings_in.items():
        git(tmp_path, "config", "--file", str(config), option, value.format(ignored=ignored))
    for option, value in repo_config.items():
        git(repo, "config", option, value.format(ignored=ignored))
    if submodule_ignored:
        git(repo, "config", "submodule.vendor/lib.ignore", "all")
    pathspec, more = env
    with _environment(config, {*more, *([pathspec] if pathspec else [])}):
        seen = _reads(repo)
    clean = dict(known["clean"], author="Tess Ter")
    assert seen == clean


def test_a_submodules_move_is_in_the_change_whatever_gitmodules_says(
        made: tuple[Path, dict[str, Any]]) -> None:
    """The change's `.gitmodules` says `ignore = all` (in a pull request, the author's file):
    the move is still one of its files, and its diff shows the new commit."""
    clean = made[1]["clean"]
    assert "vendor/lib" in clean["files"] and "vendor/lib" in clean["changed"]
    assert f"+Subproject commit {NEW}" in clean["diff"]
    assert clean["secrets"] == []  # the base held the token: no leak of the branch's


def test_the_pins_come_before_the_callers_options_and_skip_git_config() -> None:
    argv = neutral.argv(["git", "-c", "core.quotePath=true", "--literal-pathspecs", "diff",
                         "-U0", "A", "B"])
    assert argv[:len(neutral.PINNED) + 1] == ["git", *neutral.PINNED]
    assert argv[len(neutral.PINNED) + 1:] == ["-c", "core.quotePath=true",
                                              "--literal-pathspecs", "diff",
                                              "--ignore-submodules=none", "-U0", "A", "B"]
    assert neutral.argv(["git", "config", "--get", "init.defaultBranch"]) == \
        ["git", "config", "--get", "init.defaultBranch"]
    assert neutral.argv(["git", "blame", "f"])[-2:] == ["--ignore-revs-file=", "f"]
    kept = neutral.environment({"GIT_GLOB_PATHSPECS": "1", "HOME": "/h"}, {"LC_ALL": "C"})
    assert kept == {"HOME": "/h", "LC_ALL": "C"}


def test_autocrlf_with_safecrlf_converts_as_autocrlf_says_and_never_stops_a_snapshot(
        tmp_path: Path) -> None:
    """core.safecrlf refuses `git add` of a file whose line endings autocrlf would change;
    the snapshot converts as core.autocrlf says (what a commit records) and goes on."""
    root = init_repo(tmp_path / "r", {"app.py": "a = 1\n"})
    write_files(root, {"app.py": "a = 2\n", "win.py": "b = 1\r\n"})
    git(root, "config", "core.autocrlf", "true")
    alone = open_repository(root).snapshot()
    git(root, "config", "core.safecrlf", "true")
    strict = open_repository(root).snapshot()
    assert strict.tree == alone.tree and sorted(strict.files) == ["app.py", "win.py"]


def test_a_filter_git_cannot_run_is_a_user_error_naming_gits_message(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"app.py": "a = 1\n"})
    write_files(root, {".gitattributes": "*.py filter=lfs\n", "app.py": "a = 2\n"})
    for option, value in (("filter.lfs.clean", "no-such-git-lfs clean -- %f"),
                          ("filter.lfs.required", "true")):
        git(root, "config", option, value)
    with pytest.raises(UserInputError) as refused:
        open_repository(root).snapshot()
    assert "git cannot record the working tree" in str(refused.value)
    assert "no-such-git-lfs" in str(refused.value) and "filter.<name>" in str(refused.value)


def test_a_global_blame_ignore_list_this_repository_lacks_is_named(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"m.py": "a = 1\n"})
    git(root, "config", "blame.ignoreRevsFile", ".git-blame-ignore-revs")
    with pytest.raises(UserInputError) as refused:
        history.blame(open_repository(root), "HEAD", "m.py", [1])
    assert refused.value.where == "blame.ignoreRevsFile"
    assert "--unset-all blame.ignoreRevsFile" in str(refused.value)
