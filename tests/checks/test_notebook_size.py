"""An analyzer's size limit measures the code it reads: a notebook's outputs are no code
(fz1 D4: a 5-line cell beside a 3 MB embedded plot was "too large" for bandit, its B602
lost, the review incomplete). Generated: code sizes on both sides of the limit x output
sizes; then a real review."""

from __future__ import annotations

import base64
import json
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.notebook_size import code_within
from tests.support.repos import feature_branch
from tests.support.review_cli import review

CODE = ["import subprocess\n", "\n", "\n", "def run(cmd):\n",
        "    return subprocess.call(cmd, shell=True)\n"]


def _notebook(source: list[str], plot_bytes: int, seed: int) -> str:
    plot = base64.b64encode(random.Random(seed).randbytes(plot_bytes)).decode()
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": source,
            "outputs": [{"output_type": "display_data", "metadata": {},
                         "data": {"image/png": plot, "text/plain": ["<Figure>"]}}]}
    return json.dumps({"cells": [cell], "metadata": {"language_info": {"name": "python"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1)


@given(code_lines=st.integers(0, 400), plot=st.integers(0, 40_000), seed=st.integers(0, 99),
       limit=st.integers(1_000, 20_000), name=st.sampled_from(["a.ipynb", "nb/B.IPYNB"]))
def test_a_notebook_is_measured_by_its_code(code_lines: int, plot: int, seed: int,
                                            limit: int, name: str) -> None:
    source = [f"x_{n} = {n}\n" for n in range(code_lines)]
    code = len("".join(source).encode())
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(_notebook(source, plot, seed), "utf-8")
        (root / "plain.py").write_text("".join(source), "utf-8")
        (root / "broken.ipynb").write_text("{not json", "utf-8")
        assert code_within(root, name, limit) is (code <= limit)
        assert not code_within(root, "plain.py", limit)  # not a notebook: its size stands
        assert not code_within(root, "broken.ipynb", limit)
        assert not code_within(root, "missing.ipynb", limit)


@settings(max_examples=1, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 99))
def test_a_notebook_with_large_outputs_is_read_by_bandit(seed: int) -> None:
    raw = _notebook(CODE, 2_400_000, seed)  # 3.2 MB: over bandit's 2 MB limit
    with tempfile.TemporaryDirectory() as scratch:
        root = feature_branch(Path(scratch) / "r", {"nb/plot.ipynb": raw.encode()})
        done = review(root, "--base", "main", "--head", "feature", "--json")
    report = json.loads(done.stdout)
    found = {(f["file"], f["rule"]) for f in report["findings"]["remaining"]}
    assert ("nb/plot.ipynb", "B602") in found, report["health"]["files"]
    assert report["health"]["complete"] is True, report["verdict"]
