"""examples/plugin installs with pip and extends reviewloop through entry points: its output
format is a `--format` choice and its analyzer runs for the reviewer that names it, with a
row in the coverage matrix and its finding in the ledger."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT
from tests.support.repos import init_repo, write

PLUGIN = ROOT / "examples" / "plugin"
REVIEWER = {"name": "review-todos", "prompt": "Report unfinished work the change leaves.",
            "reviewloop": {"analyzers": ["todo-comments"], "include": ["**/*.py"]}}


def pip(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=600, env=env, check=False)


def build_tools(tmp_path: Path) -> dict[str, str]:
    """The environment pip builds in: setuptools < 70.1 needs `wheel` (a dev dependency);
    where it is missing, it is installed beside the build, never into this environment."""
    env = dict(os.environ)
    if importlib.util.find_spec("wheel") is not None:
        return env
    tools = tmp_path / "build-tools"
    got = pip("install", "--quiet", "--target", str(tools), "wheel")
    if got.returncode != 0:
        pytest.skip(f"no `wheel` to build the example with: {got.stderr.strip()[-300:]}")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tools), env.get("PYTHONPATH")]))
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example installed with pip into a folder of its own (no network, no deps: reviewloop
    is the host), from a copy so the build leaves nothing in the repository."""
    tmp = tmp_path_factory.mktemp("plugin")
    source = tmp / "source"
    shutil.copytree(PLUGIN, source)
    site = tmp / "site"
    done = pip("install", "--quiet", "--no-build-isolation", "--no-deps", "--no-index",
               "--target", str(site), str(source), env=build_tools(tmp))
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def reviewloop(site: Path, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A fresh `python -m reviewloop` that sees the plugin (and this checkout's reviewloop)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    return subprocess.run([sys.executable, "-m", "reviewloop", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def change(tmp_path: Path) -> Path:
    """A repository whose change adds a TODO, with a reviewer that runs `todo-comments`."""
    root = init_repo(tmp_path / "repo", {"app.py": "def main():\n    return 1\n"})
    write(root, ".kiro/agents/review-todos.json", json.dumps(REVIEWER))
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "the reviewer"], cwd=root, check=True)
    write(root, "app.py", "def main():\n    # TODO: handle a missing file\n    return 1\n")
    return root


def test_its_format_is_a_choice_and_prints_the_analyzers_finding(installed: Path,
                                                                 change: Path) -> None:
    done = reviewloop(installed, change, "review", "--format", "csv")
    assert done.returncode == 0, done.stderr  # a nit blocks nothing
    assert done.stdout.splitlines() == [
        "severity,file,line,rule,title", "nit,app.py,2,TODO,TODO left in the change"]
    help_text = reviewloop(installed, change, "review", "--help").stdout
    assert "csv: one row per open finding" in " ".join(help_text.split())


def test_its_analyzer_has_a_row_in_the_coverage_matrix(installed: Path, change: Path) -> None:
    done = reviewloop(installed, change, "review", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    [row] = [h for h in report["health"]["analyzers"] if h["name"] == "todo-comments"]
    assert (row["agent"], row["status"], row["files"]) == ("review-todos", "ok", ["app.py"])
    [file] = report["health"]["files"]  # beside the built-ins' analyzers that read it
    assert file["path"] == "app.py" and file["not_read"] == []
    assert "todo-comments (review-todos)" in file["analysed_by"]
    [nit] = report["findings"]["nits"]
    assert (nit["source"], nit["file"], nit["start_line"]) == ("todo-comments", "app.py", 2)


def test_without_the_plugin_the_format_is_refused(change: Path, tmp_path: Path) -> None:
    done = reviewloop(tmp_path / "nothing-installed", change, "review", "--format", "csv")
    assert done.returncode == 2
    assert "'csv' is not one of" in done.stderr
