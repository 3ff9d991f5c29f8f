"""detect-secrets' `Secret Keyword` plugin on a change's files, as a plain `detect-secrets
scan` runs it: each changed file whole, read by its type, with the default filters; a secret
on an added line is the change's.

The scan's keyword layer (`assignments`) judges a value by its shape and entropy, the same
in every file; detect-secrets' plugin reads the file's type from its extension (a YAML, INI
or TOML value needs no quotes, a Python one does), re-reads a file where that found nothing
as a config file (its eager transformers) and keeps what its filters pass. A value it
reports that the keyword layer took for a word (`PASSWORD: correcthorsebatterystaple`,
`DB_SECRET="hunter22"`, a phrase with blanks) was silently passed (fuzz round 13): every
line the plain tool reports on an added line is reported here, where no other layer found
it already, but a stand-in every layer takes for one (`changeme`, `your-password-here`,
`xxxxxxxx`: `values.looks_placeholder`, `looks_fake`). A project with a
`.secrets.baseline` runs detect-secrets by its settings instead (`ds_baseline`: its
plugins, its audited results). Its other plugins stay as `ds_layer` says (format plugins
only, entropy plugins off).

A line reaches detect-secrets only when it holds one of the plugin's keywords (its own
DENYLIST, matched as its regexes match it): loading detect-secrets costs ~0.1 s, and most
changes name no password. The analyzer and the secrets gate ask for the same files: each
file's scan is kept, keyed by its path and text (`_SCANNED`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.secrets.ds_layer import DS_LOCK, ds_rule
from reviewloop.checks.secrets.scanner import SecretHit, preview
from reviewloop.checks.secrets.values import looks_fake, looks_placeholder
from reviewloop.git.diff import FileDiff
from reviewloop.memo import TextMemo

RULE = ds_rule("Secret Keyword")  # as the baseline layer names the plugin's hits
CONFIDENCE = 0.7  # the keyword layer's
# detect-secrets' `plugins.keyword.DENYLIST`, which every one of its regexes starts from
# (case-insensitive, as they are): a necessary condition of a `Secret Keyword` on the line
KEYWORDS = re.compile(
    r"api_?key|auth_?key|service_?key|account_?key|db_?key|database_?key|priv_?key|"
    r"private_?key|client_?key|db_?pass|database_?pass|key_?pass|password|passwd|pwd|"
    r"secret|contraseña|contrasena", re.IGNORECASE)
_CONFIG = {"plugins_used": [{"name": "KeywordDetector"}]}  # the default filters with it
# (line, value) of what the plugin found in one file, by its path and text
_SCANNED: TextMemo[tuple[tuple[int, str], ...]] = TextMemo(
    20_000, from_chars=0, budget=16_000_000)


def keyword_hits(ctx: AnalyzerContext) -> list[SecretHit]:
    """The `Secret Keyword`s detect-secrets finds on the added lines of `ctx.files`."""
    added = {f.path: {a.line: a.text for a in f.added} for f in ctx.changes.files
             if f.path in ctx.file_set and _names_a_keyword(f)}
    return list(_hits(ctx, added)) if added else []


def _names_a_keyword(file: FileDiff) -> bool:
    """Whether an added line of `file` holds one of the plugin's keywords. Each holds
    `key`, `pass`, `pwd`, `secret` or `contrase`: looked for first in the case-folded diff
    of the file (`casefold` maps each character ignore-case equates with one of their
    letters, `K` and `ſ`, to it), many times cheaper than the regex on each line of a change
    that names none (Python's `pass` lines aside)."""
    folded = file.text.casefold()
    return any(word in folded for word in _LITERALS) and any(
        worth_a_look(a.text) for a in file.added)


def worth_a_look(line: str) -> bool:
    """Whether `line` holds one of the plugin's keywords (`KEYWORDS`), literals first."""
    folded = line.casefold()
    return any(word in folded for word in _LITERALS) and KEYWORDS.search(line) is not None


_LITERALS = ("key", "pass", "pwd", "secret", "contrase")


def _hits(ctx: AnalyzerContext, added: dict[str, dict[int, str]]) -> Iterator[SecretHit]:
    for path, lines in added.items():
        text = _text(ctx, path)
        if text is None:
            continue  # gone or unreadable: the other layers read its added lines
        for number, value in _SCANNED.get(f"{path}\0{text}", partial(_scan, ctx, path)):
            line = lines.get(number)
            if line is None or looks_placeholder(value) or looks_fake(value):
                # an unchanged line's, or a stand-in (`changeme`, `<password>`, `xxxxxxxx`),
                # judged as every layer judges one (`values`)
                continue
            at = line.find(value) if value else -1
            start, end = (at, at + len(value)) if at >= 0 else (0, len(line))
            yield SecretHit(rule=RULE, description="Secret Keyword (detect-secrets)",
                            path=path, line=number, column=start + 1, end_column=end + 1,
                            preview=preview(line[start:end]), confidence=CONFIDENCE,
                            start=start, end=end)


def _text(ctx: AnalyzerContext, path: str) -> str | None:
    try:
        return (ctx.root / path).read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return None


def _scan(ctx: AnalyzerContext, path: str) -> tuple[tuple[int, str], ...]:
    """`detect-secrets scan FILE` with its default settings and the keyword plugin alone."""
    try:
        from detect_secrets.core.scan import scan_file
        from detect_secrets.settings import transient_settings
    except ImportError:
        return ()
    with DS_LOCK, transient_settings(_CONFIG):
        found = list(scan_file(str(ctx.root / path)))
    return tuple(sorted({(s.line_number, s.secret_value or "") for s in found}))
