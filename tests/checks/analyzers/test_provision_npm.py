"""npm-provisioned tools (ESLint, cdk-nag) under the same guarantees as pip's: a tiny package
packed here stands in for ESLint, installed by the real npm from a local tarball (no
registry); the real pins are checked against reviewloop's shipped lockfiles."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.analyzers import npm_env
from reviewloop.checks.analyzers.provision import (
    MARKER,
    TOOLS,
    ProvisionError,
    Tool,
    cached,
    ensure,
    home,
    install,
    stale,
)
from reviewloop.checks.cdk.app import provisioned_nag
from tests.support.tools_cache import cache_root

TINY = Tool("tiny", "1.0.0", "tiny@1.0.0", "node_modules/.bin/tiny", "a stand-in", "seconds",
            "npm")


@pytest.fixture
def tiny_manifests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """reviewloop's shipped manifests for `tiny`: a lockfile whose one package is a local
    tarball next to the tools folder (`file:../tiny-1.0.0.tgz` from the tool's folder)."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "package.json").write_text(json.dumps(
        {"name": "tiny", "version": "1.0.0", "bin": {"tiny": "cli.js"}}))
    (source / "cli.js").write_text('#!/usr/bin/env node\nconsole.log("tiny 1.0.0");\n')
    tools = tmp_path / "tools"
    tools.mkdir()
    _npm(["pack", str(source), "--pack-destination", str(tools)], tmp_path)
    data = tmp_path / "node-data"
    maker = tools / "making-the-lock"  # a sibling of the tool's folder: same relative path
    maker.mkdir()
    (maker / "package.json").write_text(json.dumps({"name": "reviewloop-tiny", "private": True,
                                                    "dependencies": {"tiny": "1.0.0"}}))
    _npm(["install", "--package-lock-only", "--offline", "--ignore-scripts",
          str(tools / "tiny-1.0.0.tgz")], maker)
    (data / "tiny").mkdir(parents=True)
    for name in npm_env.MANIFESTS:
        shutil.copyfile(maker / name, data / "tiny" / name)
    shutil.rmtree(maker)
    monkeypatch.setattr(npm_env, "NODE_DATA", data)
    monkeypatch.delenv("REVIEWLOOP_TOOLS_OFFLINE")
    return data / "tiny"


def _npm(argv: list[str], cwd: Path) -> None:
    subprocess.run(["npm", *argv, "--no-audit", "--no-fund", "--loglevel=error"], cwd=cwd,
                   check=True, capture_output=True)


def test_first_use_runs_npm_ci_into_the_tools_folder_then_reuses_it(
        tmp_path: Path, tiny_manifests: Path) -> None:
    root = tmp_path / "tools"
    said: list[str] = []

    command = ensure(TINY, root, notify=said.append)

    env_dir = root / "tiny-1.0.0"
    assert command == env_dir / "node_modules" / ".bin" / "tiny" == cached(TINY, root)
    assert said == [f"installing tiny 1.0.0 into {env_dir} (first use, usually seconds; "
                    "later reviews reuse it offline)"]
    assert subprocess.run([str(command)], capture_output=True, text=True,
                          check=True).stdout == "tiny 1.0.0\n"
    marker = json.loads((env_dir / MARKER).read_text())
    assert marker["installer"] == "npm" and marker["requirement"].startswith("tiny@1.0.0#")
    assert (root / ".npm-cache").is_dir()  # npm's downloads stay in the tools folder
    assert root / ".npm-cache" not in stale(root)
    assert home(TINY, root) == env_dir
    assert ensure(TINY, root, notify=said.append) == command and len(said) == 1


def test_a_changed_shipped_lockfile_installs_the_tool_again(tmp_path: Path,
                                                            tiny_manifests: Path) -> None:
    """An upgrade of reviewloop that re-pins a plugin keeps the tool's version, so its folder's
    name: the folder built from the old lockfile is not used, it is updated in place."""
    root = tmp_path / "tools"
    said: list[str] = []
    command = ensure(TINY, root, notify=said.append)
    lock = tiny_manifests / "package-lock.json"
    lock.write_text(json.dumps(json.loads(lock.read_text()), indent=4))  # a new pin set

    assert cached(TINY, root) is None and home(TINY, root) is None

    assert ensure(TINY, root, notify=said.append) == command == cached(TINY, root)
    assert said[-1] == (f"updating tiny 1.0.0 in {root / 'tiny-1.0.0'}: the packages "
                        "reviewloop pins for it changed (usually seconds; later reviews reuse "
                        "it offline)")
    assert json.loads((root / "tiny-1.0.0" / MARKER).read_text())["requirement"] == TINY.pin()


