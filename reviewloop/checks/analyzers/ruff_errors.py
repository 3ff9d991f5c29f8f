"""Why the project's own ruff run failed, in the words ruff says to the user: about the
user's config file and its line, not about reviewloop's layer files.

The project's run reads the chain written out as layer files (`ruff_chain.written`, one TOML
line a table), and a failing tool's output is quoted by its tail (`base.OUTPUT_CHARS`): for
`ignroe = ["E501"]` in `ruff.toml` the reason began mid-way through ruff's list of expected
fields, the field and its line cut away, and for `ignore = "E501"` it pointed at
`/tmp/reviewloop-ruff-chain-…/layer0.toml` column 66 (the fuzzer's D7). Now, when that run
fails, ruff is asked once more about the chain's own files, copied at their repository paths
(`extend` resolves among them as in the checkout), and its reason is kept from its head: the
file, the line and column, the code there, and what is wrong (a list of expected fields cut
short).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from reviewloop.checks.analyzers.base import (
    OUTPUT_CHARS,
    AnalyzerContext,
    AnalyzerError,
    run_tool_logged,
)
from reviewloop.checks.analyzers.ruff_lookup import Governing
from reviewloop.checks.analyzers.ruff_run import ruff_command
from reviewloop.checks.analyzers.trusted_config import tightened_text

_EXPECTED = re.compile(r"(, expected one of (?:`[^`]*`, ){3})[^\n]*")


def explained(ctx: AnalyzerContext, config: Governing, error: AnalyzerError) -> str:
    """The reason ruff gives for refusing `config`'s chain as the checkout holds it; the
    run's own `error` when the chain's files alone pass (the failure was elsewhere)."""
    with tempfile.TemporaryDirectory(prefix="reviewloop-ruff-config-") as scratch:
        mirror = Path(scratch)
        for path, _ in config.layers or ((config.path, {}),):
            text = tightened_text(ctx, path)
            if text is not None and not path.startswith("../"):
                copy = mirror.joinpath(*path.split("/"))
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy.write_text(text, "utf-8")
        if not mirror.joinpath(*config.path.split("/")).is_file():
            return str(error)
        try:
            _, said = run_tool_logged(
                [*ruff_command(), "check", "--no-cache", "--config", config.path,
                 "--stdin-filename", "reviewloop_probe.py"], mirror, ctx.timeout,
                ok_codes=(0, 1, 2))
        except AnalyzerError:
            return str(error)
    return reason(said, str(mirror)) or str(error)


def reason(said: str, mirror: str) -> str:
    """ruff's failure `said` about the copies in `mirror`, as one line about the repository's
    files: its `Cause:` lines and the code it points at, the expected fields cut short."""
    lines = [line.strip() for line in said.replace(mirror + "/", "").splitlines()]
    kept = [line.removeprefix("Cause: ") for line in lines
            if line and line != "ruff failed" and not line.startswith("|") and
            not re.fullmatch(r"\|?\s*\^+", line)]
    shown = "; ".join(kept).replace(" | ", ": ")
    shown = _EXPECTED.sub(lambda m: m.group(1) + "…", shown)
    return shown if len(shown) <= OUTPUT_CHARS else shown[:OUTPUT_CHARS - 1] + "…"
