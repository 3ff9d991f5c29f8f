"""What reviewloop already posted on a pull request, read back from its own markers: every
finding with its state and where it is, the summary comment, the heads reviewed.

Only comments written by the token's own identity count, and only through a marker that
verifies (`github/markers.py`), so nothing a PR author writes — in a comment of their own
or in text reviewloop quoted — can hide a finding or mark it fixed. This is also how the
PR's findings are recovered on the next push: they live in the PR, not in the runner.
Comments people can change do not decide what is open: the summary's marker lists the open
findings, so one whose comment was deleted or edited is known to be missing (`lost`), not
fixed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from reviewloop.findings.schema import SHORT_LENGTH
from reviewloop.github.client import GitHubClient
from reviewloop.github.ignores import IgnoreRecord, read_ignores
from reviewloop.github.markers import Marker, buried_marker, read_marker
from reviewloop.github.records import FindingRecord
from reviewloop.github.threads import Identity, Thread, Threads, fetch_threads

ACTIONS_BOT = Identity("github-actions[bot]", None)  # when GraphQL cannot say who we are


@dataclass(frozen=True)
class PostedFinding:
    """One finding as the PR shows it: in an inline comment (`comment_id`) or listed in a
    review body (`comment_id` None)."""

    record: FindingRecord
    state: str = "open"  # "open", "fixed" or "left" (its file left the PR), as our last
    # marker says
    comment_id: int | None = None
    path: str = ""
    line: int | None = None  # where GitHub shows the comment now; None: outdated
    start_line: int | None = None
    body: str = ""
    thread: Thread | None = None
    away: bool = False  # reopened after its comment went outdated: the comment is not where it is
    url: str = ""  # the inline comment's page (`html_url`), for a comment that links to it

    @property
    def fingerprint(self) -> str:
        return self.record.fingerprint

    @property
    def inline(self) -> bool:
        return self.comment_id is not None

    @property
    def outdated(self) -> bool:
        return self.inline and self.line is None


@dataclass(frozen=True)
class PostedState:
    findings: dict[str, PostedFinding] = field(default_factory=dict)  # by fingerprint
    # a second inline comment of ours for a finding (two runs at once): should be none
    duplicates: list[PostedFinding] = field(default_factory=list)
    reviewed_heads: frozenset[str] = frozenset()
    # the summary reviewloop created (its marker records its comment id), the oldest if
    # two runs at once each created one (`own_summaries`)
    summary_comment_id: int | None = None
    extra_summaries: list[int] = field(default_factory=list)  # the others: should be none
    # of those, the ones whose marker records no id: a creation cut short (`publish`'s
    # read-back finds it there), an older release's, or the account quoting a marker
    unrecorded_summaries: tuple[int, ...] = ()
    # links to comments of ours whose summary marker has text added below it: edited after
    # posting, so never read again (`markers.buried`); the summary says so
    edited_summaries: tuple[str, ...] = ()
    # (login, link) of summaries another bot account posted (the token was switched):
    # never read, only named in the summary
    other_summaries: tuple[tuple[str, str], ...] = ()
    # open findings (short ids) the summary lists whose own comment or review body no
    # longer carries their marker (deleted or edited by someone): not fixed, so the next
    # review is of the whole PR and posts them again
    lost: frozenset[str] = frozenset()
    last_reviewed_head: str | None = None
    last_review_whole: bool = False  # every file read, nothing failed (`render.summary_body`)
    last_review_llm: bool = True  # the LLM reviewers ran (a marker says so when they did not)
    # the project's tests ran (run-tests; a marker says so when they did, and one from before
    # it said so counts as not: a push that runs them then reads the whole PR once)
    last_review_tests: bool = False
    last_reviewed_base: str | None = None  # the PR's base commit the last review judged
    last_reviewed_base_ref: str | None = None  # and its branch (`github.followup`)
    identity: Identity = ACTIONS_BOT
    threads_unavailable: str | None = None
    ignored: dict[str, IgnoreRecord] = field(default_factory=dict)  # a writer's ignore, by fp

    @property
    def duplicate_comments(self) -> list[int]:
        return [p.comment_id for p in self.duplicates if p.comment_id is not None]

    def ignore_of(self, finding_prints: frozenset[str]) -> IgnoreRecord | None:
        """The writer's ignore that covers a finding answering to `finding_prints`."""
        return next((self.ignored[p] for p in sorted(finding_prints) if p in self.ignored),
                    None)

    @property
    def fingerprints(self) -> frozenset[str]:
        """Every finding ever posted, whatever its state: a finding that comes back is
        reopened where it was, never posted again."""
        return frozenset(self.findings)

    def with_state(self, fingerprint: str, state: str) -> PostedState:
        found = self.findings[fingerprint]
        return replace(self, findings={**self.findings,
                                       fingerprint: replace(found, state=state)})


