"""`reviewloop bench`'s table: a reviewer's row leaves dollars blank, the model's row has
them; `-` means a price that is not known (it read as such on every reviewer row)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from reviewloop.bench.cases import Case, Label
from reviewloop.bench.score import build
from reviewloop.bench.store import CaseResult, ReviewerUse
from reviewloop.cli.bench_output import model_table, print_cases, progress
from reviewloop.git.names import printable


def _table(cost: float | None) -> list[str]:
    result = CaseResult(case_id="c1", model="m", status="reviewed", findings=[],
                        reviewers=[ReviewerUse(agent="review-security", status="ok",
                                               input_tokens=100, output_tokens=10)],
                        input_tokens=100, output_tokens=10, cost_usd=cost, wall_s=1.0)
    report = build(name="n", cases=[Case(id="c1", source="jsonl", base="b", head="h",
                                         labels=[Label(path="a.py", line=1)])],
                   models=["m"], results={("c1", "m"): result})
    console = Console(width=200, record=True, color_system=None)
    console.print(model_table(report.models[0], report.near))
    return [" ".join(line.replace("│", " ").split()) for line in
            console.export_text().splitlines()]


@pytest.mark.parametrize(("cost", "shown"), [(0.25, "$0.25"), (None, "unknown")])
def test_dollars_are_the_model_s_and_a_reviewer_row_leaves_them_blank(cost, shown):
    rows = _table(cost)
    # reviewer, cases, hits, hit rate, findings/case, must_fix on labels, tokens/case,
    # $/case (blank), s/case, failed
    assert "review-security 1 0 0% 0.0 0/0 110 0.0 0" in rows
    assert f"all reviewers 1 0 0% 0.0 0/0 110 {shown} 1.0 0" in rows


# what a commit message, a case id from a `--cases` file or a file name may hold: ESC
# sequences (colours, an OSC-8 hyperlink, a screen clear), C1 controls, a bidi override
_CONTROL = st.sampled_from(["\x1b[31m", "\x1b]8;;https://evil.example\x1b\\", "\x1b]8;;\x07",
                            "\x1b[2J", "\x9b2J", "\x07", "\r", "\x08", "\u202e", "\x00",
                            "\x7f"])
_HOSTILE = st.lists(st.one_of(_CONTROL, st.sampled_from(["fix: ", "link", "a.py", "[b]"])),
                    min_size=1, max_size=6).map("".join)


# a label's path never holds a NUL and is never blank: `Label` refuses both (`\r` was drawn)
_PATH = _HOSTILE.filter(lambda text: "\x00" not in text and text.strip() != "")


def _terminal_safe(text: str) -> bool:
    """No character a terminal acts on: what is drawn is only printable text and line ends."""
    return all(c.isprintable() or c == "\n" for c in text)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=_HOSTILE, path=_PATH, case_id=_HOSTILE, skipped=_HOSTILE, model=_HOSTILE)
def test_text_from_the_repository_is_drawn_as_plain_text(capsys, message: str, path: str,
                                                          case_id: str, skipped: str,
                                                          model: str) -> None:
    """docs/security.md "Names in the terminal": a bench case's commit message is drawn as
    plain text. Before, its ESC bytes reached the terminal in the table and `no case:`."""
    case = Case(id=case_id, source="jsonl", base="b" * 40, head="h" * 40,
                labels=[Label(path=path, line=1)], fixes=[message], description=message)
    print_cases([case], [skipped], limit=None)
    result = CaseResult(case_id=case_id, model=model, status="failed", error=message,
                        findings=[], reviewers=[], input_tokens=0, output_tokens=0,
                        cost_usd=None, wall_s=0.0)
    progress(1, 1, case, result)
    drawn = capsys.readouterr()
    assert _terminal_safe(drawn.out) and _terminal_safe(drawn.err)
    assert f"no case: {printable(skipped)}" in drawn.out  # shown, visibly escaped
