"""The land step: the approved commit reaches the user's branch, stays on the run's, or goes
to a pull request — as the land mode `run.land` names says (`landing.modes`).

The land step needs the run's commit, never its worktree (which it removes last, and which a
resume from another clone does not have): a merge or a kept branch lands in the checkout the
run started in, a pull request from any clone, since what it needs is on the remote.
"""

from __future__ import annotations

from reviewloop.landing.job import Landed, LandJob
from reviewloop.landing.modes import land_mode


def land_change(job: LandJob, commit: str) -> Landed:
    """Land the run's commit as `run.land` says."""
    tree, checkout = job.run_tree, job.checkout
    if tree is None or checkout is None:
        return Landed(commit)
    return land_mode(job.settings.run.land).land(job, commit, tree, checkout)
