"""Several reports of one analyzer rule on one line are one finding (its identity), which says
how many were merged and carries their distinct messages, in every report format."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from reviewloop.cli.panel import to_rich
from reviewloop.findings.grouping import group, representative
from reviewloop.findings.ledger import Entry, Ledger, Status
from reviewloop.findings.schema import Finding
from reviewloop.findings.titles import HEADLINE_LENGTH, TITLE_LENGTH, with_more
from reviewloop.reports import html_run
from reviewloop.reports.formats import RenderContext, formats
from reviewloop.reports.report import RunSummary

CODE = ["import os, sys, json", "x = 1", "def f(a,", "      b):", "    return a"]

# a tool's message naming what it is about, e.g. ruff's F401 "`os` imported but unused"
_NAMES = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


def report(message: str, *, agent: str = "review-maintainability", rule: str | None = "F401",
           lines: tuple[int, int] = (1, 1), source: str = "ruff") -> Finding:
    found = Finding(agent=agent, severity="nit", file="app.py", start_line=lines[0],
                    end_line=lines[1], title=message, rationale="because", confidence=0.9,
                    source=source, rule=rule)
    return found.with_code(CODE)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.lists(_NAMES, min_size=2, max_size=5), st.booleans())
def test_one_rule_reported_k_times_on_a_line_is_one_finding_saying_so(names, twice) -> None:
    """Generated: 2–5 reports of one rule on one line, the same names possibly repeated (a
    redacted value reads the same each time); a second reviewer running the same tool adds
    its copies, which are not counted again."""
    messages = [f"`{n}` imported but unused" for n in names]
    reports = [report(m) for m in messages]
    if twice:
        reports += [report(m, agent="review-security") for m in messages]

    (found,) = group(reports)
    kept = representative(found)

    assert kept.fingerprint == reports[0].fingerprint  # the identity is kept
    assert len(kept.more_here) == len(messages) - 1
    assert sorted([kept.title, *kept.more_here]) == sorted(messages)
    others = [m for m in dict.fromkeys(kept.more_here) if m != kept.title]
    expected = (f"{kept.title} (and {len(messages) - 1} more on this line"
                + (f": {'; '.join(others)})" if others else ")"))
    assert kept.headline == expected
    assert all(m in kept.headline for m in messages)


def test_a_lone_report_and_an_llm_s_repeated_title_say_nothing_more() -> None:
    alone = report("`os` imported but unused")
    assert representative([alone]).headline == alone.title
    said_twice = [report("SQL built from input", rule=None, source="llm") for _ in range(2)]
    (found,) = group(said_twice)
    assert representative(found).more_here == []


def test_a_finding_on_several_lines_says_these_lines() -> None:
    found = [report(f"argument `{n}` unused", lines=(3, 4), rule="ARG001") for n in "ab"]
    kept = representative(group(found)[0])
    assert kept.headline == "argument `a` unused (and 1 more on these lines: argument `b` unused)"


def summary_with_three() -> tuple[RunSummary, list[str]]:
    messages = ["`json` imported but unused", "`os` imported but unused",
                "`sys` imported but unused"]
    (found,) = group(report(m) for m in messages)
    kept = representative(found)
    entry = Entry(id=kept.fingerprint, finding=kept, reports=found, status=Status.OPEN,
                  history=[{"status": "open", "reason": "reported", "round": 1}])
    return RunSummary(task_id="review", ledger=Ledger(round=1, entries=[entry])), messages


def test_every_report_format_says_how_many_and_what() -> None:
    summary, messages = summary_with_three()
    rendered = {name: f.render(summary, RenderContext()) for name, f in formats().items()
                if name in ("json", "markdown", "ruff", "github", "sarif")}
    console = Console(width=400, record=True)
    console.print(to_rich(summary))
    rendered["text"] = console.export_text()
    said = "(and 2 more on this line: "
    for name, text in rendered.items():
        if name == "json":  # the data: `title` and `more_here`, below
            continue
        shown = text.decode() if isinstance(text, bytes) else str(text)
        assert said in shown and all(m.strip("`") in shown for m in messages), name

    data = json.loads(rendered["json"])
    (finding,) = [e["finding"] for e in data["ledger"]["entries"]]
    assert (finding["title"], finding["more_here"]) == (messages[0], messages[1:])
    sarif = json.loads(rendered["sarif"])
    (result,) = sarif["runs"][0]["results"]  # one result: the identity GitHub folds them by
    assert result["message"]["text"].startswith(
        f"{messages[0]} (and 2 more on this line: {messages[1]}; {messages[2]})")


def test_the_html_report_says_the_merged_messages_once() -> None:
    """The headline lists them; "Also reported as" is only for what it does not say."""
    summary, messages = summary_with_three()
    text = re.sub(r"<[^>]+>", " ", html_run._finding(summary.ledger.entries[0], None))
    assert all(text.count(m) == 1 for m in messages), text
    assert "Also reported as" not in text


def test_another_reviewer_s_report_is_still_listed_in_the_html() -> None:
    messages = ["`os` imported but unused", "`sys` imported but unused"]
    (found,) = group([report(messages[0]), report(messages[1]),
                      report(messages[1], agent="review-security")])
    kept = representative(found)
    entry = Entry(id=kept.fingerprint, finding=kept, reports=found, status=Status.OPEN,
                  history=[{"status": "open", "reason": "reported", "round": 1}])
    text = re.sub(r"<[^>]+>", " ", html_run._finding(entry, None))
    assert "Also reported as:" in text and "review-security" in text


_LONG = st.text("abcdefghijklmnopqrstuvwxyz_ ", min_size=1, max_size=TITLE_LENGTH).map(
    lambda s: " ".join(s.split()) or "x")


@settings(derandomize=True, max_examples=60, deadline=None)
@given(_LONG, st.lists(_LONG, min_size=1, max_size=60),
       st.sampled_from(["here", "on this line", "on these lines"]))
def test_a_headline_is_capped_and_counts_what_it_does_not_list(title, more, where) -> None:
    """Generated: any number of merged messages up to a title's length: the headline stays
    within `HEADLINE_LENGTH`, lists the distinct messages in order while they fit, and
    counts the rest, so every message is either listed or counted."""
    headline = with_more(title, more, where)
    distinct = [m for m in dict.fromkeys(more) if m != title]

    assert len(headline) <= HEADLINE_LENGTH
    assert headline.startswith(f"{title} (and {len(more)} more {where}")
    left = re.search(r"; (\d+) other messages? not listed\)$|: (\d+) other messages? not "
                     r"listed\)$", headline)
    unlisted = int(left[1] or left[2]) if left else 0
    shown = len(distinct) - unlisted
    listed = "; ".join(distinct[:shown])
    assert listed in headline
    if not left:
        assert headline.endswith(f": {listed})" if distinct else f"{where})")
    else:
        assert unlisted > 0 and shown < len(distinct)


def test_a_minified_line_s_hundreds_of_reports_make_a_short_headline() -> None:
    names = [f"`name_{i:04d}` is not defined" for i in range(500)]
    (found,) = group(report(n, rule="F821") for n in names)
    headline = representative(found).headline
    assert len(headline) <= HEADLINE_LENGTH
    assert headline.startswith(f"{names[0]} (and 499 more on this line: {names[1]}; ")
    listed = headline.count("is not defined") - 1
    assert headline.endswith(f"; {499 - listed} other messages not listed)")
