"""An offline review runs without the graph: same findings, and neither LangGraph nor
LangChain's model and tool classes are ever loaded (reviewloop.runs.offline)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.app.review import analyzers_for
from reviewloop.config import Review, Settings
from reviewloop.reports.report import RunSummary
from reviewloop.review.definitions import builtin_names
from reviewloop.runs.review import DiffSource, review_change
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.review_cli import repo

# The review as the CLI runs it, then which heavy packages the process loaded on the way.
PROBE = """
import json, sys
from reviewloop.cli.app import main
sys.argv = ["reviewloop", "review", "--fail-on", "never", "--format", "json"]
try:
    main()
except SystemExit:
    pass
loaded = sorted(m for m in ("langgraph", "langchain_core.tools", "langchain_core.messages",
                            "langsmith") if m in sys.modules)
print(json.dumps(loaded), file=sys.stderr)
"""


def _repo(tmp_path: Path) -> Path:
    root = repo(tmp_path)
    (root / "app.py").write_text("import subprocess\n\n\ndef run(cmd):\n"
                                 "    return subprocess.call(cmd, shell=True)\n")
    return root


def test_an_offline_review_finds_what_its_analyzers_find_without_loading_the_graph(tmp_path):
    root = _repo(tmp_path)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-P", "-c", PROBE], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
    report = json.loads(done.stdout)
    assert report["llm"] is False and report["rounds"] == 1
    statuses = {r["agent"]: r["status"] for r in report["reviewers"]}
    assert statuses["review-security"] == "ok"
    assert statuses["review-infrastructure"] == "skipped"  # no file of its in the change
    found = [(e["finding"]["source"], e["finding"]["file"], e["finding"]["start_line"],
              e["status"]) for e in report["ledger"]["entries"]]
    assert ("bandit", "app.py", 5, "open") in found, found


@pytest.mark.parametrize("together", [True, False])
def test_the_offline_round_records_what_the_graph_records_when_the_model_adds_nothing(
        tmp_path, together: bool):
    """The same ledger both ways: the graph with a model that reports no finding of its
    own, its reviewers asked in one call (the default) or one call each, and the offline
    round (the analyzers' findings are the whole review either way)."""
    root = _repo(tmp_path)
    settings = Settings(model="scripted", review=Review(combined_review=together))
    model = ScriptedChatModel().enqueue(*(
        tool_call("submit_findings", {"findings": [], "summary": "nothing"})
        for _ in builtin_names()))
    runs = {llm: review_change(root, settings, DiffSource(), model_factory=lambda _: model,
                               llm=llm, analyze=analyzers_for(settings))
            for llm in (True, False)}
    graph, offline = (runs[True], runs[False])
    assert isinstance(graph, RunSummary) and isinstance(offline, RunSummary)

    def entries(summary: RunSummary) -> list[tuple[str, str, str, int]]:
        return sorted((e.finding.source or "", e.status.value, e.finding.file,
                       e.finding.start_line) for e in summary.ledger.entries)

    assert entries(offline) == entries(graph)
    assert ("bandit", "open", "app.py", 5) in entries(offline)
    alone = [(r.agent, r.status) for r in offline.reviewers]
    reviewers = [(r.agent, r.status) for r in graph.reviewers]
    if together:  # a group's outcomes arrive together, at its first place
        reviewers.sort(key=alone.index)
    assert alone == reviewers
    assert offline.llm is False and graph.llm is True
    assert model.history  # the graph's reviewers did ask the model


def test_a_review_parses_its_diff_once_and_records_the_working_tree_once(tmp_path,
                                                                         monkeypatch):
    """The diff is read from the baseline snapshot's tree (one record of the working tree,
    not one for the diff and one for the baseline), and round-1.diff holds it byte for byte:
    a CRLF file's diff is parsed once, not once per newline style."""
    from reviewloop.git.diff import parsed_count
    from reviewloop.git.repository import Repository

    root = _repo(tmp_path)
    # large enough to be kept (git.diff memoizes diffs of 16 KiB and more)
    (root / "win.py").write_bytes(b"".join(b"VALUE_%d = %d\r\n" % (i, i) for i in range(2000)))
    recorded: list[str] = []
    real_record = Repository.worktree_tree

    def record(self: Repository) -> str:
        recorded.append("worktree")
        return real_record(self)

    monkeypatch.setattr(Repository, "worktree_tree", record)
    settings = Settings()
    parsed = parsed_count()
    summary = review_change(root, settings, DiffSource(), model_factory=lambda _: None,
                            llm=False, analyze=analyzers_for(settings))
    assert isinstance(summary, RunSummary)
    assert any(e.finding.file == "app.py" for e in summary.ledger.entries)
    assert parsed_count() - parsed == 1
    # the baseline (the diff read from it), and what was written since, for suppressions
    assert len(recorded) == 2, recorded


def test_the_diff_is_parsed_once_when_the_chunk_orders_its_files_otherwise(tmp_path):
    """The round's chunk keeps a folder's files together (the root's before pkg/), so its
    text is not the diff's; a reviewer whose scope holds fewer files than the chunk (no
    README.md for maintainability) cut the chunk's diff, parsing it again (#41). Offline
    its outcome reads the files only: the same findings, one parse."""
    from reviewloop.git.diff import parsed_count

    root = repo(tmp_path)
    (root / "pkg").mkdir()
    (root / "pkg" / "b.py").write_text("import subprocess\n\n\ndef run(cmd):\n"
                                       "    return subprocess.call(cmd, shell=True)\n")
    (root / "z.py").write_text("X = 1\n")
    (root / "README.md").write_text("notes\n")
    settings = Settings()
    parsed = parsed_count()
    summary = review_change(root, settings, DiffSource(), model_factory=lambda _: None,
                            llm=False, analyze=analyzers_for(settings))
    assert isinstance(summary, RunSummary)
    assert ("bandit", "pkg/b.py", 5) in {(e.finding.source, e.finding.file,
                                          e.finding.start_line) for e in summary.ledger.entries}
    assert {r.agent: r.status for r in summary.reviewers}["review-maintainability"] == "ok"
    assert parsed_count() - parsed == 1


def test_a_carriage_return_inside_a_line_is_content_not_a_line_end(tmp_path):
    """round-1.diff is written and read without newline translation: a bare CR in an added
    line (a string literal, an old Mac file) stays in its line; read back as a line end it
    broke the hunk ("not a valid unified diff") and the whole review."""
    root = _repo(tmp_path)
    (root / "notes.cfg").write_bytes(b'title = "a\rb"\n'
                                     b'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/'
                                     b'bPxRfiCYzQ8pLrT3aB"\n')
    (root / "old_mac.txt").write_bytes(b"X = 1\rY = 2\r")
    settings = Settings()
    summary = review_change(root, settings, DiffSource(), model_factory=lambda _: None,
                            llm=False, analyze=analyzers_for(settings))
    assert isinstance(summary, RunSummary)
    found = {(e.finding.file, e.finding.start_line, e.finding.source)
             for e in summary.ledger.entries}
    assert ("notes.cfg", 2, "secrets") in found, found  # git's line 2: the CR is content
    assert ("app.py", 5, "bandit") in found, found