def read_state(review_comments: Iterable[Mapping[str, Any]],
               reviews: Iterable[Mapping[str, Any]],
               issue_comments: Iterable[Mapping[str, Any]], key: bytes, *,
               identity: Identity = ACTIONS_BOT, threads: Threads | None = None
               ) -> PostedState:
    """Parse what the API returned into what reviewloop posted before (pure)."""
    threads = threads or Threads()
    issue_comments = list(issue_comments)  # read twice: the summary, then the ignores
    findings: dict[str, PostedFinding] = {}
    duplicates: list[PostedFinding] = []
    heads: set[str] = set()
    for review in reviews:
        marker = read_marker(review.get("body"), key, "review") if identity.wrote(review) \
            else None
        if marker is None:
            continue
        heads.add(str(marker.data.get("head", "")))
        for data in marker.data.get("f") or []:
            record = FindingRecord.parse(data)
            if record is not None:
                findings.setdefault(record.fingerprint, PostedFinding(record))
    summaries, unrecorded = own_summaries(issue_comments, key, identity)
    # two runs at once may each have started one: the oldest is kept, the others retired
    summary_id = min(summaries, default=None)
    summary = summaries.get(summary_id) if summary_id is not None else None
    in_bodies = {fp: state for state in ("fixed", "left")
                 for fp in (summary or {}).get(state) or ()}
    findings = {fp: replace(p, state=in_bodies[fp]) if fp in in_bodies else p
                for fp, p in findings.items()}
    for comment in review_comments:
        posted = _inline(comment, key, identity, threads)
        if posted is None:
            continue
        if posted.fingerprint in findings and findings[posted.fingerprint].inline:
            duplicates.append(posted)
            continue
        findings[posted.fingerprint] = posted  # an inline comment wins over a listing
    lost = (open_set((summary or {}).get("o")) or frozenset()) - \
        {fp[:SHORT_LENGTH] for fp in findings}
    return PostedState(findings=findings, duplicates=duplicates,
                       reviewed_heads=frozenset(heads), summary_comment_id=summary_id,
                       extra_summaries=sorted({*summaries, *unrecorded} - {summary_id}),
                       unrecorded_summaries=tuple(unrecorded),
                       edited_summaries=tuple(
                           _link(c) for c in issue_comments if identity.wrote(c)
                           and _shaped(c, buried_marker(c.get("body"), key, "summary"))),
                       other_summaries=_other_summaries(issue_comments, key, identity),
                       lost=lost, last_reviewed_head=(summary or {}).get("head"),
                       # a marker from before it said so: not known whole
                       # and a second summary: the kept one may be the older state
                       last_review_whole=(summary or {}).get("whole") is True and not lost
                       and len(summaries) < 2,
                       last_review_llm=(summary or {}).get("llm") is not False,
                       last_review_tests=(summary or {}).get("tests") is True,
                       last_reviewed_base=_text((summary or {}).get("base")),
                       last_reviewed_base_ref=_text((summary or {}).get("base_ref")),
                       identity=identity,
                       threads_unavailable=threads.unavailable,
                       ignored=read_ignores(issue_comments, key, identity))


