"""The HTML page shows everything the Markdown and JSON reports say of a run. For generated
summaries (reasons, fallbacks, findings left out as test code, gates, files, tasks…): every
Markdown section and fact has its section on the page, every top-level JSON key is shown
there, and each of their texts is found in that section. A section or key added to the
Markdown or JSON and not to the page fails here: the page once dropped "Not read by a model",
"left out as test code" and "Fallback model" (fuzz12a D1)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.ledger import Entry, Health, Ledger, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.reports.html_run import RunPage, run_html
from reviewloop.reports.render import left_out_text, to_markdown
from reviewloop.reports.report import JSON_KEYS, REVIEW_ID, ReviewerOutcome, RunSummary, to_json

# where each Markdown section (`### Title`) and fact (`- Key: …`) is on the page
MARKDOWN_SECTIONS = {"Files": "files", "Gates": "reviewers", "Remaining findings": "findings",
                     "Fixed": "findings", "Nits": "findings", "Outside the change": "findings",
                     "Suppressed": "findings", "Reviewers": "reviewers",
                     "Analyzers": "analyzers", "Not analysed": "coverage",
                     "Escalations": "verdict", "Baseline entries": "verdict",
                     "Not read by a model": "not-read",
                     "Newly eligible tasks": "eligible"}
MARKDOWN_FACTS = {"Files", "Tests passing", "Spec progress", "Review rounds", "Findings fixed",
                  "Findings remaining", "Nits", "Tokens", "Fallback model", "Spec put back"}
# where each top-level key of the JSON report is on the page
JSON_SECTIONS = {"verdict": "verdict", "task": "title", "files": "facts", "tests": "facts",
                 "spec_progress": "facts", "unfinished": "verdict", "landed": "verdict",
                 "rounds": "facts", "gates": "reviewers",
                 "reviewers": "reviewers", "health": "coverage", "findings": "findings",
                 "counts": "facts", "newly_eligible": "eligible", "usage": "facts",
                 "llm": "facts", "escalations": "verdict", "skipped": "not-read",
                 "stale_baseline": "verdict",
                 "spec_restored": "facts", "ledger": "findings"}


class Sections(HTMLParser):
    """The page's text by the `<section id>` it is in (`title` before the first)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.where = "title"
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.where = dict(attrs).get("id") or "?"
            self.text.setdefault(self.where, [])

    def handle_data(self, data):
        self.text.setdefault(self.where, []).append(data)

    def of(self, section: str) -> str:
        return plain(" ".join(self.text.get(section, [])))


def plain(text: str) -> str:
    return " ".join(text.split())


words = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S")),
                min_size=1, max_size=12)
phrases = st.lists(words, min_size=1, max_size=4).map(" ".join).map(lambda t: f"{t} <&\">")
paths = st.lists(st.from_regex(r"[a-z]{1,6}", fullmatch=True), min_size=1, max_size=3).map(
    lambda parts: "/".join(parts) + ".py")


@st.composite
def analyzer(draw: st.DrawFn) -> Health:
    files = tuple(draw(st.lists(paths, min_size=1, max_size=3, unique=True)))
    left = draw(st.dictionaries(st.sampled_from(files), st.integers(1, 9).map(
        lambda n: f"{n} finding(s): asserts in test code"), max_size=2))
    status = draw(st.sampled_from(("ok", "skipped", "missing", "failed")))
    return Health(kind="analyzer", name=draw(st.sampled_from(("bandit", "ruff", "semgrep"))),
                  agent=draw(st.sampled_from(("review-security", "review-quality"))),
                  status=status, reason=draw(phrases) if status != "ok" else None,
                  files=files, left_out=left if status == "ok" else {})


@st.composite
def entry(draw: st.DrawFn) -> Entry:
    found = Finding(severity=draw(st.sampled_from(list(Severity))),
                    file=draw(paths), start_line=3, end_line=3, title=draw(phrases),
                    rationale=draw(phrases), confidence=0.9, agent="review-security")
    return Entry.single(found, draw(st.sampled_from(list(Status))), draw(phrases))


