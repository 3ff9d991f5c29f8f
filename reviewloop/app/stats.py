"""`stats`: the findings of every stored run, review and pull request, tallied by outcome."""

from __future__ import annotations

from pathlib import Path

from reviewloop.app.preflight import in_repository
from reviewloop.config import Settings
from reviewloop.reports.stats import Sources, Stats, tally
from reviewloop.runs.records import stored


def gather(settings: Settings, root: Path) -> Stats:
    in_repository(root)  # exit 2 outside a repository, creating nothing
    store = stored(settings, root)
    found = store.runs
    sources = Sources(runs=sum(s.kind == "run" for s in found),
                      reviews=sum(s.kind == "review" for s in found),
                      pull_requests=sum(s.kind == "pull_request" for s in found),
                      bench_replays=store.replays, unreadable=store.unreadable)
    return tally((s.summary.ledger for s in found), sources)
