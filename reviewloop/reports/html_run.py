"""One run as an HTML page (pure): its verdict and reasons, its timeline, its findings by file
with their code and ledger history, and the coverage matrix; the rest the summary says (facts,
files, analyzers, what no model read) from `reports.html_summary`. `reviewloop report
--html` writes it; everything shown is escaped (`reports.html.esc`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reviewloop.agent.spend import usd
from reviewloop.checks.suppressions.stale import listed
from reviewloop.findings.ledger import Entry, Ledger
from reviewloop.reports.html import badge, esc, page, table
from reviewloop.reports.html_summary import analyzer_health, eligible, facts, files, not_read
from reviewloop.reports.report import RunSummary, verdict_reasons
from reviewloop.reports.snippets import Snippet
from reviewloop.reports.timeline import Span, Timeline
from reviewloop.review.matrix import CHECK


@dataclass(frozen=True)
class RunPage:
    """What the page shows: a run (`name`, its kind), its summary, timeline and snippets."""

    name: str
    kind: str  # "run", "review" or "pull_request"
    summary: RunSummary
    timeline: Timeline = field(default_factory=Timeline)
    snippets: Mapping[str, Snippet] = field(default_factory=dict)


def run_html(run: RunPage) -> str:
    summary = run.summary
    what = summary.task_title if summary.is_review else \
        f"task {summary.task_id}: {summary.task_title}"
    title = f"reviewloop {run.kind.replace('_', ' ')} {run.name}"
    return page(title, [
        f"<h1>{esc(title)}</h1>", f'<p class="muted">{esc(what)}</p>', _verdict(summary),
        facts(summary), files(summary), _timeline(run.timeline),
        _findings(summary.ledger, run.snippets), _coverage(summary.ledger),
        analyzer_health(summary), not_read(summary), _reviewers(summary),
        eligible(summary)])


def _verdict(summary: RunSummary) -> str:
    reasons = verdict_reasons(summary)
    # an approved run's landing (`reviewloop report` reads it from the registry)
    landed = f"<p>Landed: {esc(summary.landed)}</p>" if summary.landed else ""
    stale = "".join(f"<li>{esc(e)}</li>" for e in listed(summary.stale_baseline))
    if stale:  # never a reason the review is not clean
        landed += ("<p>Baseline entries (stale: they matched no finding; or not judged):</p>"
                   f"<ul>{stale}</ul>")
    if not reasons:
        return '<section id="verdict" class="verdict clean"><strong>Verdict: clean</strong>' \
               "<p>Every reviewer and analyzer ran, with the LLM on, and nothing actionable " \
               f"is left.</p>{landed}</section>"
    items = "".join(f"<li>{esc(r)}</li>" for r in reasons)
    escalations = "".join(f"<li>{esc(e)}</li>" for e in summary.escalations)
    more = f"<p>Escalated to a human:</p><ul>{escalations}</ul>" if escalations else ""
    return (f'<section id="verdict" class="verdict not-clean"><strong>Verdict: not clean'
            f"</strong>{landed}<ul>{items}</ul>{more}</section>")


def _timeline(line: Timeline) -> str:
    head = '<section id="timeline"><h2>Timeline</h2>'
    if not line.spans:
        return head + '<p class="muted">This run recorded no timeline (a run of an older ' \
                      "version, or one whose trace could not be written).</p></section>"
    total = max(line.total_s, 0.001)
    note = " — partial: a step never ended, or a line of the trace did not read" \
        if line.partial else ""
    rows = [f'<p class="muted">{line.total_s:.1f} s from the first step to the last, '
            f"{len(line.spans)} bars; tokens and cost as each step reported them{note}.</p>",
            '<div class="tl">']
    section: int | str | None = "start"
    for span in line.spans:
        if span.round != section:
            section = span.round
            name = f"Round {span.round}" if span.round is not None else "Run"
            rows.append(f'<div class="tl-row tl-head"><div>{esc(name)}</div><div></div>'
                        "<div></div></div>")
        rows.append(_bar(span, total))
    rows.append("</div>")
    return head + "".join(rows) + "</section>"


def _bar(span: Span, total: float) -> str:
    left = min(span.start_s / total * 100, 100.0)
    width = max(min(span.duration_s / total * 100, 100.0 - left), 0.0)
    bad = " bad" if span.status in ("failed", "escalated", "unfinished") else ""
    kind = "".join(c for c in span.kind if c.isalnum() or c == "_")
    meta = [f"{span.duration_s:.1f} s"]
    if span.tokens:
        meta.append(f"{span.tokens:,} tok")
    if span.cost_usd is None:
        meta.append("cost unknown")
    elif span.cost_usd:
        meta.append(usd(span.cost_usd))
    label = {"gate": "gate ", "fix_group": "fix group "}.get(span.kind, "")
    status = f" {badge(span.status)}" if span.status else ""
    tip = esc(f"{label}{span.label}: {span.detail}" if span.detail else f"{label}{span.label}")
    return (f'<div class="tl-row"><div class="tl-label" title="{tip}">{esc(label)}'
            f"{esc(span.label)}{status}</div><div class=\"tl-track\"><div class=\"tl-bar "
            f'k-{kind}{bad}" style="left:{left:.3f}%;width:{width:.3f}%" title="{tip}">'
            f'</div></div><div class="tl-meta">{esc(" · ".join(meta))}</div></div>')


def _findings(ledger: Ledger, snippets: Mapping[str, Snippet]) -> str:
    head = '<section id="findings"><h2>Findings by file</h2>'
    entries = list(ledger)
    if not entries:
        return head + "<p>No finding.</p></section>"
    by_file: dict[str, list[Entry]] = {}
    for entry in entries:
        by_file.setdefault(entry.finding.file, []).append(entry)
    parts = [head]
    for path in sorted(by_file):
        found = by_file[path]
        parts.append(f'<details class="file" open><summary><code>{esc(path)}</code> · '
                     f"{len(found)} finding(s)</summary>")
        parts += [_finding(e, snippets.get(e.id)) for e in found]
        parts.append("</details>")
    return "".join(parts) + "</section>"


def _finding(entry: Entry, snippet: Snippet | None) -> str:
    f = entry.finding
    who = ", ".join(entry.reporters)
    where = [f"<code>{esc(f.location)}</code>", f"reported by {esc(who)}",
             f"source {esc(f.source)}", f"rule <code>{esc(f.rule_key)}</code>",
             f"id <code>{esc(f.short_id)}</code>"]
    parts = [f'<article class="finding sev-{f.severity.value}" id="f-{esc(entry.id[:16])}">',
             f'<h3><span class="sev">\u25cf {esc(f.severity.label)}</span> '
             f'<span class="title">{esc(f.headline)}</span> {badge(entry.status.value)}</h3>',
             f'<p class="small muted">{" · ".join(where)}</p>', f"<p>{esc(f.rationale)}</p>"]
    if f.suggestion:
        parts.append(f"<p><strong>Suggested:</strong> {esc(f.suggestion)}</p>")
    if entry.suppression is not None:
        s = entry.suppression
        by = f" by {s.by}" if s.by else ""
        why = f": {s.reason}" if s.reason else ""
        parts.append(f'<p class="small">Suppressed ({esc(s.kind)}) at {esc(s.where)}'
                     f"{esc(by)}{esc(why)}</p>")
    # a report the headline already says (`more_here`: its rule's other messages here)
    # is not listed again
    said = {f.title, *f.more_here}
    others = [r for r in entry.reports[1:] if r.agent != f.agent
              or (r.title not in said if r.source == f.source else r.title != f.title)]
    if others:
        items = "".join(f"<li>{esc(r.title)} — {esc(r.agent)} ({esc(r.source)}, "
                        f"<code>{esc(r.location)}</code>)</li>" for r in others)
        parts.append(f'<p class="small">Also reported as:</p><ul class="small">{items}</ul>')
    parts.append(_code(snippet))
    steps = "".join(f"<li>round {t.round}: {badge(t.status.value)} {esc(t.reason)}</li>"
                    for t in entry.history)
    parts.append(f'<ol class="history">{steps}</ol></article>')
    return "".join(parts)


def _code(snippet: Snippet | None) -> str:
    if snippet is None:
        return '<p class="small muted">No code shown: it is on no line of the run\'s diffs ' \
               "(outside the change, a whole file) or in a sensitive file.</p>"
    lines = "".join(
        f'<span class="{"flag" if line.flagged else "add" if line.added else "ctx"}">'
        f"<i>{line.number}</i>{'+' if line.added else ' '} {esc(line.text)}</span>"
        for line in snippet.lines)
    return f'<pre class="code" title="round {snippet.round}">{lines}</pre>'


def _coverage(ledger: Ledger) -> str:
    head = '<section id="coverage"><h2>Coverage matrix</h2>'
    # the analyzers that were to read a changed file (one for no file is no column)
    rows = [h for h in ledger.health if h.kind == "analyzer" and h.name != CHECK and h.files]
    paths = sorted({p for h in ledger.health if h.kind == "analyzer" for p in h.files})
    if not rows or not paths:
        return head + '<p class="muted">No analyzer was to read a changed file.</p></section>'
    gaps = {h.key: h.gaps() for h in ledger.health}
    unanalysed = ledger.unanalysed()
    cells = []
    for path in paths:
        row = [f"<code>{esc(path)}</code>"]
        for h in rows:
            if path not in h.files:
                row.append('<span class="na">—</span>')
            elif path in gaps[h.key]:
                row.append(f'<span class="gap" title="{esc(gaps[h.key][path])}">not read: '
                           f"{esc(gaps[h.key][path])}</span>")
            elif h.status == "missing":
                row.append(f'<span class="gap">{esc(h.name)} not installed</span>')
            else:
                row.append('<span class="read">read</span>')
        row.append(esc("; ".join(unanalysed[path])) if path in unanalysed else "")
        cells.append(row)
    note = '<p class="muted small">Which analyzer read which changed file. A file an ' \
           "analyzer for it did not read is unanalysed, and fails the review.</p>"
    return head + note + table(["file", *(esc(h.label) for h in rows), "unanalysed"],
                               cells) + "</section>"


def _reviewers(summary: RunSummary) -> str:
    rows = [[esc(r.agent), badge(r.status), str(r.findings_count), f"{r.duration_s:.1f} s",
             f"{r.input_tokens:,} / {r.output_tokens:,}", esc(r.error or r.reason or "")]
            for r in summary.reviewers]
    gates = [[esc(name), badge("passed" if passed else "failed"), esc(text)]
             for name, passed, text in summary.gates]
    parts = ['<section id="reviewers"><h2>Reviewers and gates</h2>']
    parts.append(table(["reviewer", "status", "findings", "time", "tokens in / out", "note"],
                       rows) if rows else "<p>No reviewer ran.</p>")
    if gates:
        parts.append(table(["gate", "result", "summary"], gates))
    return "".join(parts) + "</section>"
