"""The branch gate: never commit on the default branch, a protected branch, or a detached HEAD."""

from __future__ import annotations

from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.git.repository import is_protected

FIX = "rerun with `reviewloop run … --branch NAME` to create a working branch " \
      "(or `git switch -c NAME`)"


class BranchGate:
    name = "branch"

    def applies(self, ctx: GateContext) -> bool:
        # A review-only run commits nothing, so any branch will do.
        return ctx.phase != "review"

    def run(self, ctx: GateContext) -> GateResult:
        problem = branch_problem(ctx.branch, ctx.default_branch,
                                 ctx.settings.gates.protected_branches)
        if problem is None:
            return GateResult(name=self.name, passed=True,
                              summary=f"on working branch {ctx.branch}")
        return GateResult(name=self.name, passed=False, summary=f"{problem}: {FIX}")


def branch_problem(branch: str | None, default: str | None,
                   protected: tuple[str, ...]) -> str | None:
    """Why committing on `branch` is refused, or None when it is a working branch."""
    if branch is None:
        return "HEAD is detached, so there is no branch to commit on"
    if default is not None and branch == default:
        return f"refusing to commit on the default branch {branch}"
    pattern = next((p for p in protected if is_protected(branch, (p,))), None)
    if pattern is not None:
        shown = branch if pattern == branch else f"{branch} (matches {pattern})"
        return f"refusing to commit on the protected branch {shown}"
    return None
