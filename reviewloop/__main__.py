"""`python -m reviewloop` and the `reviewloop` command: the entry point.

The collector is tuned (`cli.memory`) before the command line's modules load, not after:
their ~280 modules made ~60 young collections at CPython's default thresholds, about 15 ms
of an offline review's CPU.
"""

from reviewloop.cli.memory import tune_collector

tune_collector()

from reviewloop.cli.app import main  # noqa: E402  (after the collector is tuned)

__all__ = ["main"]

if __name__ == "__main__":
    main()
