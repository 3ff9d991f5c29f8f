"""Analyzers started early: side by side, before LangGraph loads, answered once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.findings.schema import Finding
from reviewloop.review.early import EarlyAnalysis
from reviewloop.review.evidence import AnalyzerReport, run_for_agent
from tests.support.analyzers import FakeAnalyzer, Repo, agent
from tests.support.paths import ROOT


class Calls:
    """An `analyze` that records its calls and answers a fresh report each time."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.calls: list[tuple[str, str, dict]] = []
        self.lock = threading.Lock()

    def __call__(self, agent_def, diff_text: str, root: Path, **options) -> AnalyzerReport:
        time.sleep(self.delay)
        with self.lock:
            self.calls.append((agent_def.name, diff_text, options))
        return AnalyzerReport()


def test_the_round_gets_the_report_started_early_and_the_analyzers_run_once(tmp_path):
    calls = Calls()
    security, style = agent("review-a", ("bandit",)), agent("review-b", ("ruff",))
    with EarlyAnalysis(calls) as early:
        early.start([security, style, agent("review-none")], "diff", tmp_path)
        first = early(security, "diff", tmp_path)
        early(style, "diff", tmp_path)
    assert isinstance(first, AnalyzerReport)
    assert sorted(name for name, _, _ in calls.calls) == ["review-a", "review-b"]


def test_any_other_request_runs_as_it_would_have(tmp_path):
    calls = Calls()
    security = agent("review-a", ("bandit",))
    with EarlyAnalysis(calls) as early:
        early.start([security], "diff", tmp_path)
        early(security, "diff", tmp_path, only={"a.py"})  # a fix round's re-review
        early(security, "another diff", tmp_path)
        early(security, "diff", tmp_path / "elsewhere")  # another tree (a head commit)
        early(security, "diff", tmp_path)  # the early one
        early(security, "diff", tmp_path)  # asked again: runs afresh
    assert [(diff, options) for _, diff, options in calls.calls].count(("diff", {})) == 3
    assert len(calls.calls) == 5  # the early one was not run twice


def test_leaving_waits_for_what_was_started(tmp_path):
    calls = Calls(delay=0.3)
    with EarlyAnalysis(calls) as early:
        early.start([agent("review-a", ("bandit",))], "diff", tmp_path)
    assert len(calls.calls) == 1  # finished, not abandoned mid-run


class Meeting(FakeAnalyzer):
    """An analyzer that finishes only when `parties` analyzers are running at once."""

    def __init__(self, name: str, barrier: threading.Barrier):
        self.name, self.barrier = name, barrier

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        self.barrier.wait()  # BrokenBarrierError after the timeout: reported as failed
        return []


def test_one_reviewers_analyzers_run_side_by_side(tmp_path):
    repo = Repo(tmp_path / "repo")
    diff = repo.change({"app.py": "x = 1\n"})
    barrier = threading.Barrier(2, timeout=10)
    table = {"one": Meeting("one", barrier), "two": Meeting("two", barrier)}
    report = run_for_agent(agent("review-x", ("one", "two")), repo.root, diff, registry=table)
    assert [(h.name, h.status) for h in report.health] == [("one", "ok"), ("two", "ok")]


def test_the_review_modules_load_without_langgraph_or_langchain():
    """What runs before the analyzers start must not pay for loading LangGraph."""
    probe = ("import sys; import reviewloop.cli.review, reviewloop.runs.review; "
             "print(sorted(m for m in ('langgraph', 'langchain_core', 'langsmith') "
             "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_an_offline_review_starts_its_analyzers_before_langgraph_loads(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.change({"app.py": "import subprocess\nsubprocess.call('ls', shell=True)\n"})
    script = (
        "import sys\n"
        "from reviewloop.review import early\n"
        "start = early.EarlyAnalysis.start\n"
        "def spy(self, *args, **kwargs):\n"
        "    print('langgraph loaded at start:', 'langgraph' in sys.modules, file=sys.stderr)\n"
        "    return start(self, *args, **kwargs)\n"
        "early.EarlyAnalysis.start = spy\n"
        "from reviewloop.cli.app import main\n"
        "sys.argv = ['reviewloop', 'review', '--format', 'ruff', '--fail-on', 'never']\n"
        "main()\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=repo.root, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "langgraph loaded at start: False" in done.stderr
    assert "S602" in done.stdout or "B602" in done.stdout  # bandit's finding made the report


def test_a_review_runs_each_reviewers_analyzers_once_even_on_crlf_files(tmp_path):
    """The round reads its diff back from disk (newlines as `read_text` has them): the early
    runs must be keyed on that text, or every analyzer would run twice."""
    from reviewloop.config import Settings
    from reviewloop.review.evidence import analyze
    from reviewloop.runs.review import DiffSource, review_change

    repo = Repo(tmp_path / "repo")
    (repo.root / "app.py").write_bytes(b"import os\r\nprint(os.getcwd())\r\n")
    repo.git("add", "-A")
    calls = Calls()

    def counted(agent_def, diff_text, root, **options):
        calls(agent_def, diff_text, root, **options)
        return analyze(agent_def, diff_text, root, **options)

    review_change(repo.root, Settings(), DiffSource(staged=True), model_factory=lambda n: None,
                  llm=False, analyze=counted)
    names = [name for name, _, _ in calls.calls]
    assert sorted(names) == sorted(set(names)) and "review-security" in names
