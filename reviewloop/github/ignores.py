"""`/reviewloop ignore <id> <reason>`: the trusted way to dismiss a finding on a pull request.

The trust model lets a human with write access lower a verdict (docs/security.md); on a PR
that is this command and nothing else — suppressions the PR itself adds are reported, never
honoured. The bot answers a writer's command with one comment that carries an `ignore`
marker: the finding's fingerprint, who ignored it, why, and the command's comment id. Later
reviews read those markers back (only from the bot's own comments, like every marker,
`github/posted.py`), and the finding is `suppressed` in the PR's ledger from then on —
reported again or not. The same words in the PR's code, or from someone without write
access, are never read as one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reviewloop.findings.ledger import Suppression
from reviewloop.git.names import code_span
from reviewloop.github.markers import read_marker, with_marker
from reviewloop.github.records import FindingRecord
from reviewloop.github.render import safe
from reviewloop.github.threads import Identity
from reviewloop.reports.render import model_text


@dataclass(frozen=True)
class IgnoreRecord:
    fingerprint: str
    by: str  # the writer's login
    reason: str
    command: int  # the id of the comment that gave the command

    def suppression(self) -> Suppression:
        return Suppression(kind="command", where=f"/reviewloop ignore (comment {self.command})",
                           by=self.by, reason=self.reason)

    def data(self) -> dict[str, Any]:
        return {"fp": self.fingerprint, "by": self.by, "why": self.reason,
                "cmd": self.command}

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> IgnoreRecord | None:
        try:
            return cls(str(data["fp"]), str(data["by"]), str(data["why"]), int(data["cmd"]))
        except (KeyError, TypeError, ValueError):
            return None


def ignore_body(record: FindingRecord, ignore: IgnoreRecord, key: bytes) -> str:
    """The bot's answer to the command, which is also its durable record."""
    text = safe(f"🔕 **Ignored** {code_span(record.fingerprint[:12])} "
                f"{model_text(record.title)} ({code_span(record.location)}) — by "
                f"@{ignore.by}: {ignore.reason}\n\n"
                "Later reviews of this pull request count it as suppressed.")
    return with_marker(text, "ignore", ignore.data(), key)


def read_ignores(issue_comments: Iterable[Mapping[str, Any]], key: bytes,
                 identity: Identity) -> dict[str, IgnoreRecord]:
    """Every ignore the bot recorded, by fingerprint (the first one for a finding counts)."""
    found: dict[str, IgnoreRecord] = {}
    for comment in issue_comments:
        if not identity.wrote(comment):
            continue
        marker = read_marker(comment.get("body"), key, "ignore")
        record = IgnoreRecord.parse(marker.data) if marker else None
        if record is not None:
            found.setdefault(record.fingerprint, record)
    return found


def matching(records: Iterable[FindingRecord], wanted: str) -> list[FindingRecord]:
    """The findings whose fingerprint starts with `wanted` (a short id or more)."""
    return [r for r in records if r.fingerprint.startswith(wanted)]
