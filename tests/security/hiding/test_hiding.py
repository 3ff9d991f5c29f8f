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
The tricks whose case is the seed's file alone (its bytes rewritten, or moved into a vendored
or hidden folder, under a hostile name) share one review with the unmoved seeds, each file
asserted on its own (`_bins`); a trick that writes beside the file has a review of its own.
The pairs are drawn as lists, the own-file pairs of a list sharing a review the same way.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.git.names import shown
from tests.security.hiding.transforms import TRANSFORMS, Case, Seed, Transform, start
from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

PY = b"""import subprocess


def run(cmd):
    return subprocess.call(cmd, shell=True)
"""
SECRET = (b'"""Deployment settings."""\n\nREGION = "eu-west-1"\n'
          b'AWS_ACCESS_KEY_ID = "AKIAQX7RTB2MZK4PLW9D"\n'
          b'AWS_SECRET_ACCESS_KEY = "r8Vq2LxP0sKd9TzW4mYb7NcE1fHj6UaG3oQiXv5S"\n')
CONFIG = (b"[deploy]\nregion = eu-west-1\naws_access_key_id = AKIAQX7RTB2MZK4PLW9D\n"
          b"aws_secret_access_key = r8Vq2LxP0sKd9TzW4mYb7NcE1fHj6UaG3oQiXv5S\n")
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
         "python", leak=True),
    # a file of no known language: only the secrets scan reads it
    Seed("secret-config", "deploy/credentials.ini", CONFIG, b"#", "must_fix", leak=True),
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
# Seeds reviewed together, one change per group: each seed keeps its own file, and the check
# is per file and at its own seed's severity, so one seed's finding never stands in for
# another's. The seeds that need no installed tool form their own group, so they run even
# where the tools cannot be installed.
GROUPS = {"plain": SEEDS[:3], "tools": SEEDS[3:]}
_NEEDS = {"plain": (), "tools": ("eslint_tools", "shellcheck_tools", "iac")}


def _moved_only(cases: list[tuple[Seed, Case]]) -> bool:
    """Each seed's bytes as they were, under another name, and nothing else in the change."""
    return all(not case.base and not case.links and case.files == {case.main: seed.text}
               for seed, case in cases)


def _own_file(cases: list[tuple[Seed, Case]]) -> bool:
    """Each case is one file, the seed's (its bytes rewritten, its name changed or not), and
    nothing else in the change: no base file, no link, no file beside it."""
    return all(not case.base and not case.links and set(case.files) == {case.main}
               for _, case in cases)


# checkov reads the Terraform files of one folder as one module (a resource declared in two
# of its files counts once: both are named as not read) and hadolint's report names a file
# only by its text: these seeds' copies share a review only each in a folder of its own
_ALONE = ("terraform", "dockerfile")
# each trick with the seeds it rewrites and the folder their files start in ("": their own)
Review = tuple[tuple[Transform, tuple[Seed, ...], str], ...]


def _paths(cases: list[tuple[Seed, Case]]) -> set[str]:
    return {path for _, case in cases for path in (*case.files, *case.base, *case.links)}


def _bins(group: str) -> list[Review]:
    """The reviews of `group`. One review holds the identity and every trick whose case is
    the seed's own file alone (`_own_file`), each file asserted on its own: a trick that only
    moves the file (a folder, a name) at the path it makes, any other (its bytes rewritten, a
    script made of it), and any on a seed of `_ALONE`, on a copy of the seed under a folder
    of the trick's name. A trick that writes beside the file (a `.gitattributes`, a tool's
    config, a neighbour, a base file, a link) has a review of its own. The identity's finding
    on each seed's own file must stand in the shared review too, so a trick that broke an
    analyzer's run over the whole change (every file unread) fails that review rather than
    counting as caught for the files beside it."""
    seeds = GROUPS[group]
    shared: list[tuple[Transform, tuple[Seed, ...], str]] = [(TRANSFORMS[0], seeds, "")]
    taken = _paths([(seed, start(seed)) for seed in seeds])
    alone: list[Review] = []
    for transform in TRANSFORMS[1:]:
        applied = tuple(seed for seed in seeds if transform.applies(seed))
        moved = [(s, transform(s, start(s))) for s in applied if s.language not in _ALONE]
        natural = _moved_only(moved) and taken.isdisjoint(_paths(moved))
        folders = {seed: "" if natural and seed.language not in _ALONE else transform.name
                   for seed in applied}
        cases = [(s, transform(s, start(s, folders[s]))) for s in applied]
        if cases and _own_file(cases) and taken.isdisjoint(_paths(cases)):
            for folder in dict.fromkeys(folders.values()):
                shared.append((transform, tuple(s for s in applied if folders[s] == folder),
                               folder))
            taken |= _paths(cases)
        elif applied:
            alone.append(((transform, applied, ""),))
    return [tuple(shared), *alone]


def _params() -> list[object]:
    return [pytest.param(group, tricks, marks=[_MARKS[n] for n in _NEEDS[group]],
                         id=f"{group}-{tricks[0][0].name}" if len(tricks) == 1
                         else f"{group}-identity-and-{len({t for t, _, _ in tricks}) - 1}-tricks")
            for group in GROUPS for tricks in _bins(group)]


