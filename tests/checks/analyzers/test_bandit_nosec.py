"""`bandit_nosec` reads a `# nosec` comment as the installed bandit does."""

from __future__ import annotations

import pytest
from bandit.core import extension_loader
from bandit.core.manager import _parse_nosec_comment as bandits_reading

from reviewloop.checks.analyzers.bandit_nosec import TEST_IDS, nosec_ids

COMMENTS = ("# nosec", "#nosec", "# nosec B602", "# nosec: B607", "# nosec B607, B603",
            "# nosec B607,B603", "# nosec start_process_with_partial_path", "# nosec pickle",
            "# nosec - reviewed by the team", "# nosec B999", "# nosec b602",
            "# nosec B602 # why", "# nosec:B602 later B603", "# nosec assert_used,B602",
            "# NOSEC", "#NOSEC B602")


def test_the_names_are_bandits() -> None:
    manager = extension_loader.MANAGER
    names = {p.name: p.plugin._test_id for p in manager.plugins_by_id.values()}
    names |= {b["name"]: i for i, b in manager.blacklist_by_id.items()}
    assert names == TEST_IDS


@pytest.mark.parametrize("comment", COMMENTS)
def test_a_nosec_names_the_tests_bandit_reads(comment: str) -> None:
    expected = bandits_reading(comment)  # None: no nosec at all, an empty set: every test
    ours = nosec_ids(comment)
    assert ours == (frozenset() if expected is None else frozenset(expected) or None)
