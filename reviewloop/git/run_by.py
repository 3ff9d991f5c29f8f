"""Changed files of no language of their own that the repository itself runs or loads as one.

A file's language is told by its name or shebang (`git.languages`); a suffix-less file
without a shebang — a shell library, `scripts/migrate` — is run as a language only by what
calls it: `. ./lib/helpers` or `source lib/env.conf` in a shell script, `python3
scripts/migrate` in a Makefile recipe, a package.json script, a workflow's `run:` or a
Dockerfile's `RUN`, `bash ci/build`, `./tools/setup` (no shebang: the shell running it reads
it), `require('./lib/handler')` in JavaScript (node loads a file of any other suffix as
CommonJS). Such a file is that language to the analyzers (`review.evidence`), with its caller
named (`Caller`), as a Dockerfile under another name the repository builds is
(`checks.analyzers.dockerfile_builds`).

The callers are found with one `git grep` over the reviewed tree for the candidates' names
(its ignored files left out), and only when the change has a candidate: a change of files
that all have a language pays nothing. A path is resolved from the caller's folder or the
tree's root; one spelt through an expansion (`"$DIR"/lib/helpers`, `$(dirname "$0")/x`,
`~/aliases`) or, in a Dockerfile, from the image's root (`sh /setup`), by its literal tail:
the candidate whose path ends with it. A file whose only marker is an editor's modeline or a
shellcheck directive (`git.modelines`) is that language as well.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from reviewloop.git.command import GitCommand
from reviewloop.git.command_words import runs
from reviewloop.git.dockerfile_names import dockerfile_name
from reviewloop.git.languages import JAVASCRIPT, OTHER_KINDS, SHELL, head, language
from reviewloop.git.modelines import by_modeline
from reviewloop.git.names import joined, name_suffix, on_disk, posix_name, under
from reviewloop.git.reads import batched, derived, read_bytes

# a caller's kind by its name: how its lines hold commands
_WORKFLOW = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$", re.IGNORECASE)
_MAKEFILE = re.compile(r"^(?:GNUmakefile|[Mm]akefile|[\w.-]+\.mk)$")
_JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
# `require('./x')`, `import … from './x'`, `import './x'`, `import('./x')`: a relative path
_LOADED = re.compile(r"""(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bfrom\s+|^\s*import\s+)"""
                     r"""(['"])(\.\.?/[^'"\n]+)\1""", re.MULTILINE)
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_YAML_RUN = re.compile(r"^\s*(?:-\s*)?run\s*:\s*[|>]?[-+]?\s*")
_RECIPE = re.compile(r"^\t[@+-]*")
_DOCKER_RUN = re.compile(r"^\s*RUN\s+(?:--\S+\s+)*", re.IGNORECASE)
_EXPANSION = ("$", "`", "~")
_FOLDER, _ANYWHERE, _IMAGE = "folder", "anywhere", "image"  # where a path is from
# what node loads by its own rule, not as JavaScript
_NOT_CODE = (".json", ".node")
_MAX_LINE = 2_000  # of a caller's line read: a longer one is data
# Over this many names, git grep -F's patterns cost more than the lines of every call: 0.08 s
# of CPU for 200 names over 10,000 files, 0.76 s for 1,000, 8.4 s for 5,000 (one caller
# syntax: 0.07 s). Past it the lines that may call a file are read instead, and matched by
# name here (`_resolved`); a path run as a command through an expansion alone is not one.
MANY_NAMES = 256
_CALLING = (r"(^|[^[:alnum:]_.-])(source|\.|python[0-9.]*|pypy[0-9.]*|[bd]?a?sh|ksh|zsh|"
            r"busybox|node|nodejs|ts-node|tsx|bun|deno|run|require|import|from)"
            r"([[:space:](]|$)|\.\.?/")


class Caller(NamedTuple):
    """What runs a changed file as a language: the language, the caller's `path:line`, and
    the shell dialect a shell script is run with (None: not a shell script)."""

    language: str
    where: str
    dialect: str | None = None


def run_by(root: Path, paths: Sequence[str], *, many: int = MANY_NAMES) -> dict[str, Caller]:
    """{path: its `Caller`} for each of `paths` (changed files of no language of their own)
    that the tree at `root` runs or loads as a language; in a review's batch, found once.
    `many`: past this many names the lines of a call are searched for, not the names."""
    candidates = tuple(sorted(p for p in paths if _candidate(p)))
    if not candidates:
        return {}
    return dict(derived(root, (__name__, candidates, many),
                        lambda: _found(root, candidates, many)))


def _candidate(path: str) -> bool:
    """Whether a caller could make `path` code: no suffix a kind of its own has (`.md`)."""
    name = posix_name(path)
    return "\n" not in name and name_suffix(name).lower() not in OTHER_KINDS


def _found(root: Path, candidates: tuple[str, ...], many: int) -> dict[str, Caller]:
    found: dict[str, Caller] = {}
    for path in candidates:
        if (told := by_modeline(_text(root, path))) is not None:
            found[path] = Caller(told[0], f"{path}:{told[1]}", told[2])
    wanted = [p for p in candidates if p not in found]
    by_name: dict[str, list[str]] = {}
    for path in wanted:
        by_name.setdefault(posix_name(path), []).append(path)
    if not by_name:
        return found
    shells: dict[str, str | None] = {}
    for caller, number, text in _mentions(root, sorted(by_name), many):
        for word, lang, dialect, where in _loads(root, caller, text, shells):
            for path in _resolved(word, caller, by_name, where):
                found.setdefault(path, Caller(lang, f"{caller}:{number}", dialect))
    return found


def _text(root: Path, path: str) -> str:
    """The start of the candidate `path`: in a review's batch, from the one read of it the
    other steps share (`git.reads`)."""
    try:
        if batched(root):
            return read_bytes(root, joined(str(root), on_disk(path)))[:_HEAD].decode(
                "utf-8", "replace")
        with under(root, path).open("rb") as handle:
            return handle.read(_HEAD).decode("utf-8", "replace")
    except OSError:
        return ""


# of a candidate read for a modeline: vim reads its first and last lines, so a modeline at
# the end of a longer file is not seen
_HEAD = 64_000


def _mentions(root: Path, names: list[str], many: int) -> Iterator[tuple[str, int, str]]:
    """(file, line number, line) of every line of the tree naming one of `names`, binaries
    left out: a head commit's export read whole, git grep's `--no-index`; a checkout's
    tracked files and its untracked ones but those it ignores (a tracked file is read
    whatever a `.gitignore` the change writes says: `--untracked` alone passes it over)."""
    given = "".join(f"{n}\n" for n in names).encode("utf-8", "surrogateescape")
    grep = ["git", "grep", "-I", "-n", "-z", "-F", "-f", "-"]
    if len(names) > many:  # git grep -F's time grows with its patterns: the lines of a caller
        grep, given = ["git", "grep", "-I", "-n", "-z", "-E", "-e", _CALLING], b""
    runs = [[*grep, "--", "."], [*grep, "--untracked", "--", "."]] \
        if os.path.exists(root / ".git") else [[*grep, "--no-index", "--", "."]]
    seen: set[bytes] = set()
    for argv in runs:
        status, out, _ = GitCommand(root).run(argv, given=given)
        if status in (0, 1):
            yield from _lines(out, seen)


def _lines(out: bytes, seen: set[bytes]) -> Iterator[tuple[str, int, str]]:
    """git grep's `-n -z` records, each once over the runs whose output `seen` saw."""
    for record in out.split(b"\n"):
        if record in seen:
            continue
        seen.add(record)
        file, _, rest = record.partition(b"\0")
        number, _, line = rest.partition(b"\0")
        if number.isdigit() and len(line) <= _MAX_LINE:
            yield (os.fsdecode(file).removeprefix("./"), int(number),
                   line.decode("utf-8", "replace"))


def _loads(root: Path, caller: str, text: str, shells: dict[str, str | None]
           ) -> Iterator[tuple[str, str, str | None, str]]:
    """(path word, language, dialect, where the path is from: `_FOLDER`, `_ANYWHERE` or
    `_IMAGE`) of what the line `text` of the file `caller` runs or loads."""
    name = posix_name(caller)
    if name.endswith(_JS_SUFFIXES):
        for match in _LOADED.finditer(text):
            if not match.group(2).endswith(_NOT_CODE):
                yield match.group(2), JAVASCRIPT, None, _FOLDER
        return
    commands, shell, image = _commands(root, caller, name, text, shells)
    for command in commands:
        for run in runs(command, shell):
            yield run.word, run.language, run.dialect, _IMAGE if image else _ANYWHERE


def _commands(root: Path, caller: str, name: str, text: str, shells: dict[str, str | None]
              ) -> tuple[list[str], str, bool]:
    """(the commands the line holds, the shell that runs them, whether in an image)."""
    if _WORKFLOW.match(caller):
        return [_YAML_RUN.sub("", text)], "bash", False
    if _MAKEFILE.match(name):
        return ([_RECIPE.sub("", text)] if text.startswith("\t") else []), "sh", False
    if name == "package.json":  # each string on the line may be a script: keys run nothing
        strings = (_json_string(m.group(0)) for m in _JSON_STRING.finditer(text))
        return [s for s in strings if s], "sh", False
    if dockerfile_name(name):
        return [_DOCKER_RUN.sub("", text)], "sh", True
    if caller not in shells:  # a file naming many candidates is looked at once
        shells[caller] = _shell(root, caller)
    shell = shells[caller]
    return ([text] if shell else []), shell or "sh", False


def _shell(root: Path, caller: str) -> str | None:
    """The dialect of the shell script `caller` (bash or sh), or None: no shell script."""
    start = head(under(root, caller))
    if language(caller, start) != SHELL:
        return None
    first = start[:128].split(b"\n", 1)[0]
    return "bash" if b"bash" in first or caller.endswith(".bash") else "sh"


def _json_string(literal: str) -> str | None:
    try:
        value = json.loads(literal)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def _resolved(word: str, caller: str, by_name: Mapping[str, list[str]], where: str
              ) -> list[str]:
    """The candidates the path `word`, written in `caller`, names: from the caller's folder,
    or for a command (run from anywhere) the tree's root too; through an expansion, or from
    an image's root, by its literal tail."""
    named = by_name.get(posixpath.basename(word))
    if not named or not word or word.endswith("/"):
        return []
    parts = word.split("/")
    literal = [i for i, part in enumerate(parts) if part.startswith(_EXPANSION) or "$" in part]
    if literal:  # `"$DIR"/lib/x`: the candidates ending with `lib/x`
        tail = parts[literal[-1] + 1:]
        return [p for p in named if tail and p.split("/")[-len(tail):] == tail]
    if word.startswith("/"):  # `/src/tools/gen` in an image: copied there from the tree
        tail = [p for p in parts if p not in ("", ".")]
        return [p for p in named if where == _IMAGE and _either_ends(p.split("/"), tail)]
    here = posixpath.dirname(caller)
    places = {posixpath.normpath(posixpath.join(here, word)),
              posixpath.normpath(word) if where != _FOLDER else ""}
    return [p for p in named if p in places]


def _either_ends(one: list[str], other: list[str]) -> bool:
    """Whether one of two paths' parts ends the other's."""
    shorter = min(len(one), len(other))
    return one[-shorter:] == other[-shorter:]
