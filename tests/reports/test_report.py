"""The run report: the verdict's honesty, and what JSON, Markdown and the terminal show."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from rich.console import Console

from reviewloop.agent.models import UsageRecord
from reviewloop.checks.gates.base import NOT_RUN
from reviewloop.cli.panel import (
    MAX_FINDING_ROWS,
    MAX_LISTED_FILES,
    MAX_NIT_ROWS,
    SUMMARY_FILE_NAMES,
    SUMMARY_FINDING_ROWS,
    findings_table,
    to_rich,
)
from reviewloop.findings.ledger import Entry, Ledger, Status
from reviewloop.findings.schema import Finding
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import (
    CLEAN,
    JSON_KEYS,
    LLM_OFF,
    ReviewerOutcome,
    RunSummary,
    json_bytes,
    redacted_ledger,
    to_json,
    verdict,
)
from reviewloop.reports.summary import fallbacks_used


def finding(severity: str = "should_fix", *, agent: str = "security", file: str = "app/db.py",
            line: int = 4, title: str = "SQL built with an f-string", **extra) -> Finding:
    return Finding(severity=severity, file=file, start_line=line, end_line=line, title=title,
                   rationale="because", confidence=0.9, agent=agent, **extra)


REVIEWERS = [ReviewerOutcome(agent=name, status="ok", findings_count=1, duration_s=2.5,
                             input_tokens=1000, output_tokens=200)
             for name in ("security", "performance")]


def ledger(*, remaining=(), fixed=(), nits=(), **by_status) -> Ledger:
    """A ledger holding these findings: remaining and nits open, fixed fixed."""
    groups = [(Status.OPEN, remaining), (Status.FIXED, fixed), (Status.OPEN, nits),
              *((Status(k), v) for k, v in by_status.items())]
    return Ledger(round=1, entries=[Entry.single(f, status, "test") for status, found in groups
                                    for f in found])


def summary(**overrides) -> RunSummary:
    found = {k: overrides.pop(k) for k in ("findings_remaining", "findings_fixed", "nits")
             if k in overrides}
    fields = {
        "task_id": "3", "task_title": "Store users in SQLite",
        "files_created": ["app/db.py"], "files_modified": ["app/main.py", "README.md"],
        "passed_tests": 42, "spec_progress": (3, 7), "rounds": 2, "reviewers": REVIEWERS,
        "newly_eligible": ["4 Add the users endpoint", "5 Migrations"],
        "input_tokens": 12345, "output_tokens": 678, "cost_usd": 0.0421, "llm": True,
        "escalations": [], "gates": [("tests", True, "42 passed"), ("secrets", True, "none")]}
    defaults = {"findings_fixed": [finding("must_fix"), finding(
        title="Loop inserts one row at a time", agent="performance", line=9)],
        "findings_remaining": [], "nits": [finding("nit", title="Name the query", line=12)]}
    found = {**defaults, **found}
    fields["ledger"] = ledger(remaining=found["findings_remaining"],
                              fixed=found["findings_fixed"], nits=found["nits"])
    return RunSummary(**{**fields, **overrides})


def rendered(renderable) -> str:
    console = Console(record=True, width=100, color_system=None)
    console.print(renderable)
    return console.export_text()


# --- verdict -----------------------------------------------------------------------------


def test_clean_only_when_everything_ran_and_nothing_actionable_is_left():
    assert verdict(summary()) == CLEAN == "clean"


def test_nits_alone_do_not_block_clean():
    assert verdict(summary(findings_remaining=[finding("nit")])) == CLEAN


@pytest.mark.parametrize("severity", ["must_fix", "should_fix"])
def test_remaining_actionable_findings_are_never_clean(severity):
    assert verdict(summary(findings_remaining=[finding(severity)])) == "findings remain"


def test_a_failed_reviewer_is_never_clean_and_is_named():
    reviewers = [*REVIEWERS, ReviewerOutcome(agent="infrastructure", status="failed",
                                             error="invalid reply twice"),
                 ReviewerOutcome(agent="tests", status="failed")]
    assert verdict(summary(reviewers=reviewers)) == "reviewer failed: infrastructure, tests"


def test_tests_no_command_ran_make_the_verdict_incomplete_in_text_and_json():
    unrun = (f"{NOT_RUN} (a.test.js): no test command runs them (no pytest, npm, go, cargo, "
             "maven, gradle or make project found); fix: give package.json a `test` script")
    done = summary(gates=[("build", True, "passed"), ("test", True, unrun)])
    said = ("incomplete: tests added but not run (a.test.js): no test command runs them (no "
            "pytest, npm, go, cargo, maven, gradle or make project found)")
    assert verdict(done) == said
    assert to_json(done)["verdict"] == said
    assert verdict(summary(gates=[("test", True, "skipped: no test command (x)")])) == CLEAN


def test_a_reviewer_with_nothing_in_its_scope_leaves_the_verdict_clean():
    # skipped = no changed file is in its scope: the infrastructure reviewer on a .py change
    reviewers = [*REVIEWERS, ReviewerOutcome(agent="infrastructure", status="skipped")]
    assert verdict(summary(reviewers=reviewers)) == CLEAN


def test_llm_off_is_never_clean():
    assert verdict(summary(llm=False)) == LLM_OFF == "LLM reviewers off (analyzers only)"


def test_no_reviewers_at_all_is_never_clean():
    assert verdict(summary(reviewers=[])) == "no review ran"


def test_failed_gates_are_never_clean():
    gates = [("tests", False, "2 failed"), ("build", False, "exit 1"), ("secrets", True, "")]
    assert verdict(summary(gates=gates)) == "gates failed: tests, build"


def test_escalations_are_never_clean():
    assert verdict(summary(escalations=["the fixer changed nothing"])) == "escalated (1)"


def test_every_reason_is_given_together():
    reviewers = [ReviewerOutcome(agent="security", status="failed", error="timeout")]
    text = verdict(summary(reviewers=reviewers, llm=False, findings_remaining=[finding()],
                           escalations=["1 finding(s) still open after 3 review round(s)"]))
    assert text == f"reviewer failed: security; {LLM_OFF}; findings remain"


# --- the models --------------------------------------------------------------------------


def test_reviewer_outcome_is_frozen_and_strict():
    outcome = REVIEWERS[0]
    with pytest.raises(ValidationError):
        outcome.status = "failed"
    with pytest.raises(ValidationError, match="status"):
        ReviewerOutcome(agent="x", status="crashed")
    with pytest.raises(ValidationError, match="Extra inputs"):
        ReviewerOutcome(agent="x", status="ok", tokens=3)


def test_summary_round_trips_through_json_state():
    # The graph stores `model_dump(mode="json")` in its state and the CLI validates it back.
    original = summary(findings_remaining=[finding("must_fix")], cost_usd=None)
    again = RunSummary.model_validate(json.loads(json.dumps(original.model_dump(mode="json"))))
    assert again == original
    assert again.spec_progress == (3, 7)
    assert again.gates[0] == ("tests", True, "42 passed")


def test_summary_needs_only_a_task_id():
    bare = RunSummary(task_id="1")
    assert bare.llm is False and bare.cost_usd is None and bare.passed_tests is None
    assert verdict(bare) != CLEAN


# --- JSON --------------------------------------------------------------------------------


def test_json_has_the_documented_keys_in_order():
    data = to_json(summary())
    assert tuple(data) == JSON_KEYS
    json.dumps(data)  # plain JSON values only


def test_json_content():
    remaining = [finding("must_fix", title="Token logged", line=20),
                 finding("should_fix", agent="performance", title="Unbounded cache", line=5)]
    reviewers = [*REVIEWERS, ReviewerOutcome(agent="tests", status="failed", error="boom")]
    data = to_json(summary(findings_remaining=remaining, reviewers=reviewers, cost_usd=None))
    assert data["verdict"] == "reviewer failed: tests; findings remain"
    assert data["task"] == {"id": "3", "title": "Store users in SQLite"}
    assert data["files"] == {"created": ["app/db.py"],
                             "modified": ["app/main.py", "README.md"], "deleted": []}
    assert data["tests"] == {"passed": 42}
    assert data["spec_progress"] == {"done": 3, "total": 7}
    assert data["rounds"] == 2
    assert data["gates"][0] == {"name": "tests", "passed": True, "summary": "42 passed"}
    assert data["reviewers"][2] == {
        "agent": "tests", "status": "failed", "error": "boom", "reason": None,
        "findings_count": 0, "duration_s": 0.0, "input_tokens": 0, "output_tokens": 0}
    assert data["counts"] == {"fixed": {"must_fix": 1, "should_fix": 1, "nit": 0},
                              "remaining": {"must_fix": 1, "should_fix": 1, "nit": 0},
                              "nits": 1, "out_of_scope": 0, "suppressed": 0}
    assert [f["title"] for f in data["findings"]["remaining"]] == [
        "Token logged", "Unbounded cache"]
    assert data["findings"]["remaining"][0]["fingerprint"] == remaining[0].fingerprint
    assert data["newly_eligible"] == ["4 Add the users endpoint", "5 Migrations"]
    assert data["usage"] == {"input_tokens": 12345, "output_tokens": 678, "cache_read_tokens": 0,
                             "cache_write_tokens": 0, "cost_usd": None, "fallbacks": []}
    assert data["llm"] is True and data["escalations"] == []


def test_the_json_bytes_are_to_json_written_with_an_indent():
    """`json_bytes` lets pydantic-core write the models itself: the same document, byte for
    byte, as the plain dict `to_json` gives, for every section and status."""
    remaining = [finding("must_fix", title="Token logged", line=20),
                 finding("should_fix", agent="performance", title="Unbounded cache", line=5)]
    report = summary(findings_remaining=remaining, cost_usd=2.2e-05)
    report = report.model_copy(update={"ledger": ledger(
        remaining=remaining, fixed=[finding("must_fix")], nits=[finding("nit", line=12)],
        out_of_scope=[finding(line=30)], suppressed=[finding(line=31)])})
    expected = json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"
    assert json.loads(json_bytes(report)) == json.loads(expected)
    # pydantic-core spells a float its own way (2.2e-05 as 0.000022); all else is identical
    assert json_bytes(report).decode() == expected.replace("2.2e-05", "0.000022")
    assert json.loads(json_bytes(report))["counts"]["suppressed"] == 1


def test_json_findings_validate_back_into_findings():
    data = to_json(summary(findings_remaining=[finding()]))
    again = [Finding.model_validate(f) for f in data["findings"]["remaining"]]
    assert again == [finding()]


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_contains_the_counts_and_facts():
    text = to_markdown(summary(findings_remaining=[finding("must_fix", title="Token logged")]))
    assert text.startswith("## Task 3: Store users in SQLite\n")
    assert "**Verdict:** findings remain" in text
    assert "- Files: 1 created, 2 modified" in text
    assert "- Tests passing: 42" in text
    assert "- Spec progress: 3/7" in text
    assert "- Review rounds: 2" in text
    assert "- Findings fixed: 🔴 1 must fix, 🟡 1 should fix, 🟢 0 nit" in text
    assert "- Findings remaining: 🔴 1 must fix, 🟡 0 should fix, 🟢 0 nit" in text
    assert "- Nits: 1" in text
    assert "- Tokens: 12,345 in / 678 out; estimated cost $0.0421" in text
    assert "- 🔴 **must fix** `app/db.py:4` Token logged (security)" in text
    assert "- 4 Add the users endpoint" in text
    assert "- ✅ tests: 42 passed" in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_markdown_says_loudly_when_things_did_not_run():
    reviewers = [ReviewerOutcome(agent="security", status="failed", error="timed out")]
    text = to_markdown(summary(llm=False, reviewers=reviewers, cost_usd=None,
                               passed_tests=None))
    assert "> ⚠️ LLM reviewers off (analyzers only)" in text
    # offline, a reviewer only reads its analyzers' report: no time is made up for it
    assert "- ❌ security: failed, 0 finding(s) — timed out" in text
    online = to_markdown(summary(llm=True, reviewers=[
        ReviewerOutcome(agent="security", status="ok", duration_s=12.34)]))
    assert "- ✅ security: ok, 0 finding(s), 12.3s" in online
    assert "estimated cost unknown" in text
    assert "- Tests passing: unknown" in text


def test_markdown_leaves_out_empty_sections():
    text = to_markdown(RunSummary(task_id="7", llm=True, reviewers=REVIEWERS))
    assert text.startswith("## Task 7\n")
    for heading in ("### Remaining findings", "### Fixed", "### Nits", "### Escalations",
                    "### Newly eligible tasks", "### Gates"):
        assert heading not in text
    assert "### Reviewers" in text


# --- rich --------------------------------------------------------------------------------


def test_rich_shows_the_facts():
    text = rendered(to_rich(summary()))
    assert "Task 3: Store users in SQLite" in text
    assert "clean" in text
    assert "1 created, 2 modified" in text and "app/db.py" in text
    assert "42 passing" in text
    assert "3/7" in text
    assert "review rounds  2" in text
    assert "🔴 1 must fix, 🟡 1 should fix, 🟢 0 nit" in text  # fixed
    assert "🔴 0 must fix, 🟡 0 should fix, 🟢 0 nit" in text  # remaining
    assert "12,345 in / 678 out, estimated cost $0.0421" in text
    assert "Newly eligible: 4 Add the users endpoint; 5 Migrations" in text
    assert "✓ tests: 42 passed" in text


def test_rich_highlights_failures_and_unknowns():
    reviewers = [*REVIEWERS, ReviewerOutcome(agent="infrastructure", status="failed",
                                             error="reply invalid after retry")]
    remaining = [finding("must_fix", title="Token logged"),
                 finding("should_fix", agent="performance", title="Unbounded cache", line=9)]
    text = rendered(to_rich(summary(reviewers=reviewers, findings_remaining=remaining,
                                    cost_usd=None, llm=False,
                                    escalations=["2 finding(s) still open"])))
    assert "reviewer failed: infrastructure" in text
    assert LLM_OFF in text
    assert "infrastructure" in text and "reply invalid after retry" in text
    assert "estimated cost unknown" in text
    assert "Remaining findings" in text and "Token logged" in text
    assert "⚠ 2 finding(s) still open" in text


def test_rich_marks_failed_reviewers_in_red():
    reviewers = [ReviewerOutcome(agent="infrastructure", status="failed", error="boom")]
    console = Console(record=True, width=100, color_system="truecolor")
    console.print(to_rich(summary(reviewers=reviewers)))
    styled = console.export_text(styles=True)
    assert "\x1b[1;31minfrastructure" in styled


def test_rich_does_not_interpret_markup_in_finding_text():
    text = rendered(to_rich(summary(findings_remaining=[finding(title="list[int] [bold]x")])))
    assert "list[int] [bold]x" in text


def test_findings_table_groups_by_severity_most_severe_first():
    findings = [finding("nit", title="Rename q"),
                finding("should_fix", agent="performance", title="Unbounded cache", line=9),
                finding("must_fix", title="Token logged", line=20,
                        also_reported_by=["maintainability"])]
    text = rendered(findings_table(findings, title="Findings"))
    order = [text.index(s) for s in ("🔴 must fix", "🟡 should fix", "🟢 nit")]
    assert order == sorted(order)
    assert "app/db.py:20" in text and "security, maintainability" in text
    assert findings[2].short_id in text
    assert text.count("├") == 2  # a section line between each severity group


def test_findings_table_shows_a_screenful_most_severe_first_and_counts_the_rest():
    """The terminal's table is bounded (drawing 1,512 rows cost half a CPU-second); what is
    left out is counted by severity and every format holds it."""
    findings = [finding(("must_fix", "should_fix", "nit")[i % 3], title=f"Problem {i}",
                        line=i + 1) for i in range(MAX_FINDING_ROWS + 5)]
    table = findings_table(findings)
    text = rendered(table)
    assert table.row_count == MAX_FINDING_ROWS + 1
    last = str(list(table.columns[2].cells)[-1])
    assert last.startswith("… and 5 more (5 nit): every finding is in --format json")
    assert text.count("🔴 must fix") == 15 and text.count("🟢 nit") == MAX_FINDING_ROWS - 30
    assert findings_table(findings, limit=None).row_count == MAX_FINDING_ROWS + 5


def test_the_panel_shows_a_few_nits_and_counts_the_rest():
    nits = [finding("nit", title=f"Nit {i}", line=i + 1) for i in range(MAX_NIT_ROWS + 7)]
    text = rendered(to_rich(summary(nits=nits)))
    assert text.count("🟢 nit") == MAX_NIT_ROWS
    assert "… and 7 more (7 nit)" in text


def test_with_the_report_in_a_file_the_panel_is_its_summary():
    """`--output FILE`: the file holds every finding; the terminal gets the verdict, the
    counts and the most severe findings, and names the file (a screenful of tables of a
    1,000-line review cost a sixth of its CPU)."""
    remaining = [finding(("must_fix", "should_fix")[i % 2], title=f"Problem {i}", line=i + 1)
                 for i in range(SUMMARY_FINDING_ROWS + 6)]
    nits = [finding("nit", title=f"Nit {i}", line=i + 1) for i in range(4)]
    outside = [finding(title=f"Elsewhere {i}", line=i + 1) for i in range(3)]
    created = [f"app/m{i}.py" for i in range(SUMMARY_FILE_NAMES + 5)]
    shown = summary(findings_remaining=remaining, nits=nits, files_created=created,
                    ledger=ledger(remaining=remaining, nits=nits, out_of_scope=outside))

    text = rendered(to_rich(shown, report="out/review.json"))

    assert "report         out/review.json" in text
    assert text.count("Problem ") == SUMMARY_FINDING_ROWS  # the most severe first
    assert text.count("🔴 must fix") == 8 and "Problem 0" in text and "Problem 15" not in text
    assert "… and 6 more (6 should fix): every finding is in the report" in " ".join(
        text.replace("│", " ").split())
    assert "Nits (not fixed): 4; Outside the change (not acted on): 3 (every one is in the " \
           "report)" in " ".join(text.replace("│", " ").split())
    assert "Nit 0" not in text and "Elsewhere 0" not in text and "… and 5 more" in text
    assert f"{len(created)} created" in text and "app/m14.py" not in text
    # without a report file the panel is the report: the screenful of every table
    full = rendered(to_rich(shown))
    assert full.count("Problem ") == len(remaining) and "Nit 0" in full
    assert "Elsewhere 0" in full and "app/m14.py" in full


def test_the_panel_names_a_screenful_of_files_and_counts_the_rest():
    """A 5,000-file change drew 1,700 lines of file names; the JSON report names them all."""
    created = [f"pkg/mod_{i:04d}.py" for i in range(MAX_LISTED_FILES + 70)]
    text = " ".join(rendered(to_rich(summary(files_created=created,
                                             files_modified=["a.py"]))).split())
    assert f"pkg/mod_{MAX_LISTED_FILES - 1:04d}.py" in text
    assert f"pkg/mod_{MAX_LISTED_FILES:04d}.py" not in text
    assert "… and 70 more (--format json lists every file)" in text
    assert "a.py" in text and text.count("more (--format json") == 1


def test_findings_table_of_nothing_is_an_empty_table():
    table = findings_table([])
    assert table.row_count == 0


def test_a_combined_call_a_fallback_answered_counts_once():
    """Four reviewers asked in one call (`[review] combined_review`): each holds a quarter of
    each reply, and the note counts the replies, naming the four."""
    names = ("maintainability", "performance", "security", "tests")
    usage = [UsageRecord(role="review", agent=name, model="nova", fallback_for="sonnet",
                         input_tokens=10, shared_by=4) for _ in range(2) for name in names]
    alone = UsageRecord(role="review", agent="security", model="nova", fallback_for="sonnet")
    assert fallbacks_used([*usage, alone]) == [
        "review: nova answered 3 call(s) instead of sonnet, which failed or was throttled "
        f"({', '.join(names)})"]


def test_a_fallback_model_is_named_in_every_view():
    usage = [UsageRecord(role="review", agent=agent, model="nova", fallback_for="sonnet",
                         input_tokens=10) for agent in ("security", "performance", "security")]
    lines = fallbacks_used([*usage, UsageRecord(role="fix", agent="fixer", model="sonnet")])
    assert lines == ["review: nova answered 3 call(s) instead of sonnet, which failed or was "
                     "throttled (performance, security)"]
    shown = summary(fallbacks=lines)

    assert f"- Fallback model: {lines[0]}" in to_markdown(shown)
    assert to_json(shown)["usage"]["fallbacks"] == lines
    assert "fallback model" in rendered(to_rich(shown))


def test_a_redacted_ledger_keeps_clean_entries_and_copies_the_ones_it_changes() -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    leaky = finding(title="Token committed", line=7).model_copy(
        update={"rationale": f"The token {token} is live."})
    book = ledger(remaining=[finding(), leaky])
    book = book.model_copy(update={"entries": [book.entries[0], book.entries[1].model_copy(
        update={"history": [book.entries[1].history[0].model_copy(
            update={"reason": f"said {token}"})]})]})
    clean, redacted = redacted_ledger(book).entries
    assert clean is book.entries[0]
    assert token not in redacted.model_dump_json()
    assert redacted.finding.rationale == "The token [REDACTED:github-token] is live."
    assert redacted.history[0].reason == "said [REDACTED:github-token]"
    assert book.entries[1].finding.rationale == leaky.rationale  # the input is left as it was


def test_a_deleted_file_is_named_deleted_not_modified():
    """Every format says what the change did to each file: a deletion was shown as
    `modified`."""
    shown = summary(files_created=["new.py"], files_modified=["a.py"],
                    files_deleted=["old.tf", "gone.py"])
    assert to_json(shown)["files"] == {"created": ["new.py"], "modified": ["a.py"],
                                       "deleted": ["old.tf", "gone.py"]}
    assert "- Files: 1 created, 1 modified, 2 deleted" in to_markdown(shown)
    text = " ".join(rendered(to_rich(shown)).split())
    assert "1 created, 1 modified, 2 deleted" in text
    assert "deleted old.tf, gone.py" in text
    assert "- Files: 1 created, 1 modified\n" in to_markdown(summary(
        files_created=["new.py"], files_modified=["a.py"]))
