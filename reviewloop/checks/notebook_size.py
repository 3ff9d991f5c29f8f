"""A notebook's size as an analyzer's limit measures it: the code it reads.

bandit reads a notebook's code cells as one script (`checks.notebooks`), ruff its cells; the
limit such an analyzer declares (`max_bytes`, bandit's from ~8 s a MB of code) is about that
code, and a notebook's outputs — embedded plots, megabytes of base64 — are none of it. A
notebook over the limit whose code is within it is read by them (fz1 D4: a 5-line cell beside
a 3 MB plot was "too large" for bandit, its B602 lost, the review incomplete). Only an
analyzer that declares it reads the code cells alone (`notebook_code = True`: bandit, ruff)
is measured so; every other — the secrets scan, which reads the outputs too (a key printed
in an output is a leak), a plugin — is held to the file's own size. The code's size is
worked out once a review (`git.reads.derived`), not once per analyzer and reviewer.
"""

from __future__ import annotations

from pathlib import Path

from reviewloop.git.reads import derived


def reads_code_cells(analyzer: object) -> bool:
    """Whether `analyzer` reads a notebook's code cells alone (it says `notebook_code`)."""
    return getattr(analyzer, "notebook_code", False) is True


def code_size(root: Path, path: str) -> int | None:
    """The bytes of the script a notebook's code cells make (bandit's reading of it); None
    for a file that is no notebook or does not read as one."""
    if not path.lower().endswith(".ipynb"):
        return None
    return derived(root, ("notebook code size", path), lambda: _measured(root, path))


def _measured(root: Path, path: str) -> int | None:
    from reviewloop.checks.notebooks import read  # loads with the first notebook over a limit
    from reviewloop.git.names import under

    try:
        notebook = read(under(root, path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return None if notebook is None else len(notebook.script()[0].encode())


def code_within(root: Path, path: str, limit: float) -> bool:
    """Whether `path` is a notebook whose code cells, the script bandit reads, are within
    `limit` bytes (asked only of a file over it: the notebook reader loads then)."""
    size = code_size(root, path)
    return size is not None and size <= limit