def combined(cases: list[tuple[Seed, Case]]) -> Case:
    """One change holding every seed's case: files of the same name (a `.gitattributes`, a
    tool's config) are joined, line after line."""
    files: dict[str, bytes] = {}
    base: dict[str, bytes] = {}
    links: dict[str, str] = {}
    for _, case in cases:
        for path, data in case.files.items():
            files[path] = data if files.get(path, data) == data else files[path] + data
        base.update(case.base)
        links.update(case.links)
    return Case(main="", files=files, links=links, base=base)


def _commit(root: Path, case: Case) -> None:
    """`main` with the base files, `feature` with the case's files (and none of the base's
    it dropped)."""
    init_repo(root, {"README.md": b"project\n", **case.base})
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


def _review(root: Path, fail_on: str) -> tuple[int, dict[str, Any]]:
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", fail_on, "--json")
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return done.returncode, json.loads(done.stdout)


def _held(root: Path, cases: list[tuple[Seed, Case]]) -> None:
    """Review the seeds' cases as one change; each case that still runs is still caught:
    a finding at its seed's severity on its file, or its file named as not analysed."""
    _commit(root, combined(cases))
    fail_on = "should_fix" if any(seed.fail_on == "should_fix" for seed, _ in cases) \
        else "must_fix"
    code, report = _review(root, fail_on)
    floors = {"must_fix": ("must_fix",), "should_fix": ("must_fix", "should_fix")}
    unread = {row["path"] for row in report["health"]["files"] if row["not_read"]}
    for seed, case in cases:
        if not case.runs:
            continue
        named = shown(case.main)  # the report's form of the name (`reviewloop.git.names`)
        flagged = {f["file"] for f in report["findings"]["remaining"]
                   if f["severity"] in floors[seed.fail_on]}
        caught = flagged if case.read else flagged | unread
        assert named in caught, (
            f"{' + '.join(case.applied)} hid the {seed.name} seed ({named}): "
            f"{report['verdict']}")
        # a file named as not analysed makes the review incomplete, which fails it
        assert named in flagged or report["health"]["complete"] is False
        assert code == 1


@pytest.fixture
def iac(iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """checkov and hadolint from the suite's shared tools folder."""
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))
    return iac_tools


@pytest.fixture
def tools(request: pytest.FixtureRequest, group: str) -> None:
    for name in _NEEDS[group]:
        request.getfixturevalue(name)


@pytest.mark.long(seconds=20)
@pytest.mark.parametrize(("group", "tricks"), _params())
def test_no_single_trick_lowers_the_verdict(tmp_path: Path, group: str, tricks: Review,
                                            tools: None) -> None:
    _held(tmp_path / "r", [(seed, trick(seed, start(seed, folder)))
                           for trick, seeds, folder in tricks for seed in seeds])


def test_the_library_has_thirty_tricks_and_every_seed_fails_alone() -> None:
    assert len(TRANSFORMS) >= 30
    assert len({t.name for t in TRANSFORMS}) == len(TRANSFORMS)
    assert TRANSFORMS[0].name == "identity"  # each seed's own verdict is the first case


def _named(name: str) -> Transform:
    (found,) = [t for t in TRANSFORMS if t.name == name]
    return found


_PAIRS = st.tuples(st.sampled_from(TRANSFORMS), st.sampled_from(TRANSFORMS))


def _pair_reviews(pairs: list[tuple[Transform, Transform]]) -> list[list[tuple[Seed, Case]]]:
    """The reviews of `pairs` on the plain seeds. A pair whose cases are each the seed's own
    file alone (`_own_file`) shares a review with the identity and other such pairs: at the
    paths it makes when it moved every file and they are free there (a name like an option
    stays at the top), else (a file still at its seed's path) under a folder of its own. A
    pair that writes beside the file (a `.gitattributes`, a tool's config, a base file, a
    link) has a review of its own, as in `_bins`."""
    seeds = GROUPS["plain"]
    identity = [(seed, start(seed)) for seed in seeds]
    shared: list[list[tuple[Seed, Case]]] = []
    alone: list[list[tuple[Seed, Case]]] = []
    for i, (first, second) in enumerate(pairs):
        both = [seed for seed in seeds if first.applies(seed) and second.applies(seed)]
        cases = [(seed, second(seed, first(seed, start(seed)))) for seed in both]
        if not cases:
            continue
        if not _own_file(cases):
            alone.append(cases)
            continue
        if any(case.main == seed.path for seed, case in cases):
            cases = [(seed, second(seed, first(seed, start(seed, f"pair-{i}"))))
                     for seed in both]
        review = next((r for r in shared if _paths(r).isdisjoint(_paths(cases))), None)
        if review is None:
            shared.append(review := list(identity))
        review += cases
    return [*shared, *alone]


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(_PAIRS, min_size=3, max_size=6))
# pairs that once broke it: a long title from a name the first trick made, a non-UTF-8 name
# in the second trick's .gitattributes line
@example(pairs=[(_named("option-named-file"), _named("attributes-binary")),
                (_named("non-utf8-name"), _named("attributes-binary"))])
def test_no_pair_of_tricks_lowers_the_verdict(tmp_path_factory: pytest.TempPathFactory,
                                              pairs: list[tuple[Transform, Transform]]) -> None:
    for cases in _pair_reviews(pairs):
        _held(tmp_path_factory.mktemp("pair") / "r", cases)
