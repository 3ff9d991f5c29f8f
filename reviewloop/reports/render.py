"""The run summary as Markdown: a view of the ledger, pure functions (the terminal's rich panel
is `cli/panel.py`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from reviewloop.checks.suppressions.stale import listed
from reviewloop.findings.ledger import Entry, Health, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.names import code_span, printable
from reviewloop.reports.report import (
    LLM_OFF,
    ReviewerOutcome,
    RunSummary,
    cost_text,
    nothing_reviewed,
    severity_counts,
    verdict,
)
from reviewloop.review.matrix import CHECK


def to_markdown(summary: RunSummary) -> str:
    """A Markdown report: headline, facts, findings by severity, reviewers, usage."""
    done, total = summary.spec_progress
    lines = [f"## {plain_text(heading(summary))}", "",
             f"**Verdict:** {plain_text(verdict(summary))}", ""]
    if not summary.llm and not nothing_reviewed(summary):
        lines += [f"> ⚠️ {LLM_OFF}: nothing in this report was reviewed by a model.", ""]
    lines += [
        f"- Files: {files_text(summary)}",
        f"- Tests passing: {tests_text(summary.passed_tests)}",
        *([] if summary.is_review else [f"- Spec progress: {done}/{total}"]),
        *(f"- Spec put back: {plain_text(line)} by the agent; not landed"
          for line in summary.spec_restored),
        f"- Review rounds: {summary.rounds}",
        f"- Findings fixed: {counts_text(summary.findings_fixed)}",
        f"- Findings remaining: {counts_text(summary.findings_remaining)}",
        f"- Nits: {len(summary.nits)}",
        f"- Tokens: {tokens_text(summary)}; estimated cost {cost_text(summary.cost_usd)}",
        *(f"- Fallback model: {plain_text(line)}" for line in summary.fallbacks),
        "",
    ]
    lines += _md_section("Files", [f"- {code_span(p)} +{a} −{r}"
                                   for p, (a, r) in summary.line_counts.items()])
    lines += _md_section("Gates", [
        f"- {'✅' if passed else '❌'} {plain_text(name)}: {model_text(text)}"
        for name, passed, text in summary.gates])
    lines += _md_section("Remaining findings", _md_findings(summary.findings_remaining))
    lines += _md_section("Fixed", _md_findings(summary.findings_fixed))
    lines += _md_section("Nits", _md_findings(summary.nits))
    lines += _md_section("Outside the change", _md_entries(summary, Status.OUT_OF_SCOPE))
    lines += _md_section("Suppressed", _md_entries(summary, Status.SUPPRESSED))
    lines += _md_section("Reviewers", [_md_reviewer(r, summary.llm) for r in summary.reviewers])
    lines += _md_section("Analyzers", [_md_health(h) for h in analyzers(summary)])
    lines += _md_section("Not analysed", [f"- ❌ {code_span(path)}: {plain_text('; '.join(why))}"
                                          for path, why in summary.ledger.unanalysed().items()])
    lines += _md_section("Escalations", [f"- {model_text(e)}" for e in summary.escalations])
    lines += _md_section("Baseline entries", [f"- {plain_text(e)}"
                                              for e in listed(summary.stale_baseline)])
    lines += _md_section("Not read by a model", [f"- {plain_text(s)}" for s in summary.skipped])
    lines += _md_section("Newly eligible tasks",
                         [f"- {model_text(t)}" for t in summary.newly_eligible])
    return "\n".join(lines).rstrip() + "\n"


def heading(summary: RunSummary) -> str:
    if summary.is_review:
        return f"Review: {summary.task_title}"
    if summary.task_title:
        return f"Task {summary.task_id}: {summary.task_title}"
    return f"Task {summary.task_id}"


def _md_section(title: str, body: list[str]) -> list[str]:
    return [f"### {title}", "", *body, ""] if body else []


def _md_findings(findings: Sequence[Finding]) -> list[str]:
    return [f"- {f.severity.emoji} **{f.severity.label}** {code_span(f.location)} "
            f"{model_text(f.headline)} ({plain_text(', '.join(f.agents))})"
            for f in sorted(findings, key=Finding.sort_key)]


def _md_entries(summary: RunSummary, status: Status) -> list[str]:
    return [f"- {e.severity.emoji} {code_span(e.finding.location)} "
            f"{model_text(e.finding.headline)} ({plain_text(', '.join(e.reporters))}) — "
            f"{model_text(why(e))}"
            for e in summary.ledger.with_status(status)]




def plain_text(text: str) -> str:
    """`text` that quotes names (files, branches, suppressions' places and who accepted
    them) as plain Markdown text: `git.names.printable`, and no link, image, HTML,
    emphasis or autolink it could make. A backslash before ASCII punctuation shows it as
    itself (CommonMark); GitHub links `www.` and `http://` of its own accord, so that `.`
    or `:` is escaped too. No backslash stops an e-mail link, an `@name` mention or an
    issue reference (`#12`, `GH-12`): each word GitHub would make one of goes in a
    `code_span` of its own — a PR's author names its files, and a file named `@team.py`
    must not ping that team from every summary. What a run wrote goes in `model_text`."""
    return _plain(text, lead=True)


def _plain(text: str, *, lead: bool) -> str:
    """`plain_text`, of text at the start of a line (`lead`) or inside one, each word GitHub
    makes a mention, an e-mail link or a cross-reference of (`@name`, `a@b.example`,
    `#123`, `GH-123`, an issue's or pull request's URL; no backslash stops one) in a
    `code_span`."""
    if not _REFERENCE_AT.search(text):  # nearly every text: `_REFERENCE`'s leading `\S*`
        return _escaped(text, lead=lead)  # tries each character of each word (~0.1 M a title)
    out: list[str] = []
    done = 0
    for word in _REFERENCE.finditer(text):
        out += [_escaped(text[done:word.start()], lead=lead and not done), code_span(word[0])]
        done = word.end()
    out.append(_escaped(text[done:], lead=lead and not done))
    return "".join(out)


def model_text(text: str) -> str:
    """What a model wrote (a finding's title, a reviewer's error; the code it read may have
    told it what to write) or a tool printed, as `plain_text`, its code spans (a title's
    ``==``) kept as code spans (`code_span`) and each word GitHub would make a mention, an
    e-mail link or an issue reference of in a code span of its own."""
    if "`" not in text:
        return _plain(text, lead=True)
    out: list[str] = []
    done = 0
    for span in _SPAN.finditer(text):
        out += [_plain(text[done:span.start()], lead=not done),
                code_span(_span_content(span["code"]))]
        done = span.end()
    out.append(_plain(text[done:], lead=not done))
    return "".join(out)


def _escaped(text: str, *, lead: bool) -> str:
    text = printable(text)
    if _ACTIVE.search(text):  # not in nearly every reason
        text = _ACTIVE.sub(r"\\\g<0>", text)
    if lead:  # at the start of a line: indented, it would be code; `- # x` a heading
        text = text.lstrip(" ")
    if lead and (start := _LEAD.match(text)):
        text = f"{text[:start.end() - 1]}\\{text[start.end() - 1:]}"
    return text


def _span_content(code: str) -> str:
    """A code span's text as CommonMark reads it: line endings as spaces, and one space
    taken off each end when both ends have one and it is not all spaces."""
    code = code.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if len(code) > 1 and code[0] == code[-1] == " " and code.strip(" "):
        return code[1:-1]
    return code


# what can start inline markup (CommonMark, GitHub's tables and strikethrough), and what
# GitHub makes a web link of by itself: `www.`, `scheme://`
_ACTIVE = re.compile(r"[\\`*_\[\]<>!&|~]|(?i:(?<=www)\.)|:(?=//)")
# what starts a block at the start of a line: a heading, a quote, a list, a setext line
_LEAD = re.compile(r"[#>+=-]|\d{1,9}[.)](?=\s|$)")
# a word GitHub makes a mention, an e-mail link or a cross-reference of, and what such a
# word holds (a text without it has none)
_REFERENCE = re.compile(r"\S*(?:@\w|#\d|(?i:gh-\d)|/(?:issues|pull)/\d)\S*")
_REFERENCE_AT = re.compile(r"@\w|#\d|(?i:gh-\d)|/(?:issues|pull)/\d")
# a run of backticks, then the text up to a run of the same length (CommonMark's code span)
_SPAN = re.compile(r"(?<!`)(?P<fence>`+)(?!`)(?P<code>.+?)(?<!`)(?P=fence)(?!`)", re.S)


def why(entry: Entry) -> str:
    if entry.suppression is None:
        return entry.reason
    s = entry.suppression
    by = f" by {s.by}" if s.by else ""
    because = f": {s.reason}" if s.reason else ""
    return f"{s.kind} suppression at {s.where}{by}{because}"


def analyzers(summary: RunSummary) -> list[Health]:
    """The analyzers' health (not the `changed-files` row, whose gaps show as not analysed)."""
    return [h for h in summary.ledger.health if h.kind == "analyzer" and h.name != CHECK]


