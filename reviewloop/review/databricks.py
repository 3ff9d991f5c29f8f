"""Databricks notebooks in their source format: the cells no analyzer reads.

A notebook a Databricks Git folder commits (or `databricks workspace export --format
SOURCE` writes) is a `.py`, `.sql`, `.scala` or `.r` file whose first line is `# Databricks
notebook source` (`--` or `//` in SQL and Scala), its cells apart by `COMMAND ----------`
lines. A cell of another language than the notebook's is written as comment lines,
`# MAGIC %sh` then `# MAGIC <line>`: Databricks runs it (`%python` on the cluster, `%sh` on
the driver, `%pip` installs, `%run` runs another notebook), while ruff, bandit and the rest
read only comments. Such cells are found here, so that the coverage matrix names the file as
not analysed with each cell's line and magic (`review.matrix`); Markdown cells run nothing.
"""

from __future__ import annotations

from reviewloop.memo import compiled_on_first_use

_header = compiled_on_first_use(r"^\ufeff?(#|--|//) Databricks notebook source[ \t\r]*$")
_magic = compiled_on_first_use(r"^(#|--|//) MAGIC[ \t]+%([\w-]+)")
HEADER_CHARS = 64  # of a file's start: where the header line is read from
SUFFIXES = (".py", ".sql", ".scala", ".r")  # the notebooks' own: only those are opened
_TEXT = frozenset({"md", "md-sandbox"})  # Markdown: shown, never run


def is_notebook(start: str) -> bool:
    """Whether a file starting `start` is a Databricks source-format notebook."""
    return _header().match(start.split("\n", 1)[0]) is not None


def magic_cells(text: str) -> list[tuple[int, str]]:
    """(line from 1, `%magic`) of each cell of the notebook `text` that runs as `MAGIC`
    comment lines: the first such line of each cell, Markdown left out."""
    lines = text.split("\n")
    if not lines or (header := _header().match(lines[0])) is None:
        return []
    comment = header.group(1)
    found: list[tuple[int, str]] = []
    cell_start = True
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith(f"{comment} COMMAND ----------"):
            cell_start = True
            continue
        magic = _magic().match(line)
        if magic is not None and magic.group(1) == comment and cell_start \
                and magic.group(2) not in _TEXT:
            found.append((number, f"%{magic.group(2)}"))
        if line.strip():
            cell_start = False
    return found
