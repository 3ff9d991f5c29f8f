"""A tool's config file counts for the review only where the tool itself reads it, and only
the one it reads. The review read hadolint's skip list and settings from a root
`hadolint.yaml` / `hadolint.yml` (plain hadolint reads neither) and from every one of its
names at once (hadolint reads the first), and zizmor's from `.zizmor.yml` (not read) and
from all its names at once (zizmor reads one, `.github/` first): a skip list plain tool
never applied suppressed its finding (fuzz round 9a, D9; r10-hado's note).

Generated: every set of a tool's candidate names present at the root, each file skipping a
different rule. The oracle is the plain tool run in that folder as its users run it: the
rules it leaves out of its report are exactly the ones the review's skip lists cover."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.hadolint_config import project_config
from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.suppressions.tool_config import config_skips
from reviewloop.config import load_yaml
from tests.support.iac_tools import iac_tools as iac_tools  # the fixture

DOCKERFILE = "FROM debian:latest\nRUN apt-get update && apt-get install -y curl\n"
# hadolint: each candidate name skips its own rule of the four the Dockerfile breaks
HADOLINT = {".hadolint.yaml": "DL3007", ".hadolint.yml": "DL3008", "hadolint.yaml": "DL3009",
            "hadolint.yml": "DL3015"}
WORKFLOW = ("name: ci\non: pull_request_target\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - uses: actions/checkout@v4\n"
            '      - run: echo "${{ github.event.head_commit.message }}"\n')
# zizmor: each candidate name switches its own rule off, of those the workflow breaks
ZIZMOR = {".github/zizmor.yml": "artipacked", ".github/zizmor.yaml": "template-injection",
          "zizmor.yml": "excessive-permissions", "zizmor.yaml": "unpinned-uses",
          ".zizmor.yml": "dangerous-triggers"}


def _subsets(names: list[str]) -> list[tuple[str, ...]]:
    return [c for size in range(1, len(names) + 1) for c in itertools.combinations(names, size)]


def _skipped(folder: Path, source: str) -> set[str]:
    def read(path: str) -> str | None:
        file = folder / path
        return file.read_text() if file.is_file() else None

    return {skip.rule for skip in config_skips(read) if skip.source == source}


@pytest.mark.pypi  # hadolint from the shared tools cache
@pytest.mark.parametrize("present", _subsets(sorted(HADOLINT)))
def test_hadolint_s_skip_list_is_the_one_file_hadolint_reads(
        tmp_path: Path, iac_tools: Path, present: tuple[str, ...]) -> None:
    for name in present:
        (tmp_path / name).write_text(f"ignored:\n  - {HADOLINT[name]}\nno-color: true\n")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    tool = TOOLS["hadolint"]
    done = subprocess.run([str(tool.command_in(iac_tools / tool.folder)), "--no-fail", "-f",
                           "json", "Dockerfile"], cwd=tmp_path, capture_output=True, text=True,
                          check=True)
    reported = {f["code"] for f in json.loads(done.stdout)}
    assert _skipped(tmp_path, "hadolint") == set(HADOLINT.values()) - reported, present
    read = project_config(lambda name: _mapping(tmp_path / name))
    assert (read is not None) == bool(set(present) & {".hadolint.yaml", ".hadolint.yml"})


@pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor (dev extra) not on PATH")
@pytest.mark.parametrize("present", _subsets(sorted(ZIZMOR)))
def test_zizmor_s_switches_are_the_one_file_zizmor_reads(
        tmp_path: Path, present: tuple[str, ...]) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # where discovery stops
    for name in present:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"rules:\n  {ZIZMOR[name]}:\n    disable: true\n")
    (tmp_path / ".github/workflows").mkdir(parents=True, exist_ok=True)
    (tmp_path / ".github/workflows/ci.yml").write_text(WORKFLOW)
    done = subprocess.run(["zizmor", "--offline", "--no-exit-codes", "--format", "json", "."],
                          cwd=tmp_path, capture_output=True, text=True, check=True)
    reported = {result["ident"] for result in json.loads(done.stdout)}
    assert _skipped(tmp_path, "zizmor") == set(ZIZMOR.values()) - reported, (present, reported)


def _mapping(path: Path) -> dict | None:
    return (load_yaml(path.read_text()) or {}) if path.is_file() else None


# hadolint configs: each beside `ignored: [DL3008]` or in its place; hadolint refuses a file
# with a known key of another type and lints with none of it
BODIES = ("ignored:\n  - DL3008\n", "ignored: DL3008\n", "ignored:\n  - 3008\n",
          'ignored: ["DL3008 "]\n', "ignored: []\n", "failure-threshold: bogus\n",
          "failure-threshold: warning\n", "trustedRegistries: docker.io\n",
          "trustedRegistries:\n  - docker.io\n", "strict-labels: true\n", "no-fail: 1\n",
          "override:\n  error: DL3007\n", "override:\n  error:\n    - DL3007\n",
          "override:\n  fatal:\n    - DL3007\n", "label-schema:\n  owner: text\n",
          "label-schema: owner\n", "unknown-key: 1\n")


@pytest.mark.pypi
@pytest.mark.parametrize("extra", BODIES)
def test_a_hadolint_config_hadolint_refuses_skips_nothing(
        tmp_path: Path, iac_tools: Path, extra: str) -> None:
    text = extra if extra.startswith("ignored") else "ignored:\n  - DL3008\n" + extra
    (tmp_path / ".hadolint.yaml").write_text(text)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    tool = TOOLS["hadolint"]
    done = subprocess.run([str(tool.command_in(iac_tools / tool.folder)), "--no-fail", "-f",
                           "json", "Dockerfile"], cwd=tmp_path, capture_output=True, text=True,
                          check=False)
    reported = {f["code"] for f in json.loads(done.stdout[done.stdout.index("["):])}
    assert ("DL3008" in _skipped(tmp_path, "hadolint")) == ("DL3008" not in reported), text
