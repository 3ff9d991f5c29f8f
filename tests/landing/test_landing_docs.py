"""The worktree page (docs/landing.md) describes every built-in land mode (the registry's) as
built: a mode the code implements is never documented as missing."""

from __future__ import annotations

import re

from reviewloop.landing.modes import BUILTIN
from tests.support.paths import ROOT


def _landing_bullet() -> str:
    text = (ROOT / "docs" / "landing.md").read_text(encoding="utf-8")
    start = text.index("* **Landing.**")
    return text[start:text.index("\n* **", start + 1)]


def test_every_land_mode_is_described_and_none_is_called_unbuilt() -> None:
    bullet = _landing_bullet()
    for mode in BUILTIN:
        assert f"`{mode}`" in bullet, mode
    assert not re.search(r"not (?:yet )?built|is refused", " ".join(bullet.split()))
    assert "(land-pr.md)" in bullet  # a link to docs/land-pr.md
