"""reviewloop.agent.prices: prices and context windows from the pinned genai-prices catalogue,
checked against the catalogue's own calculator, and its per-version cache."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from genai_prices import Usage, calc_price

from reviewloop.agent import prices
from reviewloop.agent.models import (
    DEFAULT_CONTEXT_WINDOW,
    UsageRecord,
    context_window,
    estimate_cost,
    price_for,
)

BEDROCK = ("us.anthropic.claude-sonnet-4-5-20250929-v1:0",
           "global.anthropic.claude-haiku-4-5-20251001-v1:0",
           "eu.anthropic.claude-sonnet-4-20250514-v1:0",
           "amazon.nova-pro-v1:0", "us.amazon.nova-lite-v1:0")


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    prices.forget()


@pytest.mark.parametrize("model", BEDROCK)
def test_a_bedrock_call_costs_what_the_catalogue_calculates(model):
    usage = {"input_tokens": 1_200_000, "output_tokens": 300_000,
             "cache_read_tokens": 500_000, "cache_write_tokens": 200_000}
    record = UsageRecord(role="review", agent="security", model=model, **usage)

    ours = estimate_cost([record], None)

    theirs = calc_price(Usage(**usage), model, provider_id="aws").total_price
    assert ours == pytest.approx(float(theirs), rel=1e-9)


def test_other_providers_are_priced_by_their_own_catalogue_entry():
    record = UsageRecord(role="review", agent="security", model="openai:gpt-4.1",
                         input_tokens=1_000_000, output_tokens=1_000_000)

    theirs = calc_price(Usage(input_tokens=1_000_000, output_tokens=1_000_000), "gpt-4.1",
                        provider_id="openai").total_price
    assert estimate_cost([record], None) == pytest.approx(float(theirs))
    assert theirs > Decimal(0)


def test_the_configuration_wins_over_the_catalogue():
    model = BEDROCK[0]
    assert price_for(model, {model: {"input": 9.0}}) == {"input": 9.0}
    assert context_window(model, {model: 4096}) == 4096
    assert context_window(model) == 200_000


def test_a_model_the_catalogue_does_not_know_has_no_price_and_the_default_window():
    assert price_for("ollama:llama3.1") is None
    assert estimate_cost([UsageRecord(role="review", agent="a", model="ollama:llama3.1",
                                      input_tokens=1)], None) is None
    assert context_window("bedrock:acme.private-model-v1:0") == DEFAULT_CONTEXT_WINDOW


def test_a_second_process_reads_the_cache_without_loading_the_catalogue(tmp_path):
    ask = ("import sys; from reviewloop.agent.models import price_for, context_window; "
           f"print(price_for({BEDROCK[0]!r})['input'], context_window({BEDROCK[0]!r}), "
           "'genai_prices' in sys.modules)")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "PYTHONPATH": ":".join(sys.path)}

    first, second = (subprocess.run([sys.executable, "-c", ask], env=env, check=True,
                                    capture_output=True, text=True).stdout.split()
                     for _ in range(2))

    assert first[:2] == second[:2]
    assert (first[2], second[2]) == ("True", "False")
    cached = list((tmp_path / "cache" / "reviewloop").glob("prices-*.json"))
    assert [p.name for p in cached] == [f"prices-{prices.version()}.json"]


@pytest.mark.parametrize("tampered", [
    "not json", "[]", json.dumps({"aws/" + BEDROCK[0]: {"prices": {"input": -1},
                                                        "context_window": 1, "id": "x"}}),
    json.dumps({"aws/" + BEDROCK[0]: {"prices": {"input": "free"}, "context_window": 1,
                                      "id": "x"}}),
    json.dumps({"aws/" + BEDROCK[0]: {"prices": None, "context_window": "big", "id": "x"}}),
])
def test_a_damaged_cache_is_looked_up_again_not_trusted(tmp_path, tampered):
    fresh = price_for(BEDROCK[0])
    prices.forget()
    cache = tmp_path / "cache" / "reviewloop" / f"prices-{prices.version()}.json"
    cache.write_text(tampered)

    assert price_for(BEDROCK[0]) == fresh
    assert context_window(BEDROCK[0]) == 200_000


def test_an_unwritable_cache_still_prices(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where a folder should be

    assert price_for(BEDROCK[0]) is not None
