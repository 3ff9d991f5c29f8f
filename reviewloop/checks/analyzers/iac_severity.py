"""The severity of a checkov finding, from a published table a user can look up.

checkov run offline (no Prisma Cloud API key) reports no severity, so every finding would be
the same 🟡. `reviewloop/checks/data/iac_severity.json` gives each check id the severity a
published source rates the same misconfiguration with (built, with its provenance, by
`benchmarks/data/make_iac_severity.py`):

* trivy-checks (https://avd.aquasec.com/misconfig/<id>) for the cloud and Kubernetes checks
  it has a counterpart for: a security group open to the world on SSH is HIGH there, a public
  bucket's missing access block HIGH, a missing access-log LOW;
* else the severity Prisma Cloud's policy reference (checkov's vendor) gives the checkov id.

CRITICAL and HIGH → must_fix, everything else → should_fix (routine hygiene never blocks, and
no finding is lowered to a nit it was not before). A check id in neither source stays
should_fix. A severity checkov reports itself (with a Prisma Cloud key) wins over the table,
mapped as before: CRITICAL and HIGH → must_fix, MEDIUM → should_fix, LOW and INFO → nit.

hadolint and zizmor keep their own tools' published levels (`hadolint.py`, `zizmor.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reviewloop.findings.schema import Severity

TABLE = Path(__file__).resolve().parent.parent / "data" / "iac_severity.json"
LEVELS = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO")
BLOCKING = frozenset(LEVELS[:2])
REPORTED = {"CRITICAL": Severity.MUST_FIX, "HIGH": Severity.MUST_FIX,
            "MEDIUM": Severity.SHOULD_FIX, "LOW": Severity.NIT, "INFO": Severity.NIT}
_LINKS = {"trivy-checks": "https://avd.aquasec.com/misconfig/{ref}",
          "prisma-cloud-docs": "Prisma Cloud's policy reference, {ref}"}


@dataclass(frozen=True)
class Rated:
    """A check's published severity and where it was read."""

    level: str  # CRITICAL, HIGH, MEDIUM, LOW or INFO
    source: str
    ref: str

    @property
    def severity(self) -> Severity:
        return Severity.MUST_FIX if self.level in BLOCKING else Severity.SHOULD_FIX

    @property
    def said(self) -> str:
        """The sentence a finding's rationale carries, with where to look it up."""
        where = _LINKS.get(self.source, "{ref}").format(ref=self.ref.lower()
                                                        if self.source == "trivy-checks"
                                                        else self.ref)
        return f"Rated {self.level} by {self.source} ({where})."


@cache
def _table() -> dict[str, list[str]]:
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    return dict(data["checks"])


def rated(check_id: str) -> Rated | None:
    """The published rating of `check_id` (None: no source rates it)."""
    row = _table().get(check_id)
    return Rated(level=row[0], source=row[1], ref=row[2]) if row else None


def severity_of(check_id: str, reported: str | None) -> tuple[Severity, str]:
    """The finding's severity and the sentence saying where it comes from: checkov's own
    (`reported`, with a Prisma Cloud key), else the table's, else should_fix."""
    level = (reported or "").upper()
    if level in REPORTED:
        return REPORTED[level], f"Rated {level} by checkov."
    found = rated(check_id)
    if found is None:
        return Severity.SHOULD_FIX, ""
    return found.severity, found.said
