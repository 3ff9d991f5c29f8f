"""What can lower a verdict, decided in one place: the files that configure, suppress,
classify or hook into a review, and the inline markers that silence a finding.

A review's verdict may be lowered only by what the trusted side carries: the base commit, or
a human with write access. Everything else asks this module whether a path or a line is one
of those levers, and `Trust` whether a given lever came from the trusted side:

* `lever(path)` — the `Lever` a repository path is (settings, agent definitions, steering,
  a suppression file of reviewloop's or of a wrapped tool, `.gitattributes`, a hook), or None.
* `markers(line)` — the suppression markers an added line carries (`line_markers(lines)`:
  a whole file's), in every syntax the wrapped tools and the common linters read (`# nosec`,
  `# noqa`, `#checkov:skip=`, `# hadolint ignore=`, `# zizmor: ignore[…]`, `gitleaks:allow`,
  `pragma: allowlist secret`, `reviewloop: ignore[…]`, …), each with the rules it names,
  the lines it reaches (`Reach`) and the analyzers whose findings it can hide
  (`Marker.silences`).
* `Trust` — which lines and files of a tree are the untrusted change's (`from_changes`: a
  pull request's base..head, or what a run wrote since it started): a marker on one of them
  is reported, never honoured (`vouches`); a lever file the change touches is read from the
  base (`file`).

The lists are deliberately wide: a lever missing here is a hole, an extra one costs a 🟡
finding a maintainer reads once.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import accumulate

from reviewloop.git.diff import ChangeSet
from reviewloop.policy.lever_files import LEVERS, Lever, LeverKind, lever

__all__ = ["LEVERS", "Lever", "LeverKind", "lever"]  # the lever files live in lever_files


class Reach(StrEnum):
    """Which lines of a finding a marker covers, seen from the marker's own line."""

    LINES = "lines"  # on one of the flagged lines: bandit's nosec, ruff's noqa, checkov,
    # `eslint-disable-line`
    ABOVE = "above"  # the line just above them: `hadolint ignore=`, `allowlist nextline`,
    # `eslint-disable-next-line`, `# shellcheck disable=` (it covers the next command)
    LINES_OR_ABOVE = "lines or above"  # either: `reviewloop: ignore[…]`
    BLOCK = "block"  # from the marker down to the `eslint-enable` that re-enables the rule
    # (or the end of the file): `/* eslint-disable */`
    FILE = "file"  # anywhere in the file: ruff's file-wide noqa, `hadolint global ignore=`,
    # `/* eslint rule: "off" */`


@dataclass(frozen=True)
class Marker:
    """A suppression marker found in a line: which tool honours it, and what it names."""

    owner: str
    text: str  # the marker as written, e.g. "# nosec B602"
    rules: frozenset[str] | None = None  # the rules it names; None: every rule
    reach: Reach = Reach.LINES

    def names(self, rule: str | None) -> bool:
        """Whether the marker covers findings of `rule`."""
        return self.rules is None or rule in self.rules

    def silences(self, source: str) -> bool:
        """Whether the tool that honours it is the one that reported a finding of `source`
        (reviewloop's own marker covers every source)."""
        return self.owner == "reviewloop" or source in _SILENCES.get(self.owner, ())


# The finding sources (reviewloop's analyzers) whose findings each marker owner can hide;
# owners missing here are tools reviewloop does not run: their markers are only reported.
_RUFF = ("ruff-maintainability", "ruff-performance")
_ESLINT = ("eslint-security", "eslint-maintainability", "eslint-performance")
_SILENCES: dict[str, tuple[str, ...]] = {
    "bandit": ("bandit",), "ruff": _RUFF, "flake8": _RUFF, "checkov": ("checkov",),
    "hadolint": ("hadolint",), "zizmor": ("zizmor",), "gitleaks": ("secrets",),
    "cdk-nag": ("cdk-nag",), "detect-secrets": ("secrets",), "eslint": _ESLINT,
    "shellcheck": ("shellcheck-security", "shellcheck")}
_CODES = r"(?P<rules>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)"


def _bracketed(match: re.Match[str]) -> frozenset[str] | None:
    """`ignore[A, B]`: the names in brackets; none: a marker that names nothing."""
    return frozenset(r.strip() for r in (match.group("rules") or "").split(",") if r.strip())


