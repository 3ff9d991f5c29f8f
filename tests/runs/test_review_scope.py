"""A reviewer's scope (`reviewloop.include` / `exclude`) decides what it reads and what it
reports, not only whether it is called: `reviewloop review` with a scripted model, a reviewer
that excludes the tests, and a change to code and tests in one chunk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.config import Settings
from reviewloop.reports.report import RunSummary
from reviewloop.runs.review import DiffSource, review_change
from tests.support.chat import ScriptedChatModel, message_text
from tests.support.repos import init_repo
from tests.support.runner import clean_round, review

SCOPED = "review-product"


def finding(path: str, title: str) -> dict:
    return {"severity": "should_fix", "file": path, "start_line": 1, "end_line": 1,
            "title": title, "rationale": "It matters here.", "confidence": 0.9}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = init_repo(tmp_path / "r", {
        f".kiro/agents/{SCOPED}.json": json.dumps({
            "name": SCOPED, "prompt": "Judge the product code.",
            "reviewloop": {"exclude": ["tests/**"]}}),
        "app.py": "VALUE = 1\n", "tests/test_app.py": "def test_value():\n    assert True\n"})
    (root / "app.py").write_text("VALUE = 2  # APP-LINE\n")
    (root / "tests/test_app.py").write_text("def test_value():\n    assert 2  # TEST-LINE\n")
    return root


def test_a_scoped_reviewer_reads_and_reports_only_its_own_files(repo: Path) -> None:
    model = ScriptedChatModel()
    clean_round(model)  # the built-ins, asked in one call: all of the change is theirs
    model.script(f"agent: {SCOPED}", [review([finding("app.py", "App finding"),
                                              finding("tests/test_app.py", "Test finding")])])

    summary = review_change(repo, Settings(model="scripted"), DiffSource(),
                            model_factory=lambda name: model, llm=True)

    assert isinstance(summary, RunSummary)
    prompts = {name: [message_text(h[0]) for h in model.history
                      if marker in message_text(h[0])]
               for name, marker in ((SCOPED, f"agent: {SCOPED}"),
                                    ("review-security", "## review-security\n"))}
    assert len(prompts[SCOPED]) == 1 and len(prompts["review-security"]) == 1
    assert "APP-LINE" in prompts[SCOPED][0]
    assert "TEST-LINE" not in prompts[SCOPED][0]  # it never reads the excluded file's diff
    assert "tests/test_app.py" not in prompts[SCOPED][0].split("# The change", 1)[1]
    assert all("TEST-LINE" in p for p in prompts["review-security"])  # others still do
    reported = [(e.finding.file, e.finding.title) for e in summary.ledger.entries
                if e.finding.agent == SCOPED]
    assert reported == [("app.py", "App finding")]  # its finding on an excluded file dropped
    outcome = next(r for r in summary.reviewers if r.agent == SCOPED)
    assert outcome.status == "ok"
