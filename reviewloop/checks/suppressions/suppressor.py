"""Whether a finding is suppressed, and by what: the one decision every review and run asks.

In this order, the first that covers the finding wins:

* an inline marker in the reviewed file — `reviewloop: ignore[RULE, …]` for any finding
  (RULE: an analyzer rule `B602`, `bandit/B602` or `bandit:B602` as `stats` names it, a
  reviewer's name for its LLM findings, `*`; text after `]` is the reason), or the marker
  of the tool that reported it (`# nosec`,
  `# noqa`, `#checkov:skip=`, `# hadolint ignore=`, `# zizmor: ignore[…]`, `gitleaks:allow`,
  …; which lines each covers is `policy.markers.Reach`). A marker counts only when the trusted
  side carries it (`Trust.vouches`): one the untrusted change wrote is reported by `added`,
  and the finding stays open; one on a line it left alone counts only when the base's copy,
  read the same way, had the same marker there (`base_markers`: not string text the change
  unwrapped). A Python file this Python cannot parse (3.12's f-strings on 3.11) has no
  markers that count: its comments are not known as ruff reads them. An ESLint directive
  counts only where the project's ESLint reads inline configuration (not under its config's
  `noInlineConfig` or its command's `--no-inline-config`: `eslint_inline_config`). The
  tools themselves run with their markers switched off, so nothing they would hide is lost
  before this decision;
* `.reviewloop-baseline.json` (`{"version": 1, "findings": [{"fingerprint": "…", "rule":
  "B602", "file": "app.py", "by": "alice", "reason": "…"}]}`): an entry matches by
  fingerprint, or by rule and file (and line, when given) when it has no fingerprint;
* `.gitleaksignore` (gitleaks fingerprints, `reviewloop.checks.secrets.gitleaks`) for the
  secrets scanner's findings: `file:rule:line`, or `commit:file:rule:line`, which matches
  only when `git blame` says that commit wrote the flagged line (there, at that line);
* the wrapped tools' config files (`tool_config`), and the project's own ESLint config as
  the trusted side has it (`eslint_project`).

Every file is read as the trusted side has it (`files.TrustedFiles`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from reviewloop.checks.analyzers.eslint_directives import reenables
from reviewloop.checks.secrets.gitleaks import IgnoreEntry, rule_ids
from reviewloop.checks.suppressions.base_markers import base_of, file_markers
from reviewloop.checks.suppressions.comments import reader
from reviewloop.checks.suppressions.eslint_inline_config import InlineConfig
from reviewloop.checks.suppressions.eslint_project import ProjectEslint
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.checks.suppressions.markers import file_language
from reviewloop.checks.suppressions.noqa_lines import noqa_lines
from reviewloop.checks.suppressions.script_comments import SPANNED
from reviewloop.checks.suppressions.shell_scopes import ShellScopes
from reviewloop.checks.suppressions.tool_config import ConfigSkip
from reviewloop.checks.suppressions.tool_lines import (
    ToolLines,
    marker_end,
    near,
    reaches,
    tool_breaks,
    tool_noqa_lines,
)
from reviewloop.errors import UserInputError
from reviewloop.findings.ledger import Suppression
from reviewloop.findings.schema import Finding
from reviewloop.git.names import posix_parts
from reviewloop.git.provenance import Origin
from reviewloop.policy.markers import Marker, Reach

BASELINE = ".reviewloop-baseline.json"
SECRETS = "secrets"  # the secrets scanner's finding source
_JSX_TAG = re.compile(r"</?[A-Za-z][\w.:-]*(?:\s[^<>]*)?/?>|<>|</>")
RUFF = "ruff"  # the owner of the noqa markers ruff honours (`analyzers.ruff.MARKERS`)
ESLINT = "eslint"  # the owner of ESLint's directives (`analyzers.eslint.MARKERS`)
SHELLCHECK = "shellcheck"  # its `disable=` covers the next command (`shell_scopes`)

Blame = Callable[[str, int], Origin | None]  # (path, line) → the commit that wrote it


@dataclass(frozen=True)
class BaselineEntry:
    source: str
    fingerprint: str | None = None
    rule: str | None = None
    file: str | None = None
    line: int | None = None
    by: str | None = None
    reason: str | None = None


@dataclass
class Suppressor:
    """What may suppress findings in one review: the reviewed files (their markers judged by
    trust), and the suppression files as the trusted side has them."""

    files: TrustedFiles
    baseline: Sequence[BaselineEntry] = ()
    gitleaks: Sequence[IgnoreEntry] = ()
    config: Sequence[ConfigSkip] = ()
    blame: Blame = field(default=lambda path, line: None)
    # the project's own tool config that only running it can read (ESLint's flat config)
    project: ProjectEslint | None = None
    # whether ESLint reads a file's directives as the project runs it (`noInlineConfig`)
    eslint_inline: InlineConfig | None = None
    _markers: dict[str, list[tuple[int, Marker]]] = field(default_factory=dict)
    _comments: dict[str, Sequence[str]] = field(default_factory=dict)
    _noqa: dict[str, dict[int, int]] = field(default_factory=dict)
    # a file's lines as a tool counts them, and ruff's noqa lines of those
    _tool: dict[tuple[str, str], ToolLines] = field(default_factory=dict)
    _tool_noqa: dict[str, dict[int, int]] = field(default_factory=dict)
    _tagged: dict[str, Sequence[str]] = field(default_factory=dict)
    # a touched file's base: where its unchanged lines were, and its comments there
    _base: dict[str, tuple[Callable[[int], int | None], Sequence[str]] | None] = field(
        default_factory=dict)
    _shell: ShellScopes = field(default_factory=ShellScopes)

    def __call__(self, finding: Finding) -> Suppression | None:
        return (self._inline(finding) or self._baseline(finding) or self._gitleaks(finding)
                or self._config(finding)
                or (self.project(finding) if self.project is not None else None))

    def expect(self, findings: Iterable[Finding]) -> None:
        """The findings about to be judged (a round's reports): what only running a tool
        can tell about their files is asked in one run, not one per file, and the base's
        copies of their touched files are read from git together."""
        findings = list(findings)
        self.files.want_bases(dict.fromkeys(f.file for f in findings))
        if self.project is not None:
            self.project.expect(findings)

    def _inline(self, finding: Finding) -> Suppression | None:
        trust = self.files.trust
        for number, marker in self._file_markers(finding.file):
            stretch = marker.reach in (Reach.ABOVE, Reach.BLOCK)
            # a `/* */` comment read whole from several lines (`script_comments.SPANNED`)
            # is the trusted side's only when each of its lines is
            spanned = range(number + 1, number + 1 + marker.text.count(SPANNED))
            if self._reaches(marker, number, finding) and _covers(marker, finding) \
                    and trust.vouches(number, finding.file, finding.start_line,
                                      stretch=stretch) \
                    and all(trust.line(finding.file, line) for line in spanned) \
                    and not self._inline_off(marker, finding.file):
                return Suppression(kind="inline", where=f"{finding.file}:{number}",
                                   reason=_reason(marker))
        return None

    def _inline_off(self, marker: Marker, path: str) -> bool:
        """Whether `marker` is an ESLint directive the project's ESLint does not read in
        `path` (inline configuration off: `eslint_inline_config`)."""
        return marker.owner == ESLINT and self.eslint_inline is not None \
            and self.eslint_inline.off(path) is not None

    def _file_markers(self, path: str) -> list[tuple[int, Marker]]:
        if path not in self._markers:
            self._markers[path] = file_markers(self.files, path)
        return self._markers[path]

    def _baseline(self, finding: Finding) -> Suppression | None:
        if not self.baseline:  # asked for each finding (1,300 a review): most have none
            return None
        entry = next((e for e in self.baseline if baseline_matches(e, finding)), None)
        if entry is None:
            return None
        return Suppression(kind="baseline", where=entry.source, by=entry.by,
                           reason=entry.reason)

    def _gitleaks(self, finding: Finding) -> Suppression | None:
        if finding.source != SECRETS:
            return None
        names = {name.lower() for name in rule_ids(finding.rule)}
        for entry in self.gitleaks:
            if entry.rule.lower() in names and self._same_secret(entry, finding):
                return Suppression(kind="baseline", where=entry.where)
        return None

    def _same_secret(self, entry: IgnoreEntry, finding: Finding) -> bool:
        if entry.commit is None:  # directory mode: this file and line, as reviewed
            return entry.file == finding.file and entry.line in (None, finding.start_line)
        origin = self.blame(finding.file, finding.start_line)
        return (origin is not None and origin.commit.startswith(entry.commit.lower())
                and entry.file == origin.path and entry.line in (None, origin.line))

    def _config(self, finding: Finding) -> Suppression | None:
        if not self.config:
            return None
        skip = next((s for s in self.config if s.covers(finding)), None)
        if skip is None:
            return None
        return Suppression(kind="baseline", where=skip.where,
                           reason=f"{skip.source} skips {skip.rule} in its configuration")

    def _reaches(self, marker: Marker, number: int, finding: Finding) -> bool:
        """`_reaches`, and for an `eslint-disable` block: no `eslint-enable` for the
        finding's rule in the comments between the marker and the finding. ESLint compares
        positions (`apply-disable-directives`): on the finding's line, a comment applies when
        it starts before the finding's column (`Finding.start_column`; unknown: the whole
        line is read, wider than ESLint: an enable after the finding is reported)."""
        if marker.owner == SHELLCHECK and marker.reach is Reach.ABOVE:
            return self._shell.reaches(self.files, number, finding)
        if (breaks := tool_breaks(marker, finding)) is not None:
            return self._reaches_in(breaks, marker, number, finding)
        if marker.reach is not Reach.BLOCK:
            return _reaches(marker, number, finding) or (
                marker.reach is Reach.LINES and marker.owner == RUFF
                and self._noqa_line(finding.file, finding.start_line) == number)
        if number > finding.start_line:
            return False
        comments = self._comments_of(finding.file)
        own = comments[number - 1] if number <= len(comments) else ""
        at = own.find(marker.text)
        begin = at + len(marker.text) if at >= 0 else 0
        stop = finding.start_column - 1 if finding.start_column else None  # the finding's
        if number == finding.start_line and stop is not None and at > stop:
            return False  # the disable comes after the finding
        # the comments between, and a raw line holding a JSX tag too: the comment reader
        # takes JSX text for code (`<p>Don't {/* eslint-enable */}</p>`: a quote), and there
        # the block ends at any enable, wider than ESLint (reported), never running on past
        # one ESLint reads
        if any(reenables(line, finding.rule, anywhere=anywhere)
               for anywhere, lines in ((False, comments), (True, self._tagged_of(finding.file)))
               for line in _between(lines, number, begin, finding.start_line, stop)):
            return False
        return self._reached_at_base(number, begin, finding, stop)

    def _reaches_in(self, breaks: re.Pattern[str], marker: Marker, number: int,
                    finding: Finding) -> bool:
        """`_reaches` for ESLint's and ruff's line markers, in their tool's lines
        (`tool_lines`)."""
        path = finding.file
        if not near(marker, number, finding):
            return False  # no file read: most markers of a file are far from a finding
        key = (path, breaks.pattern)
        if key not in self._tool:
            self._tool[key] = ToolLines(self.files.lines(path), breaks)
        tool = self._tool[key]
        end = marker_end(self.files.lines(path), self._comments_of(path), number, marker, tool)
        if end is None:
            return False

        def noqa() -> dict[int, int]:
            if path not in self._tool_noqa:
                self._tool_noqa[path] = tool_noqa_lines(tool)
            return self._tool_noqa[path]
        return reaches(marker, end, finding, tool, noqa)

    def _reached_at_base(self, number: int, begin: int, finding: Finding,
                         stop: int | None) -> bool:
        """Whether the block reached the finding's line at the base too: a change that
        wraps a trusted `eslint-enable` in a template literal it adds (opened on a line
        above, closed below) would otherwise carry the block over code it never covered.
        Both lines are unchanged (`Trust.vouches`), so each has its place at the base."""
        path = finding.file
        if self.files.trust.file(path) or self.files.trust.base is None:
            return True
        if path not in self._base:
            read = base_of(self.files, path)
            view = reader(file_language(path, read[1])) if read is not None else None
            self._base[path] = (read[0], view(read[1])) if read and view else None
        known = self._base[path]
        if known is None:
            return False
        base_line, comments = known
        old, flagged = base_line(number), base_line(finding.start_line)
        return old is not None and flagged is not None and not any(
            reenables(line, finding.rule, anywhere=False)
            for line in _between(comments, old, begin, flagged, stop))

    def _tagged_of(self, path: str) -> Sequence[str]:
        """Each line of `path` that holds a JSX tag, "" for every other: read once a file, not
        once a finding under a block."""
        if path not in self._tagged:
            self._tagged[path] = [line if _JSX_TAG.search(line) else ""
                                  for line in self.files.lines(path)]
        return self._tagged[path]

    def _noqa_line(self, path: str, line: int) -> int:
        """The line ruff reads the `# noqa` of a finding on `line` of `path` on: the end of
        the multi-line string or backslash-continued statement holding it (`noqa_lines`)."""
        if path not in self._noqa:
            self._noqa[path] = noqa_lines(self.files.lines(path))
        return self._noqa[path].get(line, line)

    def _comments_of(self, path: str) -> Sequence[str]:
        """Each line of `path` with its comments alone (`comments.reader`), where ESLint
        reads an `eslint-enable`; a file whose comments are not known: its lines."""
        if path not in self._comments:
            lines = self.files.lines(path)
            view = reader(file_language(path, lines))
            self._comments[path] = view(lines) if view else lines
        return self._comments[path]


def _between(lines: Sequence[str], number: int, begin: int, start: int,
             stop: int | None) -> list[str]:
    """The text of `lines` from column `begin` of line `number` to column `stop` of line
    `start` (1-based lines; `stop` None: the line's end)."""
    own = lines[number - 1] if number <= len(lines) else ""
    if number == start:
        return [own[begin:stop]]
    last = lines[start - 1] if start <= len(lines) else ""
    return [own[begin:], *lines[number:start - 1], last[:stop]]


def _reaches(marker: Marker, number: int, finding: Finding) -> bool:
    """Whether a marker on line `number` lies where it covers the finding's lines."""
    start, end = finding.start_line, finding.end_line
    if marker.reach is Reach.FILE:
        return True
    if marker.reach is Reach.ABOVE:
        return number == start - 1
    if marker.reach is Reach.LINES_OR_ABOVE:
        return start - 1 <= number <= end
    return start <= number <= end


def _covers(marker: Marker, finding: Finding) -> bool:
    """Whether the marker names this finding: reviewloop's by rule, `source/rule`, the
    reviewer's name or `*`; a tool's only for its own findings, by rule."""
    if marker.owner != "reviewloop":
        return marker.silences(finding.source) and marker.names(finding.rule)
    return covers(marker.rules or (), finding)


def covers(names: Iterable[str], finding: Finding) -> bool:
    """Whether the names of a `reviewloop: ignore[…]` comment cover this finding."""
    named = set(names)
    known = {finding.agent}
    if finding.rule:  # `stats` spells it `bandit:B602`, SARIF `bandit/B602`: either is taken
        known |= {finding.rule, f"{finding.source}/{finding.rule}",
                  f"{finding.source}:{finding.rule}"}
    return "*" in named or bool(named & known)


def _reason(marker: Marker) -> str:
    if marker.owner == "reviewloop":
        return marker.text.partition("]")[2].strip(" -:#>*/") or marker.text
    return marker.text.replace(SPANNED, " ")


def baseline_matches(entry: BaselineEntry, finding: Finding) -> bool:
    """By fingerprint, or by file and rule: the rule as the analyzer names it (`B602`) or as
    SARIF and code scanning show it (`bandit/B602`), as an inline marker takes either."""
    if entry.fingerprint:
        return entry.fingerprint in finding.fingerprints
    if entry.file != finding.file or not entry.rule or not finding.rule \
            or entry.rule not in (finding.rule, f"{finding.source}/{finding.rule}",
                                  f"{finding.source}:{finding.rule}"):
        return False
    return entry.line is None or entry.line == finding.start_line


def _file(name: str | None) -> str | None:
    """An entry's `file` as a change names its files: `./a.py` and `a//b.py` are `a.py` and
    `a/b.py`. One that names no file of the repository that way (absolute, `..`) is kept as
    written: it matches nothing and is named stale (`stale`)."""
    if not isinstance(name, str) or name.startswith("/"):
        return name
    parts = posix_parts(name)
    return "/".join(parts) if parts and ".." not in parts else name


def parse_baseline(text: str, where: str = BASELINE) -> list[BaselineEntry]:
    """The entries of a baseline file; one that is not a baseline file is an error naming
    the fix."""
    try:
        items = json.loads(text)["findings"]
        return [BaselineEntry(source=where, fingerprint=i.get("fingerprint"),
                              rule=i.get("rule"), file=_file(i.get("file")), line=i.get("line"),
                              by=i.get("by"), reason=i.get("reason")) for i in items]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UserInputError(
            f"{BASELINE} is not a baseline file ({type(exc).__name__}: {exc})", where=where,
            fix='write {"version": 1, "findings": [{"fingerprint": "…", "reason": "…"}]}'
        ) from None