@st.composite
def summaries(draw: st.DrawFn) -> RunSummary:
    review = draw(st.booleans())
    health = draw(st.lists(analyzer(), max_size=3, unique_by=lambda h: (h.name, h.agent)))
    return RunSummary(
        task_id=REVIEW_ID if review else "T1", task_title=draw(phrases),
        files_created=draw(st.lists(paths, max_size=2)),
        files_modified=draw(st.lists(paths, max_size=2)),
        passed_tests=draw(st.none() | st.integers(0, 50)),
        spec_progress=(draw(st.integers(0, 3)), 3), rounds=draw(st.integers(0, 3)),
        reviewers=[ReviewerOutcome(agent=f"review-{a}", status=s, error=e)
                   for a, s, e in draw(st.lists(st.tuples(
                       st.sampled_from(("security", "quality", "tests")),
                       st.sampled_from(("ok", "failed", "skipped")), st.none() | phrases),
                       max_size=3, unique_by=lambda r: r[0]))],
        ledger=Ledger(round=1, entries=draw(st.lists(entry(), max_size=4,
                                                     unique_by=lambda e: e.id)),
                      health=health),
        newly_eligible=draw(st.lists(phrases, max_size=2)), llm=draw(st.booleans()),
        fallbacks=draw(st.lists(phrases, max_size=2)),
        spec_restored=draw(st.lists(st.tuples(words, phrases).map(": ".join), max_size=2)),
        escalations=draw(st.lists(phrases, max_size=2)),
        stale_baseline=draw(st.lists(phrases, max_size=2)),
        gates=draw(st.lists(st.tuples(words, st.booleans(), phrases), max_size=2)),
        skipped=draw(st.lists(st.tuples(paths, phrases).map(": ".join), max_size=3)),
        line_counts=draw(st.dictionaries(paths, st.tuples(st.integers(0, 99),
                                                          st.integers(0, 99)), max_size=3)))


def markdown_parts(markdown: str) -> tuple[set[str], set[str]]:
    """The Markdown report's section titles and the keys of its facts."""
    titles = set(re.findall(r"^### (.+)$", markdown, re.M))
    head = markdown.split("\n### ", 1)[0]
    return titles, set(re.findall(r"^- ([A-Z][^:]*):", head, re.M))


@settings(max_examples=40, deadline=None, derandomize=True)
@given(summary=summaries())
def test_the_page_shows_every_section_and_text_of_the_markdown_and_json(summary: RunSummary):
    page = Sections()
    page.feed(run_html(RunPage(name="review-1", kind="review", summary=summary)))
    titles, facts = markdown_parts(to_markdown(summary))
    assert titles <= MARKDOWN_SECTIONS.keys(), "a Markdown section with no place on the page"
    assert facts <= MARKDOWN_FACTS, "a Markdown fact with no place on the page"
    assert set(JSON_KEYS) == JSON_SECTIONS.keys(), "a JSON key with no place on the page"
    for title in titles:
        assert MARKDOWN_SECTIONS[title] in page.text, title
    data = to_json(summary)
    passed = data["tests"]["passed"]
    expected: dict[str, list[str]] = {
        "not-read": data["skipped"], "eligible": data["newly_eligible"],
        "verdict": [data["verdict"].split("; ")[0], *data["escalations"],
                    *data["stale_baseline"]],
        "facts": [*(f"Fallback model: {f}" for f in data["usage"]["fallbacks"]),
                  *(f"Spec put back: {f} by the agent; not landed"
                    for f in data["spec_restored"]),
                  f"tests passing: {passed if passed is not None else 'unknown'}",
                  f"{len(data['files']['created'])} created, "
                  f"{len(data['files']['modified'])} modified",
                  f"rounds: {data['rounds']}"],
        "reviewers": [*(g["summary"] for g in data["gates"]),
                      *(r["agent"] for r in data["reviewers"]),
                      *(r["error"] for r in data["reviewers"] if r["error"])],
        "findings": [e["finding"]["title"] for e in data["ledger"]["entries"]],
        "files": list(summary.line_counts),
        "analyzers": [text for h in summary.ledger.health for text in (
            h.name, h.reason or "", left_out_text(h) or "",
            *(text for p, why in h.left_out.items() for text in (p, why)))]}
    if not summary.is_review:
        expected["facts"].append(f"spec progress: {data['spec_progress']['done']}/3")
    for section, texts in expected.items():
        shown = page.of(section)
        for text in texts:
            assert plain(text) in shown, (section, text)
