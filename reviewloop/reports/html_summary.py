"""The run page's sections of what the summary says beside its findings (pure): the facts,
the files with their lines, each analyzer's health with the findings it left out as test
code, what no model read and why, and the tasks the run unblocked — everything the Markdown
report shows (`reports.render.to_markdown`), escaped."""

from __future__ import annotations

from reviewloop.reports.html import badge, esc, table
from reviewloop.reports.render import analyzers, files_text, left_out_text, tests_text
from reviewloop.reports.report import RunSummary, cost_text


def facts(summary: RunSummary) -> str:
    counts = summary.ledger.counts()
    total = {status: sum(by.values()) for status, by in counts.items()}
    done, of = summary.spec_progress
    shown = [f"rounds: {summary.rounds}",
             f"files: {files_text(summary)}",
             "findings: " + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in total.items()
                                      if n) if any(total.values()) else "findings: none",
             f"tests passing: {tests_text(summary.passed_tests)}",
             *([] if summary.is_review else [f"spec progress: {done}/{of}"]),
             f"tokens: {summary.input_tokens:,} in / {summary.output_tokens:,} out",
             f"cost: {cost_text(summary.cost_usd)}",
             f"LLM reviewers: {'on' if summary.llm else 'off (analyzers only)'}"]
    spans = "".join(f"<span>{esc(f)}</span>" for f in shown)
    # a reviewer answered by another model than the one asked: said where the cost is
    fell = "".join(f"<li>Fallback model: {esc(line)}</li>" for line in summary.fallbacks)
    fell += "".join(f"<li>Spec put back: {esc(line)} by the agent; not landed</li>"
                    for line in summary.spec_restored)  # another task's line (spec.overreach)
    more = f'<ul class="small">{fell}</ul>' if fell else ""
    return f'<section id="facts"><div class="facts">{spans}</div>{more}</section>'


def files(summary: RunSummary) -> str:
    if not summary.line_counts:
        return ""
    rows = [[f"<code>{esc(path)}</code>", f"+{added}", f"\u2212{removed}"]
            for path, (added, removed) in summary.line_counts.items()]
    return ('<section id="files"><h2>Files</h2>'
            + table(["file", "added", "removed"], rows) + "</section>")


def analyzer_health(summary: RunSummary) -> str:
    """Each analyzer's status and reason, and the findings it left out as test code, each
    file with why (`Health.left_out`)."""
    rows = []
    for health in analyzers(summary):
        left = left_out_text(health)
        why = "".join(f"<li><code>{esc(path)}</code>: {esc(reason)}</li>"
                      for path, reason in health.left_out.items())
        note = f'{esc(left)}<ul class="small">{why}</ul>' if left else ""
        rows.append([esc(health.label), badge(health.status), esc(health.reason or ""),
                     note])
    if not rows:
        return ""
    return ('<section id="analyzers"><h2>Analyzers</h2>'
            + table(["analyzer", "status", "reason", "left out"], rows) + "</section>")


def not_read(summary: RunSummary) -> str:
    """The files no model read, each with why (sensitive, binary, too large…)."""
    return _listed("not-read", "Not read by a model", summary.skipped)


def eligible(summary: RunSummary) -> str:
    return _listed("eligible", "Newly eligible tasks", summary.newly_eligible)


def _listed(anchor: str, title: str, lines: list[str]) -> str:
    """A section of one list item a line, escaped; none when there are no lines."""
    if not lines:
        return ""
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    return f'<section id="{anchor}"><h2>{title}</h2><ul>{items}</ul></section>'
