"""Jupyter notebooks read as the Python of their code cells (`reviewloop.checks.notebooks`):
every source line found on its own line of the file however the notebook is written, and
bandit's and ruff's findings in a notebook named on the notebook's lines."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.notebooks import for_ruff, read
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.repos import feature_branch
from tests.support.review_cli import review

_LINE = st.lists(st.sampled_from([*'ab "\\\t{}[]:,%!é\u2028', "source", '"source": ']),
                max_size=8).map("".join)
_CELL = st.tuples(st.sampled_from(["code", "markdown", "raw"]),
                  st.lists(_LINE, max_size=5), st.booleans())


def _notebook(cells: list[tuple[str, list[str], bool]], indent: int | None) -> str:
    """nbformat's layout: each source line a string ending in a line break (the last may
    not), or the whole source as one string."""
    out = []
    for kind, lines, as_string in cells:
        strings = [f"{line}\n" for line in lines]
        source: list[str] | str = "".join(strings) if as_string else strings
        out.append({"cell_type": kind, "metadata": {}, "source": source,
                    **({"outputs": [], "execution_count": None} if kind == "code" else {})})
    return json.dumps({"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=indent)


@given(cells=st.lists(_CELL, max_size=5))
def test_each_source_line_is_found_on_the_file_line_that_holds_it(
        cells: list[tuple[str, list[str], bool]]) -> None:
    raw = _notebook(cells, indent=1)
    notebook = read(raw)
    assert notebook is not None
    file_lines = raw.split("\n")
    for number, (cell, (_, lines, _)) in enumerate(zip(notebook.cells, cells, strict=True), 1):
        expected = "".join(f"{line}\n" for line in lines).splitlines()
        assert list(cell.lines) == expected
        for row, text in enumerate(expected, 1):
            at = notebook.line(number, row)
            assert json.dumps(text)[1:-1] in file_lines[at - 1]


@given(cells=st.lists(_CELL, max_size=5), indent=st.sampled_from([None, 1, 2]))
def test_the_script_holds_every_code_line_once_and_magics_as_comments(
        cells: list[tuple[str, list[str], bool]], indent: int | None) -> None:
    notebook = read(_notebook(cells, indent))
    assert notebook is not None
    text, where = notebook.script()
    code = [line for kind, lines, _ in cells if kind == "code"
            for line in "".join(f"{text}\n" for text in lines).splitlines()]
    assert len(text.splitlines()) == len(where) == len(code)
    assert all(line in (original, f"# {original}")
               for line, original in zip(text.splitlines(), code, strict=True))


def test_json_that_is_not_a_notebook_is_none() -> None:
    assert read("{") is None and read("[]") is None and read('{"cells": 3}') is None


NOTEBOOK = {"cells": [
    {"cell_type": "markdown", "metadata": {}, "source": ["# Deploy helper\n"]},
    {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
     "source": ["%load_ext autoreload\n", "import subprocess\n"]},
    {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
     "source": ["def run(cmd):\n", "    print(undefined_name)\n",
                "    return subprocess.call(cmd, shell=True)\n"]}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_a_notebooks_findings_are_on_its_own_lines(tmp_path: Path) -> None:
    raw = json.dumps(NOTEBOOK, indent=1)
    root = feature_branch(tmp_path / "r", {"deploy.ipynb": raw.encode(),
                                           "broken.ipynb": raw[:-40].encode()})  # not JSON
    lines = raw.split("\n")
    shell = next(n for n, line in enumerate(lines, 1) if "shell=True" in line)
    undefined = next(n for n, line in enumerate(lines, 1) if "undefined_name" in line)

    done = review(root, "--base", "main", "--head", "feature", "--json")

    report = json.loads(done.stdout)
    found = {(f["file"], f["rule"], f["start_line"]) for f in report["findings"]["remaining"]}
    assert ("deploy.ipynb", "B602", shell) in found  # bandit, on the script of its cells
    assert ("deploy.ipynb", "F821", undefined) in found  # ruff, by cell and row
    rows = {row["path"]: row for row in report["health"]["files"]}
    assert "bandit (review-security)" in rows["deploy.ipynb"]["analysed_by"]
    assert rows["deploy.ipynb"]["not_read"] == []
    assert any(reason.startswith("bandit: could not parse it")
               for reason in rows["broken.ipynb"]["not_read"])
    assert done.returncode == 1 and report["health"]["complete"] is False


_KERNEL_NAMES = st.one_of(st.sampled_from(["python", "Python", "python3", "ipython", "ipython3",
                                           "pyspark", "sage", "javascript", ""]),
                          st.text(max_size=12))
_LANGUAGE_INFO = st.one_of(
    st.none(), st.just([]), st.just("python3"),
    st.fixed_dictionaries({"name": _KERNEL_NAMES},
                          optional={"version": st.just("3.11.4"),
                                    "file_extension": st.just(".py"),
                                    "mimetype": st.just("text/x-python")}),
    st.fixed_dictionaries({}, optional={"version": st.just("3.11.4")}))


def _kernel_notebook(info: object, source: list[str]) -> str:
    """A notebook of one code cell whose metadata's `language_info` is `info` (left out for
    the sentinel `...`), as a kernel other than ipykernel's `python` writes it."""
    metadata: dict[str, object] = {"kernelspec": {"name": "python3", "language": "python"}}
    if info is not ...:
        metadata["language_info"] = info
    return json.dumps({"cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                                  "outputs": [], "source": source}],
                       "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}, indent=1)


@given(info=st.one_of(st.just(...), _LANGUAGE_INFO))
def test_ruffs_copy_is_a_python_notebook_whatever_its_kernel_says(info: object) -> None:
    """ruff lints a notebook only under `language_info.name == "python"` (none: Python too)
    and skips any other silently: the copy it reads says Python, the rest kept."""
    rewritten = for_ruff(_kernel_notebook(info, ["x = 1\n"]))
    assert rewritten is not None
    metadata = json.loads(rewritten[0])["metadata"]
    if info is ...:
        assert "language_info" not in metadata
        return
    told = metadata["language_info"]
    assert told["name"] == "python"
    kept = {k: v for k, v in info.items() if k != "name"} if isinstance(info, dict) else {}
    assert {k: v for k, v in told.items() if k != "name"} == kept


BUGGY = ["def f(a=[]):\n", "    try:\n", "        return a[0]\n", "    except:\n",
         "        return None\n"]  # B006 and E722: ruff's rules, not bandit's
KERNELS = ["python", "Python", "python3", "ipython", "ipython3", "pyspark", "sage",
           "javascript"]


def test_ruff_reports_a_notebook_under_any_kernel_name(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    files = {f"k{n}.ipynb": _kernel_notebook({"name": name}, BUGGY)
             for n, name in enumerate(KERNELS)}
    files["none.ipynb"] = _kernel_notebook(..., BUGGY)
    diff = repo.change(files)

    report = run_for_agent(agent("review-maintainability", ("ruff-maintainability",)),
                           repo.root, diff)

    found = {(f.file, f.rule) for f in report.findings}
    assert report.complete
    assert found == {(name, rule) for name in files for rule in ("B006", "E722")}


_NOT_TEXT = st.one_of(st.lists(st.text(max_size=5), min_size=1, max_size=3),
                      st.integers(), st.none(), st.dictionaries(st.text(max_size=3), st.text()))


@given(cells=st.lists(_CELL, max_size=4), at=st.integers(min_value=0),
       bad=st.lists(_NOT_TEXT, min_size=1, max_size=3), position=st.integers(min_value=0))
def test_a_cell_whose_source_is_not_text_names_the_notebook_not_read(
        cells: list[tuple[str, list[str], bool]], at: int, bad: list[object],
        position: int) -> None:
    """fz1 D5: a code cell whose `source` list holds a list (or a number, a mapping…) was
    read as no code while bandit and ruff were shown as having read the notebook. Jupyter
    cannot load it; it is named, with the cell, and well-formed notebooks stay read."""
    data = json.loads(_notebook(cells, indent=1))
    well_formed = read(json.dumps(data))
    assert well_formed is not None and well_formed.unread() is None
    source: list[object] = ["import os\n"]
    source.insert(position % 2, bad[0])
    data["cells"].insert(at % (len(data["cells"]) + 1),
                         {"cell_type": "code", "metadata": {}, "outputs": [],
                          "execution_count": None, "source": source})
    notebook = read(json.dumps(data, indent=1))
    assert notebook is not None
    why = notebook.unread()
    assert why is not None and f"cell {at % len(data['cells']) + 1}" in why, why
    assert why.startswith("could not parse it")
