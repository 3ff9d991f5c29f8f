"""The language a CDK app is written in, told by the command its `cdk.json` runs, and what
reviewloop needs to synthesize it: the files that are its sources, and for a Python app the
project's own interpreter (its virtualenv, else `python3` on PATH).

TypeScript/JavaScript and Python apps are synthesized. A Java, C# or Go app is still an app:
its sources are its sources, and the analyzers name them as not read (`UNSUPPORTED`), never
pass them in silence. So is an app started by a program no language here names (`make
synth`, `./synth.sh`, `deno run main.ts`): it is not taken for TypeScript, whose synth would
read nothing of a Python app's; it is `UNKNOWN`, its sources those of every language, named
as not read with the launchers that are known (`UNRECOGNISED`). Nothing here runs anything:
it reads files and PATH.
"""

from __future__ import annotations

import posixpath
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reviewloop.checks.cdk.launcher import program, started
from reviewloop.checks.cdk.runners import HERE, RUNNERS, UNTOLD, Untold, script_name
from reviewloop.checks.gates.node import checkout_root
from reviewloop.checks.json_files import json_object
from reviewloop.git.names import posix_suffix

UNSUPPORTED = ("the CDK app in {where} is written in {language} (cdk.json runs `{command}`), "
               "which reviewloop does not synthesize: its changed files ({files}) were not "
               "read by checkov or cdk-nag; fix: synthesize it yourself (cdk synth) and run "
               "checkov -d cdk.out, or review those files by hand")


@dataclass(frozen=True)
class Language:
    """One language CDK apps are written in: the programs its `app` command starts it with
    (told by name), the suffixes of the files that can change what it synthesizes (a script
    the command runs itself, `./app.py`, is told by its own), whether reviewloop synthesizes
    it, and what the analyzers say of an app it does not."""

    name: str
    starts: tuple[str, ...]
    suffixes: tuple[str, ...]
    synthesized: bool = True
    unsupported: str = UNSUPPORTED  # formatted with where, language, command, files


