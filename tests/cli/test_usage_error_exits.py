"""A wrong argument is the user's error (exit 2, naming it and the fix), never an internal
error (exit 3 and a crash log): `report --output` into a folder that cannot be made exited 3
(`FileExistsError`, `FileNotFoundError`) where `review --output` with the same path exits 2,
and `bench --pattern '('` exited 3 with re's message.

Generated: every `report` format × paths that cannot be written (under a file, deeper under
it, under a folder that cannot be made), compared with what
`review --output` answers for the same path (the oracle: the same words, exit 2); and
patterns Python's `re` refuses (the oracle) against ones it compiles, which are no error.
"""

from __future__ import annotations

import os
import re
from itertools import product
from pathlib import Path

from tests.support import warm_cli
from tests.support.review_cli import repo, review

FORMATS = {"html": ".html", "json": ".json", "markdown": ".md", "text": ".txt"}
BLOCKED = ("taken/{}", "taken/deeper/{}", "/proc/none/{}", "/proc/none/a/b/{}")
PATTERNS = ("(", "[a-", "*x", "(?P<a>x)(?P<a>y)", "x{2,1}", r"\\", "fix(", "ok", r"fix|bug",
            r"(?i)closes #\d+")


def _said(done: object) -> str:
    return " ".join(str(getattr(done, "stderr", "")).split())


def test_report_output_that_cannot_be_written_is_a_usage_error_as_in_review(
        tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    (root / "taken").write_text("a file, not a folder")
    assert review(root).returncode == 0
    for fmt, place in product(FORMATS, BLOCKED):
        path = place.format(f"r{FORMATS[fmt]}")
        done = warm_cli.run(["report", "--format", fmt, "--output", path], root,
                            env=dict(os.environ), timeout=120)
        oracle = review(root, "--output", path)
        assert (done.returncode, oracle.returncode) == (2, 2), (fmt, path, _said(done))
        first = _said(done).split(" fix")[0]
        assert first.startswith("error:") and "Traceback" not in done.stderr, first
        assert first == _said(oracle).split(" fix")[0], (first, _said(oracle))


def test_bench_pattern_that_is_no_regular_expression_is_a_usage_error(tmp_path: Path) -> None:
    root = repo(tmp_path)
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    for pattern in PATTERNS:
        try:
            re.compile(pattern)
            valid = True
        except re.error:
            valid = False
        done = warm_cli.run(["bench", "--pattern", pattern, "--dry-run"], root, env=env,
                            timeout=120)
        said = _said(done)
        assert done.returncode != 3 and "internal error" not in said, (pattern, said)
        assert ("is not a regular expression" in said) is not valid, (pattern, said)
        if not valid:
            assert done.returncode == 2 and repr(pattern) in said, (pattern, said)
