"""Jupyter notebooks (`.ipynb`) as the Python their code cells run, with each line's place in
the notebook file, and the cells whose code no Python analyzer reads.

A notebook is JSON, but its code cells are Python that `jupyter nbconvert --execute`,
papermill or a CI job runs. ruff reads notebooks itself and names a problem by cell and row;
bandit reads only `.py` files, so it is given the code cells as one script. Either way a
finding must name the notebook's own line: each source line of a cell is found in the file
by walking the JSON to `cells[n].source` (a `"source"` key elsewhere — the notebook's or a
cell's metadata, an output — is no cell's), not by re-serialising it.

IPython's own syntax is not Python, but much of it runs Python (`reviewloop.checks.magics`
decides which): a cell magic that runs its cell as Python (`%%time`, `%%capture`,
`%%script python3`, …) leaves its cell read, a line magic that runs a statement (`%time
stmt`) gives the statement; any other magic or `!` line is a comment in the script, with its
line count kept. A cell under a magic whose body is not Python (`%%bash`, `%%html`, an
unknown one) is named as not read: no analyzer here reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from reviewloop.checks.magics import cell_magic, lifted

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[\s,:]*")
_MAGIC = re.compile(r"^\s*[%!]")
NOT_PLACED = "could not place its cells' lines in the file"
MALFORMED = "could not parse it: a cell's source is not nbformat's text"
PYTHON_KERNEL = "python"  # the only `language_info.name` ruff lints a notebook under


@dataclass(frozen=True)
class Cell:
    code: bool  # a code cell (markdown and raw cells hold no Python)
    lines: tuple[str, ...]  # its source, one line each (without the line break)
    where: tuple[int, ...]  # the notebook file's line (1-based) of each source line

    def python(self, *, keep_magics: bool) -> tuple[list[str], str | None]:
        """Each line as the Python it runs — a lifted statement, or IPython's own syntax as a
        comment (kept as written with `keep_magics`: ruff parses it) — and the magic that
        leaves the cell unread, with its file line, if one does."""
        header, python_body = cell_magic(self.lines)
        out = []
        for n, line in enumerate(self.lines):
            if header is not None and n == header[0]:
                statement = header[1]
                out.append(statement if statement is not None else
                           ("" if keep_magics and python_body else f"# {line}"))
            elif not python_body or not _MAGIC.match(line):
                out.append(line if python_body or keep_magics else f"# {line}")
            elif (statement := lifted(line)) is not None:
                out.append(statement)
            else:
                out.append(line if keep_magics else f"# {line}")
        if python_body or header is None:
            return out, None
        return out, f"{self.lines[header[0]].strip()[:40]}, line {self.where[header[0]]}"


@dataclass(frozen=True)
class Notebook:
    cells: tuple[Cell, ...]
    placed: bool = True  # every source line was found on its file line
    malformed: tuple[int, ...] = ()  # the cells (1-based) whose source is no text

    def line(self, cell: int, row: int) -> int:
        """The file line of row `row` (1-based) of cell `cell` (1-based, every cell counted,
        as ruff names them); the cell's first line when the row is past its end."""
        where = self.cells[cell - 1].where if 0 < cell <= len(self.cells) else ()
        if not where:
            return 1
        return where[min(max(row, 1), len(where)) - 1]

    def script(self) -> tuple[str, tuple[int, ...]]:
        """The code cells as one Python script, and the file line of each script line."""
        text: list[str] = []
        where: list[int] = []
        for cell in (c for c in self.cells if c.code):
            text += cell.python(keep_magics=False)[0]
            where += cell.where
        return "".join(f"{line}\n" for line in text), tuple(where)

    def unread(self) -> str | None:
        """Why part of the notebook is read by no analyzer (`cell 3 (%%bash) …`), or None."""
        if self.malformed:
            cells = ", ".join(f"cell {n}" for n in self.malformed)
            return (f"{MALFORMED} ({cells}: not a string or a list of strings; Jupyter "
                    "cannot load it), so no analyzer read that code")
        if not self.placed:
            return NOT_PLACED
        magics = [(n, why) for n, cell in enumerate(self.cells, 1) if cell.code
                  and (why := cell.python(keep_magics=False)[1]) is not None]
        if not magics:
            return None
        cells = ", ".join(f"cell {n} ({why})" for n, why in magics)
        return f"runs code that is not Python under a cell magic, not read: {cells}"