def test_an_interrupted_npm_install_is_never_used_and_resumes(
        tmp_path: Path, tiny_manifests: Path) -> None:
    root = tmp_path / "tools"
    tarball = root / "tiny-1.0.0.tgz"
    kept = tarball.rename(tmp_path / tarball.name)  # the "download" fails half-way
    said: list[str] = []

    with pytest.raises(ProvisionError) as caught:
        install(TINY, root, notify=said.append)

    assert str(caught.value).startswith("cannot install tiny: `npm ci (tiny@1.0.0)` exited")
    assert str(caught.value).endswith("fix: run `reviewloop tools install tiny` where the npm "
                                      "registry is reachable (npm's registry settings apply)")
    assert cached(TINY, root) is None and home(TINY, root) is None
    kept.rename(tarball)

    command = install(TINY, root, notify=said.append)

    assert said[-1].startswith(f"resuming the install of tiny 1.0.0 into {root / 'tiny-1.0.0'}")
    assert command == cached(TINY, root)


def test_without_npm_an_npm_tool_names_the_fix(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEWLOOP_TOOLS_OFFLINE")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ProvisionError, match=r"^tiny needs npm, which is not on PATH; fix: "
                                             r"install Node\.js 20 or later"):
        ensure(TINY, tmp_path / "tools")
    assert not (tmp_path / "tools").exists()


def test_an_npm_tool_is_never_taken_from_path(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's own eslint lacks the pinned plugins reviewloop's rule set needs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "eslint").write_text("#!/bin/sh\n")
    (bin_dir / "eslint").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    with pytest.raises(ProvisionError, match="REVIEWLOOP_TOOLS_OFFLINE is set; fix: run "
                                             "`reviewloop tools install eslint` where the npm "
                                             "registry is reachable"):
        ensure(TOOLS["eslint"], tmp_path / "tools")


@pytest.mark.parametrize("name", ["eslint", "cdk-nag"])
def test_the_shipped_lockfile_pins_the_tool_at_its_version(name: str) -> None:
    tool = TOOLS[name]
    lock = json.loads((npm_env.manifests(name) / "package-lock.json").read_text())
    manifest = json.loads((npm_env.manifests(name) / "package.json").read_text())
    assert lock["packages"][f"node_modules/{name}"]["version"] == tool.version
    assert all(not spec.startswith(("^", "~", ">", "*")) for spec in
               manifest["dependencies"].values())  # exact pins only
    assert tool.npm and tool.folder == f"{name}-{tool.version}"


def test_cdk_nag_carries_no_aws_cdk_lib_of_its_own() -> None:
    """aws-cdk-lib and constructs must come from the user's app (one copy of the construct
    tree's classes); the lockfile was made with --legacy-peer-deps, which ci repeats."""
    lock = json.loads((npm_env.manifests("cdk-nag") / "package-lock.json").read_text())
    assert sorted(lock["packages"]) == ["", "node_modules/cdk-nag"]
    assert "legacy-peer-deps=true" in (npm_env.manifests("cdk-nag") / ".npmrc").read_text()


@pytest.mark.npm
def test_cdk_nag_is_resolvable_from_its_cached_folder(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = cache_root()
    install(TOOLS["cdk-nag"], root)
    folder = home(TOOLS["cdk-nag"], root)
    assert folder is not None
    resolved = subprocess.run(
        ["node", "-e", "console.log(require.resolve('cdk-nag/package.json'))"],
        cwd=folder, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(resolved) == folder / "node_modules" / "cdk-nag" / "package.json"
    assert not (folder / "node_modules" / "aws-cdk-lib").exists()
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(root))
    assert provisioned_nag() == folder / "node_modules" / "cdk-nag"  # what a CDK synth uses


def test_no_cdk_nag_is_provisioned_until_it_is_installed() -> None:
    assert provisioned_nag() is None  # the suite's empty tools folder