def _listed(match: re.Match[str]) -> frozenset[str] | None:
    """`# noqa: F401, E501`, `ignore=DL3008,DL3009`: those; a bare marker: every rule."""
    text = match.groupdict().get("rules")
    return frozenset(re.split(r"[\s,]+", text.strip())) if text else None


def _eslint(match: re.Match[str]) -> frozenset[str] | None:
    """`eslint-disable-line no-eval, security/x -- why`: those rules; none: every rule."""
    text = (match.group("rules") or "").split("--")[0].split("*/")[0]
    names = frozenset(n.strip() for n in text.split(",") if n.strip())
    return names or None


def _eslint_inline_config(match: re.Match[str]) -> frozenset[str] | None:
    """`/* eslint no-eval: "off", eqeqeq: 0 */`: the rules it configures (any setting:
    the lists are wide)."""
    return frozenset(re.findall(r"([@\w/-]+)\s*:", match.group("rules")))


def _shellcheck(match: re.Match[str]) -> frozenset[str] | None:
    """`disable=SC2086,2046,SC1000-SC1099`: those codes (as SCnnnn); `all`: every rule."""
    codes: set[str] = set()
    for token in re.split(r"\s*,\s*", match.group("rules").strip()):
        numbers = [int(n) for n in re.findall(r"\d+", token)]
        if token.lower() == "all" or not numbers:
            return None
        low, high = numbers[0], numbers[-1]
        codes.update(f"SC{n}" for n in range(low, min(high, low + 2000) + 1))
    return frozenset(codes)


def _nosec(match: re.Match[str]) -> frozenset[str] | None:
    """bandit reads test ids after `nosec` (the rest is a reason); none: every test."""
    ids = re.findall(r"\bB\d{3}\b", match.group(0))
    return frozenset(ids) if ids else None


