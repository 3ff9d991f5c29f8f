"""The bench's loop: every case by every model, in order, each finished review written to
the store before the next starts; what is already there is skipped, so a bench killed at
any point resumes where it was. A budget and a case limit stop it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reviewloop.agent.models import price_for
from reviewloop.agent.spend import usd
from reviewloop.bench.cases import Case
from reviewloop.bench.review import Reviewer
from reviewloop.bench.store import BenchStore, CaseResult
from reviewloop.errors import ConfigError, ReviewloopError

ReviewCase = Callable[[Case, Reviewer], CaseResult]
Progress = Callable[[int, int, Case, CaseResult], None]  # (n, of, case, result)
MAX_FAILED_IN_A_ROW = 3  # then the cause is not the case (credentials, quota, network)


@dataclass(frozen=True)
class Plan:
    """What to review: the cases (in order), the models, and when to stop."""

    cases: Sequence[Case]
    reviewers: Sequence[Reviewer]
    budget_usd: float | None = None
    limit: int | None = None

    def selected(self) -> list[Case]:
        """The cases this bench covers: the first `limit` (every model gets the same)."""
        return list(self.cases[:self.limit] if self.limit is not None else self.cases)


def replay(store: BenchStore, plan: Plan, review: ReviewCase,
           progress: Progress | None = None) -> str | None:
    """Review what the store does not hold yet; why it stopped early (the budget, failures
    in a row), or None when every selected case has a result for every model. A budget
    that no spend can be checked against (a model with no known price) is refused before
    any review starts."""
    refuse_unpriced(plan)
    cases = plan.selected()
    store.remember(cases)
    finished = {key for key, r in store.results().items() if r.status != "failed"}
    failed_in_a_row = 0
    for n, case in enumerate(cases, 1):
        for reviewer in plan.reviewers:
            if (case.id, reviewer.model) in finished:
                continue
            if (stop := over_budget(store, plan.budget_usd)) is not None:
                return stop
            try:
                result = review(case, reviewer)
            except ReviewloopError as exc:  # this case's: the next one may well review
                result = CaseResult(case_id=case.id, model=reviewer.model, status="failed",
                                    error=str(exc).splitlines()[0])
            store.record(result)
            if progress is not None:
                progress(n, len(cases), case, result)
            failed_in_a_row = failed_in_a_row + 1 if result.status == "failed" else 0
            if failed_in_a_row >= MAX_FAILED_IN_A_ROW:
                return (f"stopped: {failed_in_a_row} reviews in a row failed, the last with "
                        f"{result.error}")
    return None


def refuse_unpriced(plan: Plan) -> None:
    """`--budget` with a model whose price is not known: its spend could not be checked, so
    no review may start (one case reviewed unchecked first was the old way), exit 2."""
    if plan.budget_usd is None:
        return
    unpriced = [r.model for r in plan.reviewers if price_for(r.model, r.settings.prices) is None]
    if unpriced:
        raise ConfigError(
            f"{usd(plan.budget_usd)} set, but {', '.join(unpriced)} has no known price, "
            "so the spend cannot be checked", where="--budget",
            fix=f"add its price under [prices] in .reviewloop.toml (`\"{unpriced[0]}\" = "
                "{ input = 3.0, output = 15.0 }`, USD per million tokens), or drop --budget")


def over_budget(store: BenchStore, budget: float | None) -> str | None:
    """Why the next review may not start: the bench (resumed runs included) has spent
    `budget`, or a cost is unknown so the budget cannot be checked."""
    if budget is None:
        return None
    spent = store.spent()
    if spent is None:
        return (f"stopped: --budget is {usd(budget)} but a model has no known price, so the "
                "spend cannot be checked; add it under [prices] or drop --budget")
    if spent >= budget:
        return f"stopped: the budget is spent ({usd(spent)} of {usd(budget)})"
    return None
