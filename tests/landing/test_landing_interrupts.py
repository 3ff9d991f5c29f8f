"""Landing cut short by a signal at every git operation of `engine.apply`: the checkout is
always whole afterwards (branch, index and files all landed), never a moved branch over the
old tree that a `git commit` would turn into the task's revert."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewloop.git import worktrees as worktree
from reviewloop.git.command import GitCommand
from reviewloop.git.repository import open_repository
from reviewloop.landing import engine
from reviewloop.landing.shield import deferred_signals
from tests.support.gitutil import git
from tests.support.repos import init_repo, user_view, write
from tests.support.worktrees import FILES, commit_in

CHANGE = {"app.py": "x = 3\n", "feature.py": "f = 1\n", "tasks.md": "- [x] 1. a\n- [ ] 2. b\n"}


@pytest.fixture(autouse=True)
def _interruptible() -> Iterator[None]:
    """Ctrl-C raising KeyboardInterrupt, as in a terminal, whatever the runner inherited: a
    command started in the background by a non-interactive shell (as CI may start the suite)
    has SIGINT ignored, and Python then leaves it so."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _staged(root: Path) -> tuple[engine.LandPlan, dict[str, str]]:
    """A run's commit ready to land, with an edit of the user's the landing must keep."""
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    sha = commit_in(tree, CHANGE)
    write(root, "notes.txt", "the user's edit\n")
    plan = engine.plan(open_repository(root), sha, "work")
    return plan, user_view(root)


def _git_calls(monkeypatch: pytest.MonkeyPatch, at: int | None, signum: int) -> list[int]:
    """Count git processes run; before the `at`-th one, send `signum` to this process."""
    calls: list[int] = []
    run = GitCommand.run

    def counted(self: GitCommand, argv, **kw):  # type: ignore[no-untyped-def]
        if len(calls) == at:
            os.kill(os.getpid(), signum)
        calls.append(1)
        return run(self, argv, **kw)

    monkeypatch.setattr(GitCommand, "run", counted)
    return calls


def _state(root: Path, plan: engine.LandPlan, before: dict[str, str]) -> str:
    """`before` (nothing moved, the user's view as it was) or `after` (landed whole);
    anything else fails."""
    if git(root, "rev-parse", "HEAD").strip() == plan.old:
        assert user_view(root) == before
        return "before"
    assert git(root, "rev-parse", "HEAD").strip() == plan.new
    for path, text in CHANGE.items():
        assert (root / path).read_text() == text
    # only the user's own edit is left: nothing of the task staged, deleted or reverted
    assert git(root, "status", "--porcelain", "--untracked-files=no") == " M notes.txt\n"
    assert git(root, "diff") == before["unstaged"]
    return "after"


def _operations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, root: Path) -> int:
    plan, _ = _staged(root)
    calls = _git_calls(monkeypatch, None, signal.SIGINT)
    engine.apply(open_repository(root), plan)
    monkeypatch.undo()
    return len(calls)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_at_every_git_operation_of_a_landing_leaves_the_checkout_landed_whole(
        tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch, signum: int):
    count = _operations(tmp_path, monkeypatch, root)
    assert count >= 4  # the branch, the entries read, the index written, the files
    heard: list[int] = []
    states = []
    def stop(signum: int, _frame: object) -> None:  # as `checks.interrupts` makes SIGTERM
        heard.append(signum)
        raise KeyboardInterrupt(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        for at in range(count):
            repo = init_repo(tmp_path / f"r{signum}-{at}", FILES)
            git(repo, "switch", "-qc", "work")
            plan, before = _staged(repo)
            _git_calls(monkeypatch, at, signum)
            with pytest.raises(KeyboardInterrupt):  # delivered, once the landing allows
                engine.apply(open_repository(repo), plan)
            monkeypatch.undo()
            states.append(_state(repo, plan, before))
    finally:
        signal.signal(signal.SIGTERM, previous)
    # before the branch moves a signal stops the landing at once; from then on it lands
    assert states == sorted(states, reverse=True) and states.count("after") >= 4, states
    if signum == signal.SIGTERM:
        assert heard == [signal.SIGTERM] * count  # each delivered once, after the landing


def test_the_git_processes_of_a_landing_start_with_the_stopping_signals_blocked():
    """Ctrl-C at a terminal reaches the whole process group: a git child of the landing
    must not die of it halfway (the mask is inherited across exec)."""
    mine = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    with deferred_signals():  # grep reads its own mask (a shell, dash, would reset it first)
        inside = subprocess.run(["grep", "SigBlk", "/proc/self/status"], capture_output=True,
                                text=True, check=True).stdout
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == mine  # the thread's mask restored
    mask = int(inside.split()[1], 16)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        assert mask & (1 << (signum - 1))


def test_a_signal_outside_the_landing_is_not_held(monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(KeyboardInterrupt):
        with deferred_signals():
            pass
        signal.raise_signal(signal.SIGINT)
