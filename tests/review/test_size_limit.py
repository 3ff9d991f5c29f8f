"""An analyzer's size limit: a notebook is measured by its code cells only for an analyzer
that reads those alone (`notebook_code`: bandit, ruff); the secrets scan, which reads the
outputs too, and a plugin are held to the file's size. The code's size is worked out once a
review, however many analyzers and reviewers ask.

Generated: code and output sizes on both sides of the limit x analyzers that declare it,
declare False, or say nothing (a plugin).
"""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks import notebooks
from reviewloop.checks.analyzers.bandit import Bandit
from reviewloop.checks.analyzers.registry import analyzers
from reviewloop.checks.secrets.analyzer import SecretsScan
from reviewloop.git.reads import one_read
from reviewloop.review.size_limit import too_large


class Plugin:
    """A third-party analyzer's declarations: no `notebook_code`."""

    max_bytes = 1_000


class SaysNo:
    notebook_code = False


def _notebook(lines: int, plot: int, seed: int) -> str:
    data = base64.b64encode(random.Random(seed).randbytes(plot)).decode()
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {},
            "source": [f"x_{n} = {n}\n" for n in range(lines)],
            "outputs": [{"output_type": "display_data", "metadata": {},
                         "data": {"image/png": data}}]}
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.integers(0, 300), plot=st.integers(0, 30_000), seed=st.integers(0, 9),
       limit=st.integers(500, 20_000),
       analyzer=st.sampled_from([Bandit(), SecretsScan(), Plugin(), SaysNo()]))
def test_only_an_analyzer_of_code_cells_measures_a_notebook_by_them(
        tmp_path: Path, lines: int, plot: int, seed: int, limit: int, analyzer: Any) -> None:
    text = _notebook(lines, plot, seed)
    (tmp_path / "nb.ipynb").write_text(text, "utf-8")
    size = len(text.encode())
    code = len("".join(f"x_{n} = {n}\n" for n in range(lines)).encode())
    big = too_large(analyzer, ["nb.ipynb"], {"nb.ipynb": size}, limit, tmp_path)
    cells = getattr(analyzer, "notebook_code", False) is True
    over = size > limit and not (cells and code <= limit)
    assert bool(big) is over
    if over:
        assert big["nb.ipynb"] == f"too large for it ({size:,} bytes; it reads up to {limit:,})"


def test_the_built_in_analyzers_that_read_code_cells_say_so() -> None:
    """bandit and the ruff views read a notebook's code cells alone; nothing else does."""
    table = analyzers()
    cells = sorted(name for name, a in table.items() if getattr(a, "notebook_code", False))
    assert "bandit" in cells and any(name.startswith("ruff") for name in cells)
    assert all(name == "bandit" or name.startswith("ruff") for name in cells)
    assert not getattr(table["secrets"], "notebook_code", False)


def test_a_notebooks_code_is_measured_once_a_review(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nb.ipynb").write_text(_notebook(5, 20_000, 1), "utf-8")
    reads: list[str] = []
    real = notebooks.read
    monkeypatch.setattr(notebooks, "read", lambda text: reads.append(text) or real(text))
    asked = [Bandit(), Bandit(), Bandit()]
    with one_read(tmp_path):  # a review's batch: five reviewers' analyzers ask
        for analyzer in asked * 5:
            assert too_large(analyzer, ["nb.ipynb"], {"nb.ipynb": 30_000}, 1_000,
                             tmp_path) == {}
    assert len(reads) == 1
