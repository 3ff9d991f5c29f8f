"""Text a change controls (its test names in a gate's summary, a reviewer's error) reaches the
progress lines as text: rich markup in it neither styles the log nor ends the command
(an unmatched closing tag raised MarkupError, which would stop the review of that change)."""

from __future__ import annotations

import pytest

from reviewloop.cli import ui
from reviewloop.cli.progress import Steps

HOSTILE = ("[/x]", "[/]", "[link=https://example.invalid]click[/link]", "[bold red]", "\\[x]")


@pytest.mark.parametrize("text", HOSTILE)
def test_a_gate_summary_with_markup_is_printed_as_is(text, capsys):
    ui.set_verbosity(ui.NORMAL)
    Steps(background=False).event({"kind": "gate", "gate": "test", "status": "failed",
                                   "duration_s": 1, "summary": f"1 failed: test_a{text}"})
    assert f"1 failed: test_a{text}" in capsys.readouterr().err


@pytest.mark.parametrize("text", HOSTILE)
def test_a_reviewers_error_with_markup_is_printed_as_is(text, capsys):
    ui.set_verbosity(ui.NORMAL)
    ui.progress("review", {"reviews": [{"round": 1, "agent": "review-security",
                                        "status": "failed", "error": f"boom {text}"}]})
    assert f"boom {text}" in capsys.readouterr().err
