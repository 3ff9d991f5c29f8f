"""`reviewloop bench` end to end in-process: a history with three planted bugs and their
fixes, a scripted model whose security reviewer finds two of them, and the figures the
bench must report for it — per reviewer and per model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, BaseMessage

from reviewloop.bench import szz
from reviewloop.bench.cases import Case, Label
from reviewloop.bench.replay import Plan, ReviewCase, replay
from reviewloop.bench.review import Reviewer
from reviewloop.bench.store import BenchStore, CaseResult
from reviewloop.cli import bench
from reviewloop.config import Settings
from reviewloop.errors import ConfigError, ReviewloopError
from reviewloop.git.repository import open_repository
from tests.support.bench_repo import AVERAGE, BUGS, CLAMP, PARSE, Bug, planted
from tests.support.chat import ScriptedChatModel, message_text
from tests.support.runner import CALLED, review

SECURITY = "review-security"
MAINTAINABILITY = "review-maintainability"


def finding(bug: Bug, line: int, severity: str, title: str) -> dict:
    return {"severity": severity, "file": bug.path, "start_line": line, "end_line": line,
            "title": title, "rationale": "It is wrong here.", "confidence": 0.8}


# What each reviewer answers on each case, keyed by the text only that case's diff holds.
ANSWERS: dict[str, dict[str, list[dict]]] = {
    SECURITY: {
        AVERAGE.marker: [finding(AVERAGE, AVERAGE.line, "must_fix", "Mean off by one")],
        CLAMP.marker: [finding(CLAMP, CLAMP.line - 2, "should_fix", "Clamp branch odd")],
        PARSE.marker: [],  # the third bug goes unseen
    },
    MAINTAINABILITY: {  # an unlabelled finding: unconfirmed, never a hit
        AVERAGE.marker: [finding(AVERAGE, 1, "nit", "Name the parameter")],
        CLAMP.marker: [],
        PARSE.marker: [],
    },
}


def answer(messages: list[BaseMessage]) -> AIMessage:
    """The reviewers' one call on a case (`[review] combined_review`): each one's answer,
    each finding naming its agent."""
    system = message_text(messages[0])
    case = next(bug.marker for bug in BUGS if bug.marker in system)
    return review([{**f, "agent": agent} for agent in CALLED
                   for f in ANSWERS.get(agent, {}).get(case, [])])


def scripted(cases: int = 3) -> ScriptedChatModel:
    return ScriptedChatModel().script("agents: ", [answer] * cases)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = tmp_path / "r"
    planted(root)
    return root


def run_bench(root: Path, model: ScriptedChatModel, capsys: pytest.CaptureFixture[str],
              **options: object) -> dict:
    capsys.readouterr()
    code = bench.run(lambda _root, _config: Settings(model="scripted"), root,
                     bench.BenchOptions(format="json", **options),  # type: ignore[arg-type]
                     model_factory=lambda name: model)
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_two_of_three_planted_bugs_found_are_two_hits_per_reviewer(repo: Path, capsys):
    model = scripted()

    report = run_bench(repo, model, capsys)

    assert report["cases"] == 3 and report["pending"] == 0 and report["stopped"] is None
    assert report["fixes"] == 4  # the fourth only adds a line: nothing to trace
    assert any("only adds lines" in s for s in report["skipped"])
    [scripted_model] = report["models"]
    assert (scripted_model["cases"], scripted_model["hits"]) == (3, 2)
    rows = {r["reviewer"]: r for r in scripted_model["reviewers"]}
    assert (rows[SECURITY]["cases"], rows[SECURITY]["hits"]) == (3, 2)
    assert rows[SECURITY]["findings"] == 2 and rows[SECURITY]["labelled_findings"] == 2
    assert (rows[SECURITY]["must_fix"], rows[SECURITY]["must_fix_on_labels"]) == (1, 1)
    assert rows[SECURITY]["must_fix_share"] == 1.0
    assert (rows[MAINTAINABILITY]["hits"], rows[MAINTAINABILITY]["findings"]) == (0, 1)
    assert rows[MAINTAINABILITY]["labelled_findings"] == 0
    assert all(rows[a]["hits"] == 0 for a in CALLED if a not in (SECURITY, MAINTAINABILITY))
    assert "review-infrastructure" not in rows or rows["review-infrastructure"]["cases"] == 0
    by_case = {c["description"]: c["results"][0] for c in report["case_results"]}
    assert by_case[AVERAGE.subject]["hit_by"] == [SECURITY]
    assert by_case[CLAMP.subject]["hit_by"] == [SECURITY]  # two lines off: within 3
    assert by_case[PARSE.subject]["hit"] is False
    assert "unconfirmed, not false" in report["note"]
    assert len(model.history) == 3  # each case reviewed once, its reviewers in one call


def test_near_zero_counts_only_findings_on_the_labelled_line(repo: Path, capsys):
    report = run_bench(repo, scripted(), capsys, near=0)
    rows = {r["reviewer"]: r for r in report["models"][0]["reviewers"]}
    assert rows[SECURITY]["hits"] == 1  # the clamp finding is two lines off


def test_a_second_run_reviews_nothing_and_reports_the_same(repo: Path, capsys):
    first = run_bench(repo, scripted(), capsys)
    again = ScriptedChatModel()  # no reply scripted: any model call would fail the test

    second = run_bench(repo, again, capsys)

    assert again.history == []
    assert second == first


def test_the_limit_reviews_the_newest_cases_only(repo: Path, capsys):
    model = scripted(cases=1)
    report = run_bench(repo, model, capsys, limit=1)
    assert report["cases"] == 1
    assert report["case_results"][0]["description"] == PARSE.subject
    assert len(model.history) == 1


PRICED = Settings(prices={"m": {"input": 3.0, "output": 15.0}})


def plain_cases(n: int) -> list[Case]:
    return [Case(id=f"c{i}", source="jsonl", base="b", head="h",
                 labels=[Label(path="a.py", line=1)]) for i in range(n)]


def costing(reviewed: list[str], cost: float) -> ReviewCase:
    def review_case(case: Case, who: Reviewer) -> CaseResult:
        reviewed.append(case.id)
        return CaseResult(case_id=case.id, model=who.model, status="reviewed", cost_usd=cost)
    return review_case


def test_the_budget_stops_the_bench_before_the_next_review_and_a_bigger_one_resumes(tmp_path):
    store, who, reviewed = BenchStore(tmp_path, "b"), Reviewer("m", PRICED, _no_model), []
    stopped = replay(store, Plan(plain_cases(5), [who], budget_usd=1.0),
                     costing(reviewed, 0.4))
    assert reviewed == ["c0", "c1", "c2"]  # $0.80 spent < $1.00 when the third started
    assert stopped == "stopped: the budget is spent ($1.20 of $1.00)"
    assert replay(store, Plan(plain_cases(5), [who], budget_usd=5.0),
                  costing(reviewed, 0.4)) is None
    assert reviewed == ["c0", "c1", "c2", "c3", "c4"]


def test_a_budget_with_an_unknown_cost_stored_stops_at_once(tmp_path):
    store, who, reviewed = BenchStore(tmp_path, "b"), Reviewer("m", PRICED, _no_model), []
    store.record(CaseResult(case_id="c0", model="m", status="reviewed", cost_usd=None))
    stopped = replay(store, Plan(plain_cases(3), [who], budget_usd=10.0),
                     costing(reviewed, 0.1))
    assert reviewed == [] and "no known price" in (stopped or "")


@pytest.mark.parametrize("models", [["m"], ["priced", "m"], ["m", "priced"]])
def test_a_budget_with_a_model_of_no_known_price_is_refused_before_any_review(tmp_path,
                                                                           models):
    """The price table is known before any call: a model with no price made the bench
    review one whole case unchecked, then stop and exit 0."""
    prices = Settings(prices={"priced": {"input": 3.0, "output": 15.0}})
    who = [Reviewer(model, prices, _no_model) for model in models]
    reviewed: list[str] = []
    with pytest.raises(ConfigError, match="set, but m has no known price") as raised:
        replay(BenchStore(tmp_path, "b"), Plan(plain_cases(3), who, budget_usd=5.0),
               costing(reviewed, 0.1))
    assert reviewed == [] and raised.value.exit_code == 2
    assert raised.value.where == "--budget" and "[prices]" in (raised.value.fix or "")
    assert replay(BenchStore(tmp_path, "c"), Plan(plain_cases(1), who),  # no budget: runs
                  costing(reviewed, 0.1)) is None


def test_reviews_failing_in_a_row_stop_the_bench_and_are_retried_later(tmp_path):
    store, who, reviewed = BenchStore(tmp_path, "b"), Reviewer("m", Settings(), _no_model), []

    def failing(case: Case, who: Reviewer) -> CaseResult:
        reviewed.append(case.id)
        raise ReviewloopError("throttled\nmore detail")

    stopped = replay(store, Plan(plain_cases(5), [who]), failing)
    assert reviewed == ["c0", "c1", "c2"]
    assert stopped == "stopped: 3 reviews in a row failed, the last with throttled"
    assert replay(store, Plan(plain_cases(5), [who]), costing(reviewed, 0.0)) is None
    assert reviewed[3:] == ["c0", "c1", "c2", "c3", "c4"]
    assert set(store.reviews().values()) == {1}


def _no_model(name: str) -> ScriptedChatModel:
    return ScriptedChatModel()


@pytest.mark.parametrize("limit", [None, 1, 3, 5])
def test_a_dry_run_with_json_prints_the_cases_as_json(repo: Path, capsys, limit):
    """`--dry-run --json`: JSON a script can read (not the table), holding what the bench
    would review: the cases SZZ finds, the first `limit` selected, and the skipped fixes."""
    model = ScriptedChatModel()  # nothing scripted: a dry run calls no model
    capsys.readouterr()
    code = bench.run(lambda _root, _config: Settings(model="scripted"), repo,
                     bench.BenchOptions(format="json", dry_run=True, limit=limit),
                     model_factory=lambda name: model)
    printed = json.loads(capsys.readouterr().out)
    mined = szz.mine(open_repository(repo), szz.FixRule())
    assert code == 0 and model.history == []
    assert printed["cases"] == [c.model_dump(mode="json") for c in mined.cases]
    assert printed["selected"] == len(mined.cases[:limit])
    assert (printed["fixes"], printed["skipped"]) == (mined.fixes, mined.skipped)
