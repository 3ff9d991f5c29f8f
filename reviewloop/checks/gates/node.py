"""Node projects: the package manager the lockfile names, the build and test commands it runs,
and the installed dependencies a run's worktree borrows.

The lockfile decides: package-lock.json (or npm-shrinkwrap.json) → npm, pnpm-lock.yaml → pnpm,
yarn.lock → yarn (classic, or berry when the lockfile has berry's `__metadata`), bun.lock /
bun.lockb → bun; none → npm. Build: the package's `build` script, else `tsc --noEmit` when
there is a `tsconfig.json` and the package depends on `typescript`. Tests: the `test` script.

A run works in a git worktree under `<checkout>/.reviewloop/worktrees/<run>`, where the
ignored `node_modules` is absent. Node's resolution (and npm's `node_modules/.bin` search)
walks up from the worktree and finds the checkout's; the sandbox hides `$HOME` and `/tmp`,
where checkouts live, so `node_dependencies` names those folders for it to show, read-only —
up to the checkout's root, never a `node_modules` above it.
Nothing is written into the checkout.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

PackageManager = Literal["npm", "pnpm", "yarn", "yarn-berry", "bun"]
# What `npm init` writes into "scripts.test": a placeholder, not a test suite.
NPM_PLACEHOLDER = "no test specified"
_LOCKFILES: tuple[tuple[str, PackageManager], ...] = (
    ("package-lock.json", "npm"), ("npm-shrinkwrap.json", "npm"),
    ("pnpm-lock.yaml", "pnpm"), ("yarn.lock", "yarn"), ("bun.lock", "bun"),
    ("bun.lockb", "bun"))
# How each manager runs a script ({} is its name); `bun test` would be bun's own runner.
_RUN: dict[PackageManager, str] = {
    "npm": "npm run {} --silent", "pnpm": "pnpm run --silent {}", "yarn": "yarn --silent run {}",
    "yarn-berry": "yarn run {}", "bun": "bun run {}"}
# What goes between a script call and arguments meant for the script: npm keeps the ones
# before `--` for itself; pnpm 7+, yarn and bun pass on whatever follows the script's name.
FORWARD: dict[str, str] = {"npm": " --", "pnpm": "", "yarn": "", "bun": ""}
# A binary of the project's own dependencies, never one fetched from the registry.
_EXEC: dict[PackageManager, str] = {
    "npm": "npx --no --", "pnpm": "pnpm exec", "yarn": "yarn --silent run",
    "yarn-berry": "yarn run", "bun": "bun run"}


@dataclass(frozen=True)
class NodeProject:
    """What a package.json and its lockfile say about building and testing the package."""

    manager: PackageManager
    lockfile: str | None  # None: no lockfile, npm by default
    build: tuple[str, ...] = ()
    test: tuple[str, ...] = ()
    evidence: str = ""


def package_manager(root: Path) -> tuple[PackageManager, str | None]:
    """The package manager the lockfile in `root` names, and that lockfile; npm without one."""
    for name, manager in _LOCKFILES:
        path = root / name
        if path.is_file():
            if manager == "yarn" and _is_berry(path):
                return "yarn-berry", name
            return manager, name
    return "npm", None


def node_project(root: Path) -> NodeProject | None:
    """The build and test commands of the package at `root`; None without a readable
    package.json or with neither a build nor a test to run."""
    manifest = read_manifest(root)
    if manifest is None:
        return None
    manager, lockfile = package_manager(root)
    found = manifest.get("scripts")
    scripts: dict = found if isinstance(found, dict) else {}
    test_script = scripts.get("test")
    has_test = isinstance(test_script, str) and test_script.strip() != "" \
        and NPM_PLACEHOLDER not in test_script
    build: tuple[str, ...] = ()
    said = [f"{lockfile or 'no lockfile'} → {_display(manager)}"]
    if isinstance(scripts.get("build"), str):
        build = (_RUN[manager].format("build"),)
        said.append("scripts.build")
    elif (root / "tsconfig.json").is_file() and _depends_on(manifest, "typescript"):
        build = (f"{_EXEC[manager]} tsc --noEmit",)
        said.append("tsconfig.json with typescript")
    test = (_script_test(manager),) if has_test else ()
    if has_test:
        said.append("scripts.test")
    if not (build or test):
        return None
    return NodeProject(manager, lockfile, build, test, "package.json: " + ", ".join(said))


def read_manifest(root: Path) -> dict | None:
    """`root/package.json` as a dict, None when absent or unreadable."""
    try:
        loaded = json.loads((root / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return loaded if isinstance(loaded, dict) else None


def runs_node(command: str) -> bool:
    """Whether a test command is one a Node package manager or runner starts."""
    first = command.strip().split(" ", 1)[0]
    return Path(first).name in ("npm", "pnpm", "yarn", "bun", "npx", "node", "vitest", "jest",
                                "mocha", "tsx", "c8")


def manager_of_test_script(command: str) -> str | None:
    """The package manager a command like `npm test`, `pnpm run --silent test` or
    `yarn test` runs the `test` script with; None for any other command."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return None
    if not argv or Path(argv[0]).name not in FORWARD:
        return None
    words = [a for a in argv[1:] if not a.startswith("-")]
    return Path(argv[0]).name if words in (["test"], ["run", "test"], ["run-script", "test"]) \
        else None


