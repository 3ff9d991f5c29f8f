"""The findings schema and a finding's identity: what reviewers return, and where it is.

One schema, one place: `FindingDraft` declares the fields an LLM reviewer fills, with
descriptions that double as the instructions in the structured-output tool schema
(`ReviewReply.model_json_schema()`). `Finding` extends it by inheritance with what
reviewloop knows (agent, source, rule, level, location hash, fingerprint); JSON, SARIF and
GitHub comments are rendered from `Finding`.

Identity is decided here and nowhere else (`fingerprint`): *what* (the analyzer rule, or the
agent and normalised title of an LLM finding), the file, and *where* as a `location_hash`
that survives lines moving — the flagged code, whitespace removed, widened by the following
lines when it is too short to say much, plus the index of this occurrence among identical
windows of the file (the idea of GitHub code scanning's `primaryLocationLineHash`). Two
identical vulnerable lines are two findings. A file-level finding is keyed on the file and a
function-level one on its symbol, never on whichever line the diff happened to start at.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from reviewloop.findings.code_index import CodeIndex
from reviewloop.findings.titles import Title, with_more
from reviewloop.git.names import posix_parts, shown

FINGERPRINT_VERSION = "v3"  # bump when the rule below changes: old fingerprints stop matching
SHORT_LENGTH = 12
Level = Literal["line", "symbol", "file"]


class Severity(StrEnum):
    """How much a finding matters."""  # the meaning of each level: SEVERITY_GUIDE

    MUST_FIX = "must_fix"
    SHOULD_FIX = "should_fix"
    NIT = "nit"

    @property
    def rank(self) -> int:
        """0 for the most severe: sort ascending to put must_fix first."""
        return _SEVERITY_META[self][0]

    @property
    def emoji(self) -> str:
        return _SEVERITY_META[self][1]

    @property
    def label(self) -> str:
        return _SEVERITY_META[self][2]

    @property
    def actionable(self) -> bool:
        """must_fix and should_fix are fixed by the loop; nits are only reported."""
        return self is not Severity.NIT

    def at_least(self, other: Severity) -> bool:
        """True when self is as severe as `other` or more."""
        return self.rank <= other.rank

    @staticmethod
    def highest(severities: Iterable[Severity]) -> Severity:
        """The most severe of a non-empty collection."""
        return min(severities, key=lambda s: s.rank)


SEVERITY_GUIDE = (
    "must_fix: broken build or behaviour, security hole, data loss; the change must not ship. "
    "should_fix: maintainability, performance, missing or weak tests; worth fixing now. "
    "nit: style or taste; reported, never fixed.")

_SEVERITY_META = {
    Severity.MUST_FIX: (0, "🔴", "must fix"),
    Severity.SHOULD_FIX: (1, "🟡", "should fix"),
    Severity.NIT: (2, "🟢", "nit"),
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


_NAME_BYTE = re.compile(r"\\x[89a-f][0-9a-f]")  # a byte of a name that is not UTF-8
_RAW = re.compile(r"[\udc80-\udcff]")  # such a byte as `surrogateescape` decodes it


@lru_cache(maxsize=8192)  # every finding validates its file: a round names few files
def normalise_path(path: str, *, named_by_a_model: bool = True) -> str:
    """A repo-relative posix path: `./a//b.py` → `a/b.py`; absolute or `..` paths are errors.
    A model's path is stripped and may not hold a backslash (a Windows path: the model is
    asked again); a path a tool or git gives is a real file's name, and on POSIX a name may
    hold a backslash, start with a space or be `c:notes.txt` (no drive letter on POSIX)."""
    text = path.strip() if named_by_a_model else path
    if not text.strip():
        raise ValueError("file must not be empty")
    if named_by_a_model and "\\" in _NAME_BYTE.sub("", text):  # a byte of a name: `git.names`
        raise ValueError(f"file must be a posix path with forward slashes, got {text!r}")
    if text.startswith("/") or (named_by_a_model and re.match(r"^[A-Za-z]:", text)):
        raise ValueError(f"file must be relative to the repository root, got {text!r}")
    if ".." in (parts := posix_parts(text)):  # PurePosixPath's parts, without building one
        raise ValueError(f"file must stay inside the repository, got {text!r}")
    normal = "/".join(parts)
    if normal in ("", "."):
        raise ValueError(f"file must name a file, got {text!r}")
    return normal


class FindingDraft(BaseModel):
    """One problem in the change, as a reviewer reports it."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # at a reply (#41)

    severity: Severity = Field(description=SEVERITY_GUIDE)
    file: str = Field(
        description="Path of the file, relative to the repository root, with forward "
        "slashes and no a/ or b/ diff prefix, e.g. 'src/app/db.py'.")
    start_line: int = Field(
        ge=1, description="First line of the problem, 1-based, in the NEW version of the "
        "file (the + side of the diff).")
    end_line: int = Field(
        ge=1, description="Last line of the problem, 1-based, in the NEW version of the "
        "file; equal to start_line for a single line, never smaller.")
    title: Title = Field(
        description="What is wrong, in at most 120 characters, e.g. 'SQL built with an "
        "f-string from request data'.")
    rationale: Text = Field(
        description="Why it matters here: the concrete failure, attack or cost, with the "
        "evidence you saw in the code.")
    suggestion: str | None = Field(
        default=None, description="How to fix it, in prose. Omit when the fix is obvious "
        "from the replacement.")
    replacement: str | None = Field(
        default=None, description="Exact new text for lines start_line..end_line of the "
        "new file, replacing the whole range: complete lines with their indentation, no "
        "diff markers, no code fences. An empty string deletes the lines. Omit unless you "
        "are sure the replacement is correct on its own.")
    confidence: float = Field(
        ge=0.0, le=1.0, description="How sure you are that this is a real problem, from "
        "0.0 (a guess) to 1.0 (certain).")

    @field_validator("file")
    @classmethod
    def _repo_relative(cls, value: str) -> str:
        return normalise_path(value)

    @model_validator(mode="before")
    @classmethod
    def _as_text(cls, data: Any) -> Any:
        """A tool's words may quote a name that is not UTF-8 as its bytes decoded (a checkov
        resource, a path): held in the names' text form (`git.names`), which every sink carries.
        The texts are searched end to end (a match is one character); ASCII ones at a glance."""
        texts = [v for v in data.values() if isinstance(v, str)] if isinstance(data, dict) else []
        if not (joined := "".join(texts)).isascii() and _RAW.search(joined):
            return {k: shown(v) if isinstance(v, str) and _RAW.search(v) else v
                    for k, v in data.items()}
        return data

    def model_post_init(self, context: Any, /) -> None:
        """Checked once, when it is made (the error as a validator's); an `after` validator ran
        again whenever a made finding went into another model (5 times a finding a review).
        `model_construct` runs it too, on purpose: its fields are not validated, but a
        constructed finding's place is checked and it gets its identity (`Finding`), without
        which no ledger, marker or report can key it."""
        if self.end_line < self.start_line:
            raise ValueError(f"end_line ({self.end_line}) must not be smaller than "
                             f"start_line ({self.start_line})")


