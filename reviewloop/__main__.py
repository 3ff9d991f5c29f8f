"""`python -m reviewloop` and the `reviewloop` command: the entry point.

The collector is tuned (`cli.memory`) before the command line's modules load, not after:
their ~280 modules made ~60 young collections at CPython's default thresholds, about 15 ms
of an offline review's CPU. Their dataclasses' generated methods are compiled once and kept
with the bytecode (`cli.dataclass_cache`): ~0.1 s of an offline review's start-up.
"""

from pathlib import Path

from reviewloop.cli.dataclass_cache import remember
from reviewloop.cli.memory import tune_collector

tune_collector()
remember(Path(__file__).parent)

from reviewloop.cli.app import main  # noqa: E402  (after both)

__all__ = ["main"]

if __name__ == "__main__":
    main()
