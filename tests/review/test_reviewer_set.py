"""At most `[review] max_reviewers` reviewers run: built-ins first, then those `reviewers`
lists, then the rest by name; the others are named (warning, `reviewloop agents`, report)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from reviewloop.config import Review, Settings
from reviewloop.review.definitions import builtin_names
from reviewloop.review.reviewer_set import load_reviewers


def agents_folder(root: Path, count: int, *, prefix: str = "review-x") -> Path:
    folder = root / ".kiro" / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        name = f"{prefix}{index:05d}"
        (folder / f"{name}.json").write_text(json.dumps({"name": name, "prompt": "Review."}))
    return folder


def test_the_default_cap_keeps_the_built_ins_and_the_first_by_name(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    agents_folder(tmp_path, 2_000)
    with caplog.at_level(logging.WARNING):
        found = load_reviewers(tmp_path, Settings())
    assert Settings().review.max_reviewers == 20
    room = 20 - len(builtin_names())  # what the built-ins leave of the cap
    assert found.names == (*builtin_names(), *(f"review-x{i:05d}" for i in range(room)))
    left = [s for s in found.skipped if "max_reviewers" in s.reason]
    assert [s.name for s in left] == [f"review-x{i:05d}" for i in range(room, 2_000)]
    assert {s.reason for s in left} == {"not run: over [review] max_reviewers = 20"}
    assert found.left_out == (
        f"{2_000 - room} reviewer(s) not run, over [review] max_reviewers = 20: "
        + ", ".join(f"review-x{i:05d}" for i in range(room, room + 10))
        + f" and {2_000 - room - 10} more (`reviewloop agents` lists them; raise "
          "max_reviewers or remove their definitions)")
    assert found.left_out in caplog.text


def test_the_cap_is_configurable_and_prefers_the_reviewers_setting(tmp_path: Path) -> None:
    agents_folder(tmp_path, 30)
    agents_folder(tmp_path, 1, prefix="team-lead")  # a reviewer only because it is listed
    cap = len(builtin_names()) + 2  # room for the two listed
    settings = Settings(review=Review(max_reviewers=cap),
                        reviewers=("team-lead00000", "review-x00029"))
    found = load_reviewers(tmp_path, settings)
    assert found.names == (*builtin_names(), "review-x00029", "team-lead00000")
    assert found.left_out is not None and found.left_out.startswith(
        f"29 reviewer(s) not run, over [review] max_reviewers = {cap}: review-x00000, ")


def test_under_the_cap_nothing_is_left_out(tmp_path: Path) -> None:
    agents_folder(tmp_path, 20 - len(builtin_names()))  # the default cap, exactly
    found = load_reviewers(tmp_path, Settings())
    assert len(found.names) == 20 and found.left_out is None
    assert not [s for s in found.skipped if "max_reviewers" in s.reason]
