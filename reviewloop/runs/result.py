"""What driving a run gives back: where it stands, its summary, its commit and how it lands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reviewloop.git.worktrees import RunTree
from reviewloop.landing.merge import MergeMode
from reviewloop.landing.modes import LandMode
from reviewloop.reports.report import RunSummary

RunStatus = Literal["awaiting_approval", "committed", "declined"]


@dataclass
class RunResult:
    """One run after the loop stopped: at the approval, committed, or declined."""

    run_id: str
    status: RunStatus
    summary: RunSummary | None = None  # None: the run stopped before it had one
    commit: str | None = None
    tree: RunTree | None = None  # where the run worked (kept after a decline)
    land: LandMode = field(default_factory=MergeMode)  # the mode `run.land` named
    notices: list[str] = field(default_factory=list)  # what landing has to tell the user

    @property
    def escalations(self) -> list[str]:
        """Why the run needs a human's explicit approval (none: it may be approved by --yes)."""
        return list(self.summary.escalations) if self.summary is not None else []
