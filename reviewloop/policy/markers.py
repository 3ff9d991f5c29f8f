"""Suppression markers: what one is (`Marker`), how a syntax of them is declared
(`MarkerSyntax`), and a table of syntaxes that finds them in lines (`MarkerTable`).

Each analyzer declares the syntaxes its own tool honours (`checks.analyzers`: bandit its
`# nosec`, ESLint its `eslint-disable…`), so a marker silences the findings of the tools
that declared it and no others. This module holds the syntaxes of no analyzer: reviewloop's
own `reviewloop: ignore[…]`, which covers every source, and those of the common tools
reviewloop does not run (`FOREIGN`: pylint, semgrep, tfsec, `@ts-ignore`, coverage pragmas,
…), which silence nothing here and are only reported when a change adds them, in any file
(those tools read more kinds of files than reviewloop knows: `.vue`, `.pyx`, …) — the lists
are deliberately wide: a missing syntax is a hole, an extra one a 🟡 a maintainer reads
once.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, partial
from itertools import accumulate, repeat
from operator import add

OWN = "reviewloop"  # the owner whose markers silence every source
ANY_FILE = "*"  # a `language` that takes every syntax, whatever files it is read in


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
    # the finding sources (analyzers) whose findings it can hide: those that declared its
    # syntax; empty for a tool reviewloop does not run (reported, never honoured)
    sources: frozenset[str] = frozenset()

    def names(self, rule: str | None) -> bool:
        """Whether the marker covers findings of `rule`; naming a rule covers its granular
        findings too (`AwsSolutions-IAM5` covers `AwsSolutions-IAM5[Action::s3:*]`)."""
        return self.rules is None or rule in self.rules or \
            (rule is not None and rule.split("[", 1)[0] in self.rules)

    def silences(self, source: str) -> bool:
        """Whether the tool that honours it is the one that reported a finding of `source`
        (reviewloop's own marker covers every source)."""
        return self.owner == OWN or source in self.sources


Rules = Callable[[re.Match[str]], frozenset[str] | None]


@dataclass(frozen=True)
class MarkerSyntax:
    """One syntax of markers, as a tool reads it: who honours it, the pattern (searched
    case-insensitively where the tool is, which is all of them here), its reach, how to
    read the rules it names, a word every match holds (`word`, a regex: lines without it
    are skipped at once), the languages of the files the tool reads it in (None: any
    file), and whether the tool reads it in comments only (`in_comments`: bandit's nosec and
    ruff's noqa, found by Python's tokenizer; `"# nosec"` inside a string is no marker)."""

    owner: str
    pattern: str
    reach: Reach
    rules: Rules
    word: str
    languages: frozenset[str] | None = None
    in_comments: bool = False
    own_line: bool = False  # read only in a comment alone on its line (ruff's file-wide
    # exemptions exempt nothing from a comment after code)

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        """The pattern, compiled when a line first holds its word: most syntaxes meet none
        in a change (compiling all 32 at import cost an offline review ~10 ms)."""
        return re.compile(self.pattern, re.IGNORECASE)

    def applies_to(self, language: str | None) -> bool:
        """Whether its tool reads it in a file of `language` (None: of no known one)."""
        return language == ANY_FILE or self.languages is None or language in self.languages


def bracketed(match: re.Match[str]) -> frozenset[str] | None:
    """`ignore[A, B]`: the names in brackets; none: a marker that names nothing."""
    return frozenset(r.strip() for r in (match.group("rules") or "").split(",") if r.strip())


def listed(match: re.Match[str]) -> frozenset[str] | None:
    """`# noqa: F401, E501`, `ignore=DL3008,DL3009`: those; a bare marker: every rule."""
    text = match.groupdict().get("rules")
    return frozenset(re.split(r"[\s,]+", text.strip())) if text else None


# a comment's, as `# nosec` is: in a file whose comments reviewloop can find (Python, JS/TS,
# shell, Dockerfile: `checks.suppressions.comments`) a string holding the text is no marker;
# in any other file (YAML, Terraform, …) a line holding it is read as one
REVIEWLOOP = MarkerSyntax(OWN, r"reviewloop:\s*ignore\b(?:\[(?P<rules>[^\]]*)\])?[^\n]*",
                          Reach.LINES_OR_ABOVE, bracketed, "reviewloop", in_comments=True)
FOREIGN = (
    MarkerSyntax("pylint", r"pylint\s*:\s*disable\b[^\n]*", Reach.LINES, listed, "pylint"),
    MarkerSyntax("semgrep", r"nosemgrep\b[^\n]*", Reach.LINES, listed, "nosemgrep"),
    MarkerSyntax("tfsec", r"tfsec\s*:\s*ignore\s*:[^\n]*", Reach.LINES, listed, "tfsec"),
    MarkerSyntax("trivy", r"trivy\s*:\s*ignore\s*:[^\n]*", Reach.LINES, listed, "trivy"),
    MarkerSyntax("kics", r"kics-scan\s+ignore\b[^\n]*", Reach.LINES, listed, "kics"),
    MarkerSyntax("sonar", r"\bNOSONAR\b[^\n]*", Reach.LINES, listed, "nosonar"),
    MarkerSyntax("typescript", r"@ts-(?:ignore|nocheck|expect-error)\b[^\n]*", Reach.LINES,
                 listed, "@ts-"),
    MarkerSyntax("coverage", r"pragma\s*:\s*no\s*cover\b[^\n]*", Reach.LINES, listed,
                 r"no\s*cover"),
    MarkerSyntax("istanbul", r"istanbul\s+ignore\s+(?:next|if|else)\b[^\n]*", Reach.ABOVE,
                 listed, "istanbul"),
    MarkerSyntax("istanbul", r"istanbul\s+ignore\s+file\b[^\n]*", Reach.FILE, listed,
                 "istanbul"),
    MarkerSyntax("c8", r"\b[cv]8\s+ignore\s+next\b[^\n]*", Reach.ABOVE, listed,
                 r"[cv]8\s+ignore"),
    MarkerSyntax("c8", r"\b[cv]8\s+ignore\s+(?:start|file)\b[^\n]*", Reach.FILE, listed,
                 r"[cv]8\s+ignore"),
)


class MarkerTable:
    """The syntaxes a review knows, each with the sources that declared it, in order."""

    def __init__(self, declared: Iterable[tuple[MarkerSyntax, frozenset[str]]]):
        self.syntaxes = tuple(declared)
        words = "|".join(dict.fromkeys(s.word for s, _ in self.syntaxes)) or r"(?!)"
        self._any = re.compile(words, re.IGNORECASE)
        # The same in lower case without IGNORECASE, for the lower-cased text of an ASCII
        # file: the same spans, found several times faster (the regex engine skips ahead to a
        # possible first letter only when the case is fixed). Beyond ASCII `(?i)k` also
        # matches the Kelvin sign.
        self._any_lower = re.compile(words.lower())
        # each word apart, for a whole file's text: most are literals, which the regex
        # engine finds by a fast scan; their alternation is tried at every position (3x
        # slower over a file with no marker, the common case)
        unique = dict.fromkeys(s.word for s, _ in self.syntaxes)
        self._each = tuple(re.compile(w, re.IGNORECASE) for w in unique)
        self._each_lower = tuple(re.compile(w.lower()) for w in unique)

    def markers(self, line: str, language: str | None = ANY_FILE,
                comment: Callable[[], str] | None = None, *,
                comments_only: bool = False) -> list[Marker]:
        """Every marker in `line` of a file of `language` (`git.languages`; None: of no known
        language), in the table's order; `ANY_FILE`: every syntax, as if the file were of
        each tool's. `comment` gives the line's comment alone (the rest blanked), where a
        syntax read `in_comments` is searched; without it, the whole line (a wider reading:
        it reports a marker, never hides one, where only lines are known). `comments_only`:
        the syntaxes read in comments alone, in a comment that goes on past `line`."""
        if not self._any.search(comment() if comments_only and comment else line):
            return []
        found = []
        for syntax, sources in self.syntaxes:
            if not syntax.applies_to(language) or (comments_only and not syntax.in_comments):
                continue
            # a syntax read in comments is searched in the comment alone: the whole line
            # may hide it from a pattern that reads the code before it (a quote in a regex
            # literal) as well as show it where it is none (a string)
            match = syntax.compiled.search(comment() if syntax.in_comments and comment
                                           else line)
            if match and not (syntax.own_line
                              and not line.lstrip().lstrip("\ufeff").startswith("#")):
                # a pattern that must read what comes before its marker names the marker
                text = match.group("marker" if "marker" in match.re.groupindex else 0)
                found.append(Marker(syntax.owner, text.strip(), syntax.rules(match),
                                    syntax.reach, sources))
        return found

    def line_markers(self, lines: Sequence[str], language: str | None = ANY_FILE,
                     comment_of: Callable[[int], str] | None = None,
                     home_of: Callable[[int], int] | None = None
                     ) -> list[tuple[int, Marker]]:
        """(1-based line number, marker) for every marker of every line, in order: `markers`
        of each line, with the lines that carry none skipped in one pass over the text.
        `comment_of` gives a line's comment alone (`markers`) by its index, asked only for
        a line holding a marker's word; `home_of` the index of the line a comment holding
        that line starts on (a `/* */` one read whole from there: `/*` alone on it, its
        directive on the next), whose comment is read too."""
        # NUL joins the lines: no marker pattern matches it, so no match spans two lines
        text = "\0".join(lines)
        words, searched = (self._each_lower, text.lower()) if text.isascii() else (
            self._each, text)
        # the next hit of each word, nearest first; a line is read once, however many
        # words it holds
        ahead = [(hit.start(), at) for at, word in enumerate(words)
                 if (hit := word.search(searched))]
        if not ahead:  # the common case: no line's start need be known
            return []
        # each line's start: the lengths before it, one more each for its NUL (in C)
        starts = list(accumulate(map(add, map(len, lines[:-1]), repeat(1)), initial=0))
        found: list[tuple[int, Marker]] = []
        heapq.heapify(ahead)
        read: set[int] = set()  # the lines read, for the homes of spanning comments
        while ahead:
            index = bisect_right(starts, ahead[0][0]) - 1
            comment = partial(comment_of, index) if comment_of else None
            found += [(index + 1, m) for m in self.markers(lines[index], language, comment)]
            read.add(index)
            home = home_of(index) if home_of and comment_of else index
            if home not in read and comment_of:
                read.add(home)
                found += [(home + 1, m) for m in self.markers(
                    lines[home], language, partial(comment_of, home), comments_only=True)]
                found.sort(key=lambda pair: pair[0])
            if index + 1 >= len(starts):
                break
            past = starts[index + 1]
            while ahead and ahead[0][0] < past:
                at = heapq.heappop(ahead)[1]
                if hit := words[at].search(searched, past):
                    heapq.heappush(ahead, (hit.start(), at))
        return found

