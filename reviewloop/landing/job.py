"""What landing works on (the approved commit, the run's worktree, your checkout) and what it
gives back, shared by every land mode (`landing.modes`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from reviewloop.config import Settings
from reviewloop.errors import BlockingOutcome
from reviewloop.git.repository import Repository
from reviewloop.git.worktrees import RunTree
from reviewloop.reports.report import RunSummary

LAND_PLAN = "land.json"
PR_FILE = "pr.json"  # land = "pr": the pull request the land step opened or updated

# run.land = "pr": pushes the commit and opens its pull request (`github.run_pr.land_run`,
# injected by the CLI: the loop does not import the github layer); returns the pull request.
OpenPullRequest = Callable[..., BaseModel]


@dataclass(frozen=True)
class LandJob:
    """Where the approved commit is and where it goes. `repo` is the run's worktree;
    `checkout` is the user's own working tree (None with `run_tree`: nothing to land)."""

    repo: Repository
    settings: Settings
    run_dir: Path
    spec_file: Path | None
    checkout: Repository | None
    run_tree: RunTree | None
    run_id: str
    task_id: str
    summary: RunSummary | None = None
    open_pr: OpenPullRequest | None = None


@dataclass(frozen=True)
class Landed:
    """The landed commit, and the files of yours the landing left as they were."""

    commit: str
    kept: tuple[str, ...] = ()
    said: tuple[str, ...] = ()  # anything else the user must hear about the landing

    @property
    def notices(self) -> list[str]:
        """What the user must be told."""
        return [*(f"{p} changed in your checkout while landing: your version was kept"
                  for p in self.kept), *self.said]


def refuse_elsewhere(job: LandJob, tree: RunTree, checkout: Repository) -> None:
    """A merge, or a run's branch kept, belongs to the checkout the run started in; only a
    pull request can be finished from any clone (the remote is what they share)."""
    started = tree.started_in
    if started.resolve() == checkout.root.resolve():
        return
    raise BlockingOutcome(
        f"run {job.run_id} started in {started} and lands there (run.land = "
        f"\"{job.settings.run.land}\"), not in {checkout.root}\n"
        f"  fix: cd {started} && reviewloop approve {job.run_id}")


def spec_rel(job: LandJob) -> str | None:
    if job.spec_file is None:
        return None
    try:
        return job.spec_file.resolve().relative_to(job.repo.root.resolve()).as_posix()
    except ValueError:
        return None
