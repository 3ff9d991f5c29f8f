"""Whose answers the bench scores: only the model under test's, through the real Bedrock
client and the loopback fake. A review in which a reviewer's call failed, or in which
another model would have answered (a fallback, a per-role model), measures nothing: it is
a failed review, counted as failed, stopping the bench after three in a row, and reviewed
again by the next run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.bench.cases import Case, Label
from reviewloop.bench.review import result_of
from reviewloop.cli import bench
from reviewloop.config import ModelRoles, ModelRouting, Review, Settings
from reviewloop.reports.report import RunSummary
from tests.support.bedrock import BedrockFake, aws_env, tool_use
from tests.support.bench_repo import AVERAGE, CLAMP, PARSE, planted
from tests.support.runner import CALLED

SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
# Every way the checkout's settings can put another model where the benched one should be.
ELSEWHERE = {
    "fallback_model": {"fallback_model": HAIKU},
    "fallbacks.review": {"fallbacks": ModelRoles(review=HAIKU)},
    "models.review": {"models": ModelRoles(review=HAIKU)},
    "model_routing.reasoning": {"model_routing": ModelRouting(reasoning=HAIKU)},
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = tmp_path / "r"
    planted(root)
    return root


def found_everywhere(fake: BedrockFake) -> None:
    """Every reviewer finds each planted bug on its line (so any answer is a hit)."""
    for bug in (AVERAGE, CLAMP, PARSE):
        fake.script(bug.marker, [tool_use("submit_findings", {"findings": [{
            "severity": "must_fix", "file": bug.path, "start_line": bug.line,
            "end_line": bug.line, "title": "Wrong result", "rationale": "It is wrong.",
            "confidence": 0.9}]})] * 40)


def run_bench(root: Path, fake: BedrockFake, monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str], settings: Settings,
              **options: object) -> tuple[int, dict]:
    for name, value in aws_env(fake).items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = bench.run(lambda _root, _config: settings, root,
                     bench.BenchOptions(models=(SONNET,), format="json",
                                        **options))  # type: ignore[arg-type]
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("where", sorted(ELSEWHERE))
@pytest.mark.parametrize("answers", [True, False], ids=["answers", "fails"])
def test_only_the_benched_model_is_called_and_scored(repo, monkeypatch, capsys, where,
                                                     answers):
    settings = Settings(model=SONNET, **ELSEWHERE[where])
    with BedrockFake() as fake:
        found_everywhere(fake)
        if not answers:  # Bedrock refuses every call to it; the other model would answer
            fake.fail_model(SONNET, status=400)
        code, report = run_bench(repo, fake, monkeypatch, capsys, settings, limit=1)
        asked = {r.model_id for r in fake.calls}
    [row] = report["models"]
    assert asked == {SONNET}, f"{where}: another model answered for {SONNET}"
    assert row["model"] == SONNET
    if answers:
        assert (code, row["cases"], row["hits"], row["failed"]) == (0, 1, 1, 0)
    else:
        assert (code, row["cases"], row["hits"], row["failed"]) == (1, 0, 0, 1)
        [case] = report["case_results"]
        assert case["results"][0]["status"] == "failed"
        assert f"{len(CALLED)} of {len(CALLED)} reviewer(s) failed" in \
            case["results"][0]["error"]


def test_a_model_whose_calls_all_fail_is_failed_stops_the_bench_and_is_retried(
        repo, monkeypatch, capsys):
    settings = Settings(model=SONNET)
    with BedrockFake() as fake:
        fake.fail_model(SONNET, status=400)
        code, report = run_bench(repo, fake, monkeypatch, capsys, settings)
    [row] = report["models"]
    assert code == 1
    assert (row["cases"], row["hits"], row["hit_rate"], row["failed"]) == (0, 0, None, 3)
    assert report["stopped"].startswith("stopped: 3 reviews in a row failed")
    for reviewer in row["reviewers"]:  # a failed call is no case it reviewed
        assert (reviewer["cases"], reviewer["failed"]) == (0, 3), reviewer
    assert {r["reviewer"] for r in row["reviewers"]} == set(CALLED)

    with BedrockFake() as fake:  # the model answers again: every case is reviewed now
        found_everywhere(fake)
        code, again = run_bench(repo, fake, monkeypatch, capsys, settings)
        calls = len(fake.calls)
    [row] = again["models"]
    assert calls == 3  # a call a case: its reviewers asked together
    assert (code, row["cases"], row["hits"], row["failed"]) == (0, 3, 3, 0)
    assert again["stopped"] is None


@pytest.mark.parametrize("failing", [*range(1, len(CALLED) + 1), None],
                         ids=[*map(str, range(1, len(CALLED) + 1)), "combined"])
def test_a_review_with_any_failed_reviewer_measures_nothing(repo, monkeypatch, capsys,
                                                            failing):
    """k of the reviewers' first calls refused (one call each, `[review] combined_review =
    false`), or the one call of them all (the default): the case's review is failed (its
    other reviewers' findings are not scored as a whole review), the next run reviews it."""
    combined = failing is None
    settings = Settings(model=SONNET, review=Review(combined_review=combined))
    with BedrockFake() as fake:
        found_everywhere(fake)
        fake.fail_next(400, count=1 if combined else failing)
        code, report = run_bench(repo, fake, monkeypatch, capsys, settings, limit=2)
    failed = len(CALLED) if combined else failing  # a failed call fails each it asked
    [row] = report["models"]
    first = report["case_results"][0]["results"][0]
    assert code == 1
    assert (first["status"], first["hit"], first["findings"]) == ("failed", False, [])
    assert f"{failed} of {len(CALLED)} reviewer(s) failed" in first["error"]
    assert (row["cases"], row["hits"], row["failed"]) == (1, 1, 1)
    assert sum(r["failed"] for r in row["reviewers"]) == failed

    with BedrockFake() as fake:
        found_everywhere(fake)
        code, again = run_bench(repo, fake, monkeypatch, capsys, settings, limit=2)
        calls = len(fake.calls)
    assert calls == (1 if combined else len(CALLED))  # the failed case only
    assert (code, again["models"][0]["cases"], again["models"][0]["failed"]) == (0, 2, 0)


@pytest.mark.parametrize("fallbacks", [["review: haiku answered 4 call(s) instead of sonnet"],
                                       ["review: a answered 1 call(s) instead of b",
                                        "review_security: c answered 2 call(s) instead of b"]])
def test_a_review_another_model_answered_is_not_the_models(fallbacks):
    """Whatever let a fallback in (the bench sets none): its answers are not scored."""
    case = Case(id="c", source="jsonl", base="b", head="h", labels=[Label(path="a.py", line=1)])
    summary = RunSummary(task_id="review", fallbacks=fallbacks)
    result = result_of(case, SONNET, summary, 1.0)
    assert result.status == "failed" and result.findings == []
    assert result.error == f"another model answered: {'; '.join(fallbacks)}"


@pytest.mark.parametrize("agent", ["review-security", "review-extra"])
def test_an_agent_files_own_model_does_not_answer_for_the_benched_one(repo, monkeypatch,
                                                                       capsys, agent):
    """An agent file naming its own `model` kept it for every --model (r13): `--model A
    --model B` compared that model with itself on its reviewer. The bench sets `[review]
    agent_models = false`: a built-in's replacement and a new reviewer alike use --model."""
    folder = repo / ".kiro" / "agents"
    folder.mkdir(parents=True)
    (folder / f"{agent}.json").write_text(json.dumps({
        "name": agent, "description": "Reviews the change.", "model": HAIKU,
        "prompt": "Review the change for wrong results.", "tools": ["fs_read"]}))
    with BedrockFake() as fake:
        found_everywhere(fake)
        code, report = run_bench(repo, fake, monkeypatch, capsys, Settings(model=SONNET),
                                 limit=1)
        asked = {r.model_id for r in fake.calls}
    [row] = report["models"]
    assert asked == {SONNET}, f"{agent}'s own model answered for {SONNET}"
    assert agent in {r["reviewer"] for r in row["reviewers"]}
    assert (code, row["cases"], row["failed"]) == (0, 1, 0)
