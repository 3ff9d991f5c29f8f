"""A notebook's size as an analyzer's limit measures it: the code it reads.

bandit reads a notebook's code cells as one script (`checks.notebooks`), ruff its cells; the
limit an analyzer declares (`max_bytes`, bandit's from ~8 s a MB of code) is about that
code, and a notebook's outputs — embedded plots, megabytes of base64 — are none of it. A
notebook over the limit whose code is within it is read (fz1 D4: a 5-line cell beside a
3 MB plot was "too large" for bandit, its B602 lost, the review incomplete).
"""

from __future__ import annotations

from pathlib import Path


def code_within(root: Path, path: str, limit: float) -> bool:
    """Whether `path` is a notebook whose code cells, the script bandit reads, are within
    `limit` bytes (asked only of a file over it: the notebook reader loads then)."""
    if not path.lower().endswith(".ipynb"):
        return False
    from reviewloop.checks.notebooks import read
    from reviewloop.git.names import under

    try:
        notebook = read(under(root, path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return notebook is not None and len(notebook.script()[0].encode()) <= limit
