"""`reviewloop bench` as a process, through the real Bedrock client and the loopback fake:
killed with SIGKILL once its first case is stored, it resumes with no case reviewed twice
and reports what an uninterrupted bench reports; its JSON validates against its schema."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
from pathlib import Path

import jsonschema
import pytest

from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, aws_env, tool_use
from tests.support.bench_repo import AVERAGE, CLAMP, PARSE, Bug, planted
from tests.support.paths import ROOT
from tests.support.runner import CALLED

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
STORE = Path(".reviewloop/bench")
GATE_S = 120  # only against a hung test: the bench always reaches the gate


class Arrival(threading.Event):
    """A reply's gate that also says when a request reached it (and is held there)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.arrived.set()
        return super().wait(timeout)


def env(fake: BedrockFake, tmp_path: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    return {**kept, **aws_env(fake), "HOME": str(tmp_path / "home")}


def answers(fake: BedrockFake, bug: Bug, times: int, gate: threading.Event | None = None,
            found: bool = False) -> None:
    """Every reviewer of `bug`'s case answers alike (so who answers first changes nothing):
    a finding on its line when `found`."""
    findings = [{"severity": "must_fix", "file": bug.path, "start_line": bug.line,
                 "end_line": bug.line, "title": "Wrong result", "rationale": "It is wrong.",
                 "confidence": 0.9}] if found else []
    fake.script(bug.marker, [tool_use("submit_findings", {"findings": findings}, gate=gate)
                             for _ in range(times)])


def calls(fake: BedrockFake, bug: Bug) -> int:
    return sum(bug.marker in r.system_text() for r in fake.calls)


def bench(root: Path, fake: BedrockFake, tmp_path: Path, *args: str
          ) -> subprocess.CompletedProcess[str]:
    return warm_cli.run(["bench", "--model", MODEL, "--json", *args], root,
                        env=env(fake, tmp_path), timeout=300)


def stored(root: Path, name: str = "default") -> dict[str, int]:
    path = root / STORE / name / "bench.sqlite"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return dict(db.execute("SELECT case_id, reviews FROM results").fetchall())


def comparable(report: dict) -> dict:
    """The report without what no two runs share: the time they took, the store's name."""
    report = json.loads(json.dumps(report))
    report.pop("name")
    for tally in [*report["models"], *(r for m in report["models"] for r in m["reviewers"])]:
        tally.pop("seconds")
        tally.pop("seconds_per_case")
    for case in report["case_results"]:
        for result in case["results"]:
            result.pop("wall_s")
    return report


def test_a_bench_killed_after_its_first_case_resumes_and_reviews_no_case_twice(tmp_path):
    root = tmp_path / "r"
    ids = planted(root)
    reviewers = len(CALLED)  # the infrastructure reviewer reads no Python file
    asked = 1  # a review is one call: its reviewers asked together, a reply each
    held = Arrival()
    with BedrockFake() as fake:
        answers(fake, PARSE, reviewers)  # newest first: PARSE, then CLAMP, then AVERAGE
        answers(fake, CLAMP, 2 * reviewers, gate=held, found=True)  # held until the kill
        answers(fake, AVERAGE, reviewers)
        process = warm_cli.popen(["bench", "--model", MODEL, "--json"], root,
                                 env=env(fake, tmp_path))
        try:
            assert held.arrived.wait(GATE_S), "the bench never reached its second case"
            # the first case is in the store before the second one's first model call
            assert stored(root) == {ids[PARSE.subject]: 1}
        finally:
            process.kill()
            process.wait(GATE_S)
            held.set()
        before = calls(fake, CLAMP)
        assert 1 <= before <= asked

        resumed = bench(root, fake, tmp_path)

        assert resumed.returncode == 0, resumed.stderr
        assert stored(root) == {ids[b.subject]: 1 for b in (PARSE, CLAMP, AVERAGE)}
        assert calls(fake, PARSE) == asked  # not one call more after the restart
        assert calls(fake, CLAMP) - before == asked  # the killed review, done once
        assert calls(fake, AVERAGE) == asked
        for bug in (PARSE, CLAMP, AVERAGE):  # an uninterrupted bench of the same cases
            answers(fake, bug, reviewers, found=bug is CLAMP)
        clean = bench(root, fake, tmp_path, "--name", "clean")
    assert clean.returncode == 0, clean.stderr
    report = json.loads(resumed.stdout)
    assert comparable(report) == comparable(json.loads(clean.stdout))
    [model] = report["models"]
    assert (model["cases"], model["hits"]) == (3, 1)
    assert all(r["hits"] == 1 for r in model["reviewers"] if r["reviewer"] in CALLED)
    assert model["cost_usd"] > 0 and model["input_tokens"] > 0


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads((ROOT / "docs/schemas/bench.schema.json").read_text())


def test_the_json_report_validates_against_its_schema(tmp_path, schema):
    root = tmp_path / "r"
    planted(root)
    with BedrockFake() as fake:
        for bug in (PARSE, CLAMP, AVERAGE):
            answers(fake, bug, 2 * len(CALLED), found=bug is AVERAGE)
        done = bench(root, fake, tmp_path, "--limit", "2", "--model", HAIKU)
        assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)
    assert [m["model"] for m in report["models"]] == [MODEL, HAIKU]
    assert report["cases"] == 2  # both models on the same two cases
    assert all(len(c["results"]) == 2 for c in report["case_results"])
    report["models"][0]["hits"] = "two"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)


def test_the_table_says_what_the_numbers_do_not_mean(tmp_path):
    root = tmp_path / "r"
    planted(root)
    with BedrockFake() as fake:
        answers(fake, PARSE, len(CALLED), found=True)
        done = warm_cli.run(["bench", "--model", MODEL, "--limit", "1"], root,
                            env=env(fake, tmp_path), timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1/1 case(s) hit" in done.stdout and "review-security" in done.stdout
    assert "unconfirmed, not false" in done.stdout
    assert "[1/1]" in done.stderr  # a progress line per stored case


def test_a_dry_run_lists_the_cases_and_calls_no_model(tmp_path):
    root = tmp_path / "r"
    planted(root)
    with BedrockFake() as fake:
        done = warm_cli.run(["bench", "--dry-run"], root, env=env(fake, tmp_path), timeout=120)
        assert fake.calls == []
    assert done.returncode == 0, done.stderr
    assert "3 case(s)" in done.stdout
    for bug in (PARSE, CLAMP, AVERAGE):
        assert bug.subject in done.stdout
    assert "only adds lines" in done.stdout


def test_no_model_is_a_usage_error_that_says_how_to_give_one(tmp_path):
    root = tmp_path / "r"
    planted(root)
    done = warm_cli.run(["bench"], root, env={**os.environ, "HOME": str(tmp_path / "home")},
                        timeout=120)
    assert done.returncode == 2
    assert "no model is configured" in done.stderr and "--model" in done.stderr