def own_summaries(issue_comments: Iterable[Mapping[str, Any]], key: bytes,
                  identity: Identity) -> tuple[dict[int, dict[str, Any]], list[int]]:
    """The summaries reviewloop created on the PR, by comment id, with their marker's data;
    and the ids of the token account's other comments in a summary's shape (`_shaped`)
    whose marker does not record their own id: a summary whose creation was cut short
    before its id was written in (`publish`), or from before ids were, or one the account
    posted quoting a marker (the key is public: a workflow echoing a PR author's text as
    that account) — never read, only retired. A marker recording another comment's id is a
    copy, neither read nor touched."""
    recorded: dict[int, dict[str, Any]] = {}
    unrecorded: list[int] = []
    for comment in issue_comments:
        marker = read_marker(comment.get("body"), key, "summary") \
            if identity.wrote(comment) else None
        if marker is None or not _shaped(comment, marker):
            continue
        own = marker.data.get("id")
        if own is None:
            unrecorded.append(int(comment["id"]))
        elif own == comment["id"]:
            recorded[int(comment["id"])] = marker.data
    return recorded, unrecorded


def _link(comment: Mapping[str, Any]) -> str:
    return str(comment.get("html_url") or f"#issuecomment-{comment['id']}")


def _other_summaries(issue_comments: Iterable[Mapping[str, Any]], key: bytes,
                     identity: Identity) -> tuple[tuple[str, str], ...]:
    """(login, link) of the summaries another bot account posted: reviewloop run with
    another token on this PR before. Only bots: a person's comment with a marker is no
    summary of anyone's; and only a comment shaped as a summary, its marker's head named on
    its `Last reviewed commit` line: the key is public, so a bot that only quotes a marker
    someone wrote (a greeter echoing the PR description) is not taken for one."""
    return tuple((str((c.get("user") or {}).get("login", "")), _link(c))
                 for c in issue_comments if not identity.wrote(c) and _bot(c)
                 and _shaped(c, read_marker(c.get("body"), key, "summary")))


def _shaped(comment: Mapping[str, Any], marker: Marker | None) -> bool:
    """Whether `comment` holds the summary `marker` in a summary's shape, the marker's head
    named on its `Last reviewed commit` line, not a marker alone someone quoted."""
    return marker is not None and \
        f"_Last reviewed commit: {marker.data.get('head')}_" in str(comment.get("body"))


def _bot(comment: Mapping[str, Any]) -> bool:
    user = comment.get("user") or {}
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def open_set(value: Any) -> frozenset[str] | None:
    """The short ids a summary marker's `o` holds; None when it has none (a marker from
    before it was written, or with no room for it)."""
    if not isinstance(value, str) or len(value) % SHORT_LENGTH:
        return None
    return frozenset(value[i:i + SHORT_LENGTH] for i in range(0, len(value), SHORT_LENGTH))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _inline(comment: Mapping[str, Any], key: bytes, identity: Identity,
            threads: Threads) -> PostedFinding | None:
    if comment.get("in_reply_to_id") or not identity.wrote(comment):
        return None
    marker = read_marker(comment.get("body"), key, "finding")
    record = FindingRecord.parse((marker.data if marker else {}).get("f"))
    if marker is None or record is None:
        return None
    return PostedFinding(
        record, state=st if (st := marker.data.get("st")) in ("fixed", "left") else "open",
        comment_id=int(comment["id"]), path=str(comment.get("path", "")),
        line=comment.get("line"), start_line=comment.get("start_line"),
        body=str(comment.get("body", "")), thread=threads.by_comment.get(int(comment["id"])),
        away=bool(marker.data.get("away")), url=str(comment.get("html_url", "")))


def fetch_state(client: GitHubClient, repo: str, number: int, key: bytes, *,
                identity: Identity | None = None) -> PostedState:
    """Read the PR: threads and the token's identity through GraphQL (when allowed), then
    review comments, reviews and issue comments through REST."""
    threads = fetch_threads(client, repo, number)
    who = identity or threads.identity or ACTIONS_BOT
    return read_state(client.list_review_comments(repo, number),
                      client.list_reviews(repo, number),
                      client.list_issue_comments(repo, number), key, identity=who,
                      threads=threads)
