"""`reviewloop stats` and `reviewloop report` over a plain local run store: a task run (the
demo, through its checkpoints) and reviews of the working tree (their saved summaries)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.support import warm_cli
from tests.support.gitutil import git
from tests.support.paths import ROOT

pytestmark = pytest.mark.timeout(600)
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "stats.schema.json").read_text())
SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    return warm_cli.run(args, root, env=env, timeout=300)


def stats(root: Path) -> dict:
    done = cli(root, "stats", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    return data


def rows(data: dict, table: str) -> dict[str, dict]:
    return {row["name"]: row for row in data[table]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo's task run (offline: the analyzers' findings, ruff's fixed by its own fix),
    then a review of a new change in the same repository."""
    where = tmp_path_factory.mktemp("stats")
    done = subprocess.run([sys.executable, "-m", "reviewloop", "demo", "--dir", str(where)],
                          capture_output=True, text=True, timeout=300, cwd=where,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    return where / "todo-api"


def test_stats_count_a_task_run_from_its_checkpoints_and_a_review_from_its_summary(demo):
    before = stats(demo)
    assert before["sources"] == {"runs": 1, "reviews": 0, "pull_requests": 0,
                                 "bench_replays": 0, "unreadable": []}
    rules = rows(before, "rules")
    # the demo's change: two of ruff's findings fixed by ruff's own fix, bandit's nit open
    assert (rules["ruff-maintainability:F632"]["fixed"],
            rules["ruff-maintainability:B009"]["fixed"]) == (1, 1)
    assert rules["bandit:B101"]["open"] == 1
    (demo / "runner.py").write_text(SHELL)
    git(demo, "add", "runner.py")
    reviewed = cli(demo, "review", "--staged")
    assert reviewed.returncode == 1, reviewed.stdout + reviewed.stderr
    after = stats(demo)
    assert (after["sources"]["runs"], after["sources"]["reviews"]) == (1, 1)
    b602 = rows(after, "rules")["bandit:B602"]
    assert (b602["findings"], b602["open"], b602["reviewers"]) == (1, 1, ["review-security"])
    security = rows(after, "reviewers")["review-security"]
    assert security["findings"] == rows(before, "reviewers")["review-security"]["findings"] + 2
    assert rows(after, "analyzers")["bandit"]["open"] >= 2
    text = cli(demo, "stats")
    assert text.returncode == 0 and "Rules, noisiest first" in text.stdout
    assert "Over 1 run(s), 1 review(s) and 0 pull request(s)" in text.stdout


def test_report_shows_the_newest_run_again_in_every_format_and_writes_the_page(demo):
    newest = cli(demo, "report", "--format", "json")
    assert newest.returncode == 0, newest.stderr
    summary = json.loads(newest.stdout)
    assert summary["task"]["id"] in ("review", "T2")
    review_schema = json.loads((ROOT / "docs" / "schemas" / "review.schema.json").read_text())
    jsonschema.validate(summary, review_schema, cls=jsonschema.Draft202012Validator)
    runs = sorted((demo / ".reviewloop" / "runs").iterdir())
    run_id = runs[0].name
    page = cli(demo, "report", run_id, "--html")
    assert page.returncode == 0, page.stderr
    html = (runs[0] / "report.html").read_text()
    assert f"reviewloop run {run_id}" in html and "gate test" in html
    assert "Use `==` to compare constant literals" in html  # a finding, with its history
    markdown = cli(demo, "report", run_id, "--format", "markdown")
    assert "Delete a todo" in markdown.stdout
    to_file = demo / "out" / "page.html"
    assert cli(demo, "report", run_id, "--html", "--output", str(to_file)).returncode == 0
    assert to_file.read_text() == html
    unknown = cli(demo, "report", "no-such-run")
    assert unknown.returncode == 2 and "no run 'no-such-run'" in unknown.stderr


def test_an_empty_store_reports_nothing_yet(tmp_path: Path):
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    data = stats(root)
    assert data["rules"] == [] and data["sources"]["runs"] == 0
    assert not (root / ".reviewloop").exists()  # asking created nothing
    nothing = cli(root, "report")
    assert nothing.returncode == 2 and "no run or review to report yet" in nothing.stderr
    named = cli(root, "report", "T1-20260101-000000-abcd")
    assert named.returncode == 2 and "no run 'T1-20260101-000000-abcd'" in named.stderr
    assert not (root / ".reviewloop").exists()
