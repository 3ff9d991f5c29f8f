"""The round's diff cut into pieces a reviewer call can hold, and what is left out and why.

Every changed file either reaches the reviewers, in exactly one chunk (or, when its diff
alone is over the budget, in several chunks of whole hunks), or is listed with the reason
it was not reviewed: binary, one hunk over the budget, or what the caller's `leave_out`
says (a secret-bearing path; generated, vendored or lock files as the trusted side
classifies them, `reviewloop.review.classify`). Nothing is clipped silently.

Related files stay together: a test goes with the code it tests (`tests/test_app.py` with
`app.py`), and files of one directory sit next to each other, so a chunk reads like a
coherent part of the change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from reviewloop.agent.models import estimate_tokens
from reviewloop.git.diff import ChangeSet, FileDiff
from reviewloop.git.names import posix_name, posix_parent

_HUNK = re.compile(r"^@@ ", re.MULTILINE)


class Chunk(BaseModel):
    """Part of the round's diff for one reviewer call: prompt-ready text and its files."""

    model_config = ConfigDict(frozen=True)

    index: int
    paths: tuple[str, ...]
    diff: str
    tokens: int


class ChunkPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    chunks: tuple[Chunk, ...] = ()
    skipped: tuple[str, ...] = ()  # "path: reason" for each changed file not reviewed
    budget: int | None = None  # diff tokens per call; None: unlimited (no model)
    # changed files none of whose diff fits in one call: no reviewer can be sent them
    over_budget: tuple[str, ...] = ()


class _Piece(NamedTuple):  # one a changed file: a tuple, not a frozen dataclass
    path: str
    text: str
    tokens: int


def plan_chunks(changes: ChangeSet, budget: int | None, *,
                prepare: Callable[[FileDiff], str] = lambda diff: diff.text,
                leave_out: Callable[[str], str | None] = lambda path: None) -> ChunkPlan:
    """Cut `changes` into chunks of at most `budget` estimated tokens (one chunk when
    `budget` is None). `prepare` turns a file's diff into prompt text (redaction) and runs
    once per file; `leave_out` names files that must not reach a model at all, with why."""
    skipped: list[str] = []
    groups: dict[str, list[_Piece]] = {}
    for diff in changes.files:
        reason = leave_out(diff.path) or ("a binary file" if diff.binary else None)
        if reason is not None:
            skipped.append(f"{diff.path}: {reason}")
            continue
        text = prepare(diff)
        groups.setdefault(_subject(diff.path), []).append(
            _Piece(diff.path, text, estimate_tokens(text)))
    # groups in the order of their first file's directory, so neighbours stay together
    ordered = sorted(groups.values(), key=lambda g: (posix_parent(g[0].path), g[0].path))
    if budget is None:
        pieces = [p for group in ordered for p in group]
        chunks = (_chunk(0, pieces),) if pieces else ()
        return ChunkPlan(chunks=chunks, skipped=tuple(skipped))
    packed: list[list[_Piece]] = []
    current: list[_Piece] = []
    for group in ordered:
        for unit in _fit(group, budget, skipped):
            size = sum(p.tokens for p in unit)
            if current and sum(p.tokens for p in current) + size > budget:
                packed.append(current)
                current = []
            current.extend(unit)
    if current:
        packed.append(current)
    sent = {p.path for group in packed for p in group}
    unsent = tuple(p.path for group in ordered for p in group if p.path not in sent)
    return ChunkPlan(chunks=tuple(_chunk(i, group) for i, group in enumerate(packed)),
                     skipped=tuple(skipped), budget=budget, over_budget=unsent)


def _fit(group: list[_Piece], budget: int, skipped: list[str]) -> Iterable[list[_Piece]]:
    """The group whole when it fits; else file by file; a file over the budget by hunks."""
    if sum(p.tokens for p in group) <= budget:
        yield group
        return
    for piece in group:
        if piece.tokens <= budget:
            yield [piece]
            continue
        yield from _split_hunks(piece, budget, skipped)


def _split_hunks(piece: _Piece, budget: int, skipped: list[str]) -> Iterable[list[_Piece]]:
    """A file's diff in runs of whole hunks, each repeating the file header; a single hunk
    over the budget is listed as not reviewed."""
    starts = [m.start() for m in _HUNK.finditer(piece.text)]
    if not starts:
        skipped.append(f"{piece.path}: its diff ({piece.tokens:,} tokens) is over the "
                       f"{budget:,}-token budget of one reviewer call")
        return
    header = piece.text[:starts[0]]
    hunks = [piece.text[a:b] for a, b in zip(starts, [*starts[1:], len(piece.text)], strict=True)]
    run: list[str] = []
    dropped = 0
    for hunk in hunks:
        if estimate_tokens(header + hunk) > budget:
            dropped += 1
            continue
        if run and estimate_tokens(header + "".join([*run, hunk])) > budget:
            yield [_piece(piece.path, header + "".join(run))]
            run = []
        run.append(hunk)
    if run:
        yield [_piece(piece.path, header + "".join(run))]
    if dropped:
        skipped.append(f"{piece.path}: {dropped} of its {len(hunks)} hunk(s) are each over "
                       f"the {budget:,}-token budget of one reviewer call; not reviewed")


def _piece(path: str, text: str) -> _Piece:
    return _Piece(path, text, estimate_tokens(text))


def _chunk(index: int, pieces: list[_Piece]) -> Chunk:
    paths = tuple(dict.fromkeys(p.path for p in pieces))
    text = "".join(p.text for p in pieces)
    return Chunk(index=index, paths=paths, diff=text, tokens=estimate_tokens(text))


_TEST_AFFIXES = re.compile(r"^(test_|tests_)|(_test|_tests|\.test|\.spec|_spec|Test|Tests)$")


def _subject(path: str) -> str:
    """What a file is about: its stem, with test affixes removed, so `tests/test_app.py`,
    `app.test.ts` and `app_test.go` join `app`."""
    name = posix_name(path)  # asked of every changed file: no PurePosixPath
    stem = name.split(".", 1)[0] if not name.startswith(".") else name
    return _TEST_AFFIXES.sub("", stem) or stem
