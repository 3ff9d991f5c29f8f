"""The bandit analyzer on a real repository: the real tool, only the changed lines."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.bandit import severity
from reviewloop.findings.schema import Severity
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

BASE = {"app/legacy.py": "import subprocess\n\n\ndef old(cmd):\n"
                         "    return subprocess.call(cmd, shell=True)\n"}
CHANGED = (
    "import hashlib\n"
    "import subprocess\n"
    "\n"
    "\n"
    "def old(cmd):\n"
    "    return subprocess.call(cmd, shell=True)\n"
    "\n"
    "\n"
    "def fingerprint(data):\n"
    "    return hashlib.md5(data).hexdigest()\n"
    "\n"
    "\n"
    "def run(args):\n"
    "    return subprocess.run(args, shell=True, check=False)\n"
)
CLEAN = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path, BASE)


def test_reports_the_problems_on_added_lines_and_not_the_old_ones(repo):
    diff = repo.change({"app/legacy.py": CHANGED, "app/clean.py": CLEAN})

    report = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)

    assert report.missing == [] and report.errors == []
    found = {(f.file, f.start_line, f.rule, f.severity) for f in report.findings}
    assert found == {
        ("app/legacy.py", 10, "B324", Severity.MUST_FIX),  # md5: HIGH severity, HIGH conf.
        ("app/legacy.py", 14, "B602", Severity.MUST_FIX),  # shell=True
    }  # line 6 (shell=True) is old code, the import of subprocess is not added either


def test_findings_carry_source_agent_confidence_and_a_stable_fingerprint(repo):
    diff = repo.change({"app/legacy.py": CHANGED})

    first = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff).findings
    again = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff).findings

    md5 = next(f for f in first if f.rule == "B324")
    assert (md5.source, md5.agent, md5.confidence) == ("bandit", "review-security", 0.9)
    assert "Use of weak MD5 hash" in md5.title and "CWE-327" in md5.rationale
    assert [f.fingerprint for f in first] == [f.fingerprint for f in again]


def test_the_fingerprint_survives_the_code_moving_down(repo):
    diff = repo.change({"app/legacy.py": CHANGED})
    before = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff).findings
    moved = CHANGED.replace("def fingerprint", "# a comment\n\n\ndef fingerprint")
    diff = repo.change({"app/legacy.py": moved})
    after = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff).findings

    md5_before = next(f for f in before if f.rule == "B324")
    md5_after = next(f for f in after if f.rule == "B324")
    assert md5_after.start_line == md5_before.start_line + 3
    assert md5_after.fingerprint == md5_before.fingerprint


def test_a_clean_change_has_no_findings(repo):
    diff = repo.change({"app/clean.py": CLEAN})

    report = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)

    assert report.findings == [] and report.complete


def test_non_python_files_are_not_given_to_bandit(repo):
    diff = repo.change({"docs/notes.md": "subprocess.call(cmd, shell=True)\n"})

    report = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)

    assert report.findings == [] and report.complete


@pytest.mark.parametrize(("sev", "conf", "expected"), [
    ("HIGH", "HIGH", Severity.MUST_FIX), ("HIGH", "MEDIUM", Severity.MUST_FIX),
    ("HIGH", "LOW", Severity.SHOULD_FIX), ("MEDIUM", "HIGH", Severity.SHOULD_FIX),
    ("MEDIUM", "MEDIUM", Severity.SHOULD_FIX), ("MEDIUM", "LOW", Severity.NIT),
    ("LOW", "HIGH", Severity.NIT), ("LOW", "LOW", Severity.NIT), ("UNDEFINED", "HIGH",
    Severity.NIT),
])
def test_severity_mapping(sev, conf, expected):
    assert severity(sev, conf) is expected


def test_asserts_are_flagged_outside_tests_only(repo):
    code = "def check(x):\n    assert x\n    return x\n"
    diff = repo.change({"app/guard.py": code, "tests/test_guard.py": code})

    report = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)

    assert [(f.file, f.rule, f.severity) for f in report.findings] == [
        ("app/guard.py", "B101", Severity.NIT)]


def test_a_report_keeps_every_finding_but_the_asserts_in_tests(tmp_path):
    """to_findings on bandit's JSON: an assert in a test file (as the finding names it,
    `./tests/…` too) is left out; any other rule there, and an assert elsewhere, are kept;
    a file name no finding can carry still fails as it did."""
    from pydantic import ValidationError

    from reviewloop.checks.analyzers.bandit import to_findings
    from reviewloop.checks.analyzers.base import AnalyzerContext
    from reviewloop.git.diff import parse_diff

    def issue(rule: str, filename: str) -> dict:
        return {"test_id": rule, "filename": filename, "line_number": 2, "line_range": [2],
                "issue_text": f"{rule} here", "issue_severity": "LOW",
                "issue_confidence": "HIGH", "test_name": "t"}

    ctx = AnalyzerContext(root=tmp_path, changes=parse_diff(""), diff_text="",
                          agent="review-security", files=())
    report = {"results": [issue("B101", "tests/test_a.py"), issue("B602", "tests/test_a.py"),
                          issue("B101", "app/a.py"), issue("B101", "./tests/test_b.py"),
                          issue("B101", str(tmp_path / "tests" / "test_c.py"))]}
    assert [(f.rule, f.file) for f in to_findings(report, ctx)] == [
        ("B602", "tests/test_a.py"), ("B101", "app/a.py")]
    with pytest.raises(ValidationError):
        to_findings({"results": [issue("B101", "../outside/test_x.py")]}, ctx)


def test_a_nosec_comment_does_not_hide_the_finding_from_the_review(repo):
    """bandit runs --ignore-nosec: whether a `# nosec` counts is reviewloop's decision (the
    trusted side's markers only), made where the finding is recorded."""
    marked = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)" \
             "  # nosec\n\n\ndef again(cmd):\n    return subprocess.call(cmd, shell=True)  #NOSEC\n"
    diff = repo.change({"app/marked.py": marked})

    report = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)

    assert [(f.rule, f.start_line) for f in report.findings if f.rule == "B602"] == [
        ("B602", 5), ("B602", 9)]


