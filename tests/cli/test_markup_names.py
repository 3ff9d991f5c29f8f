"""Names from a user's files or a model (a reviewer's, a rule's, a task's title, a finding's
title) are shown as written in every terminal table: never read as rich markup. Before,
`reviewloop agents` crashed (exit 3) on a reviewer named `review-a[/]b`, and `agents` and
`stats` showed `review-[red]x` as `review-x` and `[link=…]` as a terminal hyperlink.
Generated: names made of markup-like fragments, through `agents` (the command itself),
the `stats`, `runs` and bench tables, the review panel's reviewers and findings tables,
the spec reader's problems and the progress lines."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from reviewloop.authoring.phases import TITLES
from reviewloop.bench.report import ModelTally, ReviewerTally, Tally
from reviewloop.cli.app import main
from reviewloop.cli.bench_output import model_table
from reviewloop.cli.panel import _reviewers_table, findings_table
from reviewloop.cli.runs import _print_table
from reviewloop.cli.spec_new import _show_gate
from reviewloop.cli.stats import _table
from reviewloop.cli.ui import bullet
from reviewloop.findings.schema import Finding, Severity
from reviewloop.reports.report import ReviewerOutcome
from reviewloop.reports.stats import OutcomeRow

FRAGMENTS = ("[/]", "[red]", "[/red]", "[bold]", "[link=https://evil.example]", "[/link]",
             "[a]", "[", "]", "\\[", "\\", "[b]x[/b]", "](https://evil.example)", "![a]",
             ":smile:", "[@click=quit]", "x", "y", "-", "_")
NAMES = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=3).map(
    lambda parts: "review-" + "".join(parts))
# a reviewer's name fits the `agents` table's 120 columns (a longer one is cut with `…`)
LISTED_NAMES = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=2).map(
    lambda parts: "review-" + "".join(parts))
NAME_SETTINGS = settings(max_examples=40, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture])


def _drawn(renderable: object) -> str:
    """What a wide terminal shows of `renderable`, as plain text."""
    out = io.StringIO()
    Console(file=out, width=400, color_system=None, highlight=False, emoji=False,
            soft_wrap=False).print(renderable)
    return out.getvalue()


@NAME_SETTINGS
@given(name=LISTED_NAMES)
@example(name="review-a[/]b")
@example(name="review-[link=https://evil.example]click[/link]")
def test_agents_lists_a_reviewer_by_the_name_its_file_gives(tmp_path_factory, capsys,
                                                           name: str) -> None:
    project = tmp_path_factory.mktemp("p")
    (project / ".git").mkdir()
    (project / ".kiro" / "agents").mkdir(parents=True)
    (project / ".kiro" / "agents" / "c.json").write_text(json.dumps(
        {"name": name, "description": "d", "prompt": "Review.", "tools": ["fs_read"],
         "reviewloop": {"include": ["**/*.py"]}}), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        for argv in (["agents"], ["agents", "--json"]):
            with pytest.raises(SystemExit) as done:
                main(argv)
            assert done.value.code == 0
            out = capsys.readouterr().out
            if argv == ["agents"]:
                [row] = [cells for line in out.splitlines() if line.startswith("│")
                         and (cells := [c.strip() for c in line.split("│")])[2] == "kiro"]
                assert row[1] == name, out
            else:
                assert name in [a["name"] for a in json.loads(out)["agents"]]


@NAME_SETTINGS
@given(names=st.lists(NAMES, min_size=1, max_size=4, unique=True))
def test_stats_tables_show_each_name_as_recorded(names: list[str]) -> None:
    drawn = _drawn(_table("Rules", [OutcomeRow(name=f"{n}:R1", findings=1, open=1,
                                               reviewers=[n]) for n in names], True))
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in drawn.splitlines()
             if line.startswith("│")]
    assert [(row[0], row[-1]) for row in cells] == [(f"{n}:R1", n) for n in names]


@NAME_SETTINGS
@given(title=NAMES)
def test_runs_table_shows_a_task_title_as_written(capsys, title: str) -> None:
    _print_table([{"run_id": "r1", "task_id": "1", "task_title": title, "status": "done",
                   "updated": "2026-01-01T00:00:00", "commit": None, "detail": title,
                   "worktree": {"state": "none", "path": None}}])
    out = capsys.readouterr().out
    assert f"1 {title}"[:30] in out, out


@NAME_SETTINGS
@given(names=st.lists(NAMES, min_size=1, max_size=3, unique=True))
def test_the_review_panel_shows_reviewers_and_findings_as_named(names: list[str]) -> None:
    reviewers = _drawn(_reviewers_table(
        [ReviewerOutcome(agent=n, status="failed", error=f"{n} failed") for n in names],
        llm=True))
    findings = _drawn(findings_table([Finding(
        severity=Severity.SHOULD_FIX, file="a.py", start_line=1, end_line=1, title=n,
        rationale=n, confidence=0.9, agent=n) for n in names], title="Remaining"))
    for name in names:
        assert name in reviewers and f"{name} failed" in reviewers, reviewers
        assert name in findings, findings


@NAME_SETTINGS
@given(model=LISTED_NAMES, reviewer=NAMES)
def test_a_bench_table_shows_model_and_reviewer_as_named(model: str, reviewer: str) -> None:
    """The model's name (from the command line) titles the table; a reviewer's is a row."""
    zero = {key: None if "None" in str(field.annotation) else 0
            for key, field in Tally.model_fields.items()}
    drawn = _drawn(model_table(ModelTally(
        **zero, model=model, cost_usd=None, cost_per_case=None,
        reviewers=[ReviewerTally(**zero, reviewer=reviewer)]), near=3))
    assert drawn.splitlines()[0].strip().startswith(f"{model}: 0/0 case(s) hit"), drawn
    assert any(line.split("│")[1].strip() == reviewer
               for line in drawn.splitlines() if line.startswith("│")), drawn


@NAME_SETTINGS
@given(problem=NAMES)
def test_a_spec_readers_problem_is_shown_as_written(capsys, problem: str) -> None:
    """The spec reader's problems quote the model's draft: printed as text."""
    _show_gate({"phase": next(iter(TITLES)), "draft": "draft", "problems": [problem]})
    out = capsys.readouterr().out
    assert f"spec reader: {problem}" in out, out


@NAME_SETTINGS
@given(line=NAMES)
def test_a_progress_line_is_shown_as_written(line: str) -> None:
    """Progress lines name reviewers and files: rich's `escape` lost a backslash before a
    `[` that opens no tag (`a\\[x` as `a[x`) and doubled one at the end."""
    assert _drawn(bullet(line)).rstrip("\n") == f"• {line}"
