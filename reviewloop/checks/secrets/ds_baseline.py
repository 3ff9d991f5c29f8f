"""The project's detect-secrets baseline: `.secrets.baseline`, as the trusted side has it,
run on the change's files as `detect-secrets-hook --baseline .secrets.baseline FILES` runs it.

A project with a baseline runs detect-secrets with the baseline's own settings: its
`plugins_used` (the plugins on, each with its `limit` or other options: a base that lowers
`HexHighEntropyString` to 2.0 reports `"c0ffee42d00d"`) and `filters_used`. The scan's own
detect-secrets layer (`ds_layer`) runs a fixed set of format plugins only; with no baseline,
nothing here runs (fuzz round 9a, D5b: the base's lowered limits were never read).

Read as the hook reads it: the plugins listed are the only ones on; the filters listed,
with detect-secrets' two default ones; each changed file is scanned whole (a plugin may read
its type, a YAML or INI file is read as such) and a secret is the change's when it is on an
added line. A secret the baseline lists (its `results`: the file and the secret's hash and
type) is one the hook ignores, and so is it here — for this layer only: the scan's other
layers (gitleaks' rules, the keyword layer) still report it. What the review will not run:
a plugin or filter of the repository's own (a `path`, `file://…`: code from the change's
project), which would run its code; such a plugin's files are named as not fully analysed.
The word-list and gibberish filters read files the baseline names and are not applied
(the layer may then report more than the hook does).

The secrets analyzer and the secrets gate both ask for these hits; a file's scan, keyed by
the baseline's settings, its path and its bytes, is run once for both (`_SCANNED`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.trusted_config import trusted_text
from reviewloop.checks.secrets.ds_layer import DS_LOCK, ds_rule
from reviewloop.checks.secrets.scanner import SecretHit, preview
from reviewloop.memo import TextMemo

BASELINE = ".secrets.baseline"
CONFIDENCE = 0.8  # the detect-secrets layer's
_NOT_APPLIED = ("detect_secrets.filters.wordlist.should_exclude_secret",
                "detect_secrets.filters.gibberish.should_exclude_secret")
# (line, hashed secret, type, value) of what detect-secrets found in one file, by the
# baseline's settings, the file's path and its text: a round's files, a few MB at most
_SCANNED: TextMemo[tuple[tuple[int, str, str, str], ...]] = TextMemo(
    20_000, from_chars=0, budget=16_000_000)


def baseline_hits(ctx: AnalyzerContext) -> list[SecretHit]:
    """What detect-secrets, set up by the trusted side's baseline, finds on the added lines
    of `ctx.files`; none when that side has no baseline or detect-secrets is not installed."""
    text = trusted_text(ctx, BASELINE)
    if text is None:
        return []
    config, refused = _settings(text)
    for path in ctx.files if refused else ():
        ctx.not_read(path, f"the project's {BASELINE} was not all run: " + "; ".join(refused))
    if config is None:
        return []
    added = {f.path: {a.line: a.text for a in f.added} for f in ctx.changes.files
             if f.path in ctx.file_set and f.added and f.path != BASELINE}
    try:
        return list(_hits(ctx, config, added))
    except (TypeError, KeyError, ValueError) as error:  # a plugin or filter it cannot load
        for path in ctx.files:
            ctx.not_read(path, f"the project's {BASELINE} names a plugin or filter "
                         f"detect-secrets cannot load ({type(error).__name__}: {error})")
        return []


def _settings(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """(the baseline's settings the review runs, why a part of them is not run)."""
    try:
        data = json.loads(text)
        plugins = [dict(p) for p in data.get("plugins_used") or ()]
        filters = [dict(f) for f in data.get("filters_used") or ()]
        results = data.get("results") or {}
        names = [str(p["name"]) for p in plugins]
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        return None, [f"it is not a detect-secrets baseline the review reads ({error})"]
    refused = [f"its plugin {name!r} is the repository's own code (`path`), which the "
               "review does not run" for name, p in zip(names, plugins, strict=True)
               if "path" in p]
    return {"plugins_used": [p for p in plugins if "path" not in p],
            "filters_used": [f for f in filters if not str(f.get("path", "")).startswith(
                "file:") and f.get("path") not in _NOT_APPLIED],
            "results": results}, refused


def _hits(ctx: AnalyzerContext, config: dict[str, Any],
          added: dict[str, dict[int, str]]) -> Iterator[SecretHit]:
    known = _known(config["results"])
    for path, number, hashed, kind, value in _found(ctx, config, added):
        line = added[path].get(number)
        if line is None or (path, hashed, kind) in known:
            continue  # an unchanged line's, or one the baseline lists: not the change's
        at = line.find(value) if value else -1
        start, end = (at, at + len(value)) if at >= 0 else (0, len(line))
        yield SecretHit(rule=ds_rule(kind), path=path, line=number,
                        description=f"{kind} (detect-secrets, the project's {BASELINE})",
                        column=start + 1, end_column=end + 1, preview=preview(line[start:end]),
                        confidence=CONFIDENCE, start=start, end=end)


def _found(ctx: AnalyzerContext, config: dict[str, Any],
           added: dict[str, dict[int, str]]) -> Iterator[tuple[str, int, str, str, str]]:
    """(path, line, hashed secret, type, value) of what detect-secrets finds in each file of
    `added`, each file's scan remembered for the round's other asker (`_SCANNED`)."""
    settings = json.dumps([config["plugins_used"], config["filters_used"]], sort_keys=True)
    keys = {path: f"{settings}\0{path}\0{_text(ctx, path)}" for path in added}
    batch: dict[str, tuple[tuple[int, str, str, str], ...]] = {}

    def scanned(path: str) -> tuple[tuple[int, str, str, str], ...]:
        if path not in batch:  # with the files not scanned yet: one set-up of detect-secrets
            batch.update(_scan(ctx, config, [p for p in added if p == path or (
                p not in batch and _SCANNED.known(keys[p]) is None)]))
        return batch.get(path, ())

    for path in added:
        for number, hashed, kind, value in _SCANNED.get(keys[path], partial(scanned, path)):
            yield path, number, hashed, kind, value


def _text(ctx: AnalyzerContext, path: str) -> str:
    try:
        return (ctx.root / path).read_bytes().decode("utf-8", "surrogateescape")
    except OSError as error:  # scanned as detect-secrets finds it: a key of its own
        return f"\0unread {type(error).__name__}"


def _scan(ctx: AnalyzerContext, config: dict[str, Any],
          paths: list[str]) -> dict[str, tuple[tuple[int, str, str, str], ...]]:
    try:
        from detect_secrets.core.secrets_collection import SecretsCollection
        from detect_secrets.settings import get_filters, transient_settings
    except ImportError:
        return {}
    # settings made afresh of the baseline's: its plugins are the only ones on, as in the hook
    with DS_LOCK, transient_settings(config) as settings:
        settings.filters["detect_secrets.filters.common.is_baseline_file"] = {
            "filename": BASELINE}
        get_filters.cache_clear()
        collection = SecretsCollection(root=str(ctx.root))
        for path in paths:
            collection.scan_file(path)  # stored by `path`, as the hook, run at the root, does
        found = list(collection)
    by_path: dict[str, list[tuple[int, str, str, str]]] = {path: [] for path in paths}
    for path, secret in found:
        by_path.setdefault(path, []).append((secret.line_number, secret.secret_hash,
                                             secret.type, secret.secret_value or ""))
    return {path: tuple(sorted(hits)) for path, hits in by_path.items()}


def _known(results: Any) -> set[tuple[str, str, str]]:
    """(file, hashed secret, type) of each secret the baseline lists: the hook's subtraction
    (detect-secrets compares these three, not the line)."""
    known: set[tuple[str, str, str]] = set()
    for path, listed in (results.items() if isinstance(results, dict) else ()):
        for entry in listed if isinstance(listed, list) else ():
            if isinstance(entry, dict):
                known.add((str(path), str(entry.get("hashed_secret")), str(entry.get("type"))))
    return known
