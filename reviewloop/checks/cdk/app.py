"""Which folders of a tree hold a CDK app (a `cdk.json` naming an `app`), the CDK CLI each
one has, and where cdk-nag comes from for it.

Nothing here runs anything: it reads files. A folder with a `cdk.json` that cannot be read
or names no `app` is still an app, with its problem said (the synth gate fails on it with the
fix), so a broken `cdk.json` is never silently not synthesized.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.provision import TOOLS, home
from reviewloop.checks.gates.node import node_dependencies
from reviewloop.git.names import posix_suffix

CDK_JSON = "cdk.json"
CLI = PurePosixPath("node_modules/.bin/cdk")
_CLI_IN_MODULES = PurePosixPath(".bin/cdk")
_NAG_IN_MODULES = "cdk-nag"
CLI_FIX = "add the CDK CLI to the project: npm install --save-dev aws-cdk (commit the lockfile)"
# Files of an app whose change can change what it synthesizes.
SOURCE_SUFFIXES = (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json")


@dataclass(frozen=True)
class CdkApp:
    """One CDK app: its folder (repo-relative, "" for the root), and why it cannot be
    synthesized (None: it can)."""

    folder: str
    problem: str | None = None

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
        return any(is_source(p) and self.owns(p) for p in changed)


def is_source(path: str) -> bool:
    """Whether the repo path `path` is of a kind a CDK app is written in (or configured by)."""
    return posix_suffix(path) in SOURCE_SUFFIXES  # asked of every changed file: no Path


def find_apps(root: Path, changed: Iterable[str] = ()) -> list[CdkApp]:
    """The CDK apps of the tree: the root's, and any whose folder holds a changed file."""
    found = []
    for folder in sorted(folders_of(changed)):
        if "node_modules" in PurePosixPath(folder).parts:
            continue
        config = (root / folder / CDK_JSON) if folder else root / CDK_JSON
        if config.is_file():
            found.append(CdkApp(folder, _problem(root, folder, config)))
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


def _problem(root: Path, folder: str, config: Path) -> str | None:
    where = f"{folder}/{CDK_JSON}" if folder else CDK_JSON
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return f"{where} cannot be read as JSON ({exc}); fix it so `cdk synth` can read it"
    if not isinstance(data, dict) or not isinstance(data.get("app"), str) \
            or not data["app"].strip():
        return f'{where} names no "app"; fix: add the command that runs the app, e.g. ' \
               '"app": "npx ts-node --prefer-ts-exts bin/app.ts"'
    if cli_path(config.parent) is None:
        return f"{where}: the project has no CDK CLI ({(Path(folder) / CLI).as_posix()} " \
               f"is missing); fix: {CLI_FIX}, and install the dependencies (npm ci)"
    return None


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
    try:
        data = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
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
