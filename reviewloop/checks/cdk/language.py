"""The language a CDK app is written in, told by the command its `cdk.json` runs, and what
reviewloop needs to synthesize it: the files that are its sources, and for a Python app the
project's own interpreter (its virtualenv, else `python3` on PATH).

TypeScript/JavaScript and Python apps are synthesized. A Java, C# or Go app is still an app:
its sources are its sources, and the analyzers name them as not read (`UNSUPPORTED`), never
pass them in silence. Nothing here runs anything: it reads files and PATH.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reviewloop.checks.gates.node import checkout_root


@dataclass(frozen=True)
class Language:
    """One language CDK apps are written in: the executables its `app` command starts with
    (told by name), the suffixes of the files that can change what it synthesizes, and
    whether reviewloop synthesizes it."""

    name: str
    starts: tuple[str, ...]
    suffixes: tuple[str, ...]
    synthesized: bool = True


NODE = Language("TypeScript/JavaScript", ("npx", "node", "ts-node", "tsx", "npm", "yarn",
                                          "pnpm", "bun"),
                (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json"))
PYTHON = Language("Python", ("python", "python3", "py", "pipenv", "poetry", "uv", "pdm"),
                  (".py", ".json"))
LANGUAGES = (NODE, PYTHON,
             Language("Java", ("mvn", "mvnw", "gradle", "gradlew", "java"),
                      (".java", ".json"), synthesized=False),
             Language("C#", ("dotnet",), (".cs", ".fs", ".json"), synthesized=False),
             Language("Go", ("go",), (".go", ".json"), synthesized=False))
ALL_SUFFIXES = frozenset(s for language in LANGUAGES for s in language.suffixes)
_WORD = re.compile(r"[^\s;&|()'\"]+")
_PYTHON_VERSIONED = re.compile(r"python\d+(\.\d+)?$")  # python3.11
VENVS = (".venv", "venv")
CDK_MODULE = "aws_cdk"
UNSUPPORTED = ("the CDK app in {where} is written in {language} (cdk.json runs `{command}`), "
               "which reviewloop does not synthesize: its changed files ({files}) were not "
               "read by checkov or cdk-nag; fix: synthesize it yourself (cdk synth) and run "
               "checkov -d cdk.out, or review those files by hand")


def language_of(command: str) -> Language:
    """The language of an app whose `cdk.json` runs `command`: the first word of it that
    names a known executable (`python3 app.py`, `mvn -e -q compile exec:java`,
    `.venv/bin/python app.py`); TypeScript/JavaScript when none does."""
    for word in _WORD.findall(command):
        name = PurePosixPath(word).name
        if "=" in word and "/" not in word.partition("=")[0]:
            continue  # an environment assignment before the command
        if _PYTHON_VERSIONED.match(name):
            return PYTHON
        found = next((lang for lang in LANGUAGES if name in lang.starts), None)
        if found is not None:
            return found
    return NODE


def python_env(app_dir: Path) -> Path | None:
    """The project's virtualenv for an app at `app_dir` (`.venv` or `venv` with a
    `bin/python`): in its folder, else in a folder above it up to its checkout's root (a
    run's worktree has none and borrows its checkout's, as it does `node_modules`); its real
    place, which the sandbox shows."""
    start = app_dir.resolve()
    top = checkout_root(start)
    for folder in (start, *start.parents):
        if not folder.is_relative_to(top):
            break
        for name in VENVS:
            if (folder / name / "bin" / "python").exists():
                return (folder / name).resolve()
    return None


def has_cdk(venv: Path) -> bool:
    """Whether the virtualenv `venv` has aws-cdk-lib's Python package installed."""
    return any(p.is_dir() for p in venv.glob(f"lib/python3*/site-packages/{CDK_MODULE}"))


def path_cli(path: str | None) -> Path | None:
    """The CDK CLI on PATH (`npm install -g aws-cdk`, how Python apps usually have it)."""
    found = shutil.which("cdk", path=path)
    return Path(found) if found else None
