"""Which folders of a tree hold a CDK app (a `cdk.json` naming an `app`), the CDK CLI each
one has, and where cdk-nag comes from for it.

Nothing here runs anything: it reads files. A folder with a `cdk.json` that cannot be read
or names no `app` is still an app, with its problem said (the synth gate fails on it with the
fix), so a broken `cdk.json` is never silently not synthesized.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.provision import TOOLS, home
from reviewloop.checks.cdk.language import (
    ALL_SUFFIXES,
    NODE,
    PYTHON,
    Language,
    folder_scripts,
    has_cdk,
    language_of,
    package_scripts,
    path_cli,
    python_env,
)
from reviewloop.checks.gates.node import node_dependencies
from reviewloop.checks.json_files import json_object
from reviewloop.git.names import fits, posix_suffix

CDK_JSON = "cdk.json"
CLI = PurePosixPath("node_modules/.bin/cdk")
_CLI_IN_MODULES = PurePosixPath(".bin/cdk")
_NAG_IN_MODULES = "cdk-nag"
CLI_FIX = "add the CDK CLI to the project: npm install --save-dev aws-cdk (commit the lockfile)"
PYTHON_CLI_FIX = "install the CDK CLI (npm install -g aws-cdk, so `cdk` is on PATH), or add " \
    "it to the project (npm install --save-dev aws-cdk)"


@dataclass(frozen=True)
class CdkApp:
    """One CDK app: its folder (repo-relative, "" for the root), why it cannot be
    synthesized (None: it can), the language its `cdk.json` runs and that command."""

    folder: str
    problem: str | None = None
    language: Language = NODE
    command: str = field(default="", compare=False)
    # a Python app's virtualenv (None: `python3` on PATH)
    venv: Path | None = field(default=None, compare=False)

    def path(self, root: Path) -> Path:
        return root / self.folder if self.folder else root

    def owns(self, path: str) -> bool:
        """Whether the repo path `path` lies in this app's folder (outside node_modules)."""
        inner = PurePosixPath(path)
        if self.folder:
            if not inner.is_relative_to(self.folder):
                return False
            inner = inner.relative_to(self.folder)
        return "node_modules" not in inner.parts and "cdk.out" not in inner.parts

    def relevant(self, changed: Iterable[str]) -> bool:
        """Whether any of the changed files can change what this app synthesizes."""
        return bool(self.sources(changed))

    def sources(self, changed: Iterable[str]) -> list[str]:
        """The changed files that can change what this app synthesizes: its own, of the
        kinds its language is written in (a `.py` lambda handler of a TypeScript app is not)."""
        return [p for p in changed
                if posix_suffix(p) in self.language.suffixes and self.owns(p)]


def is_source(path: str) -> bool:
    """Whether the repo path `path` is of a kind some CDK app is written in (or configured
    by); the app's language decides (`CdkApp.sources`)."""
    return posix_suffix(path) in ALL_SUFFIXES  # asked of every changed file: no Path


def find_apps(root: Path, changed: Iterable[str] = (),
              checkout: Path | None = None) -> list[CdkApp]:
    """The CDK apps of the tree: the root's, and any whose folder holds a changed file.
    `checkout`: the repository the tree is an export of, whose installed virtualenv a
    Python app uses (None: the tree is a checkout, or a worktree inside one)."""
    found = []
    for folder in sorted(folders_of(changed)):
        if "node_modules" in PurePosixPath(folder).parts:
            continue
        config = (root / folder / CDK_JSON) if folder else root / CDK_JSON
        if fits(root, f"{folder}/{CDK_JSON}") and config.is_file():  # no checkout has a
            # folder whose name is too long (`review.matrix` names its files)
            found.append(_app(folder, config, checkout, root))
    return found


def folders_of(paths: Iterable[str]) -> set[str]:
    """"" and every folder above each of `paths` (`PurePosixPath.parents`, "." left out),
    one `Path` a folder, not a file: asked of every changed file by two analyzers."""
    folders = {""}
    seen: set[str] = set()  # folders whose parents are in `folders` already
    for path in paths:
        folder, _, name = path.rpartition("/")
        if folder[:1] not in ("", "/") and folder[-1] != "/" and name not in ("", "."):
            if folder in seen:  # a name in a relative folder: the folder's parents, and it
                continue
            seen.add(folder)
            parents: Iterable[PurePosixPath] = (PurePosixPath(folder),
                                                *PurePosixPath(folder).parents)
        else:  # "/x", "a/", "a/.", "//a": as `PurePosixPath` reads them
            parents = PurePosixPath(path).parents
        folders.update(p.as_posix() for p in parents if p.as_posix() != ".")
    return folders