def read(raw: str) -> Notebook | None:
    """The notebook `raw` holds, or None when it is not one (not JSON, no cell list)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        return None
    sources = [_source(c) for c in cells]
    try:
        places = _source_places(raw)
    except (ValueError, IndexError):  # json.loads took it: a walk that fails is no answer
        places = []
    placed = [text for text, _ in places] == sources
    if not placed:
        places = [(text, [1] * len(text)) for text in sources]
    return Notebook(tuple(
        Cell(code=isinstance(c, dict) and c.get("cell_type") == "code",
             lines=tuple(text), where=tuple(where))
        for c, (text, where) in zip(cells, places, strict=True)), placed=placed,
        malformed=tuple(n for n, c in enumerate(cells, 1) if not _textual(c)))


def _textual(cell: object) -> bool:
    """Whether a cell's source is nbformat's: a string, or a list of strings."""
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    return isinstance(source, str) or (isinstance(source, list)
                                       and all(isinstance(s, str) for s in source))


def for_ruff(raw: str) -> tuple[str, Notebook] | None:
    """The notebook `raw` holds, with each code cell's source the Python it runs and IPython's
    own syntax kept as written (ruff parses it), one line for each line — so ruff, which
    reads notebooks itself, reads what bandit's script holds, on the same cells and rows,
    its `language_info` naming Python whatever kernel wrote it — and the notebook as read;
    None when it is not one."""
    notebook = read(raw)
    if notebook is None:
        return None
    data = json.loads(raw)
    for cell, read_cell in zip(data["cells"], notebook.cells, strict=True):
        if read_cell.code:
            cell["source"] = [f"{line}\n" for line in read_cell.python(keep_magics=True)[0]]
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and "language_info" in metadata:
        # ruff lints a notebook only when `language_info.name` is exactly "python" and skips
        # any other (`python3`, `Python`, `ipython`, a Spark or a JavaScript kernel's) with
        # no word; the notebook is Python here (bandit reads its cells), so ruff is told so
        info = metadata["language_info"]
        metadata["language_info"] = {**(info if isinstance(info, dict) else {}),
                                     "name": PYTHON_KERNEL}
    return json.dumps(data), notebook


def _source(cell: object) -> list[str]:
    """A cell's source as lines: nbformat writes a list of strings or one string."""
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    joined: str = "".join(map(str, source)) if isinstance(source, list) else str(source)
    return joined.splitlines()


class _Lines:
    """The file line of an index of `raw`, for indexes asked in order (one scan)."""

    def __init__(self, raw: str) -> None:
        self.raw, self.index, self.line = raw, 0, 1

    def at(self, index: int) -> int:
        self.line += self.raw.count("\n", self.index, index)
        self.index = index
        return self.line


def _source_places(raw: str) -> list[tuple[list[str], list[int]]]:
    """Each cell's source (`cells[n].source`, the last of a repeated key, as json reads it):
    its lines and the file line each starts on. Every other value is skipped whole."""
    lines = _Lines(raw)
    cells: list[tuple[list[str], list[int]]] = []
    for key, index in _members(raw, _skip(raw, 0)):
        if key != "cells":
            continue
        cells = []
        for at in _items(raw, index):
            source: tuple[list[str], list[int]] = ([], [])
            for field, start in _members(raw, at):
                if field == "source":
                    source = _strings(raw, start, lines)
            cells.append(source)
    return cells


def _skip(raw: str, index: int) -> int:
    return _SPACE.match(raw, index).end()  # type: ignore[union-attr]


def _members(raw: str, index: int) -> Iterator[tuple[str, int]]:
    """The object at `index`: each key and where its value starts (values skipped after)."""
    if not raw.startswith("{", index):
        _DECODER.raw_decode(raw, index)
        return
    index = _skip(raw, index + 1)
    while raw.startswith('"', index):
        key, end = _DECODER.raw_decode(raw, index)
        start = _skip(raw, end)
        yield key, start
        index = _skip(raw, _DECODER.raw_decode(raw, start)[1])
    if not raw.startswith("}", index):
        raise ValueError(f"not an object at {index}")


def _items(raw: str, index: int) -> Iterator[int]:
    """Where each item of the array at `index` starts."""
    if not raw.startswith("[", index):
        return
    index = _skip(raw, index + 1)
    while not raw.startswith("]", index):
        yield index
        index = _skip(raw, _DECODER.raw_decode(raw, index)[1])


def _strings(raw: str, index: int, lines: _Lines) -> tuple[list[str], list[int]]:
    """A source value's lines (a string, or strings to join) and the file line each line
    starts on."""
    pieces: list[tuple[str, int]] = []
    starts = [index] if raw.startswith('"', index) else list(_items(raw, index))
    for start in starts:
        value, _ = _DECODER.raw_decode(raw, start)
        pieces.append((str(value), lines.at(start)))
    text, where, offset, piece = "".join(p for p, _ in pieces), [], 0, 0
    ends = list(accumulate(len(p) for p, _ in pieces))
    for line in text.splitlines(keepends=True):
        while piece < len(pieces) - 1 and ends[piece] <= offset:
            piece += 1
        where.append(pieces[piece][1])
        offset += len(line)
    return text.splitlines(), where
