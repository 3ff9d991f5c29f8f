"""The text of everything reviewloop posts on a pull request: inline comments, the review
body, the summary comment, and the edits that mark a comment fixed or open again.

Pure functions. Text that reviewloop did not write itself — titles, rationales, analyzer
messages, the report — is redacted and `neutralise`d, so it can neither leak a secret nor
open an HTML comment; each body ends with one signed marker (`github/markers.py`). In the
review body and the summary a model's words are plain text (`reports.render.model_text`:
no link, image, HTML, mention or cross-reference); an inline comment passes its Markdown
through (code, a suggestion), but no `@name` in it can notify anyone (`mentions.unmentioned`),
and its raw HTML is text and no fence of it is left open (`model_markdown.shown`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from reviewloop.checks.secrets.scanner import redact
from reviewloop.findings.schema import SHORT_LENGTH, Finding, Severity
from reviewloop.git.names import printable
from reviewloop.github.markers import neutralise, read_marker, seal, strip_marker, with_marker
from reviewloop.github.mentions import unmentioned
from reviewloop.github.model_markdown import shown
from reviewloop.github.records import FindingRecord
from reviewloop.reports.render import code_span, model_text, plain_text

MAX_BODY = 60_000  # GitHub rejects comment and review bodies over 65,536 characters
_INLINE_TEXT = 20_000  # characters of an inline comment's text, before its suggestion
_RATIONALE_IN_BODY = 400  # characters of rationale quoted for a finding in the review body
_MARKER_ROOM = 16_000  # kept free under MAX_BODY for the marker of a summary comment
_ROOM_KEY = bytes(32)  # any key: a marker's length does not depend on it
_FIXED = "✅ **Fixed**"
_LEFT = "⏭️ **No longer in this pull request**"
_SUGGESTION = re.compile(r"^(`{3,})suggestion\n.*?^\1$", re.M | re.S)


def safe(text: str) -> str:
    """Redacted and unable to open an HTML comment: for every text reviewloop quotes."""
    return neutralise(redact(text))


def comment_body(finding: Finding, key: bytes, *, span: tuple[int, int] | None = None,
                 suggest: bool = False) -> str:
    """Severity, agents, title, rationale, suggestion (a ```suggestion block when
    `suggest`), then the signed marker holding the finding's record, state `open`."""
    sev = finding.severity
    head = f"{sev.emoji} **{sev.label}** · {', '.join(finding.agents)}"
    if finding.rule:
        head += f" · `{finding.source}/{finding.rule}`"
    parts = [head, f"**{finding.headline}**", finding.rationale]
    if span is not None and span != (finding.start_line, finding.end_line):
        parts.append(f"_Reported on lines {finding.start_line}–{finding.end_line}; only "
                     f"lines {span[0]}–{span[1]} are in the diff._")
    if finding.suggestion:
        parts.append(f"**Suggestion:** {finding.suggestion}")
    # a model's Markdown, but it suggests no change (only the fixer's gated `replacement`
    # becomes one, below) and swallows nothing after it: each part is `shown` on its own, so
    # a fence a rationale leaves open is closed before the suggestion's label
    text = "\n\n".join(shown(safe(part)) for part in parts)
    if len(text) > _INLINE_TEXT:  # a model's rationale can be any length; GitHub's limit not
        text = shown(text[:_INLINE_TEXT]) + "\n\n… cut here: GitHub's size limit for a comment."
    text = unmentioned(text)  # and it notifies no one
    if suggest and finding.replacement is not None:
        # code applied as it stands: redacted, not escaped (a fence shows `<!--` as text)
        block = _suggestion_block(redact(finding.replacement))
        text += "\n\n" + (block if len(block) <= MAX_BODY - _INLINE_TEXT - 2_000 else
                           "_The suggested replacement is too long to show in a GitHub "
                           "comment._")
    text += (f"\n\n<sub>reviewloop · {finding.short_id} · confidence "
             f"{finding.confidence:.0%}</sub>")
    return with_marker(text, "finding", {"f": FindingRecord.of(finding).data(),
                                         "st": "open"}, key)


def restated(body: str, key: bytes, state: str, head_sha: str, *,
             away: bool = False) -> str | None:
    """An inline comment of ours re-marked `fixed` or `left` (its file left the PR: a
    banner on top) or `open` again (the banner gone); None when `body` carries no verified
    finding marker. `away`: the finding is open again somewhere the (outdated) comment no
    longer shows."""
    marker = read_marker(body, key, "finding")
    if marker is None:
        return None
    text = strip_marker(body)
    if text.startswith((_FIXED, _LEFT)):
        text = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    if state == "fixed":
        text = (f"{_FIXED} in {head_sha[:12]}: reviewloop no longer reports this at that "
                f"commit.\n\n{text}")
    elif state == "left":
        text = (f"{_LEFT} at {head_sha[:12]}: its file is no longer part of the pull "
                f"request's change, so this is not fixed, only not this PR's.\n\n{text}")
    data = {k: v for k, v in marker.data.items() if k != "away"}
    return with_marker(text, "finding", {**data, "st": state, "at": head_sha,
                                         **({"away": True} if away else {})}, key)


def moved_here(body: str, old_path: str, head_sha: str) -> str:
    """An inline comment's `body` for a finding carried over from `old_path`, which the
    push at `head_sha` renamed: a line on top says where it was."""
    note = safe(f"_↪️ Moved here from {code_span(old_path)}: the file was renamed "
                f"at {head_sha[:12]}._")
    return f"{note}\n\n{body}"


def carried(body: str, finding: Finding, key: bytes) -> str | None:
    """The text of our comment `body` (no banner, no suggestion: that was for its old
    lines) over a marker for `finding` at its new place, state `open`; None when `body`
    carries no verified finding marker. For a finding not reported again at this push,
    whose words are only in its comment."""
    if read_marker(body, key, "finding") is None:
        return None
    text = strip_marker(body)
    if text.startswith((_FIXED, _LEFT)):
        text = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    text = _SUGGESTION.sub("_The suggested replacement was for its old place._", text)
    return with_marker(unmentioned(neutralise(text)), "finding",
                       {"f": FindingRecord.of(finding).data(), "st": "open"}, key)


def moved_away(new_path: str, line: int, url: str, head_sha: str) -> str:
    """The text that replaces a comment whose finding moved with its renamed file: no
    marker (the comment at `url`, on `new_path`, carries the finding on)."""
    return safe(f"_↪️ Moved: the file was renamed at {head_sha[:12]}; this finding is now on "
                f"{code_span(f'{new_path}:{line}')}. [The comment there]({url}) carries it "
                "on; this one is no longer updated._") + "\n"


def followed_in(path: str, line: int, url: str) -> str:
    """The text that replaces the comment a move cut short left on a renamed file's new
    path once the finding is no longer there (the rename undone, the file deleted): no
    marker; our comment at `url`, on `path`, follows the finding."""
    return safe(f"_↪️ This finding is followed in [the comment on "
                f"{code_span(f'{path}:{line}')}]({url}); this one is no longer updated._") + "\n"


def superseded(what: str) -> str:
    """The text that replaces a second copy of one of our comments (`what`: "finding",
    "summary"), made by two runs at once (or, a summary, by a run cut short or an older
    release): no marker, so no run reads it again."""
    return (f"_reviewloop: this {what} is a second copy (two runs at once, or a summary "
            "from an interrupted run or an earlier release). The copy reviewloop keeps up "
            "to date is another comment on this pull request; this one is no longer "
            "updated._\n")


def _suggestion_block(replacement: str) -> str:
    """A fenced ```suggestion block, its fence longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", replacement)), default=0)
    fence = "`" * max(3, longest + 1)
    text = replacement.removesuffix("\n")
    return f"{fence}suggestion\n{text}\n{fence}" if text else f"{fence}suggestion\n{fence}"


def review_body(head_sha: str, key: bytes, *, inline: Sequence[Finding],
                listed: Sequence[Finding], overflow: Sequence[Finding],
                skipped: int = 0) -> str:
    """The review's text: counts, then every finding that is not an inline comment; its
    marker records the head and the findings listed here."""
    return review_text(head_sha, key, inline=inline, listed=listed, overflow=overflow,
                       skipped=skipped)[0]


def review_text(head_sha: str, key: bytes, *, inline: Sequence[Finding],
                listed: Sequence[Finding], overflow: Sequence[Finding],
                skipped: int = 0, moved: int = 0) -> tuple[str, int]:
    """`review_body`, and how many of `listed` and `overflow` it leaves unshown (GitHub's
    size limit): those are in no marker, so the next push must review the whole PR to
    find them again (`publish`)."""
    everything = [*inline, *listed, *overflow]
    lines = [f"### reviewloop: {len(everything)} new finding(s) on {head_sha[:12]}",
             "", f"{counts_line(everything)} — {len(inline)} inline"]
    shown: list[Finding] = []
    used = 0  # characters of text and of the marker so far
    sections = [("#### Not on a line of this diff", sorted(listed, key=Finding.sort_key),
                 True),
                (f"#### {len(overflow)} more past the limit of inline comments "
                 f"({counts_line(overflow)})", list(overflow), False)]
    for title, findings, detail in sections:
        if not findings:
            continue
        lines += ["", title, ""]
        for finding in findings:
            item = _body_item(finding, detail=detail)
            cost = len(item) + 1 + _marker_cost(finding)
            if sum(map(len, lines)) + used + cost > MAX_BODY - 1_000:
                lines.append(f"… {len(findings) - findings.index(finding)} more not shown "
                             "(GitHub's size limit); they are posted on the next push and "
                             "listed in the summary and the SARIF.")
                break
            lines.append(item)
            shown.append(finding)
            used += _marker_cost(finding)
    if skipped:
        lines += ["", f"_{skipped} finding(s) already posted on earlier commits are not "
                      "repeated._"]
    if moved:
        lines += ["", f"_{moved} open finding(s) moved with their renamed file: posted again "
                      "on the new path, each old comment points there._"]
    body = with_marker("\n".join(lines), "review", {
        "head": head_sha, "f": [FindingRecord.of(f).data() for f in shown]}, key)
    return body, len(listed) + len(overflow) - len(shown)


def _marker_cost(finding: Finding) -> int:
    """Characters a finding's record adds to a marker (base64 of its JSON)."""
    return len(json.dumps(FindingRecord.of(finding).data(), separators=(",", ":"))) * 4 // 3 + 4


def _body_item(finding: Finding, *, detail: bool) -> str:
    """A finding's line in the review body: its title, and with `detail` the start of its
    rationale, as plain text (`model_text`), redacted first."""
    sev = finding.severity
    text = (f"- {sev.emoji} **{sev.label}** {code_span(finding.location)} "
            f"{model_text(redact(printable(finding.headline)))} "
            f"({plain_text(', '.join(finding.agents))})")
    if detail:
        rationale = " ".join(redact(finding.rationale).split())
        if len(rationale) > _RATIONALE_IN_BODY:
            rationale = rationale[:_RATIONALE_IN_BODY - 1] + "…"
        text += f"\n  {model_text(rationale)}"
    return neutralise(text)


def counts_line(findings: Iterable[Finding | FindingRecord]) -> str:
    return counts_text(severity_counts(findings))


def severity_counts(findings: Iterable[Finding | FindingRecord]) -> dict[str, int]:
    out = {s.value: 0 for s in Severity}
    for f in findings:
        out[f.severity.value] += 1
    return out


def counts_text(counts: Mapping[str, int]) -> str:
    return " · ".join(f"{s.emoji} {counts.get(s.value, 0)} {s.label}" for s in Severity)


def summary_body(report_markdown: str, head_sha: str, key: bytes, *,
                 open_counts: Mapping[str, int], fixed_count: int,
                 body_fixed: Iterable[str] = (), whole: bool = True,
                 base: tuple[str, str] | None = None, left_count: int = 0,
                 body_left: Iterable[str] = (), llm: bool = True, tests: bool = False,
                 open_ids: Iterable[str] = (), edited: Sequence[str] = (),
                 elsewhere: Sequence[tuple[str, str]] = (), own_id: int | None = None
                 ) -> str:
    """The summary comment: what is open on the whole PR, this push's report, the last
    reviewed commit, and a note linking each earlier summary that is no longer read: one
    `edited` below its marker (`markers.buried`), or one `elsewhere`, posted by another
    bot account (a token switched); its marker records the head, the open findings
    (`open_ids`, their fingerprints: `o`, their short ids end to end — a finding whose own
    comment or review body no longer carries its marker, deleted or edited by someone, is
    then known to be missing, not fixed: `github.posted.read_state`), the fixed findings
    that have no comment of their own to carry that state (those listed in review bodies),
    and those whose file left the PR (`left_count` of them in all), whether
    the review was `whole` (`github.event.review_base`), the comment's own id once GitHub
    gave it one (`own_id`: only a marker recording its own comment's id is read,
    `github.posted.own_summaries`), whether the LLM reviewers ran
    (`llm`: absent when they did), whether the project's tests ran (`tests`: absent when
    they did not), and the PR's `base` it was judged against, (commit,
    branch) (`github.followup`).

    The body stays under GitHub's limit whatever the PR's history: the report is cut to
    its room, and the marker to `_MARKER_ROOM` — the open set, or the fixed or left findings
    it has no room for, are dropped, and the review is then recorded as not whole, so that
    the next push reviews the whole PR and judges them again instead of reading them as
    open (or missing nothing)."""
    open_total = sum(open_counts.values())
    head = (f"**Open on this pull request: {open_total}** — {counts_text(open_counts)}"
            f" · ✅ {fixed_count} fixed since the first review"
            + (f" · ⏭️ {left_count} no longer in this pull request" if left_count else ""))
    if edited:
        head += "\n\n" + _edited_note(edited)
    if elsewhere:
        head += "\n\n" + _elsewhere_note(elsewhere)
    report = safe(report_markdown).rstrip()
    room = MAX_BODY - len(head) - _MARKER_ROOM
    if len(report) > room:
        cut = report.rfind("\n", 0, room)
        report = report[:cut if cut > 0 else room] + \
            "\n\n… the rest of the report is in the job summary and SARIF."
    text = f"{head}\n\n{report}\n\n_Last reviewed commit: {head_sha}_"
    data: dict[str, Any] = {"head": head_sha, "open": dict(open_counts), "whole": whole,
                            **({} if llm else {"llm": False}),
                            **({"tests": True} if tests else {}),
                            **({} if own_id is None else {"id": own_id})}
    if base is not None:
        data |= {"base": base[0], "base_ref": base[1]}
    data |= _open_set(data, open_ids)
    all_fixed, all_left = sorted(set(body_fixed)), sorted(set(body_left))
    fixed, left = _kept(data, all_fixed, all_left)
    if len(fixed) + len(left) < len(all_fixed) + len(all_left):
        data["whole"] = False
    data |= {"fixed": fixed, **({"left": left} if left else {})}
    return with_marker(text, "summary", data, key)


def _links(links: Sequence[str]) -> str:
    shown = ", ".join(f"[this one]({link})" for link in links[:5])
    return shown + (f" and {len(links) - 5} more" if len(links) > 5 else "")


def _edited_note(links: Sequence[str]) -> str:
    """What the summary says of earlier summaries someone added text below."""
    return safe(f"> ⚠️ An earlier reviewloop summary ({_links(links)}) has text added below "
                "or beside its hidden marker, which must stay alone on the comment's last "
                "line: reviewloop no longer reads or updates it, so its counts are stale. "
                "This comment is the current summary; edit text above the marker, or add a "
                "comment of your own.")


def _elsewhere_note(summaries: Sequence[tuple[str, str]]) -> str:
    """What the summary says of summaries another bot account posted (login, link)."""
    logins = ", ".join(sorted({code_span(login) for login, _ in summaries}))  # no @: no ping
    return safe(f"> ⚠️ An earlier reviewloop summary ({_links([u for _, u in summaries])}) "
                f"was posted by {logins}, not by the account this run's token acts as (or "
                "that account quoted one): "
                "reviewloop reads only its own account's comments, so that summary and the "
                "threads posted with it are not read or updated any more (their findings are "
                "posted again here if still there). Resolve them by hand, or keep one token "
                "for the life of a pull request (docs/github.md).")


def _open_set(data: Mapping[str, Any], open_ids: Iterable[str]) -> dict[str, Any]:
    """`{"o": …}`, the open findings' short ids end to end, when a summary marker holding
    `data` has room for it (half of `_MARKER_ROOM`); else `{"whole": False}`."""
    ids = "".join(sorted({fp[:SHORT_LENGTH] for fp in open_ids}))
    if len(ids) * 4 // 3 + len(seal("summary", dict(data), _ROOM_KEY)) > _MARKER_ROOM // 2:
        return {"whole": False}
    return {"o": ids}


def _kept(data: Mapping[str, Any], fixed: list[str], left: list[str]
          ) -> tuple[list[str], list[str]]:
    """As many of the `fixed` then `left` fingerprints as a summary marker holding `data`
    has room for (`_MARKER_ROOM`, less a margin for the body's last lines)."""
    room = _MARKER_ROOM - 400 - len(seal("summary", {**data, "fixed": [], "left": []},
                                          _ROOM_KEY))
    each = (max(map(len, [*fixed, *left]), default=0) + 3) * 4 // 3 + 1
    fits = max(room // each, 0)
    return fixed[:fits], left[:max(fits - len(fixed), 0)]
