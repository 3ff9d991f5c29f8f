"""Land modes: each is a typed object of one registry that owns how the commit lands, the
branch the next steps push, the branch `runs` shows and `clean` keeps, and what is said after
the commit. A third-party mode, installed as a plugin, gets all of that right with no edit of
reviewloop: nothing compares mode names."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reviewloop import plugins
from reviewloop.errors import ConfigError
from reviewloop.git.worktrees import RunTree
from reviewloop.landing.modes import BUILTIN, land_mode
from tests.support.batch import implementer, reviews
from tests.support.bedrock import BedrockFake
from tests.support.gitutil import git
from tests.support.loop_cli import MODEL, SPEC, cli, fake_env, make_example
from tests.support.paths import ROOT
from tests.support.plugins import install

TREE = RunTree(path="wt", branch="rl/T2", base="abc", target="work")
# A mode of a package of its own: the commit stays on the run's branch, under another name.
KEEP = """
from dataclasses import replace
from reviewloop.landing.branch_only import BranchOnlyMode
KEEP = replace(BranchOnlyMode(), name="keep")
"""


@pytest.mark.parametrize("name, pushed, kept, writes", [
    ("merge", "work", None, True),  # your branch has the commit: push it
    ("branch-only", "rl/T2", "rl/T2", False),  # the run's branch has it: push and keep that
    ("pr", None, None, False),  # the pull request is open already
])
def test_each_mode_owns_its_branch_bookkeeping(name, pushed, kept, writes) -> None:
    mode = land_mode(name)
    assert (mode.name, mode.branch_to_push(TREE), mode.kept_branch(TREE),
            mode.writes_your_branch) == (name, pushed, kept, writes)


def test_an_unknown_mode_is_a_config_error_naming_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        land_mode("squash")
    assert str(caught.value) == (f'run.land: unknown land mode "squash"\n'
                                 f"  fix: use one of: {', '.join(BUILTIN)}")


def test_a_plugins_mode_lands_and_is_kept_shown_and_pushed_right(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(site, "rl-keep", {plugins.LAND_MODES: {"keep": "rl_keep:KEEP"}}, {"rl_keep": KEEP})
    monkeypatch.setenv("REVIEWLOOP_COLD_CLI", "1")  # a fresh interpreter that sees the plugin
    env = {"PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    example = make_example(tmp_path)
    git(example, "switch", "-qc", "work")
    head = git(example, "rev-parse", "HEAD")
    with (example / ".reviewloop.toml").open("a") as config:
        config.write('\n[run]\nland = "keep"\nbranch = "rl/{task}"\n')
    with BedrockFake() as fake:
        reviews(fake, 1)
        done = cli(example, "run", "T2", "--spec", SPEC, "--implementer",
                   implementer(tmp_path), "--model", MODEL, "--yes",
                   env={**fake_env(fake), **env})
    assert done.returncode == 0, done.stdout + done.stderr
    said = " ".join(done.stdout.split())
    assert "on branch rl/T2" in said and "git merge rl/T2" in said  # its outcome text
    assert "git push -u origin rl/T2" in said  # the next step pushes the branch with the commit
    assert git(example, "rev-parse", "HEAD") == head  # your branch is not written
    [run] = json.loads(cli(example, "runs", "--json", env=env).stdout)["runs"]
    assert run["worktree"]["state"] == "branch rl/T2"  # `runs` shows where the commit is
    assert cli(example, "clean", "--all", env=env).returncode == 0
    assert git(example, "log", "-1", "--format=%s", "rl/T2").startswith("T2:")  # kept


FAILING = """
from dataclasses import dataclass
from reviewloop.landing.branch_only import BranchOnlyMode

@dataclass(frozen=True)
class Failing(BranchOnlyMode):
    def land(self, job, commit, tree, checkout):
        raise RuntimeError("land mode exploded")
    def kept_branch(self, tree):
        raise RuntimeError("kept_branch exploded")

FAILING = Failing(name="explode")
"""


def test_a_plugins_mode_that_fails_after_the_commit_keeps_it_and_says_how_to_land_it(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A land mode raising in `land` ended exit 3 with a crash log for reviewloop; one raising
    in `kept_branch` made every later `reviewloop runs` exit 3 (fz2 D12)."""
    install(site, "rl-explode", {plugins.LAND_MODES: {"explode": "rl_explode:FAILING"}},
            {"rl_explode": FAILING})
    monkeypatch.setenv("REVIEWLOOP_COLD_CLI", "1")  # a fresh interpreter that sees the plugin
    env = {"PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    example = make_example(tmp_path)
    git(example, "switch", "-qc", "work")
    with (example / ".reviewloop.toml").open("a") as config:
        config.write('\n[run]\nland = "explode"\nbranch = "rl/{task}"\n')
    with BedrockFake() as fake:
        reviews(fake, 1)
        done = cli(example, "run", "T2", "--spec", SPEC, "--implementer",
                   implementer(tmp_path), "--model", MODEL, "--yes",
                   env={**fake_env(fake), **env})
    said = " ".join(done.stderr.split())
    assert done.returncode == 2, done.stdout + done.stderr
    assert 'the land mode "explode" of rl-explode failed: RuntimeError: land mode exploded' \
        in said and "fix: pip uninstall rl-explode" in said
    assert "stays on the run's branch rl/T2: `git merge rl/T2` lands it" in said
    assert "internal error" not in said and "crash" not in said
    assert git(example, "log", "-1", "--format=%s", "rl/T2").startswith("T2:")  # the commit
    listed = cli(example, "runs", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    [run] = json.loads(listed.stdout)["runs"]
    assert run["status"] == "landing_refused"
