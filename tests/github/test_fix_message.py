"""The `/reviewloop fix` commit names the findings it fixed by their titles — a model's words,
or a PR's. GitHub reads a commit message as plain text but links `@name` and every issue
reference in it, and "fixes #3" in a commit on the default branch closes issue 3; the titles
went in raw. Now each such word carries a joiner (`github/mentions.py`, `commit_text`).

Generated (hypothesis, derandomized) from the references GitHub's documentation lists
(autolinked references; closing keywords) and hostile Markdown; judged by those rules
written out here: no mention, no reference and no closing keyword before one is left in a
title's line, and each title reads as written but for the invisible joiners.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.ledger import Entry, Ledger, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.github.fix_push import COMMAND_TRAILER, FixFacts, fix_message
from reviewloop.github.mentions import JOINER, commit_text
from tests.support.markdown_text import TEXT

# GitHub's autolinked references (docs: "Autolinked references and URLs") and mentions
REFERENCE = (r"(?<![A-Za-z0-9])@[A-Za-z0-9]|#[0-9]|(?i:gh-)[0-9]|[\w.-]+/[\w.-]+#[0-9]"
             r"|(?i:https?://\S*/(?:issues|pulls?|discussions)/[0-9])")
FOUND = re.compile(REFERENCE)
# "Linking a pull request to an issue using a keyword": close(s/d), fix(es/ed), resolve(s/d)
CLOSING = re.compile(r"(?i:\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b):?\s+(?:"
                     + REFERENCE + ")")
REFERENCES = ["@octocat", "@org/team", "(@x)", "#12", "GH-12", "gh-7", "owner/repo#3",
              "octo.org/re-po#44", "fixes #3", "Closes #3", "resolved: GH-9", "FIX owner/r#1",
              "closes https://github.com/o/r/issues/5", "see https://github.com/o/r/pull/6",
              "https://github.com/o/r/discussions/7", "#", "@", "a@b.example",
              "checkout@v4", "x#1", "issue #12.", "line\nfixes #4", "tab\tGH-2", "#\u206012"]
TITLE = (st.lists(st.sampled_from(REFERENCES) | TEXT, min_size=1, max_size=4).map(" ".join)
         .map(lambda t: t.strip()[:120]).filter(bool))


def _finding(title: str, line: int) -> Finding:
    return Finding(severity=Severity.SHOULD_FIX, file="app.py", start_line=line,
                   end_line=line, title=title, rationale="because", confidence=0.9,
                   agent="review-security")


def _facts(fixed: list[str], left: list[str]) -> FixFacts:
    findings = [_finding(t, n) for n, t in enumerate(fixed + left, start=1)]
    entries = [Entry.single(f, Status.FIXED if n < len(fixed) else Status.OPEN, "x")
               for n, f in enumerate(findings)]
    return FixFacts(run_id="run-1", comment_id=77, number=12, ledger=Ledger(entries=entries),
                    targets=findings, rounds=1, passed_tests=3)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(fixed=st.lists(TITLE, min_size=1, max_size=3),
       left=st.lists(TITLE, max_size=2))
def test_no_title_in_the_fix_commit_mentions_references_or_closes(fixed: list[str],
                                                                  left: list[str]) -> None:
    message = fix_message(_facts(fixed, left))
    lines = message.split("\n")
    titled = [line for line in lines if line.startswith(("- fixed ", "- still open "))]
    assert len(titled) == len(fixed) + len(left)  # a title's line break starts no line
    for line in titled:
        assert not FOUND.search(line), line
        assert not CLOSING.search(line), line
    shown = {line.split(": ", 1)[1].replace(JOINER, "") for line in titled}
    assert shown == {" ".join(t.split()).replace(JOINER, "\\u2060") for t in fixed + left}
    assert lines[0] == "fix: reviewloop findings on #12"  # the PR's own number stays
    assert f"{COMMAND_TRAILER}: 77" in lines


@settings(max_examples=200, derandomize=True, deadline=None)
@given(text=st.text(st.characters(codec="utf-8"), max_size=40) | TITLE)
def test_commit_text_is_one_printable_line_and_only_gains_joiners(text: str) -> None:
    line = commit_text(text)
    assert "\n" not in line and "\r" not in line
    assert not FOUND.search(line) and not CLOSING.search(line)
    assert line.replace(JOINER, "").isprintable()


def test_a_word_that_is_no_reference_is_left_alone() -> None:
    for word in ("checkout@v4", "a@b.example", "C#", "x#y", "@", "#", "fixes it"):
        assert commit_text(word) == word
