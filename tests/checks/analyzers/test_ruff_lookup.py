"""`ruff_lookup.merged`: a config over the one it extends, as ruff combines them."""

from __future__ import annotations

from reviewloop.checks.analyzers.ruff_lookup import merged


def test_an_extend_list_and_an_ignore_add_and_a_setting_replaces() -> None:
    base = {"line-length": 80, "lint": {"extend-select": ["T20"], "ignore": ["E501"]}}
    over = {"extend": "base.toml", "line-length": 100,
            "lint": {"extend-select": ["DTZ"], "ignore": ["F401"]}}
    assert merged(base, over) == {"line-length": 100, "lint": {
        "extend-select": ["T20", "DTZ"], "ignore": ["E501", "F401"]}}


def test_a_select_starts_the_selection_afresh() -> None:
    base = {"lint": {"select": ["F"], "extend-select": ["T20"]}}
    assert merged(base, {"lint": {"select": ["E"]}}) == {"lint": {"select": ["E"]}}


def test_the_extend_key_itself_is_not_kept() -> None:
    assert merged({"extend": "x.toml", "a": 1}, {"extend": "y.toml"}) == {"a": 1}
