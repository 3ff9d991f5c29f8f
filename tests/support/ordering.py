"""The suite's long tests start first, a plugin of its own (registered by tests/conftest.py),
so that tests/test_test_layout.py can check it in a nested pytest that loads nothing else.

xdist hands its workers work in collection order (`--dist loadgroup`: a group, or a test, at
a time as a worker frees up), and the tests directory collects its own `test_*.py` files
after its folders: a test of 117 s in CI (tests/test_quick_start.py's, most of it a nested
pytest deleting an older session's folders, since fixed) started among the last, and the
run ended with one worker on it and the others idle. A test or module
marked `long(seconds)` (its time in CI's slowest list) is moved to the front, the longest
first; the others keep their order. A marked test of a group takes its whole group along
(xdist queues a group where its first test stands). Only the order changes: what a test
proves, and its result, do not depend on when it runs, and a stale figure only moves it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

import pytest

LONG = "long"


class _Marked(Protocol):
    @property
    def nodeid(self) -> str: ...

    def get_closest_marker(self, name: str) -> pytest.Mark | None: ...


T = TypeVar("T", bound=_Marked)


def seconds(item: _Marked) -> float | None:
    """The CI seconds a test's `long` mark gives (0 when it names none); None unmarked."""
    mark = item.get_closest_marker(LONG)
    if mark is None:
        return None
    given = mark.kwargs.get("seconds", mark.args[0] if mark.args else 0)
    if isinstance(given, bool) or not isinstance(given, (int, float)):
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{LONG}(seconds=...) takes a "
                                f"number of seconds, not {given!r}")
    return float(given)


def started_first(items: Sequence[T]) -> list[T]:
    """`items` with the ones marked `long` first, the longest first; ties and the unmarked
    keep their own order."""
    long: list[tuple[float, T]] = []
    rest: list[T] = []
    for item in items:
        given = seconds(item)
        if given is None:
            rest.append(item)
        else:
            long.append((given, item))
    long.sort(key=lambda pair: -pair[0])  # stable: ties keep their order
    return [item for _, item in long] + rest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{LONG}(seconds): took that long in CI's slowest list; started first, the "
                   "longest first (tests/support/ordering.py)")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items[:] = started_first(items)
