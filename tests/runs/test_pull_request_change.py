"""A review of two commits reads and parses its diff once: the trusted side's file
classification, the suppressions' trust, the gates and the configuration flags are handed
the parsed change instead of each asking git and the parser again."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from reviewloop.config import Settings, load_settings
from reviewloop.git import diff
from reviewloop.git.repository import open_repository
from reviewloop.reports.report import RunSummary
from reviewloop.runs.review import DiffSource, review_change
from reviewloop.runs.trusted import base_config
from tests.support.chat import ScriptedChatModel
from tests.support.repos import branch_repo
from tests.support.runner import clean_round


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    # a diff of its own: no parse of an earlier test's is remembered
    return branch_repo(tmp_path / "r", {"app.py": "VALUE = 1\n"}, {
        "app.py": f"VALUE = {uuid.uuid4().int}\n\n\ndef double(x):\n    return 2 * x\n",
        ".reviewloop.toml": "[review]\nmax_reviewers = 20\n"})  # flagged


@pytest.mark.parametrize("llm", [False, True], ids=["offline", "reviewers"])
def test_a_pull_request_review_parses_its_diff_once(repo: Path, llm: bool) -> None:
    before = diff.parsed_count()
    model = ScriptedChatModel()
    clean_round(model)
    checkout = open_repository(repo)

    with base_config(checkout, "main", "feature", lambda r, c: load_settings(r, environ={}),
                     None) as trusted:
        summary = review_change(repo, trusted.settings if not llm else Settings(
            model="scripted"), DiffSource(base="main", head="feature"),
            model_factory=lambda name: model, llm=llm, trusted=trusted)

    assert isinstance(summary, RunSummary)
    # the configuration change was flagged from the same parse
    assert [e.finding.file for e in summary.ledger.entries
            if e.finding.rule == "config-change"] == [".reviewloop.toml"]
    assert diff.parsed_count() - before == 1  # the pull request's diff, parsed once
