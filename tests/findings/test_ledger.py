"""Every view is a function of the ledger: terminal, JSON, Markdown, SARIF and the exit code
agree on the findings, and all of them show a reviewer or analyzer that did not run."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov import to_findings
from reviewloop.cli.panel import to_rich
from reviewloop.findings.code_index import CodeIndex
from reviewloop.findings.ledger import Health, Ledger, Status
from reviewloop.findings.rounds import RoundInput, record
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import parse_diff
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import CLEAN, ReviewerOutcome, RunSummary, to_json, verdict
from reviewloop.reports.sarif import to_sarif
from reviewloop.runs.review import blocking
from tests.support.paths import FIXTURES

SARIF_SCHEMA = json.loads((FIXTURES / "schemas" / "sarif-2.1.0.json").read_text())
SHELL = "    subprocess.call(cmd, shell=True)"
CODE = ["import subprocess", "", "", "def run(cmd):", SHELL, SHELL, SHELL]
OK = [ReviewerOutcome(agent="review-security", status="ok")]


def bandit(line: int) -> Finding:
    return Finding(agent="review-security", source="bandit", rule="B602", severity="must_fix",
                   file="run.py", start_line=line, end_line=line, confidence=0.9,
                   title="subprocess call with shell=True identified, security issue.",
                   rationale="bandit B602").with_code(CODE)


def rendered(summary: RunSummary) -> str:
    console = Console(record=True, width=160, color_system=None)
    console.print(to_rich(summary))
    return console.export_text()


def summary_of(ledger: Ledger, **kw) -> RunSummary:
    return RunSummary(task_id="review", task_title="t", llm=True, reviewers=OK, ledger=ledger,
                      **kw)


def health(*extra: Health) -> list[Health]:
    return [Health(kind="reviewer", name="review-security", status="ok"),
            Health(kind="analyzer", name="bandit", agent="review-security", status="ok"),
            *extra]


def test_three_identical_lines_are_three_findings_in_every_view():
    ledger = record(Ledger(), RoundInput(round=1, reported=[bandit(5), bandit(6), bandit(7)],
                                         scope={"run.py": set(range(1, 8))}, health=health()))
    summary = summary_of(ledger)

    data = to_json(summary)
    assert [f["start_line"] for f in data["findings"]["remaining"]] == [5, 6, 7]
    assert data["counts"]["remaining"]["must_fix"] == 3
    markdown = to_markdown(summary)
    assert all(f"`run.py:{n}`" in markdown for n in (5, 6, 7))
    terminal = rendered(summary)
    assert all(f"run.py:{n}" in terminal for n in (5, 6, 7))
    log = to_sarif(ledger, tool_version="0", reviewers=OK, llm=True)
    jsonschema.validate(log, SARIF_SCHEMA)
    results = log["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"]
            for r in results] == [5, 6, 7]
    prints = [r["partialFingerprints"]["reviewloop/v2"] for r in results]
    assert len(set(prints)) == 3
    assert blocking(summary, "must_fix")


def test_an_analyzer_still_installing_makes_the_review_partial_and_says_so():
    installing = Health(kind="analyzer", name="checkov", agent="review-infrastructure",
                        status="missing",
                        reason="not run: still installing checkov 3.3.30 (past the review's "
                               "120s wait; it goes on in the background, log: x.log)")
    summary = summary_of(Ledger(round=1).with_health(health(installing)))
    assert verdict(summary) == ("incomplete: analyzer checkov (review-infrastructure) not "
                                "run: still installing checkov 3.3.30")
    assert to_json(summary)["health"]["complete"] is False


def test_a_missing_or_failed_analyzer_is_in_every_view_and_never_clean():
    missing = Health(kind="analyzer", name="checkov", agent="review-infrastructure",
                     status="missing", reason="checkov is not installed: pipx install checkov")
    failed = Health(kind="analyzer", name="coverage", agent="review-test-quality",
                    status="failed", reason="coverage run exited with 2")
    ledger = Ledger(round=1).with_health(health(missing, failed))
    summary = summary_of(ledger)

    assert verdict(summary) == ("incomplete: analyzer coverage (review-test-quality) failed, "
                                "analyzer checkov (review-infrastructure) missing")
    data = to_json(summary)
    assert data["health"]["complete"] is False
    assert {(h["name"], h["status"], h["reason"]) for h in data["health"]["analyzers"]} >= {
        ("checkov", "missing", "checkov is not installed: pipx install checkov"),
        ("coverage", "failed", "coverage run exited with 2")}
    assert "checkov (review-infrastructure): missing" in to_markdown(summary)
    assert "coverage run exited with 2" in to_markdown(summary)
    terminal = rendered(summary)
    assert "checkov (review-infrastructure) missing" in terminal
    assert "coverage (review-test-quality) failed" in terminal
    log = to_sarif(ledger, tool_version="0", reviewers=OK, llm=True)
    jsonschema.validate(log, SARIF_SCHEMA)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert any("checkov" in t and "missing" in t for t in texts)
    assert blocking(summary, "must_fix")  # a failed analyzer fails the check
    only_missing = summary_of(Ledger(round=1).with_health(health(missing)))
    assert verdict(only_missing) != CLEAN and not blocking(only_missing, "must_fix")


def test_an_analyzer_that_ran_but_not_all_of_it_says_what_in_every_view():
    """The coverage of new Go functions beside measured Python ones: complete, not silent."""
    note = ("go: 1 function(s) not measured (m.go: Double): reviewloop measures new-code "
            "coverage of Python and JavaScript/TypeScript only")
    partly = Health(kind="analyzer", name="coverage", agent="review-test-quality",
                    status="ok", reason=note)
    summary = summary_of(Ledger(round=1).with_health(health(partly)))

    assert to_json(summary)["health"]["complete"] is True
    assert ("coverage", "ok", note) in {(h["name"], h["status"], h["reason"])
                                        for h in to_json(summary)["health"]["analyzers"]}
    assert f"coverage (review-test-quality): ok — {note}" in to_markdown(summary)
    assert "⏭ analyzer coverage (review-test-quality) ran, not all of it: go: 1 function(s) " \
           "not measured (m.go: Double)" in " ".join(rendered(summary).split())


def test_outside_the_change_and_suppressed_have_their_own_sections_with_the_reason():
    from reviewloop.findings.ledger import Suppression

    def suppress(f: Finding):
        return Suppression(kind="baseline", where=".reviewloop-baseline.json", by="alice",
                           reason="trusted input") if f.start_line == 6 else None

    ledger = record(Ledger(), RoundInput(round=1, reported=[bandit(5), bandit(6), bandit(7)],
                                         scope={"run.py": {7}}, health=health(),
                                         suppress=suppress))
    summary = summary_of(ledger)

    markdown = to_markdown(summary)
    assert "### Outside the change" in markdown and "nearest written line is 7" in markdown
    assert "### Suppressed" in markdown and "by alice: trusted input" in markdown
    data = to_json(summary)
    assert data["findings"]["out_of_scope"][0]["reason"].startswith("outside the change")
    assert data["findings"]["suppressed"][0]["suppression"]["by"] == "alice"
    terminal = rendered(summary)
    assert "Outside the change" in terminal and "Suppressed" in terminal
    log = to_sarif(ledger, tool_version="0", reviewers=OK, llm=True)
    jsonschema.validate(log, SARIF_SCHEMA)
    (suppressed,) = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert suppressed["suppressions"][0]["kind"] == "external"
    assert len(log["runs"][0]["results"]) == 2  # the open one and the suppressed one


RECORDED = FIXTURES / "checkov" / "s3_bucket.json"
BUCKET_TF = ('resource "aws_s3_bucket" "data" {\n  bucket = "data"\n  acl    = "public-read"\n'
             '}\n')


def test_every_distinct_checkov_check_on_one_resource_stays(tmp_path: Path):
    # checkov cannot share an environment with langchain-aws: its JSON report for this
    # resource (checkov's output format, trimmed) goes through the adapter's real parser.
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(BUCKET_TF)
    report = json.loads(RECORDED.read_text().replace("ROOT", str(tmp_path)))
    diff = ("diff --git a/infra/main.tf b/infra/main.tf\nnew file mode 100644\n--- /dev/null\n"
            "+++ b/infra/main.tf\n@@ -0,0 +1,4 @@\n"
            + "".join(f"+{line}\n" for line in BUCKET_TF.splitlines()))
    ctx = AnalyzerContext(root=tmp_path, changes=parse_diff(diff), diff_text=diff,
                          agent="review-infrastructure", files=("infra/main.tf",))
    code = CodeIndex(BUCKET_TF.splitlines())
    found = [f.with_code(code) for f in to_findings(report, ctx)]
    checks = {c["check_id"] for c in report["results"]["failed_checks"]}

    ledger = record(Ledger(), RoundInput(round=1, reported=found,
                                         scope={"infra/main.tf": {1, 2, 3, 4}}))

    assert len(checks) == 8
    assert {e.finding.rule for e in ledger.unresolved} == checks
    data = to_json(summary_of(ledger))
    assert len(data["findings"]["remaining"]) + len(data["findings"]["nits"]) == 8
    log = to_sarif(ledger, tool_version="0", reviewers=OK, llm=True)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {f"checkov/{c}" for c in checks}


def test_the_ledger_in_the_json_view_reads_back_as_the_same_ledger():
    ledger = record(Ledger(), RoundInput(round=1, reported=[bandit(5), bandit(6)],
                                         scope={"run.py": {5, 6}}, health=health()))
    data = json.loads(json.dumps(to_json(summary_of(ledger))))
    assert Ledger.model_validate(data["ledger"]) == ledger
    assert [e.status for e in ledger] == [Status.OPEN, Status.OPEN]


def test_every_query_gives_the_entries_of_its_statuses_in_order_whichever_ledger_asked_last(
        ) -> None:
    """The views ask one ledger for its entries in order many times: the order is kept for
    its list of entries, never given for another ledger's (a copy with new entries, one read
    back from JSON, two ledgers asked in turn)."""
    import random
    from itertools import combinations

    from reviewloop.findings.ledger import Entry, _entry_order
    from reviewloop.findings.schema import Severity

    pick = random.Random(41)

    def ledger(n: int) -> Ledger:
        entries = []
        for i in range(n):
            finding = bandit(pick.randint(5, 7)).model_copy(update={
                "severity": pick.choice(list(Severity)), "file": pick.choice(["a.py", "b.py"]),
                "title": f"t{pick.randint(0, 3)}"})
            finding = finding.model_copy(update={"fingerprint": f"{i:064x}"})
            entries.append(Entry.single(finding, pick.choice(list(Status)), "generated"))
        return Ledger(entries=entries)

    first, second = ledger(60), ledger(40)
    copies = [first, second, first.model_copy(update={"entries": first.entries[::-1]}),
              first.model_copy(update={"entries": first.entries[:30]}),
              Ledger.model_validate_json(second.model_dump_json()), first, second]
    for one in copies * 2:
        assert list(one) == sorted(one.entries, key=_entry_order)
        for size in (1, 2):
            for statuses in combinations(Status, size):
                assert one.with_status(*statuses) == sorted(
                    (e for e in one.entries if e.status in statuses), key=_entry_order)


@given(picks=st.lists(st.tuples(st.sampled_from(list(Status)),
                                st.sampled_from(["must_fix", "should_fix", "nit"])),
                      max_size=30))
def test_counts_are_the_entries_of_each_status_and_severity_every_level_present(
        picks: list[tuple[Status, str]]) -> None:
    from reviewloop.findings.ledger import Entry
    from reviewloop.findings.schema import Severity

    entries = [Entry.single(bandit(5).model_copy(update={"severity": Severity(severity),
                                                         "fingerprint": f"{i:064x}"}),
                            status, "generated") for i, (status, severity) in enumerate(picks)]
    counts = Ledger(entries=entries).counts()
    assert counts == {status.value: {s.value: sum(1 for e in entries if e.status is status
                                                  and e.finding.severity is s)
                                     for s in Severity} for status in Status}
    assert sum(n for by in counts.values() for n in by.values()) == len(entries)
