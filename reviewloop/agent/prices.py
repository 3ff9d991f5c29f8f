"""Prices and context windows from a maintained catalogue, not a hand-kept table.

The catalogue is Pydantic's `genai-prices` package (pinned in pyproject.toml; its bundled
snapshot only, never its network update). A model's entry is looked up once and remembered
in `$XDG_CACHE_HOME/reviewloop/prices-<version>.json`, because loading the catalogue costs
about 0.1 s of CPU and most runs ask about the same two or three models. A user's `[prices]`
and `[review] context_windows` still win over it (`agent.models.price_for`, `context_window`).

Bedrock's prices are the catalogue's `aws` provider: a cross-region inference profile
(`us.`, `eu.`, …) is priced as Bedrock bills it (regional endpoints cost more than
`global.`), which a table keyed by base ids could not say. Tiered prices are read at their
base tier: reviewloop plans every call below the first tier's threshold.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import threading
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE = "genai-prices"
# The catalogue's name for each LangChain provider reviewloop can be given (a bare id is
# Bedrock's). Providers not listed are looked up by the model's name alone.
_CATALOGUE_PROVIDERS: Mapping[str | None, str] = {
    None: "aws", "bedrock": "aws", "bedrock_converse": "aws", "anthropic_bedrock": "aws",
    "anthropic": "anthropic", "openai": "openai", "azure_openai": "azure",
    "google_genai": "google", "google_vertexai": "google", "mistralai": "mistral",
    "groq": "groq", "deepseek": "deepseek", "cohere": "cohere", "together": "together",
    "fireworks": "fireworks", "openrouter": "openrouter", "perplexity": "perplexity",
    "xai": "x-ai",
}
# The catalogue's price keys, in USD per million tokens, as reviewloop names them.
_KEYS = {"input_mtok": "input", "output_mtok": "output", "cache_read_mtok": "cache_read",
         "cache_write_mtok": "cache_write"}

Entry = dict[str, Any]  # {"prices": {input, output, cache_read, cache_write} | None,
#                          "context_window": int | None, "id": catalogue id | None}
_lock = threading.Lock()
_memory: dict[str, Entry] = {}


def catalogue_price(provider: str | None, model_id: str) -> Mapping[str, float] | None:
    """USD per million tokens for the model, or None when the catalogue does not price it."""
    prices = _entry(provider, model_id)["prices"]
    return dict(prices) if prices else None


def catalogue_window(provider: str | None, model_id: str) -> int | None:
    """The model's context window in tokens, or None when the catalogue does not say."""
    window = _entry(provider, model_id)["context_window"]
    return int(window) if window else None


def catalogue_ids(provider: str | None = None) -> frozenset[str]:
    """Every model id the catalogue knows for `provider` (Bedrock by default): the closest
    ones are suggested for a misspelt id."""
    wanted = _CATALOGUE_PROVIDERS.get(provider)
    return frozenset(model.id for p in _snapshot().providers if p.id == wanted
                     for model in p.models)


def forget() -> None:
    """Drop what this process remembers (the cache file stays): for a changed cache home."""
    with _lock:
        _memory.clear()


def version() -> str:
    """The catalogue's version, which keys the cache (a new release prices afresh)."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "absent"


def _entry(provider: str | None, model_id: str) -> Entry:
    key = f"{_CATALOGUE_PROVIDERS.get(provider, '')}/{model_id}"
    with _lock:
        if key in _memory:
            return _memory[key]
        stored = _read_cache()
        if key not in stored:
            stored[key] = _look_up(_CATALOGUE_PROVIDERS.get(provider), model_id)
            _write_cache(stored)
        _memory.update(stored)
        return _memory[key]


def _look_up(provider_id: str | None, model_id: str) -> Entry:
    """The catalogue's entry for one model; an unknown model has no prices and no window."""
    from datetime import UTC, datetime

    try:
        _, model = _snapshot().find_provider_model(model_id, None, provider_id, None)
    except LookupError:
        return {"prices": None, "context_window": None, "id": None}
    chosen = model.get_prices(datetime.now(UTC))
    prices: dict[str, float] = {}
    for attribute, name in _KEYS.items():
        value = getattr(chosen, attribute, None)
        value = getattr(value, "base", value)  # a tiered price at its base tier
        if value is not None:
            prices[name] = float(value)
    return {"prices": prices or None, "context_window": model.context_window, "id": model.id}


@functools.cache
def _snapshot() -> Any:
    from genai_prices import data_snapshot

    return data_snapshot.get_snapshot()


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reviewloop" / f"prices-{version()}.json"


def _read_cache() -> dict[str, Entry]:
    try:
        data = json.loads(_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: entry for key, entry in data.items() if _well_formed(entry)}


def _well_formed(entry: object) -> bool:
    """An entry as `_look_up` writes it: anything else (a hand-edited or truncated cache) is
    looked up again rather than trusted."""
    if not isinstance(entry, dict) or set(entry) != {"prices", "context_window", "id"}:
        return False
    prices, window = entry["prices"], entry["context_window"]
    return (prices is None or (isinstance(prices, dict) and all(
        name in _KEYS.values() and isinstance(value, (int, float)) and value >= 0
        for name, value in prices.items()))) and \
        (window is None or (isinstance(window, int) and window > 0))


def _write_cache(entries: dict[str, Entry]) -> None:
    """Atomically, and silently when the cache cannot be written (a read-only HOME): the
    catalogue is then read again next time, which is slower but no less right."""
    path = _cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False,
                                         encoding="utf-8", suffix=".tmp") as handle:
            json.dump(entries, handle, sort_keys=True)
        os.replace(handle.name, path)
    except OSError:
        return
