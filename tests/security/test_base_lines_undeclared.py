"""The base comparison numbers a file's lines as its analyzer does. shellcheck declares no
line breaks of its own: its file is split at LF (and a lone CR), not at a form feed or a
U+2028 it does not count. Split there, the base's lines shifted against the tool's and a
finding on an untouched line the base already had was blamed on a change that only removed
such a character above it.

Each character's script sits in its own folder of one change, reviewed once: shellcheck
reads each file alone, so a folder's answer is the one a review of it alone gives."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.iac_tools import module_reviews
from tests.support.project_rules import found, reviewed
from tests.support.tools_cache import cache_root

SCRIPT = "#!/bin/bash\n# section one{odd}\necho $1\nrm -rf $2/x\n"
ODD = ("\x0c", "\x0b", "\x85", "\u2028", "\x1c")

pytestmark = pytest.mark.pypi  # shellcheck, from the shared tools cache


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One review of the change that removes each odd character from its folder's script."""
    with module_reviews(tmp_path_factory, cache_root(), "shellcheck"):
        return reviewed(tmp_path_factory.mktemp("odd") / "r",
                        {f"c{i}/run.sh": SCRIPT.format(odd=odd) for i, odd in enumerate(ODD)},
                        {f"c{i}/run.sh": SCRIPT.format(odd="") for i in range(len(ODD))})


@pytest.mark.parametrize("odd", ODD)
def test_removing_an_odd_character_blames_nothing_below_it_on_the_change(
        report: dict[str, Any], odd: str) -> None:
    path = f"c{ODD.index(odd)}/run.sh"
    read = {a["name"] for a in report["health"]["analyzers"]
            if path in a["files"] and a["status"] == "ok"}
    assert "shellcheck" in read, [a for a in report["health"]["analyzers"] if "shell" in a["name"]]
    rules = found(report, "shellcheck", path)
    assert rules.get(("SC2086", 4)) in (None, "out_of_scope"), rules
    assert "remaining" not in {rules.get(key) for key in rules if key[1] >= 3}, rules
