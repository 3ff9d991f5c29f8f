"""The rule configs a linted file's own `/* eslint rule: "error" */` comments give, for the
project's run (`project-lint.mjs`): plain `eslint .` runs the rules such a comment switches on,
and the project's run, with inline configuration off (which `eslint-disable` comments count is
reviewloop's to decide, `checks.suppressions`), never ran them.

Only a comment the trusted side wrote counts (`eslint_env.trusted_comments`: each of its lines
one the change left alone, the base's copy holding the very same comment): one the change
writes could give a rule the project configures options of its own (`no-restricted-imports:
["error", "lodash"]` in place of the project's list). What such a comment switches off stays a
waiver, decided with the other markers; here only the rules it switches on are handed on.
"""

from __future__ import annotations

from reviewloop.checks.analyzers import eslint_directives as directives
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.eslint_env import trusted_comments, want_base_copies
from reviewloop.checks.suppressions.js_lexer import js_comments
from reviewloop.git.names import under

MAX_BYTES = 1_000_000  # a larger file's comments are not searched
MAX_CONFIG = 20_000  # characters of one file's comment configs handed on


def trusted_configs(ctx: AnalyzerContext, files: list[str]) -> dict[str, list[str]]:
    """Each of `files` → the configs (`no-restricted-imports: ["error", "child_process"]`,
    as ESLint's comment parser reads them) of its `/* eslint … */` comments the trusted side
    wrote, in their order."""
    found: dict[str, list[str]] = {}
    written = {name: configs for name in files if (configs := _written(ctx, name))}
    want_base_copies(ctx, written)  # their bases read together
    for name, configs in written.items():
        trusted = trusted_comments(ctx, name)
        kept = [config for first, comment, config in configs if trusted(first, comment)]
        if kept and sum(map(len, kept)) <= MAX_CONFIG:
            found[name] = kept
    return found


def _written(ctx: AnalyzerContext, name: str) -> list[tuple[int, str, str]]:
    """`_configs` of the file `name` of `ctx`'s tree; none when it is unread or too large."""
    try:
        text = under(ctx.root, name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    if len(text) > MAX_BYTES or "eslint" not in text:
        return []
    return _configs(text.replace("\r\n", "\n").replace("\r", "\n"))  # as `trusted_comments`


def _configs(text: str) -> list[tuple[int, str, str]]:
    """(first line, the comment, its config) of each closed `/* eslint … */` comment."""
    found = []
    for start, end in js_comments(text):
        body = directives.block_body(text, start, end)
        directive = directives.parse(body) if body is not None else None
        if directive is not None and directive[0] == "eslint" and directive[1]:
            found.append((text.count("\n", 0, start) + 1, text[start:end], directive[1]))
    return found
