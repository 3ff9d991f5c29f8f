"""`reviewloop report` when the newest review's summary is damaged (truncated by a kill or
a full disk, overwritten): the error names that file and how to see another, exit 2. It
said "no run or review to report yet" while older reviews were intact. Generated damage."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import warm_cli
from tests.support.review_cli import repo, review


@st.composite
def damage(draw: st.DrawFn) -> tuple[str, int | bytes]:
    how = draw(st.sampled_from(("truncate", "replace")))
    if how == "truncate":
        return how, draw(st.integers(0, 400))
    return how, draw(st.sampled_from((b"", b"\0\0\0", b"[]", b'{"task_id": 1}', b"not json")))


def _reviewed_twice(tmp_path: Path) -> Path:
    """A repository with two reviews (of two edits), made once per test: each example
    damages a copy of it."""
    made = tmp_path / "reviewed"
    if not made.exists():
        root = repo(made)
        for value in ("2", "3"):
            (root / "app.py").write_text(f"VALUE = {value}\n")
            assert review(root, "-q").returncode == 0
    return made / "r"


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hurt=damage())
def test_a_damaged_newest_summary_is_named_not_taken_for_none(tmp_path: Path,
                                                              hurt: tuple[str, int | bytes]
                                                              ) -> None:
    shutil.rmtree(tmp_path / "r", ignore_errors=True)
    root = tmp_path / "r"
    shutil.copytree(_reviewed_twice(tmp_path), root, symlinks=True)
    reviews = sorted((root / ".reviewloop" / "reviews").iterdir())
    older, newest = reviews[0], reviews[-1]
    os.utime(older / "summary.json", (1, 1))  # an order that does not hang on the clock
    summary = newest / "summary.json"
    _, what = hurt
    data = summary.read_bytes()
    summary.write_bytes(data[:what] if isinstance(what, int) else what)
    done = warm_cli.run(["report"], root, timeout=120)
    said = " ".join(done.stderr.split())
    assert done.returncode == 2, done.stdout + done.stderr
    assert str(summary) in said and "no run or review to report yet" not in said, said
    assert "reviewloop report RUN" in said
    again = warm_cli.run(["report", older.name], root, timeout=120)
    assert again.returncode == 0, again.stderr
