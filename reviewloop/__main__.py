"""`python -m reviewloop` and the `reviewloop` command: the entry point.

The collector is tuned (`cli.memory`) before the command line's modules load, not after:
their ~280 modules made ~60 young collections at CPython's default thresholds, about 15 ms
of an offline review's CPU. Their dataclasses' generated methods are compiled once and kept
with the bytecode (`cli.dataclass_cache`): ~0.1 s of an offline review's start-up.
"""

import os
import sys

# `python -m reviewloop` puts the current folder first on the module path (the `reviewloop`
# command and `python -P` do not): run in a repository under review, its own `secrets.py` or
# `json/` would be imported in place of the standard library's, and run. Taken off before any
# other import.
if __name__ == "__main__" and not sys.flags.safe_path and sys.path \
        and os.path.realpath(sys.path[0] or os.curdir) == os.path.realpath(os.curdir):
    del sys.path[0]

from pathlib import Path

from reviewloop.cli.dataclass_cache import remember
from reviewloop.cli.memory import tune_collector

tune_collector()
remember(Path(__file__).parent)

from reviewloop.cli.app import main  # noqa: E402  (after both)

__all__ = ["main"]

if __name__ == "__main__":
    main()
