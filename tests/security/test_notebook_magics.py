"""What a notebook's cells run is what its analyzers read (`reviewloop.checks.notebooks`,
`reviewloop.checks.magics`): the Python under a cell magic that runs it (`%%time`,
`%%script python3`, …) and the statement of a line magic (`%time stmt`) reach bandit's
script and ruff's copy on the notebook's own lines; a cell under any other magic (`%%bash`,
an unknown one) is named as not read. A `"source"` key outside `cells[n]` — in metadata, an
output, a cell's metadata — moves no line.

Generated notebooks: cells of each class, line magics, extra `"source"` keys, sources as
lists, one string or lines split across strings, pretty or compact JSON."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.notebooks import for_ruff, read
from tests.support.repos import feature_branch
from tests.support.review_cli import review

PYTHON_HEADERS = ["%%time", "%%timeit -n 1 -r 1", "%%capture out", "%%prun -q",
                  "%%python3", "%%pypy", "%%debug", "%%script python3",
                  "%%script --out o python3.11 -u", "%%capture --no-stderr"]
OTHER_HEADERS = ["%%bash", "%%sh", "%%script bash", "%%html", "%%javascript", "%%sql",
                 "%%writefile x.py", "%%python2", "%%script python2", "%%perl", "%%zz_unknown",
                 "%%script python3 -c 'print(1)'", "%%"]
# line magics: (written with `{}` for the statement, whether the statement is Python run)
LINE_MAGICS = [("%time {}", True), ("%timeit -n10 -q {}", True), ("%prun -s cumulative {}", True),
               ("%debug {}", True), ("%matplotlib {}", False), ("!echo {}", False)]
_EXTRA = {"source": "https://example.com/nb", "x": {"source": ["a\n", "b\n"]}}


@dataclass(frozen=True)
class Cell:
    header: str | None  # a cell magic, or none
    python: bool  # whether its body runs as Python
    blank: int  # blank lines before the header (IPython drops them)
    body: list[tuple[str, bool]]  # (line, its statement is Python run)


@st.composite
def _cells(draw: st.DrawFn, index: int) -> Cell:
    kind = draw(st.sampled_from(["plain", "python", "other"]))
    header = None if kind == "plain" else draw(st.sampled_from(
        PYTHON_HEADERS if kind == "python" else OTHER_HEADERS))
    body = []
    for n in range(draw(st.integers(1, 4))):
        mark = f"v_{index}_{n}"
        if kind != "other" and draw(st.booleans()):
            form, runs = draw(st.sampled_from(LINE_MAGICS))
            body.append((form.format(f"{mark}_()"), runs))
        else:
            body.append((f"{mark}_ = {n}", kind != "other"))
    return Cell(header, kind != "other", draw(st.integers(0, 1)) if header else 0, body)


def _lines(cell: Cell) -> list[str]:
    return [""] * cell.blank + ([cell.header] if cell.header else []) + [t for t, _ in cell.body]


def _notebook(cells: list[Cell], forms: list[str], extra: list[str], indent: int | None) -> str:
    """A notebook of `cells` (each source written as `forms[n]`: a list, a string, or each
    line and its line break as two strings), with `"source"` keys where `extra` says."""
    out: list[dict[str, object]] = []
    for cell, form in zip(cells, forms, strict=True):
        lines = [f"{line}\n" for line in _lines(cell)]
        source: object = "".join(lines) if form == "string" else lines if form == "list" else \
            [piece for line in lines for piece in (line[:-1], "\n")]
        out.append({"cell_type": "markdown", "metadata": {}, "source": ["source\n"]}
                   if "markdown" in extra else {})
        out.append({"cell_type": "code", "execution_count": 1, "source": source,
                    "metadata": _EXTRA if "cell" in extra else {},
                    "outputs": [{"output_type": "stream", "name": "stdout", **_EXTRA,
                                 "text": ["source\n"]}] if "output" in extra else []})
    data = {"cells": [c for c in out if c], "nbformat": 4, "nbformat_minor": 5,
            "metadata": _EXTRA if "metadata" in extra else {}}
    if "first" in extra:  # the notebook's metadata, with its "source", before its cells
        data = {"metadata": data.pop("metadata"), **data}
    return json.dumps(data, indent=indent)


def _line_of(raw: str, mark: str) -> int:
    return raw[:raw.index(mark)].count("\n") + 1


_NOTEBOOKS = st.lists(st.integers(0, 9), min_size=1, max_size=5).flatmap(
    lambda ids: st.tuples(st.tuples(*(_cells(n) for n in range(len(ids)))).map(list),
                          st.lists(st.sampled_from(["list", "string", "split"]),
                                   min_size=len(ids), max_size=len(ids)),
                          st.lists(st.sampled_from(["metadata", "first", "cell", "output",
                                                    "markdown"]), unique=True),
                          st.sampled_from([None, 1, 2])))


@given(_NOTEBOOKS)
def test_every_python_line_reaches_the_script_on_its_line(case: tuple) -> None:
    cells, forms, extra, indent = case
    raw = _notebook(cells, forms, extra, indent)
    notebook = read(raw)
    assert notebook is not None and notebook.placed
    text, where = notebook.script()
    script = text.splitlines()
    ast.parse(text)  # bandit can read it
    for n, cell in enumerate(cells):
        for m, (line, runs) in enumerate(cell.body):
            mark = f"v_{n}_{m}_"
            held = [k for k, s in enumerate(script) if mark in s]
            assert len(held) == 1
            statement = script[held[0]]
            assert (not statement.lstrip().startswith("#")) == runs, (line, statement)
            assert where[held[0]] == _line_of(raw, mark)


@given(_NOTEBOOKS)
def test_each_cell_no_analyzer_reads_is_named_and_no_other(case: tuple) -> None:
    cells, forms, extra, indent = case
    raw = _notebook(cells, forms, extra, indent)
    notebook = read(raw)
    assert notebook is not None
    named = set(map(int, re.findall(r"cell (\d+) \(", notebook.unread() or "")))
    code = [n for n, cell in enumerate(notebook.cells, 1) if cell.code]
    assert named == {at for at, cell in zip(code, cells, strict=True) if not cell.python}
    for index, (at, cell) in enumerate(zip(code, cells, strict=True)):
        if cell.header and not cell.python:  # named with its magic and the magic's line
            header = raw.rindex(cell.header, 0, raw.index(f"v_{index}_0_"))
            line = raw[:header].count("\n") + 1
            assert f"cell {at} ({cell.header[:40]}, line {line})" in (notebook.unread() or "")


@given(_NOTEBOOKS)
def test_ruffs_copy_holds_the_same_python_on_the_same_rows(case: tuple) -> None:
    cells, forms, extra, indent = case
    raw = _notebook(cells, forms, extra, indent)
    rewritten = for_ruff(raw)
    assert rewritten is not None
    copy = json.loads(rewritten[0])["cells"]
    for number, cell in enumerate(copy, 1):
        rows = "".join(cell["source"]).splitlines()
        assert len(rows) == len(rewritten[1].cells[number - 1].lines)
        for row, line in enumerate(rows, 1):
            for mark in re.findall(r"v_\d+_\d+_", line):
                runs = not line.lstrip().startswith(("%", "!"))
                if runs:
                    assert rewritten[1].line(number, row) == _line_of(raw, mark)


def test_a_repeated_cells_key_is_read_as_json_reads_it() -> None:
    raw = '{"cells": [{"cell_type": "code", "source": ["a = 1\\n"]}], "cells": []}'
    notebook = read(raw)
    assert notebook is not None and notebook.placed and notebook.cells == ()


SHELL = ["import subprocess\n", "subprocess.call(input(), shell=True)\n",
         "%time undefined_thing()\n"]


def _code(source: list[str]) -> dict[str, object]:
    return {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
            "source": source}


@settings(derandomize=True, deadline=None, max_examples=2)
@given(header=st.sampled_from(["%%time\n", "%%script python3\n"]),
       bash=st.sampled_from(["%%bash\n", "%%html\n"]))
def test_a_review_reads_a_magic_cells_python_and_names_a_shell_cell(
        tmp_path_factory: object, header: str, bash: str) -> None:
    root = Path(tmp_path_factory.mktemp("r")) / "r"  # type: ignore[attr-defined]
    meta = {"source": "https://example.com/original"}  # a "source" key outside the cells
    timed = json.dumps({"cells": [_code([header, *SHELL])], "metadata": meta,
                        "nbformat": 4, "nbformat_minor": 5}, indent=1)
    shell = json.dumps({"cells": [_code(["print(1)\n"]), _code([bash, "rm -rf /$X\n"])],
                        "metadata": meta, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    feature_branch(root, {"timed.ipynb": timed.encode(), "shell.ipynb": shell.encode()})

    done = review(root, "--base", "main", "--head", "feature", "--json")

    report = json.loads(done.stdout)
    found = {(f["file"], f["rule"], f["start_line"]) for f in report["findings"]["remaining"]}
    assert ("timed.ipynb", "B602", _line_of(timed, "subprocess.call")) in found  # bandit
    assert ("timed.ipynb", "F821", _line_of(timed, "undefined_thing")) in found  # ruff
    rows = {row["path"]: row for row in report["health"]["files"]}
    assert rows["timed.ipynb"]["not_read"] == []
    assert any(f"cell 2 ({bash.strip()}, line {_line_of(shell, bash.strip())})" in reason
               and reason.startswith("bandit:") for reason in rows["shell.ipynb"]["not_read"])
    assert report["health"]["complete"] is False and done.returncode == 1
