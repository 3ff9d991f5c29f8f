"""How an npm-provisioned tool's folder is made: reviewloop ships each tool's `package.json`
and `package-lock.json` (exact pins, under `node/<tool>/` beside this module), copies them
into the tool's folder and runs `npm ci` there.

`npm ci --ignore-scripts`: no install script of any dependency runs; npm's own cache lives in
the tools folder (`.npm-cache`), so an install that was interrupted finds what it already
downloaded and a second tool shares it. npm reads the user's registry settings (`.npmrc`,
`npm_config_registry`) like pip reads its index settings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

NODE_DATA = Path(__file__).resolve().parent / "node"  # the shipped manifests, one folder a tool
NPM_CACHE = ".npm-cache"
MANIFESTS = ("package.json", "package-lock.json")
OPTIONAL = (".npmrc",)  # a tool's own npm settings, e.g. cdk-nag's legacy-peer-deps
NPM_FIX = "install Node.js 20 or later (it brings npm) and make sure `npm` is on PATH"


def manifests(name: str) -> Path:
    """The folder holding the shipped manifests of npm tool `name`."""
    return NODE_DATA / name


def npm() -> str | None:
    """The `npm` command, or None when it is not on PATH."""
    return shutil.which("npm")


def missing_npm(name: str) -> str:
    return f"{name} needs npm, which is not on PATH; fix: {NPM_FIX}"


def prepare(name: str, env_dir: Path) -> None:
    """Put the tool's pinned manifests into its folder (the one `npm ci` installs from)."""
    env_dir.mkdir(parents=True, exist_ok=True)
    for manifest in (*MANIFESTS, *OPTIONAL):
        if manifest in MANIFESTS or (manifests(name) / manifest).is_file():
            shutil.copyfile(manifests(name) / manifest, env_dir / manifest)


def ci_command(executable: str, env_dir: Path) -> list[str]:
    """`npm ci` into `env_dir`, with the tools folder's cache, preferring it to the network
    (what an interrupted attempt downloaded is not fetched again)."""
    return [executable, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline",
            "--loglevel=error", "--cache", str(env_dir.parent / NPM_CACHE), "--prefix",
            str(env_dir)]
