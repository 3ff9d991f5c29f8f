"""Jupyter notebooks (`.ipynb`) as the Python their code cells hold, with each line's place in
the notebook file.

A notebook is JSON, but its code cells are Python that `jupyter nbconvert --execute`,
papermill or a CI job runs. ruff reads notebooks itself and names a problem by cell and row;
bandit reads only `.py` files, so it is given the code cells as one script. Either way a
finding must name the notebook's own line: each source line of a cell is a JSON string whose
place in the file is found by scanning the file, not by re-serialising it.

IPython's own syntax is not Python: a line magic (`%time`), a shell escape (`!pip install`)
or a cell magic (`%%bash`, the whole cell) becomes a comment in the script, so the rest of
the cell still parses; its line count is kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_SOURCE = re.compile(r'"source"\s*:\s*')
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[\s,]*")
_MAGIC = re.compile(r"^\s*[%!]")


@dataclass(frozen=True)
class Cell:
    code: bool  # a code cell (markdown and raw cells hold no Python)
    lines: tuple[str, ...]  # its source, one line each (without the line break)
    where: tuple[int, ...]  # the notebook file's line (1-based) of each source line


@dataclass(frozen=True)
class Notebook:
    cells: tuple[Cell, ...]

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
            whole_cell_magic = bool(cell.lines) and cell.lines[0].lstrip().startswith("%%")
            for line, at in zip(cell.lines, cell.where, strict=True):
                magic = whole_cell_magic or _MAGIC.match(line)
                text.append(f"# {line}" if magic else line)
                where.append(at)
        return "".join(f"{line}\n" for line in text), tuple(where)


def read(raw: str) -> Notebook | None:
    """The notebook `raw` holds, or None when it is not one (not JSON, no cell list)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        return None
    places = list(_source_places(raw))
    sources = [_source(c) for c in cells]
    if [text for text, _ in places] != sources:  # a "source" key elsewhere: no exact places
        places = [(text, [1] * len(text)) for text in sources]
    return Notebook(tuple(
        Cell(code=isinstance(c, dict) and c.get("cell_type") == "code",
             lines=tuple(text), where=tuple(where))
        for c, (text, where) in zip(cells, places, strict=True)))


def _source(cell: object) -> list[str]:
    """A cell's source as lines: nbformat writes a list of strings or one string."""
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    joined: str = "".join(map(str, source)) if isinstance(source, list) else str(source)
    return joined.splitlines()


def _source_places(raw: str) -> list[tuple[list[str], list[int]]]:
    """Each `"source"` value of the file, in order: its lines and the file line of each."""
    found = []
    counted = [0, 1]  # the lines counted so far: up to index [0], line [1] (scans once)

    def line_at(index: int) -> int:
        counted[1] += raw.count("\n", counted[0], index)
        counted[0] = index
        return counted[1]

    for match in _SOURCE.finditer(raw):
        index = match.end()
        strings: list[tuple[object, int]] = []
        if raw.startswith("[", index):
            index = _SPACE.match(raw, index + 1).end()  # type: ignore[union-attr]
            while raw.startswith('"', index):
                value, end = _DECODER.raw_decode(raw, index)
                strings.append((value, line_at(index)))
                index = _SPACE.match(raw, end).end()  # type: ignore[union-attr]
        elif raw.startswith('"', index):
            value, _ = _DECODER.raw_decode(raw, index)
            strings.append((value, line_at(index)))
        lines: list[str] = []
        where: list[int] = []
        for value, at in strings:
            pieces = str(value).splitlines()
            lines += pieces
            where += [at] * len(pieces)
        found.append((lines, where))
    return found
