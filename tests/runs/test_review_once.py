"""What a review with a model works out once and every step after reads: the round's
suppressions are judged by its triage, and the gates' findings recorded after the graph are
judged by the same (each judgement reads the suppression files, blames lines and scans the
change for added markers: a 20k-line review judged them twice, ~25 ms of its CPU)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.graph import steps
from tests.support.bedrock import BedrockFake
from tests.support.cli_main import run_cli
from tests.support.loop_cli import MODEL, clean_reviews
from tests.support.repos import feature_branch

CHANGE: dict[str | bytes, bytes] = {
    "app/store.py": b"import subprocess\n\n\ndef run(cmd):\n"
                    b"    return subprocess.run(cmd, shell=True)  # noqa: S602\n",
    "tests/test_store.py": b"def test_run():\n    assert True\n"}


def test_a_review_judges_its_suppressions_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        bedrock_fake: BedrockFake):
    clean_reviews(bedrock_fake)
    root = feature_branch(tmp_path / "repo", CHANGE)
    monkeypatch.chdir(root)
    judged = []
    judge = steps.suppressions_for

    def counted(*args, **kwargs):
        judged.append(args[1])
        return judge(*args, **kwargs)

    monkeypatch.setattr(steps, "suppressions_for", counted)

    code, out, err = run_cli(capsys, "review", "--base", "main", "--head", "feature",
                             "--model", MODEL, "--format", "json")

    assert code in (0, 1), err
    assert bedrock_fake.calls  # the reviewers ran
    assert len(judged) == 1
    # judged once, the decision still counts: the marker the change added is flagged
    assert '"rule": "adds-suppression"' in out