def node_dependencies(root: Path) -> tuple[Path, ...]:
    """The `node_modules` folders above a package at `root` that Node's resolution would read,
    up to its checkout's root (`checkout_root`): the sandbox shows them read-only. Those above
    the checkout belong to no project under review and stay hidden."""
    if not (root / "package.json").is_file():
        return ()
    start = Path(root).resolve()
    top = checkout_root(start)
    found = []
    for folder in start.parents:
        if not folder.is_relative_to(top):
            break
        modules = folder / "node_modules"
        if modules.is_dir() and not modules.is_symlink():
            found.append(modules)
    return tuple(found)


def checkout_root(start: Path) -> Path:
    """The checkout `start` lies in: the nearest folder at or above it with a `.git`; for a
    linked worktree inside its main checkout (a run's, under `<checkout>/.reviewloop/`), that
    main checkout, whose installed packages the worktree borrows. `start` outside git."""
    for folder in (start, *start.parents):
        dotgit = folder / ".git"
        if dotgit.is_dir():
            return folder
        if dotgit.is_file():
            main = _main_checkout(folder, dotgit)
            return main if main is not None and start.is_relative_to(main) else folder
    return start


def _main_checkout(folder: Path, dotgit: Path) -> Path | None:
    """The main checkout of a linked worktree (`gitdir:` → its `commondir` → `<main>/.git`)."""
    try:
        text = dotgit.read_text(encoding="utf-8").strip()
        gitdir = (folder / text.removeprefix("gitdir:").strip()).resolve()
        common = (gitdir / (gitdir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    except (OSError, UnicodeDecodeError):
        return None  # a submodule (no commondir) or an unreadable file: its own folder
    return common.parent if text.startswith("gitdir:") and common.name == ".git" else None


def _script_test(manager: PackageManager) -> str:
    # npm's own shorthand, as every npm user types it
    return "npm test --silent" if manager == "npm" else _RUN[manager].format("test")


def _is_berry(lockfile: Path) -> bool:
    """yarn 2+ writes a YAML lockfile with a `__metadata:` entry; yarn 1 says `yarn lockfile v1`."""
    try:
        with lockfile.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return "__metadata:" in head and "yarn lockfile v1" not in head


def _depends_on(manifest: dict, name: str) -> bool:
    return any(isinstance(manifest.get(key), dict) and name in manifest[key]
               for key in ("dependencies", "devDependencies"))


def _display(manager: PackageManager) -> str:
    return "yarn (berry)" if manager == "yarn-berry" else manager