# One pattern per syntax; each names the tool that honours it, the lines it covers and how
# to read the rules it names. Case-insensitive where the tool itself is (bandit reads NOSEC,
# ruff reads NoQA).
_MARKERS: tuple[tuple[str, re.Pattern[str], Reach, Callable[[re.Match[str]],
                                                          frozenset[str] | None]], ...] = tuple(
    (owner, re.compile(pattern, re.IGNORECASE), reach, parse)
    for owner, pattern, reach, parse in (
        ("reviewloop", r"reviewloop:\s*ignore\b(?:\[(?P<rules>[^\]]*)\])?[^\n]*",
         Reach.LINES_OR_ABOVE, _bracketed),
        ("bandit", r"#\s*nosec\b[^\n]*", Reach.LINES, _nosec),
        ("ruff", rf"#\s*noqa\b(?::\s*{_CODES})?[^\n]*", Reach.LINES, _listed),
        ("ruff", rf"#\s*ruff\s*:\s*noqa\b(?::\s*{_CODES})?[^\n]*", Reach.FILE, _listed),
        ("flake8", rf"#\s*flake8\s*:\s*noqa\b(?::\s*{_CODES})?[^\n]*", Reach.FILE, _listed),
        ("pylint", r"pylint\s*:\s*disable\b[^\n]*", Reach.LINES, _listed),
        ("checkov", r"checkov\s*:\s*skip\s*=\s*(?P<rules>[\w-]+)[^\n]*", Reach.LINES, _listed),
        # Kubernetes annotations and CloudFormation `Metadata: checkov: skip: - id: …`
        ("checkov", r"checkov\.io/skip\d*[\"']?\s*:\s*[\"']?(?P<rules>CKV2?_\w+)[^\n]*",
         Reach.LINES, _listed),
        ("checkov", r"\bid\s*:\s*[\"']?(?P<rules>CKV2?_[A-Z0-9_]+)[^\n]*", Reach.LINES,
         _listed),
        # cdk-nag's acknowledgements (`Validations.of(x).acknowledge({ id: 'AwsSolutions-S1' })`,
        # v2's `NagSuppressions`, `rules_to_suppress: - id:`): in the construct's file, not
        # on its line, so they reach the whole file.
        ("cdk-nag", r"\bid\s*:\s*[\"']?(?P<rules>AwsSolutions-[A-Za-z]+\d+)[^\n]*", Reach.FILE,
         _listed),
        ("hadolint", r"hadolint\s+ignore\s*=\s*(?P<rules>[\w-]+(?:\s*,\s*[\w-]+)*)[^\n]*",
         Reach.ABOVE, _listed),
        ("hadolint", r"hadolint\s+global\s+ignore\s*=\s*(?P<rules>[\w-]+(?:\s*,\s*[\w-]+)*)"
                     r"[^\n]*", Reach.FILE, _listed),
        ("zizmor", r"zizmor\s*:\s*ignore\b(?:\[(?P<rules>[^\]]*)\])?[^\n]*", Reach.LINES,
         _bracketed),
        ("gitleaks", r"gitleaks\s*:\s*allow\b[^\n]*", Reach.LINES, _listed),
        ("detect-secrets", r"pragma\s*:\s*allowlist\s+secret\b[^\n]*", Reach.LINES, _listed),
        ("detect-secrets", r"pragma\s*:\s*allowlist\s+nextline\s+secret\b[^\n]*", Reach.ABOVE,
         _listed),
        ("semgrep", r"nosemgrep\b[^\n]*", Reach.LINES, _listed),
        ("tfsec", r"tfsec\s*:\s*ignore\s*:[^\n]*", Reach.LINES, _listed),
        ("trivy", r"trivy\s*:\s*ignore\s*:[^\n]*", Reach.LINES, _listed),
        ("kics", r"kics-scan\s+ignore\b[^\n]*", Reach.LINES, _listed),
        ("sonar", r"\bNOSONAR\b[^\n]*", Reach.LINES, _listed),
        ("eslint", r"eslint-disable-next-line\b(?P<rules>[^\n]*)", Reach.ABOVE, _eslint),
        ("eslint", r"eslint-disable-line\b(?P<rules>[^\n]*)", Reach.LINES, _eslint),
        ("eslint", r"eslint-disable(?![-\w])(?P<rules>[^\n]*)", Reach.BLOCK, _eslint),
        ("eslint", r"/\*\s*eslint\s+(?P<rules>[^*]*(?:\*(?!/)[^*]*)*)(?:\*/|$)", Reach.FILE,
         _eslint_inline_config),
        ("shellcheck", r"#\s*shellcheck\s+(?:[\w-]+=\S*\s+)*disable\s*=\s*"
                       r"(?P<rules>[\w-]+(?:\s*,\s*[\w-]+)*)[^\n]*", Reach.ABOVE, _shellcheck),
        ("typescript", r"@ts-(?:ignore|nocheck|expect-error)\b[^\n]*", Reach.LINES, _listed),
        ("coverage", r"pragma\s*:\s*no\s*cover\b[^\n]*", Reach.LINES, _listed),
        ("istanbul", r"istanbul\s+ignore\s+(?:next|if|else)\b[^\n]*", Reach.ABOVE, _listed),
        ("istanbul", r"istanbul\s+ignore\s+file\b[^\n]*", Reach.FILE, _listed),
        ("c8", r"\b[cv]8\s+ignore\s+next\b[^\n]*", Reach.ABOVE, _listed),
        ("c8", r"\b[cv]8\s+ignore\s+(?:start|file)\b[^\n]*", Reach.FILE, _listed),
    ))


# A word every pattern above needs: most lines have none, and skip the patterns at once.
_ANY_WORDS = (r"reviewloop|nosec|noqa|pylint|checkov|CKV|AwsSolutions|hadolint|zizmor|"
              r"gitleaks|allowlist|nosemgrep|tfsec|trivy|kics|NOSONAR|eslint|@ts-|"
              r"no\s*cover|shellcheck|istanbul|[cv]8\s+ignore")
_ANY = re.compile(_ANY_WORDS, re.IGNORECASE)
# The same in lower case without IGNORECASE, for the lower-cased text of an ASCII file: the
# same spans, found several times faster (the regex engine skips ahead to a possible first
# letter only when the case is fixed). Beyond ASCII `(?i)k` also matches the Kelvin sign.
_ANY_LOWER = re.compile(_ANY_WORDS.lower())


_ENABLE = re.compile(r"eslint-enable(?![-\w])(?P<rules>[^\n]*)", re.IGNORECASE)


