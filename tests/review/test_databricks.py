"""`review.databricks`: the cells of a Databricks source-format notebook that run as `MAGIC`
comment lines. Generated: notebooks under each language's comment, of drawn cells — the
notebook's own code, `%md` text, and `MAGIC` cells of drawn magics — whose code cells are
found at their first line, and nothing in a file without the header."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.review.databricks import is_notebook, magic_cells

COMMENTS = ("#", "--", "//")
RUN = ("%sh", "%python", "%pip", "%run", "%sql", "%scala", "%r", "%fs")
TEXT = ("%md", "%md-sandbox")
cells = st.lists(st.tuples(st.sampled_from((None, *RUN, *TEXT)),
                           st.lists(st.sampled_from(("x = 1", 'rm -rf "$T/"*', "", "a b")),
                                    min_size=1, max_size=3)), min_size=1, max_size=5)


@given(comment=st.sampled_from(COMMENTS), drawn=cells, bom=st.booleans())
def test_each_magic_cell_that_runs_is_found_at_its_first_line(
        comment: str, drawn: list[tuple[str | None, list[str]]], bom: bool) -> None:
    lines = [("\ufeff" if bom else "") + f"{comment} Databricks notebook source"]
    expected = []
    for index, (magic, body) in enumerate(drawn):
        if index:
            lines += ["", f"{comment} COMMAND ----------", ""]
        if magic is None:
            lines += body  # the notebook's own language: its analyzers read it
            continue
        if magic in RUN:
            expected.append((len(lines) + 1, magic))
        lines += [f"{comment} MAGIC {magic}", *(f"{comment} MAGIC {b}".rstrip() for b in body)]
    text = "\n".join(lines) + "\n"
    assert is_notebook(text)
    assert magic_cells(text) == expected
    assert magic_cells(text.split("\n", 1)[1]) == []  # without the header: no notebook
    other = "//" if comment != "//" else "#"  # another language's comment is no MAGIC line
    assert magic_cells(text.replace(f"{comment} MAGIC", f"{other} MAGIC")) == []
