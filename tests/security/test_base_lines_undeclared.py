"""The base comparison numbers a file's lines as its analyzer does. shellcheck declares no
line breaks of its own: its file is split at LF (and a lone CR), not at a form feed or a
U+2028 it does not count. Split there, the base's lines shifted against the tool's and a
finding on an untouched line the base already had was blamed on a change that only removed
such a character above it."""

from __future__ import annotations

import pytest

from tests.support.project_rules import found, reviewed

SCRIPT = "#!/bin/bash\n# section one{odd}\necho $1\nrm -rf $2/x\n"


@pytest.mark.pypi
@pytest.mark.usefixtures("shellcheck_tools")
@pytest.mark.parametrize("odd", ["\x0c", "\x0b", "\x85", "\u2028", "\x1c"])
def test_removing_an_odd_character_blames_nothing_below_it_on_the_change(tmp_path, odd):
    report = reviewed(tmp_path / "r", {"run.sh": SCRIPT.format(odd=odd)},
                      {"run.sh": SCRIPT.format(odd="")})
    read = {a["name"] for a in report["health"]["analyzers"]
            if "run.sh" in a["files"] and a["status"] == "ok"}
    assert "shellcheck" in read, [a for a in report["health"]["analyzers"] if "shell" in a["name"]]
    rules = found(report, "shellcheck", "run.sh")
    assert rules.get(("SC2086", 4)) in (None, "out_of_scope"), rules
    assert "remaining" not in {rules.get(key) for key in rules if key[1] >= 3}, rules