def reenables(line: str, rule: str | None) -> bool:
    """Whether `line` ends an `eslint-disable` block for `rule`: a bare `eslint-enable`
    ends it for every rule, a listed one for the rules it names."""
    match = _ENABLE.search(line)
    if match is None:
        return False
    named = _eslint(match)
    return named is None or rule in named


def line_markers(lines: Sequence[str]) -> list[tuple[int, Marker]]:
    """(1-based line number, marker) for every marker of every line, in order: `markers` of
    each line, with the lines that carry none skipped in one pass over the whole text."""
    # NUL joins the lines: no marker pattern matches it, so no match spans two lines
    text = "\0".join(lines)
    words, searched = (_ANY_LOWER, text.lower()) if text.isascii() else (_ANY, text)
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    found: list[tuple[int, Marker]] = []
    hit = words.search(searched)
    while hit:
        index = bisect_right(starts, hit.start()) - 1
        found += [(index + 1, marker) for marker in markers(lines[index])]
        hit = words.search(searched, starts[index + 1]) if index + 1 < len(starts) else None
    return found


def markers(line: str) -> list[Marker]:
    """Every suppression marker in `line`, in the order the patterns list them."""
    if not _ANY.search(line):
        return []
    found = []
    for owner, pattern, reach, parse in _MARKERS:
        match = pattern.search(line)
        if match:
            found.append(Marker(owner, match.group(0).strip(), parse(match), reach))
    return found


@dataclass(frozen=True)
class Trust:
    """Which parts of a tree are the untrusted change's: its added lines per file and the
    files it touches. A review of the user's own working change trusts everything
    (`Trust.everything()`); a pull request or a run's model change does not.

    `base` is where the trusted version of a touched file is read (a commit, or the tree
    object of a run's starting snapshot); `head` is the commit the reviewed files come from
    (None: the working tree)."""

    added: Mapping[str, frozenset[int]] = field(default_factory=dict)
    touched: frozenset[str] = frozenset()
    # where the change removed lines: new-file line k for lines removed after line k
    removals: Mapping[str, frozenset[int]] = field(default_factory=dict)
    trusted_all: bool = False
    base: str | None = None
    head: str | None = None
    # the repository `base` and `head` name commits of, when the reviewed files are an export
    # of a commit rather than a checkout (None: the analyzed tree is in that repository)
    checkout: str | None = None

    @classmethod
    def everything(cls) -> Trust:
        return cls(trusted_all=True)

    @classmethod
    def from_changes(cls, changes: ChangeSet, *, base: str | None = None,
                     head: str | None = None) -> Trust:
        """The change `changes` (from `base` to `head`) is the untrusted one: its added lines,
        and every path it adds, modifies, deletes or renames (both names)."""
        touched = {p for f in changes.files for p in (f.path, f.old_path) if p}
        return cls(added={f.path: frozenset(f.added_lines) for f in changes.files if f.added},
                   touched=frozenset(touched), base=base, head=head,
                   removals={f.path: frozenset(f.removals) for f in changes.files
                             if f.removals})

    def line(self, path: str, number: int) -> bool:
        """Whether line `number` of `path` comes from the trusted side."""
        return self.trusted_all or number not in self.added.get(path, frozenset())

    def file(self, path: str) -> bool:
        """Whether `path` as it is in the tree may be read as trusted (else: the base's)."""
        return self.trusted_all or path not in self.touched

    def vouches(self, marker_line: int, path: str, flagged: int, *,
                stretch: bool = False) -> bool:
        """Whether a marker on `marker_line` of `path` may silence a finding flagged on line
        `flagged`: the marker must come from the trusted side, and so must the flagged line
        when the marker sits elsewhere (a base suppression never covers code the change
        wrote under it). With `stretch` (a marker whose reach runs down the file: the next
        line, an `eslint-disable` block) nothing between the two may have been removed
        either: deleting the line under a `disable-next-line`, or a block's
        `eslint-enable`, would carry a base suppression onto code it never covered."""
        if not (self.line(path, marker_line) and self.line(path, flagged)):
            return False
        return not stretch or self.trusted_all or not any(
            marker_line <= k < flagged for k in self.removals.get(path, ()))
