"""`reviewloop review` on real repositories, offline (the analyzers are the reviewers)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema

from tests.support.gitutil import git
from tests.support.review_cli import (
    SARIF_SCHEMA,
    repo,
    review,
)

TOKEN = "ghp_" + "Zq3X9vB1nK7mP2wR5tY8uL4cD6fH0jA1sE3g"  # built here: no token in the file


def test_a_secret_blocks_and_every_output_says_the_llm_was_off(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "settings.py").write_text(f'TOKEN = "{TOKEN}"\n')
    done = review(root, "--format", "json", "--sarif", str(tmp_path / "out.sarif"))
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["llm"] is False and "LLM reviewers off" in report["verdict"]
    assert {"name": "secrets", "passed": False} .items() <= report["gates"][0].items()
    assert report["counts"]["remaining"]["must_fix"] == 1
    assert TOKEN not in done.stdout and TOKEN not in done.stderr
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    assert TOKEN not in json.dumps(sarif)
    assert review(root, "--fail-on", "never").returncode == 0


def test_staged_only_and_markdown_to_a_file(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "run.py").write_text("import subprocess\n\n\ndef run(cmd):\n"
                                 "    return subprocess.call(cmd, shell=True)\n")
    (root / "other.py").write_text("X = 2\n")
    git(root, "add", "run.py")
    out = tmp_path / "report.md"
    done = review(root, "--staged", "--format", "markdown", "--output", str(out))
    assert done.returncode == 1, done.stderr
    text = out.read_text()
    assert "run.py" in text and "other.py" not in text
    assert "B602" in text or "shell" in text


def test_nothing_to_review_is_not_an_error(tmp_path: Path) -> None:
    done = review(repo(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "nothing to review: no change in the working tree against HEAD" in done.stdout


def test_nothing_staged_with_json_keeps_stdout_clean(tmp_path: Path) -> None:
    done = review(repo(tmp_path), "--staged", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] == "nothing to review"  # the document alone
    assert "nothing to review: no change in the staged changes" in done.stderr


def _statuses(done: subprocess.CompletedProcess) -> tuple[list, list]:
    report = json.loads(done.stdout)
    entries = report["ledger"]["entries"]
    return ([(e["finding"]["file"], e["finding"]["title"], e["status"]) for e in entries],
            report["escalations"])


def test_without_fix_the_round_limit_changes_no_finding_and_escalates_nothing(
        tmp_path: Path, monkeypatch) -> None:
    root = repo(tmp_path)
    (root / "app.py").write_text('VALUE = 1\n\n\ndef same(x):\n    return x is "a"\n')
    default = review(root, "--format", "json")
    monkeypatch.setenv("REVIEWLOOP_MAX_ROUNDS", "1")
    one_round = review(root, "--format", "json")

    entries, escalations = _statuses(default)
    assert entries and {status for *_, status in entries} == {"open"}, default.stdout
    assert escalations == []
    assert _statuses(one_round) == (entries, escalations)
