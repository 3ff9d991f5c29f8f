"""While a review runs, what it started with (start-up's modules, its parsed change) is out of
the cycle collector's walks; once it returns, the collector has every object back."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from reviewloop.config import Settings
from reviewloop.git.diff import parse_diff
from reviewloop.memo import alive_throughout
from reviewloop.reports.report import RunSummary
from reviewloop.runs.review import DiffSource, review_change
from tests.support.repos import feature_branch


class _FrozenSeen:
    """A progress listener noting how many objects were frozen at each step."""

    def __init__(self) -> None:
        self.frozen: list[int] = []

    def started(self, task_id: str, node: str, inputs: dict[str, Any]) -> None:
        self.frozen.append(gc.get_freeze_count())

    def ended(self, task_id: str) -> None:
        self.frozen.append(gc.get_freeze_count())

    def finished(self, node: str, update: Mapping[str, Any]) -> None:
        self.frozen.append(gc.get_freeze_count())

    def event(self, data: dict[str, Any]) -> None:
        self.frozen.append(gc.get_freeze_count())


def test_a_review_keeps_what_it_started_with_out_of_the_collectors_walks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    gc.unfreeze()  # whatever an earlier test left
    files: dict[str | bytes, bytes] = {
        f"pkg/m{i}.py": f"def f{i}(x):\n    return x + {i}\n".encode() for i in range(40)}
    root = feature_branch(tmp_path / "r", files)
    seen = _FrozenSeen()

    summary = review_change(root, Settings(), DiffSource(base="main", head="feature"),
                            model_factory=lambda name: None, llm=False, progress=seen)

    assert isinstance(summary, RunSummary)
    assert seen.frozen and min(seen.frozen) > 10_000  # the modules and the change at least
    assert gc.get_freeze_count() == 0  # returned: the collector's again


def test_the_young_count_starts_again_and_the_objects_come_back() -> None:
    gc.unfreeze()
    changes = parse_diff("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n")
    with alive_throughout():
        assert gc.get_count()[0] < 50
        assert gc.get_freeze_count() > 0
        assert gc.is_tracked(changes)
        assert not any(changes is o for o in gc.get_objects(generation=0))
    assert gc.get_freeze_count() == 0
