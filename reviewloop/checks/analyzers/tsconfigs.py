"""The `tsconfig.json` that gives a TypeScript file its types, and the ways it fails to load
that typescript-eslint does not say.

The project service types a file by the nearest `tsconfig.json` in its folder or above it
(`nearest`). TypeScript itself reports an `extends` it cannot follow (a package not
installed, a missing file: `eslint.py` names those from its error), but reads past a syntax
error in that tsconfig without a word — the options after it are lost, `strict` among them
— and a `references` entry naming a project that is not there leaves the files it would
have held in no project at all. Each is named here (`unloadable`): the type-aware rules did
not run as the project sets them. The syntax is TypeScript's JSON: comments and trailing
commas are allowed, an empty file is `{}`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.memo import compiled_on_first_use

NAME = "tsconfig.json"
# a string, a comment (an unclosed block comment runs to the end), or a comma before a closer
_token = compiled_on_first_use(
    r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*(?:[^*]|\*(?!/))*(?:\*/)?|,(?=(?:\s|//[^\n]*|'
    r'/\*(?:[^*]|\*(?!/))*\*/)*[}\]])')
SYNTAX = ("its {tsconfig} is not valid JSON ({problem}), and TypeScript reads past that "
          "without a word: the compiler options after it are lost, so its type-aware rules "
          "did not run as the project sets them; fix: correct {tsconfig} (`npx tsc -p "
          "{tsconfig} --showConfig` shows the error)")
REFERENCE = ("its {tsconfig} references {reference}, which is not there: TypeScript cannot "
             "load that project, and the files it would hold are typed by none; fix: add "
             "it or correct the reference")


def nearest(root: Path, path: str) -> str | None:
    """The repository path of the `tsconfig.json` nearest `path` (a repo path), inside
    `root`: the one typescript-eslint's project service starts from."""
    for folder in PurePosixPath(path).parents:
        if (root / folder / NAME).is_file():
            return (folder / NAME).as_posix()
    return None


def syntax_error(text: str) -> str | None:
    """Where `text` is not JSON as TypeScript reads a tsconfig (comments and trailing commas
    allowed, empty is `{}`): `line N: what`; None when it is."""
    if text.startswith("\ufeff"):
        text = text[1:]

    def plain(match: re.Match[str]) -> str:
        token = match.group()
        if token.startswith("/*") and not token.endswith("*/"):
            return token  # unclosed: left for the JSON parser to fail on
        if token.startswith("/"):
            return re.sub(r"[^\n]", " ", token)  # line numbers kept
        return " " if token == "," else token

    stripped = _token().sub(plain, text)
    if not stripped.strip():
        return None
    try:
        json.loads(stripped)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        message = getattr(exc, "msg", str(exc))
        return f"line {line}: {message}" if line else message
    return None


def loads_with_comments(text: str) -> Any:
    """`text` read as JSON with comments and trailing commas (TypeScript's JSON, and the
    Dev Container spec's `devcontainer.json`); ValueError where it is not that."""
    def plain(match: re.Match[str]) -> str:
        token = match.group()
        if token.startswith("/*") and not token.endswith("*/"):
            return token  # unclosed: left for the JSON parser to fail on
        return " " if token == "," or token.startswith("/") else token

    stripped = _token().sub(plain, text.removeprefix("\ufeff"))
    return json.loads(stripped)


def unloadable(root: Path, files: list[str]) -> dict[str, str]:
    """Each of `files` (repo paths of typed TypeScript files) whose nearest tsconfig has a
    syntax error or references a project that is not there, with why."""
    problems: dict[str, str | None] = {}
    found = {}
    for path in files:
        tsconfig = nearest(root, path)
        if tsconfig is None:
            continue
        if tsconfig not in problems:
            problems[tsconfig] = _problem(root, tsconfig)
        if (why := problems[tsconfig]) is not None:
            found[path] = why
    return found


def _problem(root: Path, tsconfig: str) -> str | None:
    try:
        text = (root / tsconfig).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return SYNTAX.format(tsconfig=tsconfig, problem=f"it cannot be read: {exc}")
    problem = syntax_error(text)
    if problem is not None:
        return SYNTAX.format(tsconfig=tsconfig, problem=problem)
    folder = root / PurePosixPath(tsconfig).parent
    for reference in _references(text):
        target = folder / reference
        if not (target.is_file() or (target / NAME).is_file()):
            return REFERENCE.format(tsconfig=tsconfig, reference=reference)
    return None


def _references(text: str) -> list[str]:
    """The `path` of each of a valid tsconfig's `references`."""
    stripped = _token().sub(lambda m: " " if m.group() == "," or m.group().startswith("/")
                            else m.group(), text.removeprefix("\ufeff"))
    try:
        config = json.loads(stripped) if stripped.strip() else {}
    except ValueError:
        return []
    references = config.get("references") if isinstance(config, dict) else None
    return [r["path"] for r in references or [] if isinstance(r, dict)
            and isinstance(r.get("path"), str) and r["path"]] \
        if isinstance(references, list) else []