NODE = Language("TypeScript/JavaScript", ("npx", "node", "ts-node", "ts-node-esm", "tsx",
                                          "npm", "yarn", "pnpm", "bun", "bunx"),
                (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json"))
PYTHON = Language("Python", ("python", "python3", "py", "pypy", "pypy3", "pipenv", "poetry",
                             "uv", "pdm", "hatch", "rye", "conda"), (".py", ".json"))
LANGUAGES = (NODE, PYTHON,
             Language("Java", ("mvn", "mvnw", "gradle", "gradlew", "java"),
                      (".java", ".json"), synthesized=False),
             Language("C#", ("dotnet",), (".cs", ".fs", ".json"), synthesized=False),
             Language("Go", ("go",), (".go", ".json"), synthesized=False))
ALL_SUFFIXES = frozenset(s for language in LANGUAGES for s in language.suffixes)
UNRECOGNISED = (
    "reviewloop cannot tell the language of the CDK app in {where} from the program its "
    "cdk.json starts it with (`{command}`), so it did not synthesize it: its changed files "
    "({files}) were not read by checkov or cdk-nag; fix: start it in cdk.json with a launcher "
    "reviewloop knows (" + "; ".join(f"{lang.name}: {', '.join(lang.starts)}" for lang in
                                     (NODE, PYTHON)) +
    ", or the app's own .py/.ts/.js file), or synthesize it yourself (cdk synth) and run "
    "checkov -d cdk.out")
# an app whose program no language names: a source of any language may be its
UNKNOWN = Language("a language its cdk.json's `app` does not tell", (),
                   tuple(sorted(ALL_SUFFIXES)), synthesized=False, unsupported=UNRECOGNISED)
_PYTHON_VERSIONED = re.compile(r"python\d+(\.\d+)?$")  # python3.11
VENVS = (".venv", "venv")
CDK_MODULE = "aws_cdk"
# a folder as a runner's folder option names it (relative to the app's) → the scripts of its
# package.json; None when it cannot be told which folder that is, or it has none
Folders = Callable[[str], Mapping[str, str] | None]


def language_of(command: str, scripts: Mapping[str, str] | None = None,
                depth: int = 4, *, folders: Folders | None = None) -> Language:
    """The language of an app whose `cdk.json` runs `command`, told by the program that
    starts the app (`launcher.program`): one a language names (`python3 app.py`, `mvn -e -q
    compile exec:java`, `.venv/bin/python app.py`, `cd infra && npx ts-node bin/app.ts`), or
    the app's own script (`./app.py`); `UNKNOWN` when neither tells it. A package runner
    running one of the app's package.json `scripts` (`npm run synth`) is told by what that
    script starts: `python3 app.py` is a Python app (fuzz7 D3: it was taken for TypeScript,
    whose sources leave the changed `.py` files out); so is one running another folder's
    (`npm --prefix infra run synth`) by that folder's script, which `folders` reads. One
    whose options hide which script, or whose (`npm -w a run synth`, a folder `folders`
    cannot read), is `UNKNOWN`."""
    def read(folder: str) -> Mapping[str, str] | None:
        if folder == HERE:
            return scripts
        return folders(folder) if folders is not None else None
    return _language(command, read, depth if scripts or folders is not None else 0)


def _language(command: str, read: Folders, depth: int) -> Language:
    found = _script(command, read) if depth else None
    if isinstance(found, Untold):
        return UNKNOWN
    if found is not None:
        run, folder = found
        return _language(run, lambda sub: read(_joined(folder, sub)), depth - 1)
    name = program(command)
    if name is None:
        return UNKNOWN
    if _PYTHON_VERSIONED.match(name):
        return PYTHON
    found_lang = next((lang for lang in LANGUAGES if name in lang.starts), None)
    suffix = posix_suffix(name)
    if found_lang is None and suffix != ".json":  # a script run by its shebang: `./app.py`
        found_lang = next((lang for lang in (NODE, PYTHON) if suffix in lang.suffixes), None)
    return found_lang or UNKNOWN


def script_of(command: str, scripts: Mapping[str, str] | None) -> str | Untold | None:
    """The package.json script `command` runs through a package runner, if it runs one;
    `UNTOLD` when which one, or whose, the runner's options do not tell
    (`runners.script_name`)."""
    found = _script(command, lambda folder: scripts if folder == HERE else None)
    return found[0] if isinstance(found, tuple) else found


def _script(command: str, read: Folders) -> tuple[str, str] | Untold | None:
    """(the script `command` runs through a package runner, the folder it runs in) if it
    runs one; `UNTOLD` when which one, or whose, cannot be told. A runner with no script of
    that name (or no scripts at all) in the app's own folder is told by itself."""
    found = started(command)
    if found is None or found[0] not in RUNNERS:
        return None
    script = script_name(RUNNERS[found[0]], found[1])
    if script is None or isinstance(script, Untold):
        return script
    folder = _joined(HERE, script.folder)
    table = read(folder)
    if table is None and folder != HERE:
        return UNTOLD  # another folder, and which, or its scripts, cannot be told
    run = table.get(script.name) if table else None
    return (run, folder) if run is not None else None


def _joined(folder: str, sub: str) -> str:
    """Folder `sub` as written in a script that runs in `folder` (both relative to the
    app's), normalised; an absolute one as it is."""
    return posixpath.normpath(posixpath.join(folder, sub)) if sub else folder


def package_scripts(folder: Path) -> dict[str, str]:
    """The `scripts` of the package.json in `folder` (none where it has none or it does not
    read)."""
    scripts = json_object(folder / "package.json").get("scripts")
    return {k: v for k, v in scripts.items() if isinstance(v, str)} \
        if isinstance(scripts, dict) else {}


def folder_scripts(app_dir: Path, root: Path) -> Folders:
    """The scripts of the package.json in a folder a runner's option names, relative to the
    app's folder `app_dir`, in the tree at `root`; None for a folder that cannot be told (a
    variable, `~`, an absolute path, one outside the tree) or has no package.json."""
    top = root.resolve()

    def read(folder: str) -> Mapping[str, str] | None:
        if not folder or folder.startswith(("/", "~")) or any(c in folder for c in "$`%"):
            return None
        place = (app_dir / folder).resolve()
        if not place.is_relative_to(top) or not (place / "package.json").is_file():
            return None
        return package_scripts(place)
    return read


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