@settings(max_examples=200, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(folders=st.lists(st.sampled_from(["app", "api", "spec", "specs", "__tests__", "testing",
                                         "contest", "src", "latest"]), max_size=3),
       stem=st.sampled_from(["validate", "spec_check", "testimony", "helpers", "contest"]),
       test=st.sampled_from([None, "tests/", "test/", "test_", "_test", "conftest"]))
def test_an_assert_is_left_out_in_python_test_files_only(tmp_path_factory, folders, stem,
                                                         test) -> None:
    """B101 (`assert`) is how pytest tests are written: left out in their files (by name,
    or under a `tests/`/`test/` folder) and reported everywhere else, a `spec/` folder
    (an API's specification and its validators) included."""
    from reviewloop.checks.analyzers.bandit import to_findings
    from reviewloop.checks.analyzers.base import AnalyzerContext
    from reviewloop.git.diff import parse_diff

    name = {"test_": f"test_{stem}.py", "_test": f"{stem}_test.py",
            "conftest": "conftest.py"}.get(test or "", f"{stem}.py")
    path = "/".join([*folders, *([test.rstrip("/")] if test in ("tests/", "test/") else []),
                     name])
    root = tmp_path_factory.mktemp("r")
    ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="",
                          agent="review-security", files=())
    report = {"results": [{"test_id": "B101", "filename": path, "line_number": 2,
                           "line_range": [2], "issue_text": "assert", "issue_severity": "LOW",
                           "issue_confidence": "HIGH", "test_name": "assert_used"}]}
    kept = [f.file for f in to_findings(report, ctx)]
    assert kept == ([] if test else [path]), path
    assert list(ctx.left_out) == ([path] if test else []), ctx.left_out  # never silently