def _app(folder: str, config: Path, checkout: Path | None, root: Path) -> CdkApp:
    where = f"{folder}/{CDK_JSON}" if folder else CDK_JSON
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return CdkApp(folder, f"{where} cannot be read as JSON ({exc}); fix it so `cdk synth` "
                              "can read it")
    if not isinstance(data, dict) or not isinstance(data.get("app"), str) \
            or not data["app"].strip():
        return CdkApp(folder, f'{where} names no "app"; fix: add the command that runs the '
                              'app, e.g. "app": "npx ts-node --prefer-ts-exts bin/app.ts"')
    language = language_of(data["app"], package_scripts(config.parent),
                           folders=folder_scripts(config.parent, root))
    command = data["app"].strip()
    if language is PYTHON:
        venv = python_env(config.parent) or \
            (python_env(checkout / folder) if checkout is not None else None)
        return CdkApp(folder, _python_problem(where, config.parent, venv), language, command,
                      venv)
    problem = None
    if language is NODE and cli_path(config.parent) is None:
        problem = f"{where}: the project has no CDK CLI ({(Path(folder) / CLI).as_posix()} " \
                  f"is missing); fix: {CLI_FIX}, and install the dependencies (npm ci)"
    return CdkApp(folder, problem, language, command)


def _python_problem(where: str, app_dir: Path, venv: Path | None) -> str | None:
    """What keeps a Python app from synthesizing that files tell: no CDK CLI, or a
    virtualenv without aws-cdk-lib (without one, the synth asks `python3` on PATH)."""
    if cli(app_dir, PYTHON) is None:
        return f"{where}: no CDK CLI for this Python app (`cdk` is not on PATH and " \
               f"node_modules/.bin/cdk is missing); fix: {PYTHON_CLI_FIX}"
    if venv is not None and not has_cdk(venv):
        return f"{where}: the project's virtualenv {venv} has no aws-cdk-lib (no module " \
               f"aws_cdk), so the app cannot run; fix: {venv}/bin/pip install -r " \
               "requirements.txt (or pip install aws-cdk-lib constructs) in it"
    return None


def cli(app_dir: Path, language: Language) -> Path | None:
    """The CDK CLI a synth of this app runs: the project's own, else for a Python app the
    one on PATH."""
    return cli_path(app_dir) or (path_cli(None) if language is PYTHON else None)


def modules_of(app_dir: Path) -> tuple[Path, ...]:
    """The `node_modules` folders the app's packages come from, nearest first: its own, then
    those Node's resolution reaches above it (a run's worktree has none of its own and
    borrows its checkout's, which the sandbox shows read-only)."""
    own = app_dir / "node_modules"
    return ((own,) if own.is_dir() else ()) + node_dependencies(app_dir)


def cli_path(app_dir: Path) -> Path | None:
    """The project's CDK CLI (`node_modules/.bin/cdk`, from `aws-cdk`), or None."""
    return next((m / _CLI_IN_MODULES for m in modules_of(app_dir)
                 if (m / _CLI_IN_MODULES).exists()), None)


def project_nag(app_dir: Path) -> Path | None:
    """The project's own cdk-nag (a dependency in its node_modules), or None."""
    return next((m / _NAG_IN_MODULES for m in modules_of(app_dir)
                 if (m / _NAG_IN_MODULES / "package.json").is_file()), None)


def nag_folder(app_dir: Path, provisioned: Path | None = None) -> Path | None:
    """Where cdk-nag comes from for this app: its own node_modules first (it resolves the
    app's aws-cdk-lib by itself), else the `provisioned` one; None: cdk-nag does not run."""
    return project_nag(app_dir) or provisioned


def nag_version(folder: Path) -> str | None:
    version = json_object(folder / "package.json").get("version")
    return version if isinstance(version, str) else None


def provisioned_nag() -> Path | None:
    """The cdk-nag folder reviewloop provisions for apps that do not depend on it (the npm
    tool `cdk-nag` of `reviewloop.checks.analyzers.provision`, once `reviewloop tools install
    cdk-nag` or an earlier review cached it; its aws-cdk-lib is the app's); None: cdk-nag then
    runs only for apps that have it, and the analyzer says so for the others."""
    folder = home(TOOLS["cdk-nag"])
    return folder / "node_modules" / "cdk-nag" if folder is not None else None


def nag_for(app_dir: Path) -> Path | None:
    """The cdk-nag folder every synth of this app runs with (gate and analyzers agree, so
    one synth serves both)."""
    return nag_folder(app_dir, provisioned_nag())