class ReviewReply(BaseModel):
    """Your review of the change. Report each distinct problem once, on the lines of the
    new file where it is; return an empty findings list when you found nothing."""

    model_config = ConfigDict(extra="forbid", defer_build=True)  # at a reply (#41)

    findings: list[FindingDraft] = Field(
        description="The problems found in the change; [] when there are none.")
    summary: str | None = Field(
        default=None, description="One or two sentences on the change as a whole.")


class Finding(FindingDraft):
    """A finding with who reported it and a fingerprint that survives line moves."""
    model_config = ConfigDict(defer_build=False)  # built once here, not in each model holding it

    @field_validator("file")
    @classmethod
    def _repo_relative(cls, value: str) -> str:
        """A real file's name (a model's draft was held to `FindingDraft`'s rule first)."""
        return normalise_path(value, named_by_a_model=False)

    agent: str = Field(min_length=1, description="The reviewer agent that reported it.")
    source: str = Field(default="llm", pattern=r"^[a-z0-9][a-z0-9_.-]*$", description=(
        "'llm', or the analyzer that produced it, e.g. 'bandit', 'ruff'."))
    rule: str | None = Field(default=None, description="The analyzer's rule id, e.g. 'B602'.")
    also_reported_by: list[str] = Field(
        default_factory=list[str], description="Other agents that reported the same problem.")
    merged_fingerprints: list[str] = Field(
        default_factory=list[str], description="Fingerprints of the duplicates merged into it.")
    more_here: list[str] = Field(default_factory=list[str], description=(
        "The messages of the other reports of its analyzer rule at its place (its identity) "
        "merged into it, one a report: the tool reported the rule several times there."))
    start_column: int | None = Field(default=None, ge=1, description=(
        "The 1-based column on start_line where it starts, when the tool gives one (ESLint)."))
    level: Level = Field(
        default="line", description="What the finding is about: lines, a symbol (`symbol` "
        "names it) or the whole file; symbol- and file-level findings are keyed on those.")
    symbol: str | None = Field(
        default=None, description="The function or class a symbol-level finding is about (an "
        "analyzer's line-level finding may name the resource or construct it is about).")
    introduced: bool = Field(
        default=False, description="The change brought it about though it lies on none of the "
        "lines the change wrote: the analyzer does not report it on the change's base (a "
        "protective line deleted elsewhere, a rule added to a resource defined elsewhere). "
        "Such a finding is inside the change.")
    location_hash: str = Field(
        default="", description="Where it is, independent of line numbers (see "
        "`location_hash`); computed when left empty.")
    fingerprint: str = Field(
        default="", pattern=r"^([0-9a-f]{64})?$",
        description="Stable identity across rounds and pushes; computed when left empty.")

    def model_post_init(self, context: Any, /) -> None:
        """Its identity when none was given (see `FindingDraft.model_post_init`: once)."""
        super().model_post_init(context)
        if self.level == "symbol" and not self.symbol:
            raise ValueError("a symbol-level finding needs `symbol`")
        if not self.location_hash:
            self.location_hash = location_hash(self, None)
        if not self.fingerprint:
            self.fingerprint = fingerprint(self)

    @classmethod
    def from_draft(cls, draft: FindingDraft, *, agent: str,
                   code_lines: Sequence[str] | CodeIndex | None = None) -> Finding:
        """An LLM reviewer's draft, attributed to `agent`, fingerprinted on its code."""
        finding = cls(**draft.model_dump(exclude={"agent"}), agent=agent)  # a draft may name it
        return finding.with_code(code_lines) if code_lines is not None else finding

    def with_code(self, code: Sequence[str] | CodeIndex | None, **update: object) -> Finding:
        """A copy with `update` (not its place: e.g. its agent) located on `code` (new file)."""
        located = self.model_copy(update={**update, "location_hash": location_hash(self, code)})
        located.fingerprint = fingerprint(located)
        return located

    def moved(self, **update: object) -> Finding:
        """A copy with other fields (agent, severity, lines…) and its identity recomputed
        from them, keeping a code-based location hash (it does not depend on line numbers)."""
        changed = self.model_copy(update=update)
        if self.location_hash.startswith("L"):  # no code known: located by its lines
            changed = changed.model_copy(update={"location_hash": location_hash(changed, None)})
        return changed.model_copy(update={"fingerprint": fingerprint(changed)})

    @property
    def rule_key(self) -> str:
        """*What* the finding is: `<source>:<rule>` for an analyzer rule (whichever agent ran
        it), else `<agent>:<source>:<normalised title>`."""
        if self.rule:
            return f"{self.source}:{self.rule}"
        return f"{self.agent}:{self.source}:{normalise_title(self.title)}"

    @property
    def fingerprints(self) -> frozenset[str]:
        """Its own fingerprint and those of the duplicates merged into it."""
        return frozenset((self.fingerprint, *self.merged_fingerprints))

    @property
    def short_id(self) -> str:
        return short_fingerprint(self.fingerprint)

    @property
    def agents(self) -> tuple[str, ...]:
        """Every agent that reported it, the primary one first."""
        return (self.agent, *self.also_reported_by)

    @property
    def headline(self) -> str:
        """The title, and how many reports of its rule at its place were merged into it with
        their distinct messages: `… (and 2 more on this line: …)`."""
        if not self.more_here:
            return self.title
        return with_more(self.title, self.more_here,
                         "here" if self.level != "line" else "on this line"
                         if self.start_line == self.end_line else "on these lines")

    @property
    def location(self) -> str:
        """`path:12` or `path:12-14`."""
        if self.level == "file":
            return self.file
        if self.end_line == self.start_line:
            return f"{self.file}:{self.start_line}"
        return f"{self.file}:{self.start_line}-{self.end_line}"

    def sort_key(self) -> tuple[int, str, int, int, str, str, str]:
        """Severity, file, lines, then enough to make any order total and deterministic."""
        return (self.severity.rank, self.file, self.start_line, self.end_line,
                self.agent, self.title, self.fingerprint)


