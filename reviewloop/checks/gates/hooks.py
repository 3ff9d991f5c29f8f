"""The hooks gate: the user's own pre-commit hook judges the run's change, inside the sandbox.

reviewloop's git never runs a hook on the host (`NO_TREE_CODE` in reviewloop.git.repository):
a run's tree can hold the hooks folder, and a hook runs with every credential. What the
user's hook would say at the commit is asked here instead, in the sandbox the build and the
tests use (worktree writable, its `.git` read-only, no network, credentials left out), on
the run's worktree with the run's change staged in a throw-away index. The hook is the
user's, never the run's: for a hooks folder in the tree, the base commit's version
(`reviewloop.git.hooks`). Its failure and output go back to the implementer or the fixer
like any gate's; with no hook the gate has nothing to do.

Only pre-commit runs: reviewloop writes the commit message itself, so a commit-msg rule is
nothing an implementer could satisfy, and post-commit and the like act on the host.

A hook that needs the network (pre-commit building its environments, npx fetching a
package) cannot work inside the sandbox. That is a setup question, not the change's fault,
so it is not fed back to the implementer: the run stops with exit 2 (`HookNeedsNetwork`)
and the fix — prepare the hook's environments once and show them read-only
(`sandbox_read`), allow the network (`sandbox_network = true`), or turn the gate off
(`[gates] hooks = false`). `reviewloop resume` continues from the gates.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import tempfile
import time
from pathlib import Path

from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.gates.commands import CommandOutcome, run_shell, transcript
from reviewloop.errors import ConfigError
from reviewloop.git.hooks import HooksFolder, hooks_folder, trusted_hook
from reviewloop.git.repository import Repository, open_repository
from reviewloop.sandbox.bubblewrap import Sandbox
from reviewloop.sandbox.process import CommandRun

HOOK = "pre-commit"
# What a resolver or a client prints when there is no network (glibc, curl, pip/urllib3,
# node, go): the hook failed on the sandbox's missing network, not on the change.
_OFFLINE = ("Temporary failure in name resolution", "Name or service not known",
            "Could not resolve host", "Network is unreachable", "getaddrinfo",
            "Failed to establish a new connection", "No address associated with hostname",
            "dial tcp: lookup")


class HookNeedsNetwork(ConfigError):
    """The user's pre-commit hook needed the network, which sandboxed hooks do not have."""


class HooksGate:
    name = "hooks"

    def applies(self, ctx: GateContext) -> bool:
        return ctx.phase != "review" and ctx.settings.gates.hooks

    def run(self, ctx: GateContext) -> GateResult:
        repo = open_repository(ctx.root)
        folder = hooks_folder(repo)
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="reviewloop-hooks-") as tmp:
            hook = trusted_hook(repo, HOOK, Path(tmp) / "hooks")
            if hook is None:
                return GateResult.skip(self.name, f"no {HOOK} hook ({folder.setting})"
                                       + _planted(folder, ctx))
            run = _run_hook(repo, ctx, hook, Path(tmp))
        outcome = CommandOutcome(f"{HOOK} hook ({folder.setting})", run)
        passed = run.exit_code == 0 and not run.timed_out
        if not passed and not ctx.settings.sandbox_network and _offline(run):
            raise _needs_network(outcome)
        return GateResult(name=self.name, passed=passed,
                          summary=_summary(run, ctx) + _planted(folder, ctx),
                          output_tail=transcript([outcome]),
                          duration_s=time.monotonic() - started)


def _run_hook(repo: Repository, ctx: GateContext, hook: Path, tmp: Path) -> CommandRun:
    """Run `hook` as git would at the commit (in the worktree, the change staged), sandboxed."""
    index = tmp / "index"
    repo.stage_into(index, ctx.changed_files)
    sandbox = Sandbox.from_settings(ctx.settings)
    sandbox = dataclasses.replace(sandbox, env=(*sandbox.env, "GIT_INDEX_FILE"))
    return run_shell(shlex.quote(str(hook)), ctx.root, ctx.settings.gates.timeout_seconds,
                     sandbox=sandbox, writable=[tmp],
                     environ={**os.environ, "GIT_INDEX_FILE": str(index)})


def _summary(run: CommandRun, ctx: GateContext) -> str:
    if run.timed_out:
        return f"your {HOOK} hook timed out after {ctx.settings.gates.timeout_seconds}s"
    if run.exit_code != 0:
        return f"your {HOOK} hook refused the change (exit {run.exit_code})"
    return f"your {HOOK} hook passed"


def _planted(folder: HooksFolder, ctx: GateContext) -> str:
    """A note when the change itself writes into the in-tree hooks folder: those files did
    not run (the base commit's hooks did), and once landed they run at your commits."""
    where = folder.in_tree
    if where is None:
        return ""
    inside = sorted(p for p in ctx.changed_files
                    if ("/" not in p if where == "." else p.startswith(f"{where}/")))
    if not inside:
        return ""
    return (f"; the change writes into your hooks folder {where}: {', '.join(inside)} "
            f"did not run here — read them before they run at your own commits")


def _offline(run: CommandRun) -> bool:
    return any(marker in run.output for marker in _OFFLINE)


def _needs_network(outcome: CommandOutcome) -> HookNeedsNetwork:
    return HookNeedsNetwork(
        f"your {HOOK} hook failed because it needed the network, which hooks do not have in "
        f"reviewloop's sandbox (it runs them there, never on your machine directly):\n"
        f"{transcript([outcome]).strip()[-1500:]}",
        where=outcome.command,
        fix="prepare the hook's environments once yourself (pre-commit: `pre-commit "
            "install-hooks`) and show their cache read-only with sandbox_read = "
            '["~/.cache/pre-commit"]; or let sandboxed commands use the network with '
            "sandbox_network = true; or turn the gate off with [gates] hooks = false. "
            "Then `reviewloop resume`")
