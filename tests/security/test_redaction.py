"""Nothing secret reaches a model: canary tokens read by a reviewer's tools, and sensitive
files in a manual change, never appear in a recorded Bedrock request (the real
ChatBedrockConverse → boto3 stack against the loopback fake) nor in a commit."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from reviewloop.review.definitions import builtin_agents, builtin_names
from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.repos import branch_repo

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
REVIEWERS = builtin_names()  # from the registry, not copied
AWS_KEY_ID = "AKIAQX4UJ2ZKL5BQW7NP"
AWS_SECRET = "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"
GITHUB_TOKEN = "ghp_R7mK2pQ9xV4sL8nT1wZ6yB3cF5hJ0dG2aE7u"
CANARIES = (AWS_KEY_ID, AWS_SECRET, GITHUB_TOKEN)
SETTINGS_PY = (f'AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"\n'
               f'AWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"\n'
               f'GITHUB = "{GITHUB_TOKEN}"\n')


def cli(root: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return warm_cli.run(args, root, env={**os.environ, **env}, timeout=120)


def fake_env(fake: BedrockFake, **extra: str) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": fake.url, "AWS_ENDPOINT_URL_BEDROCK": fake.url,
            "AWS_ACCESS_KEY_ID": "AKIDFAKE",
            "AWS_SECRET_ACCESS_KEY": "fake-secret", "AWS_REGION": "us-east-1", **extra}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return branch_repo(tmp_path / "repo", {
        "config/settings.py": SETTINGS_PY, "app.py": "def ok():\n    return 1\n"},
        {"app.py": "from config import settings\n\n\ndef ok():\n    return settings.GITHUB\n"},
        message="use the settings")


def leaked(fake: BedrockFake) -> list[str]:
    bodies = [json.dumps(r.body) for r in fake.requests]
    return [c for c in CANARIES for body in bodies if c in body]


def test_tool_results_are_redacted_before_they_reach_the_model(repo: Path) -> None:
    with BedrockFake() as fake:
        # the reviewers whose scope holds app.py (not infrastructure's), asked in one call
        fake.script("agents: ", [
            tool_use("fs_read", {"path": "config/settings.py"}),
            tool_use("grep", {"pattern": "ghp_|AKIA|SECRET"}),
            tool_use("submit_findings", {"findings": []})])
        done = cli(repo, "review", "--base", "main", "--head", "HEAD", "--model", MODEL,
                   "--format", "json", env=fake_env(fake))
        requests = fake.calls

    assert done.returncode == 0, done.stdout + done.stderr
    in_scope = [a.name for a in builtin_agents() if a.applies_to("app.py")]
    assert len(requests) == 3  # the one call's three turns
    assert all(f"agents: {', '.join(in_scope)}\n" in r.system_text() for r in requests)
    tool_results = [json.dumps(r.body["messages"]) for r in requests
                    if "toolResult" in json.dumps(r.body["messages"])]
    assert any("[REDACTED:aws-secret-access-key]" in t and "[REDACTED:github-token]" in t
               for t in tool_results)
    assert leaked(fake) == []
    assert not [c for c in CANARIES if c in done.stdout + done.stderr]


def test_a_hanging_provider_fails_the_reviewer_visibly_after_llm_timeout_s(repo: Path) -> None:
    with BedrockFake() as fake:
        fake.script("agent: review-performance",
                    [tool_use("submit_findings", {"findings": []}, delay=30)] * 8)
        for name in REVIEWERS:
            if name != "review-performance":
                fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})])
        done = cli(repo, "review", "--base", "main", "--head", "HEAD", "--model", MODEL,
                   "--format", "json", env=fake_env(fake, REVIEWLOOP_LLM_TIMEOUT_S="2"))

    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    (performance,) = [r for r in report["reviewers"] if r["agent"] == "review-performance"]
    assert performance["status"] == "failed"
    assert "did not answer within 2s (llm_timeout_s)" in performance["error"]
    assert report["verdict"] != "clean"


def test_every_text_of_a_review_report_is_redacted() -> None:
    from reviewloop.findings.ledger import Entry, Health, Ledger, Status
    from reviewloop.findings.schema import Finding, Severity
    from reviewloop.reports.render import to_markdown
    from reviewloop.reports.report import ReviewerOutcome, RunSummary, redacted, to_json
    from reviewloop.reports.sarif import to_sarif

    finding = Finding(severity=Severity.MUST_FIX, file="app.py", start_line=1, end_line=1,
                      title=f"token {GITHUB_TOKEN} in code", rationale=f"key {AWS_KEY_ID}",
                      confidence=0.9, agent="review-security")
    ledger = Ledger(round=1, entries=[Entry.single(finding, Status.OPEN,
                                                   f"reported near {GITHUB_TOKEN}")],
                    health=[Health(kind="analyzer", name="bandit", agent="review-security",
                                   status="failed", reason=f"bandit said {AWS_KEY_ID}")])
    summary = RunSummary(
        task_id="review", ledger=ledger,
        reviewers=[ReviewerOutcome(agent="review-security", status="failed",
                                   error=f"ValidationError: input {GITHUB_TOKEN!r}")],
        gates=[("secrets", False, f'AWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"')],
        escalations=[f"tool said {AWS_KEY_ID}"], skipped=[f"x.py: {GITHUB_TOKEN}"])

    clean = redacted(summary)
    outputs = (to_markdown(clean), json.dumps(to_json(clean)),
               json.dumps(to_sarif(clean.ledger, tool_version="0",
                                   reviewers=clean.reviewers, llm=True)))

    assert [c for c in CANARIES for text in outputs if c in text] == []
    # the Markdown shows it as text (its brackets escaped: `reports.render.model_text`)
    assert "[REDACTED:github-token]" in outputs[0].replace("\\", "")