_NON_WORD = re.compile(r"[^\w\s]")
_DIGITS = re.compile(r"\d+")


def normalise_title(title: str) -> str:
    """Case-folded words: punctuation dropped, digit runs as `#`, whitespace collapsed.

    Digits go because titles often quote line numbers or counts that change between rounds.
    """
    text = _NON_WORD.sub(" ", title.casefold())
    return " ".join(_DIGITS.sub("#", text).split())


def location_hash(finding: Finding, code: Sequence[str] | CodeIndex | None) -> str:
    """Where the finding is, without line numbers when the code is known:

    * `file` for a file-level finding (`file:<symbol>` when it names one, e.g. the failing
      test it is about), `symbol:<name>` for a symbol-level one;
    * `<16 hex of sha256(window)>:<occurrence>` for lines whose code is known (see
      `CodeIndex.window`; the occurrence index tells identical windows apart, counted from
      the top of the file);
    * `L<start>-<end>` when it is not (the file could not be read, or the lines are blank).
    """
    if finding.level == "file":  # a symbol tells apart several findings about one file
        return f"file:{finding.symbol}" if finding.symbol else "file"
    if finding.level == "symbol":
        return f"symbol:{finding.symbol}"
    if code is not None:
        index = code if isinstance(code, CodeIndex) else CodeIndex(code)
        window = index.window(finding.start_line, finding.end_line)
        if window:
            digest = hashlib.sha256(window.encode("utf-8")).hexdigest()[:16]
            return f"{digest}:{index.occurrence(finding.start_line, finding.end_line)}"
    return f"L{finding.start_line}-{finding.end_line}"


def fingerprint(finding: Finding) -> str:
    """The identity of a finding: sha256 hex of the version, `rule_key`, file and
    `location_hash`. A re-worded LLM title is a different finding; a moved line is not."""
    parts = [FINGERPRINT_VERSION, finding.rule_key, finding.file, finding.location_hash]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def short_fingerprint(value: str) -> str:
    """The 12-hex display form of a fingerprint."""
    return value[:SHORT_LENGTH]
