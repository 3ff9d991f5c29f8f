"""The analyzer evidence section of the shared prefix: lines per reviewer, notes per analyzer."""

from __future__ import annotations

from pathlib import Path

from reviewloop.findings.schema import Finding, FindingDraft
from reviewloop.review.definitions import load_agents
from reviewloop.review.evidence_notes import NOTES, evidence_section


def flagged(agent: str, source: str, line: int = 3, title: str = "flagged") -> Finding:
    return Finding.from_draft(FindingDraft(
        severity="nit", file="app.js", start_line=line, end_line=line, title=title,
        rationale="r", confidence=0.8), agent=agent).model_copy(update={"source": source})


def test_no_findings_no_section():
    assert evidence_section(()) == ""


def test_a_note_follows_its_reviewers_lines_once_and_only_when_its_analyzer_reported():
    text = evidence_section((
        flagged("review-security", "eslint-security", 3, "object injection"),
        flagged("review-security", "eslint-security", 9, "non-literal fs path"),
        flagged("review-security", "bandit", 4, "subprocess"),
        flagged("review-performance", "ruff-performance", 5, "PERF401")))
    security = text[text.index("## review-security"):text.index("## review-performance")]
    assert security == (
        "## review-security\n- nit app.js:3 object injection\n- nit app.js:9 non-literal fs "
        f"path\n- nit app.js:4 subprocess\neslint-security: {NOTES['eslint-security']}\n\n")
    assert text.count("detect-object-injection") == 1
    # bandit and ruff explain themselves: no note; nor for analyzers that reported nothing
    assert text.endswith("## review-performance\n- nit app.js:5 PERF401\n")
    assert "coverage:" not in text and "no-await-in-loop" not in text


def test_a_reviewers_lines_apart_still_get_its_note_once():
    text = evidence_section((flagged("review-test-quality", "coverage", 3),
                             flagged("review-security", "bandit", 4),
                             flagged("review-test-quality", "coverage", 8)))
    assert text.count("coverage: measured, not guessed") == 1


def test_the_personas_no_longer_carry_what_the_notes_say(tmp_path: Path):
    # each note was a persona paragraph, paid in full by its reviewer on every call
    prompts = "".join(a.prompt for a in load_agents(tmp_path).agents
                      if a.name != "review-infrastructure")
    for phrase in ("detect-object-injection", "no-await-in-loop", "coverage.py",
                   "typescript-eslint"):
        assert phrase not in prompts
        assert any(phrase in note for note in NOTES.values())


def test_a_problem_in_several_places_names_each_file_once():
    """One line per problem, a path once on it (#41: at 1k lines the same file was named
    again for each line of it)."""
    text = evidence_section((
        flagged("review-performance", "ruff-performance", 5, "PERF401"),
        flagged("review-performance", "ruff-performance", 9, "PERF401"),
        flagged("review-performance", "ruff-performance", 2, "PERF401").model_copy(
            update={"file": "lib.js"}),
        flagged("review-performance", "ruff-performance", 12, "PERF401")))
    assert text.endswith("## review-performance\n- nit app.js:5,9,12, lib.js:2 PERF401\n")
