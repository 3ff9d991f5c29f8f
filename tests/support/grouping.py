"""The suite's xdist grouping, a plugin of its own (registered by tests/conftest.py), so that
tests/test_test_layout.py can check it in a nested pytest that loads nothing else."""

from __future__ import annotations

import pytest


def pytest_itemcollected(item: pytest.Item) -> None:
    """A module whose tests share a module-scoped fixture (a synthesized CDK app, a reviewed
    change, a canary run) runs on one xdist worker (`--dist loadgroup`), so that fixture is
    built once, not once on each worker its tests were spread over. Marked as each test is
    collected: xdist reads the marks in its own collection_modifyitems, whose place among
    the other plugins' hooks differs between pytest versions."""
    info = getattr(item, "_fixtureinfo", None)
    if info is not None and any(defs[-1].scope == "module"
                                for defs in info.name2fixturedefs.values() if defs):
        item.add_marker(pytest.mark.xdist_group(item.module.__name__))
