"""Escaped keys of a YAML or JSON file, spelled plainly for checkov on the same lines.

checkov looks for its frameworks' key words in a file's raw text before it parses it
(`apiVersion` and `kind`, `Resources`, `$schema`, `openapi`…): a key written with an
escape (JSON's `"\\u0061piVersion"`, YAML's double-quoted `"\\x6bind"`, `"R\\u0065sources"`)
parses to the same document, which kubectl applies and CloudFormation deploys, but its word
is not in the raw text, and plain checkov skips the file without a word. So a file's kind is
told from its text with each escaped key spelled as it parses (`plain`), and checkov is
given a copy so spelled (`unescaped_files`): every key on its own line, a finding on the
file's own lines. A key its format does not decode (a bad escape) stays as written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

from reviewloop.git.names import under

# a quoted string on one line (a double-quoted one's escapes whole, `\\"` too), scanned
# left to right, so a quote inside a string starts nothing; a `:` after one makes it a key
_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\n]|\'\')*\'')
_KEY_AFTER = re.compile(r"[ \t]*:")


def plain(path: str, text: str) -> str:
    """`text` with each double-quoted key holding an escape spelled as its format decodes it
    (JSON's for a `.json` file, YAML's double-quoted scalar's for the others), on the same
    line; `text` itself when it holds none (the usual case: no backslash)."""
    if "\\" not in text:
        return text
    json_file = PurePosixPath(path).suffix.lower() == ".json"
    pieces: list[str] = []
    last = 0
    for found in _QUOTED.finditer(text):
        written = found.group()
        if not written.startswith('"') or "\\" not in written \
                or not _KEY_AFTER.match(text, found.end()):
            continue
        key = _decoded(written, json_file)
        if key is None:
            continue
        pieces += [text[last:found.start()], json.dumps(key, ensure_ascii=False)]
        last = found.end()
    return "".join(pieces) + text[last:] if pieces else text


def _decoded(written: str, json_file: bool) -> str | None:
    """The string the double-quoted `written` stands for, or None when it does not decode
    (or, decoded, holds a line break: it would move the lines after it)."""
    key: object
    try:
        key = json.loads(written)
    except ValueError:
        if json_file:
            return None
        import yaml

        try:
            key = yaml.safe_load(written)
        except (yaml.YAMLError, ValueError):
            return None
    return key if isinstance(key, str) and "\n" not in key and "\r" not in key else None


def unescaped_files(given: dict[str, str], links: dict[str, str], targets: dict[str, str],
                    at: Path, view: Path, kinds: frozenset[str]
                    ) -> tuple[dict[str, str], dict[str, str]]:
    """`given` and `links` (the staged run's) with each file among `targets` of one of
    `kinds` whose `plain` spelling differs given as that copy, under its own name in `view`,
    read as the file."""
    given, links = dict(given), dict(links)
    for index, (path, kind) in enumerate(targets.items()):
        if kind not in kinds or path not in given:
            continue
        source = under(at, path)
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # unread as it is: `checkov_reads` tells
        copy = plain(path, text)
        if copy == text:
            continue
        made = view / str(index) / source.name
        made.parent.mkdir(parents=True, exist_ok=True)
        made.write_text(copy, encoding="utf-8")
        given.pop(path)
        given[str(made)], links[str(made)] = kind, str(source)
    return given, links
