"""How many examples a generated test runs: what its `@settings(max_examples=…)` asks for, up
to a cap the loaded hypothesis profile sets. A plugin of its own (registered by
tests/conftest.py), so that tests/test_test_layout.py can check it in a nested pytest.

The suite's default profile, `suite`, caps every test at `SUITE_EXAMPLES`: each test still
draws from all of its strategies (every class of input it names), only fewer times per run.
`--hypothesis-profile deep` lifts the cap: every test runs the count written on it
(docs/development.md). Neither profile changes hypothesis's default for a test that names
no count."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings

SUITE_EXAMPLES = 100  # hypothesis's own default: a test asking for more runs this many
CAPS = {"suite": SUITE_EXAMPLES}  # profile → cap; any other profile runs the counts as written


@pytest.hookimpl(tryfirst=True)
def pytest_configure() -> None:
    """The suite's profiles, `suite` loaded: before hypothesis's own plugin loads the one
    `--hypothesis-profile` names, and before any test module is imported."""
    # No test depends on how fast the machine is: hypothesis's default 200 ms deadline per
    # example failed generated tests of the pure code (tests/findings) as DeadlineExceeded /
    # FlakyFailure on a loaded machine. A test that states its own deadline keeps it.
    settings.register_profile("suite", deadline=None)
    settings.register_profile("deep", deadline=None)
    settings.load_profile("suite")


def capped(asked: settings, cap: int | None) -> settings:
    """`asked`, with at most `cap` examples (no cap: `asked`)."""
    if cap is None or asked.max_examples <= cap:
        return asked
    return settings(asked, max_examples=cap)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each generated test's settings capped as the loaded profile says. After
    `--hypothesis-profile` is loaded (pytest_configure), before any test runs; hypothesis
    reads a test's settings from the test function each time the test is called."""
    cap = CAPS.get(settings.get_current_profile_name())
    for item in items:
        test: Any = getattr(item, "obj", None)
        test = getattr(test, "__func__", test)  # a test method: the function it binds
        if getattr(test, "is_hypothesis_test", False):
            test._hypothesis_internal_use_settings = capped(
                test._hypothesis_internal_use_settings, cap)
