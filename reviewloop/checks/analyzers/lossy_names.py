"""File names a tool prints lossily. ruff writes a name as UTF-8 with each byte that is not
UTF-8 as U+FFFD (Rust's `to_string_lossy`), so `dé/m.py` saved in Latin-1 comes back as
`d�/m.py`: a file it was not given, and the findings on the one it was given went nowhere
while the review said it had read it. A printed name that only one given file could have
printed is that file's again; one that several could have printed (`c\\xe9.py` beside
`c\\xe8.py`, or beside a file really named `c�.py`) tells none of them apart, and each is
named as not read."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext


def lossy(name: str) -> str:
    """`name` as a tool printing it lossily as UTF-8 spells it (invalid bytes: U+FFFD, a
    maximal invalid sequence at a time, as Python and Rust both replace them). An ASCII name
    is spelled as it is (asked of every file a ruff reads: 10,000 `fsencode`s at 5,000)."""
    return name if name.isascii() else os.fsencode(name).decode("utf-8", "replace")


def spelled_back(ctx: AnalyzerContext, files: Sequence[str], given: Sequence[str], tool: str
                 ) -> dict[str, str | None]:
    """{a lossy spelling: the given name it stands for, None when several could} for the
    names `given` (of the repository's `files`, in order) that a tool prints lossily; each
    file behind an ambiguous spelling named as not read in `ctx`."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for path, name in zip(files, given, strict=True):
        groups.setdefault(lossy(name), []).append((path, name))
    back: dict[str, str | None] = {}
    for spelled, names in groups.items():
        if all(name == spelled for _, name in names):
            continue  # a UTF-8 name, printed as it is
        back[spelled] = names[0][1] if len(names) == 1 else None
        for path, _ in names if len(names) > 1 else ():
            ctx.not_read(path, f"{tool} prints its name, which is not UTF-8, as it prints "
                               f"{len(names) - 1} other file's: which findings are its "
                               "cannot be told; give it a UTF-8 name")
    return back


def relabel(diagnostics: list[Any], names: Mapping[str, str | None]) -> list[Any]:
    """`diagnostics` (dicts naming their file as `filename`) with each file `names` maps
    named as it says, and those it maps to None left out."""
    if not names:
        return diagnostics
    out = []
    for d in diagnostics:
        if isinstance(d, dict) and str(d.get("filename")) in names:
            if (name := names[str(d["filename"])]) is None:
                continue
            d = {**d, "filename": name}
        out.append(d)
    return out
