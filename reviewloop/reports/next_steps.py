"""The chain after an approved run: the next steps a user would take, as commands to copy.

Three steps, in the order people take them: land the work as a pull request (unless the run
opened one already, `run.land = "pr"`), hand the session off (`reviewloop handoff`), and run
the next eligible task — or, when that task already has a run waiting for approval or a
resume, approve or resume that run (`run next` would start a second one). Pure: the CLI
gathers the facts, prints the steps, and runs the ones `run.then` names after a --yes
approval (none by default).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One next step: its name (as `run.then` names it), what it does, the command."""

    name: str
    what: str
    command: str


@dataclass(frozen=True)
class Landed:
    """Where the approved commit is, as far as the next steps care."""

    pushed: str | None  # the branch holding the commit that a pull request would come from,
    # as the land mode says (`LandMode.branch_to_push`); None: nothing to push (a pull
    # request is open already, or a detached HEAD)
    remote: str | None  # the configured remote when the repository has it


@dataclass(frozen=True)
class OpenRun:
    """A run of the next eligible task that has not finished."""

    run_id: str
    status: str  # running | awaiting_approval | failed | interrupted


def next_steps(landed: Landed, next_task: str | None, spec: str | None,
               open_run: OpenRun | None = None) -> list[Step]:
    """The steps after a committed run; `next_task` is the id of the next eligible task (None
    when every task is done), `spec` the --spec argument the run was given, `open_run` that
    task's unfinished run."""
    steps = []
    pushed = landed.pushed
    if pushed is not None:
        push = f"git push -u {_q(landed.remote or 'origin')} {_q(pushed)}"
        if landed.remote is None:
            push = f"git remote add origin URL && {push}"
        steps.append(Step("pr", "land it as a pull request",
                          f"{push} && gh pr create --fill --head {_q(pushed)}"))
    steps.append(Step("handoff", "hand the session off", "reviewloop handoff"))
    if next_task is not None and open_run is not None:
        steps.append(_continue(next_task, open_run))
    elif next_task is not None:
        flag = f" --spec {_q(spec)}" if spec else ""
        steps.append(Step("next", f"run the next eligible task ({next_task})",
                          f"reviewloop run {_q(next_task)}{flag}"))
    return steps


def _continue(task: str, run: OpenRun) -> Step:
    """The step for a next task whose run has not finished. Named apart from "next", so a
    `run.then` chain never approves for a human nor starts the task a second time."""
    run_id = _q(run.run_id)
    if run.status == "awaiting_approval":
        return Step("approve", f"approve the next task's waiting run ({task})",
                    f"reviewloop approve {run_id}")
    if run.status == "running":
        return Step("watch", f"the next task ({task}) is being run", "reviewloop runs")
    return Step("resume", f"resume the next task's stopped run ({task})",
                f"reviewloop resume {run_id}")


def render(steps: list[Step]) -> str:
    """The steps as the summary's last lines."""
    width = max((len(s.what) for s in steps), default=0)
    return "\n".join(["Next steps:", *(f"  {s.what.ljust(width)}  {s.command}" for s in steps)])


def _q(text: str) -> str:
    return shlex.quote(text)