def left_out_text(health: Health) -> str | None:
    """One line saying how many of the analyzer's findings were left out as test code, and
    where each file is listed with why (`Health.left_out`); None when none were."""
    if not health.left_out:
        return None
    count = sum(int(why.split(" ", 1)[0]) if why.split(" ", 1)[0].isdigit() else 1
                for why in health.left_out.values())
    return (f"{count} finding(s) in {len(health.left_out)} file(s) left out as test code "
            "(each file with why: the JSON report's health, left_out)")


def _md_health(health: Health) -> str:
    mark = {"ok": "✅", "skipped": "⏭️", "missing": "⚠️", "failed": "❌"}[health.status]
    reason = f" — {model_text(health.reason)}" if health.reason else ""
    left = f"; {plain_text(text)}" if (text := left_out_text(health)) else ""
    return f"- {mark} {plain_text(health.label)}: {health.status}{reason}{left}"


def _md_reviewer(outcome: ReviewerOutcome, llm: bool) -> str:
    """The reviewer's time only when it called a model (offline it reads its analyzers'
    report, computed in the round's prepare step)."""
    mark = {"ok": "✅", "failed": "❌", "skipped": "⏭️"}[outcome.status]
    said = outcome.error or outcome.reason
    error = f" — {model_text(said)}" if said else ""
    took = f", {outcome.duration_s:.1f}s" if llm else ""
    return (f"- {mark} {plain_text(outcome.agent)}: {outcome.status}, {outcome.findings_count} "
            f"finding(s){took}{error}")


def counts_text(findings: Iterable[Finding]) -> str:
    counts = severity_counts(findings)
    return ", ".join(f"{Severity(k).emoji} {n} {Severity(k).label}" for k, n in counts.items())


def files_text(summary: RunSummary) -> str:
    """`2 created, 1 modified`, and `, 3 deleted` when the change deleted any."""
    deleted = f", {len(summary.files_deleted)} deleted" if summary.files_deleted else ""
    return f"{len(summary.files_created)} created, {len(summary.files_modified)} modified" \
        + deleted


def tests_text(passed: int | None) -> str:
    return "unknown" if passed is None else str(passed)


# --- rich -------------------------------------------------------------------------------


def tokens_text(summary: RunSummary) -> str:
    """`12,000 in (9,000 read from cache, 2,000 written) / 800 out`."""
    cache = [f"{n:,} {what}" for n, what in ((summary.cache_read_tokens, "read from cache"),
                                              (summary.cache_write_tokens, "written to it"))
             if n]
    extra = f" ({', '.join(cache)})" if cache else ""
    return f"{summary.input_tokens:,} in{extra} / {summary.output_tokens:,} out"
