"""A bench case: a change to review (base → head) and the lines a later fix showed were
wrong; and the JSONL file of labelled cases a user can give instead of the history."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from reviewloop.errors import UserInputError
from reviewloop.findings.schema import normalise_path
from reviewloop.git.history import commit, commit_patch, line_count
from reviewloop.git.repository import Repository


class Label(BaseModel):
    """A labelled line: where the bug was, in the new version of the file (the head's)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(description="Repository-relative path, forward slashes, in the head.")
    # strict: `true` and `"2"` are no line numbers (the schema says integer)
    line: int = Field(ge=1, strict=True,
                      description="1-based line number in the head's version of the file.")

    @field_validator("path")
    @classmethod
    def _normal(cls, value: str) -> str:
        # a real file's name (git's, or the user's for a file of the head): on POSIX it may
        # hold a backslash, a tab or a line break, as git blame traces it; never a NUL
        if "\0" in value:
            raise ValueError("a file name holds no NUL character (\\u0000)")
        return normalise_path(value, named_by_a_model=False)


class Case(BaseModel):
    """One change the reviewers are replayed on, with its labels."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable id: the introducing commit, or the JSONL line's id.")
    source: Literal["history", "jsonl"]
    base: str = Field(description="The commit the change is reviewed against (a full id).")
    head: str = Field(description="The commit holding the change (a full id).")
    labels: list[Label] = Field(min_length=1)
    fixes: list[str] = Field(default_factory=list[str],
                             description="The fix commits the labels were traced from.")
    description: str | None = None

    def labelled(self) -> dict[str, set[int]]:
        lines: dict[str, set[int]] = {}
        for label in self.labels:
            lines.setdefault(label.path, set()).add(label.line)
        return lines


class CaseLine(BaseModel):
    """One line of a `--cases` JSONL file: a change (a repository-relative unified diff on
    `base`, or two commits) and the lines that hold its bug
    (docs/schemas/bench-case.schema.json)."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, description="A stable id for the case "
                           "(default: a hash of the line's content).")
    base: str | None = Field(default=None, description="The commit the change applies to "
                             "(default with `diff`: HEAD).")
    head: str | None = Field(default=None, description="The commit holding the change; give "
                             "either `head` or `diff`.")
    diff: str | None = Field(default=None, description="The change as a unified diff (git "
                             "diff format, paths relative to the repository root).")
    labels: list[Label] = Field(min_length=1, description="The buggy lines, in the new version "
                                "of each file.")
    description: str | None = Field(default=None, description="What the change is about or "
                                    "what the bug was (kept in the report).")

    @model_validator(mode="after")
    def _one_change(self) -> Self:
        if (self.head is None) == (self.diff is None):
            raise ValueError("give either `head` (with `base`) or `diff`, not both or neither")
        if self.head is not None and self.base is None:
            raise ValueError("`head` needs `base`: the commit it is reviewed against")
        return self


def load_cases(path: Path, repo: Repository) -> list[Case]:
    """The cases of a JSONL file, in file order; a bad line is named with its number."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(f"cannot read the cases file: {exc}", where=str(path),
                             fix="give a UTF-8 JSONL file, one case per line") from None
    cases = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            line = CaseLine.model_validate(json.loads(raw))
        except (ValueError, ValidationError) as exc:
            raise UserInputError(f"not a bench case: {_first_error(exc)}", where=where,
                                 fix="see docs/bench.md and docs/schemas/bench-case.schema.json"
                                 ) from None
        cases.append(_case(line, raw, where, repo))
    if not cases:  # an empty or wrong file: measuring nothing is no result
        raise UserInputError("the cases file holds no case", where=str(path),
                             fix="give one JSON object per line (docs/bench.md)")
    ids = [c.id for c in cases]
    if duplicate := next((i for i in ids if ids.count(i) > 1), None):
        raise UserInputError(f"two cases have the id {duplicate!r}", where=str(path),
                             fix="give every case its own id")
    return cases


def _case(line: CaseLine, raw: str, where: str, repo: Repository) -> Case:
    case_id = line.id or hashlib.sha256(raw.strip().encode()).hexdigest()[:16]
    try:
        base = commit(repo, line.base or "HEAD").sha
        if line.diff is not None:
            head = commit_patch(repo, base, line.diff, f"bench case {case_id}")
        else:
            head = commit(repo, line.head or "").sha
    except UserInputError as exc:  # the git error, named with the file and line
        raise UserInputError(exc.args[0], where=where, fix=exc.fix) from None
    # no change to review: scored, it would be a miss that lowers the hit rate without a word
    if repo.try_git("diff", "--quiet", base, head, "--")[0] == 0:
        same = "is its base" if head == base else f"({head[:12]}) changes nothing of its base"
        raise UserInputError(f"the case's head {same} ({base[:12]}): no change to review",
                             where=where, fix="give as `head` the commit that brought the bug "
                             "and as `base` the commit before it (its parent)")
    for label in line.labels:
        _check_label(repo, head, label, where)
    return Case(id=case_id, source="jsonl", base=base, head=head, labels=line.labels,
                description=line.description)


def _check_label(repo: Repository, head: str, label: Label, where: str) -> None:
    """A label names a line of a file of the head's version: one that does not could never
    be a hit, and would lower the hit rate without a word (a path with git diff's `b/`)."""
    lines = line_count(repo, head, label.path)
    if lines is None:
        prefix = label.path.split("/", 1)[0]
        hint = (f"; `{prefix}/` is git diff's prefix, not part of the name"
                if prefix in ("a", "b") and line_count(repo, head, label.path[2:]) is not None
                else "")
        raise UserInputError(
            f"label {label.path}:{label.line}: the case's head ({head[:12]}) has no file "
            f"{label.path}{hint}", where=where,
            fix="give the path relative to the repository root, as `git ls-tree -r --name-only "
                "HEAD` prints it in the case's head (names are case-sensitive)")
    if label.line > lines:
        raise UserInputError(
            f"label {label.path}:{label.line}: {label.path} has {lines} line(s) in the case's "
            f"head ({head[:12]})", where=where,
            fix="give a line number of the head's version of the file")


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        at = ".".join(str(p) for p in error["loc"])
        return f"{at}: {error['msg']}" if at else error["msg"]
    return str(exc)
