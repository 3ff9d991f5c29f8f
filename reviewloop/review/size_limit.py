"""Which of the files an analyzer would read are over its size limit (`max_bytes`).

A file over it is not given to the analyzer and is named as not read, with its size and the
limit. A notebook is measured by its code cells for an analyzer that reads those alone
(`checks.notebook_size`); for any other, by the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from reviewloop.checks.notebook_size import code_within, reads_code_cells


def too_large(analyzer: object, wanted: Sequence[str], sizes: Mapping[str, int],
              limit: float, root: Path) -> dict[str, str]:
    """{path: why} for each of `wanted` over `limit` (`sizes`: each changed file's bytes);
    no file is asked about one by one when the largest is within it (5,000 files)."""
    if not wanted or max(sizes.values(), default=0) <= limit:
        return {}
    cells = reads_code_cells(analyzer)
    return {p: f"too large for it ({sizes[p]:,} bytes; it reads up to {limit:,})"
            for p in wanted if sizes.get(p, 0) > limit
            and not (cells and code_within(root, p, limit))}
