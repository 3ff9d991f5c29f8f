"""No trick of the change's author lowers the verdict: the metamorphic test of the coverage
matrix.

Every seed (`transforms.SEEDS`) is a change that fails `reviewloop review --base main --head
feature --fail-on SEVERITY` on its own. Each transformation in `transforms.TRANSFORMS` —
and random pairs of them (hypothesis) — rewrites that change as an author hiding the finding
would. Where the code still runs, the review still fails: the finding is reported, or the
file is named as not analysed, and either keeps the change from passing. Where the trick
broke the code (`runs` is False), the review still ends with a verdict (exit 0 or 1), never
an error.

The reviews run as a user runs them: the CLI on a real repository, offline (analyzers only).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.hiding.transforms import TRANSFORMS, Case, Seed, Transform, start
from tests.support.gitutil import git
from tests.support.review_cli import review

PY = b"""import subprocess


def run(cmd):
    return subprocess.call(cmd, shell=True)
"""
SECRET = (b'"""Deployment settings."""\n\nREGION = "eu-west-1"\n'
          b'AWS_ACCESS_KEY_ID = "AKIAQX7RTB2MZK4PLW9D"\n'
          b'AWS_SECRET_ACCESS_KEY = "r8Vq2LxP0sKd9TzW4mYb7NcE1fHj6UaG3oQiXv5S"\n')
JS = b"""export function handle(input) {
  return eval(input.code);
}
"""
TS = b"""export function handle(input: { code: string }): unknown {
  return eval(input.code);
}
"""
SH = b"""#!/bin/bash
TARGET="$1"
rm -rf "$TARGET/"*
"""

TF = b"""resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 40
}
"""
DOCKERFILE = b"""FROM ubuntu:latest
WORKDIR app
RUN apt-get update && apt-get install -y curl
"""

SEEDS = (
    Seed("python", "app.py", PY, b"#", "must_fix", b"#!/usr/bin/env python3", "python"),
    Seed("secret", "settings.py", SECRET, b"#", "must_fix", b"#!/usr/bin/env python3",
         "python"),
    Seed("javascript", "src/handler.js", JS, b"//", "must_fix", b"#!/usr/bin/env node",
         "javascript", needs="eslint_tools"),
    Seed("typescript", "src/handler.ts", TS, b"//", "must_fix", None, "typescript",
         needs="eslint_tools"),
    Seed("shell", "scripts/clean.sh", SH, b"#", "must_fix", b"#!/bin/bash", "shell",
         needs="shellcheck_tools"),
    Seed("terraform", "infra/main.tf", TF, b"#", "should_fix", None, "terraform",
         needs="iac"),
    Seed("dockerfile", "Dockerfile", DOCKERFILE, b"#", "should_fix", None, "dockerfile",
         needs="iac"),
)
_MARKS = {"eslint_tools": pytest.mark.npm, "shellcheck_tools": pytest.mark.pypi,
          "iac": pytest.mark.pypi}


def _params() -> list[object]:
    return [pytest.param(seed, t, id=f"{seed.name}-{t.name}",
                         marks=[_MARKS[seed.needs]] if seed.needs else [])
            for seed in SEEDS for t in TRANSFORMS if t.applies(seed)]


def _commit(root: Path, case: Case) -> None:
    """`main` with the base files, `feature` with the case's files (and none of the base's
    it dropped)."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    _write(root, {"README.md": b"project\n", **case.base})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    for path in case.base:
        if path not in case.files:
            os.unlink(os.fsencode(root / path))
    _write(root, case.files)
    for path, target in case.links.items():
        link = root / path
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, os.fsencode(link))
    git(root, "add", "-Af", ".")
    git(root, "commit", "-qm", "feature", "--no-verify")


def _write(root: Path, files: dict[str, bytes]) -> None:
    for path, data in files.items():
        full = root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        with open(os.fsencode(full), "wb") as fh:
            fh.write(data)


def _verdict(root: Path, seed: Seed) -> tuple[int, dict[str, object]]:
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", seed.fail_on,
                  "--json")
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return done.returncode, json.loads(done.stdout)


def _held(root: Path, seed: Seed, case: Case) -> None:
    _commit(root, case)
    code, report = _verdict(root, seed)
    if case.runs:
        assert code == 1, (f"{' + '.join(case.applied)} hid the {seed.name} seed: "
                           f"{report['verdict']}")
        assert report["health"]["complete"] is False or report["counts"]["remaining"][
            seed.fail_on] >= 1


@pytest.fixture
def iac(iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """checkov and hadolint from the suite's shared tools folder."""
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))
    return iac_tools


@pytest.fixture
def tools(request: pytest.FixtureRequest, seed: Seed) -> None:
    if seed.needs:
        request.getfixturevalue(seed.needs)


@pytest.mark.parametrize(("seed", "transform"), _params())
def test_no_single_trick_lowers_the_verdict(tmp_path: Path, seed: Seed, transform: Transform,
                                            tools: None) -> None:
    _held(tmp_path / "r", seed, transform(seed, start(seed)))


def test_the_library_has_thirty_tricks_and_every_seed_fails_alone() -> None:
    assert len(TRANSFORMS) >= 30
    assert len({t.name for t in TRANSFORMS}) == len(TRANSFORMS)
    assert TRANSFORMS[0].name == "identity"  # each seed's own verdict is the first case


_PAIRS = st.tuples(st.sampled_from(TRANSFORMS), st.sampled_from(TRANSFORMS))


@pytest.mark.parametrize("seed", [s for s in SEEDS if not s.needs], ids=lambda s: s.name)
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pair=_PAIRS)
def test_no_pair_of_tricks_lowers_the_verdict(tmp_path_factory: pytest.TempPathFactory,
                                              seed: Seed, pair: tuple[Transform, Transform]
                                              ) -> None:
    first, second = pair
    if not (first.applies(seed) and second.applies(seed)):
        return
    case = second(seed, first(seed, start(seed)))
    _held(tmp_path_factory.mktemp("pair") / "r", seed, case)
