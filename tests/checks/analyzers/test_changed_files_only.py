"""Every analyzer looks at the changed files in its agent's scope and nothing else: not the
rest of the repository, not a changed file over the size limit, not a deleted one."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov import _targets
from reviewloop.checks.analyzers.hadolint import dockerfiles
from reviewloop.checks.analyzers.registry import ANALYZERS
from reviewloop.checks.analyzers.zizmor import audited_files
from reviewloop.git.diff import parse_diff
from reviewloop.review.evidence import NOTHING_TO_ANALYZE, run_for_agent
from reviewloop.review.readable import MAX_ANALYZED_BYTES
from tests.support.analyzers import Repo, agent

RISKY = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
WORKFLOW = ("on: pull_request_target\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n")
# one of every kind an analyzer reads, unchanged in the base commit
UNCHANGED = {"old/legacy.py": RISKY, "old/Dockerfile": "FROM python:latest\n",
             ".github/workflows/old.yml": WORKFLOW,
             "old/k8s.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"}


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path, {**UNCHANGED, "gone.py": RISKY})


def _context(repo: Repo, diff: str, files: tuple[str, ...]) -> AnalyzerContext:
    return AnalyzerContext(root=repo.root, changes=parse_diff(diff), diff_text=diff,
                           agent="review-test", files=files)


def test_file_selection_of_every_adapter_is_a_subset_of_the_changed_files(repo: Repo) -> None:
    diff = repo.change({"new/app.py": RISKY, "new/Dockerfile": "FROM python:latest\n",
                        ".github/workflows/new.yml": WORKFLOW})
    files = ("new/app.py", "new/Dockerfile", ".github/workflows/new.yml")
    ctx = _context(repo, diff, files)
    assert ctx.files_for("python") == ["new/app.py"]  # bandit, ruff
    assert dockerfiles(ctx) == ["new/Dockerfile"]
    assert audited_files(ctx) == [".github/workflows/new.yml"]
    assert set(_targets(ctx)) <= set(files)


@pytest.mark.parametrize("name", ["bandit", "ruff-maintainability", "ruff-performance",
                                  "secrets"])
def test_python_analyzers_report_nothing_from_files_outside_the_change(repo: Repo,
                                                                       name: str) -> None:
    token = "ghp_" + "Zq3X9vB1nK7mP2wR5tY8uL4cD6fH0jA1sE3g"
    changed = RISKY + "\n\nfor k in {}.keys():\n    pass\n" + f'TOKEN = "{token}"\n'
    diff = repo.change({"new/app.py": changed}, delete=("gone.py",))
    report = run_for_agent(agent("review-test", (name,)), repo.root, diff)
    assert report.errors == [] and report.missing == []
    assert {f.file for f in [*report.findings, *report.outside]} <= {"new/app.py"}


def test_a_changed_file_over_the_size_limit_reaches_no_analyzer(repo: Repo) -> None:
    line = "x = eval(input())  # a bandit finding on every line\n"
    big = line * (MAX_ANALYZED_BYTES // len(line) + 1)
    diff = repo.change({"new/big.py": big})
    analyzers = ("bandit", "ruff-maintainability", "secrets", "test-changes")
    report = run_for_agent(agent("review-test", analyzers), repo.root, diff)
    assert report.findings == [] and report.outside == []
    assert {(h.name, h.status, h.reason) for h in report.health} == {
        (name, "skipped", NOTHING_TO_ANALYZE) for name in analyzers}


def test_the_secrets_analyzer_scans_only_its_files_and_the_registry_lists_it() -> None:
    token = "ghp_" + "Zq3X9vB1nK7mP2wR5tY8uL4cD6fH0jA1sE3g"
    diff = (f"diff --git a/a.py b/a.py\nnew file mode 100644\n--- /dev/null\n+++ b/a.py\n"
            f"@@ -0,0 +1 @@\n+A = \"{token}\"\n"
            f"diff --git a/b.py b/b.py\nnew file mode 100644\n--- /dev/null\n+++ b/b.py\n"
            f"@@ -0,0 +1 @@\n+B = \"{token}\"\n")
    ctx = AnalyzerContext(root=Path("."), changes=parse_diff(diff), diff_text=diff,
                          agent="review-security", files=("b.py",))
    found = ANALYZERS["secrets"].run(ctx)
    assert [(f.file, f.start_line, f.rule) for f in found] == [("b.py", 1, "github-token")]
