"""The `secrets` analyzer: reviewloop's secrets scanner on the added lines, for the security
reviewer. Every hit is must_fix (see `reviewloop.checks.secrets.scanner`), but a tool's own
value that only looks like a secret (a CDK feature flag's name, an asset hash:
`reviewloop.policy.machine_values`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.lane import cpu_lane
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.machine_values import machine_value
from reviewloop.policy.markers import MarkerSyntax, Reach, listed

if TYPE_CHECKING:
    from reviewloop.checks.secrets.scanner import SecretHit

NAME = "secrets"


# the allow markers of gitleaks and detect-secrets, whose rules the scan carries; in any file
MARKERS = (
    MarkerSyntax("gitleaks", r"gitleaks\s*:\s*allow\b[^\n]*", Reach.LINES, listed, "gitleaks"),
    MarkerSyntax("detect-secrets", r"pragma\s*:\s*allowlist\s+secret\b[^\n]*", Reach.LINES,
                 listed, "allowlist"),
    MarkerSyntax("detect-secrets", r"pragma\s*:\s*allowlist\s+nextline\s+secret\b[^\n]*",
                 Reach.ABOVE, listed, "allowlist"),
)


# gitleaks' ignore list (honoured from the trusted side, `secrets.gitleaks`) and its config
# (detect-secrets' `.secrets.baseline`, read by `ds_baseline`, is a lever of `lever_files`)
CONFIG_FILES = (ConfigFile(".gitleaksignore", "gitleaks"), ConfigFile(".gitleaks.toml", "gitleaks"))


class SecretsScan:
    name = NAME
    markers = MARKERS
    config_files = CONFIG_FILES
    line_breaks = None  # it numbers the diff's lines, as git does
    wide_text = True  # the diff shows UTF-16 and UTF-32 text decoded (`git.plaindiff`)
    max_bytes = 16_000_000  # ~5 MB/s on this project's machines: the diff's ceiling

    def available(self) -> str | None:
        return None  # part of reviewloop

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """Every changed text file: a key is a key in any language."""
        return list(ctx.files)

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        from reviewloop.checks.secrets.scanner import to_findings

        # only the agent's files: an oversize or out-of-scope file's lines are not scanned
        # here (the secrets gate still scans every added line of the change); in its turn
        # with bandit's in-process run (`checks.lane`)
        with cpu_lane():
            return to_findings(change_hits(ctx), agent=ctx.agent)


def change_hits(ctx: AnalyzerContext) -> list[SecretHit]:
    """The secrets on the added lines of `ctx.files` (and in the printable text of a binary
    one, `binary_text`; in the files inside an archive, `archives`): the scan's own layers,
    the project's gitleaks rules and its detect-secrets baseline's settings, one hit per
    credential. The
    analyzer (its agent's files) and the secrets gate (every file of the change) both ask
    this, so their findings agree and the ledger merges them into one entry."""
    from reviewloop.checks.secrets.archives import archive_hits
    from reviewloop.checks.secrets.binary_text import binary_hits
    from reviewloop.checks.secrets.diff_scan import scan_changes

    hits = secrets_only(scan_changes(ctx.changes, ctx.files), ctx.changes) + binary_hits(
        ctx.root, ctx.changes, tuple(ctx.files), ctx.not_read) + archive_hits(
        ctx.root, ctx.changes, tuple(ctx.files), ctx.not_read)  # an image's text, a zip's
    own, found = _project_hits(ctx), _detect_secrets_hits(ctx)
    # a secret the project's rule names is reported under its name, once: a hit of the
    # scan's own rules over the same characters gives way
    kept = [h for h in hits if not any(_overlap(h, o) for o in own)] + own
    # what detect-secrets finds where no other layer found a secret already
    return kept + [f for f in found if not any(_overlap(f, h) for h in kept)]


def _detect_secrets_hits(ctx: AnalyzerContext) -> list[SecretHit]:
    """What detect-secrets finds by the settings of the project's baseline (`ds_baseline`);
    none without one."""
    from reviewloop.checks.secrets.ds_baseline import baseline_hits

    return baseline_hits(ctx)


def hold_reported(ctx: AnalyzerContext, *, new_review: bool) -> None:
    """Have `redact` replace, from now on, each value on an added line of `ctx.files` that
    `redact`, reading text of no kind, may not find (`known_values`): what the project's
    gitleaks rules and detect-secrets report, and what the scan found by the file's kind of
    reading (a YAML anchor's or tag's literal, a flow mapping's plain value, `password: &pw
    v`), which only the prompt's copy of the file's diff replaced (`diff_redaction`): the
    fixer's prompt, a file the model reads, a comment or a report held it as it is. The
    scans are remembered: the analyzer and the gate reuse them."""
    from reviewloop.checks.secrets.diff_scan import file_hits
    from reviewloop.checks.secrets.known_values import hold

    hits = (*_project_hits(ctx), *_detect_secrets_hits(ctx))
    files = {path: diff for path in {*ctx.files, *(h.path for h in hits)}
             if (diff := ctx.changes.file(path)) is not None}
    scanned = {path: file_hits(diff) for path, diff in files.items()}
    added = {path: {a.line: a.text for a in diff.added} for path, diff in files.items()}
    # a value the scan found by the file's kind is held where `redact`'s own scan of its
    # line misses it (held everywhere, `postgres` found on its line would be replaced in
    # every image and URL too); one the scan found as well keeps the scan's name for it
    # (the one the prompt's redaction of the diff gives it)
    hold([*((piece, hit.rule) for hits_of in scanned.values() for hit in hits_of
            for piece in _value(hit, added.get(hit.path, {}))
            if _missed(piece, hit, added.get(hit.path, {}))),
          *((piece, hit.rule) for hit in hits
            if not any(_covers(s, hit) for s in scanned.get(hit.path, ()))
            for piece in _value(hit, added.get(hit.path, {})))], new_review=new_review)


def _missed(piece: str, hit: SecretHit, added: dict[int, str]) -> bool:
    """Whether `redact`'s own scan, reading `hit`'s line after the one before it (a block
    scalar's key), leaves `piece` there: a piece of another line is held."""
    from reviewloop.checks.secrets.scanner import scan_text

    line, before = added.get(hit.line), added.get(hit.line - 1)
    column = hit.column - 1
    if line is None or line[column:column + len(piece)] != piece:
        return True
    offset = 0 if before is None else len(before) + 1
    at = offset + column
    return not any(h.start <= at and at + len(piece) <= h.end for h in scan_text(
        line if before is None else f"{before}\n{line}"))


def _covers(one: SecretHit, other: SecretHit) -> bool:
    """Whether `one` spans all of `other`, a secret on one line."""
    return (one.path, one.line) == (other.path, other.line) and \
        other.end - other.start == other.end_column - other.column and \
        one.column <= other.column and other.end_column <= one.end_column


def _value(hit: SecretHit, added: dict[int, str]) -> list[str]:
    """The characters `hit` covers on its added line (and the lines after it, for a
    secret a project's rule matched over several), a piece per line; `added`: the text of
    each added line of its file, by number."""
    start, end = hit.column - 1, hit.column - 1 + hit.end - hit.start
    text, number = added.get(hit.line, ""), hit.line + 1
    while len(text) < end and number in added:
        text, number = f"{text}\n{added[number]}", number + 1
    return [piece for piece in text[start:end].split("\n") if piece.strip()]


def _overlap(one: SecretHit, other: SecretHit) -> bool:
    return (one.path, one.line) == (other.path, other.line) and \
        one.column < other.end_column and other.column < one.end_column


def _project_hits(ctx: AnalyzerContext) -> list[SecretHit]:
    """What the project's own gitleaks rules find on the added lines (`project_rules`); each
    file named as not fully analysed when one of them could not be run."""
    from reviewloop.checks.secrets.project_rules import project_rules

    rules = project_rules(ctx)
    for path in ctx.files if rules.refused else ():
        ctx.not_read(path, "the project's own gitleaks rules were not all run: "
                     + "; ".join(rules.refused))
    if not rules.rules:
        return []
    hits: list[SecretHit] = []
    for path in ctx.files:
        diff = ctx.changes.file(path)
        if diff is not None:
            hits += rules.hits(path, ((a.line, a.text) for a in diff.added))
    return hits


def secrets_only(hits: Iterable[SecretHit], changes: ChangeSet) -> list[SecretHit]:
    """`hits` but those on a tool's own value (`policy.machine_values`), judged on the added
    line they were found in."""
    kept = []
    for hit in hits:
        diff = changes.file(hit.path)
        line = next((a.text for a in diff.added if a.line == hit.line), None) if diff else None
        if line is None or machine_value(hit.path, line, hit.column, hit.end_column) is None:
            kept.append(hit)
    return kept
