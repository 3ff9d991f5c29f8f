"""A Dockerfile is read by hadolint and checkov under every name docker and podman build it
from, and a file of another kind is not taken for one because of its stem.

Before: `Dockerfile-prod`, `Dockerfile_dev` and `containerfile` (later `DOCKERFILE`,
`DockerFile`, `CONTAINERFILE` and `Dockerfile.`) reached no analyzer and the
review said complete; `Containerfile` reached hadolint but not checkov, which reads a
Dockerfile only by its name, and the review blamed a byte "not UTF-8"; `dockerfile.py` was
handed to hadolint as a Dockerfile and bandit never read it. Generated: names in every
spelling (`languages.by_name`, the infrastructure reviewer's scope), then real reviews of
generated names, each of which must get the findings a plain `Dockerfile` gets."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.languages import DOCKERFILE, OTHER_KINDS, PYTHON, SHELL, SUFFIXES, by_name
from reviewloop.review.agent_scope import scope_of
from tests.support.gitutil import git
from tests.support.paths import ROOT
from tests.support.repos import feature_branch, init_repo, write
from tests.support.review_cli import MODES, review, reviewed_in

STEMS = ("Dockerfile", "dockerfile", "Containerfile", "containerfile")
WORD = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
IMAGE = b"FROM ubuntu:latest\nRUN apt-get update\n"  # hadolint DL3007, checkov CKV_DOCKER_7
PAYLOAD = b"import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"

pytestmark = pytest.mark.usefixtures("iac_env")


@st.composite
def dockerfile_names(draw: st.DrawFn) -> str:
    """`Dockerfile`, `Dockerfile.prod`, `Dockerfile-prod`, `Dockerfile_prod`, `api.Dockerfile`,
    `api.Dockerfile.prod`, `Dockerfile.` and the podman spellings of each, in any case
    (`DOCKERFILE`, `DockerFile`: a case-insensitive checkout builds them; Windows drops the
    trailing dot)."""
    spelled = draw(st.sampled_from(STEMS))
    ups = draw(st.lists(st.booleans(), min_size=len(spelled), max_size=len(spelled)))
    stem = "".join(c.upper() if up else c.lower() for c, up in zip(spelled, ups, strict=True))
    form = draw(st.sampled_from(("bare", ".", "-", "_", "suffix", "both", "trailing")))
    if form == "trailing":
        return f"{stem}."
    # `Dockerfile.md` is its documentation, `Dockerfile.sh` a script (the other test)
    word = draw(WORD.filter(lambda w: form not in (".", "both") or not _other_kind(f".{w}")))
    if form == "bare":
        return stem
    if form == "suffix":
        return f"{word}.{stem}"
    if form == "both":  # `api.Dockerfile.prod`: checkov's mask reads it
        return f"{draw(WORD)}.{stem}.{word}"
    return f"{stem}{form}{word}"


def _other_kind(suffix: str) -> bool:
    return suffix in SUFFIXES or suffix in OTHER_KINDS


@st.composite
def other_kinds(draw: st.DrawFn) -> tuple[str, str | None]:
    """A Docker-like stem with a suffix that names another kind of file, and that kind."""
    stem = draw(st.sampled_from(STEMS))
    joint = draw(st.sampled_from(("", "_", "-", ".")))
    middle = f"{joint}{draw(WORD)}" if joint else ""
    suffix, kind = draw(st.sampled_from(((".py", PYTHON), (".sh", SHELL), (".md", None),
                                         (".go", None), (".json", None),
                                         (".dockerignore", None))))
    return f"{stem}{middle}{suffix}", kind


def _infrastructure_scope():
    agent = json.loads((ROOT / "agents" / "review-infrastructure.json").read_text())
    return scope_of(agent["reviewloop"]["include"], agent["reviewloop"].get("exclude", []))


@settings(max_examples=400, deadline=None)
@given(name=dockerfile_names(), folder=st.sampled_from(("", "svc/", "deploy/api/")))
def test_every_dockerfile_name_is_a_dockerfile_in_the_infrastructure_scope(
        name: str, folder: str) -> None:
    assert by_name(f"{folder}{name}") == DOCKERFILE, name
    assert _infrastructure_scope()(f"{folder}{name}"), name


@settings(max_examples=300, deadline=None)
@given(named=other_kinds())
def test_a_suffix_of_another_kind_wins_over_a_dockerfile_stem(
        named: tuple[str, str | None]) -> None:
    name, kind = named
    assert by_name(name) == kind, name


def _rules(report: dict, path: str) -> set[str]:
    return {e["finding"]["rule"] for e in report["ledger"]["entries"]
            if e["finding"]["file"] == path}



@pytest.mark.pypi
@pytest.mark.timeout(900)
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(dockerfile_names(), min_size=3, max_size=3,
                      unique_by=lambda n: n.lower()),
       code=other_kinds().filter(lambda named: named[1] == PYTHON))
def test_each_name_gets_what_a_plain_dockerfile_gets(tmp_path_factory: pytest.TempPathFactory,
                                                      names: list[str],
                                                      code: tuple[str, str | None]) -> None:
    files: dict[str | bytes, bytes] = {
        "ref/Dockerfile": IMAGE, f"src/{code[0]}": PAYLOAD,
        **{f"svc{i}/{name}": IMAGE for i, name in enumerate(names)}}
    root = feature_branch(tmp_path_factory.mktemp("r") / "r", files)
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    expected = _rules(report, "ref/Dockerfile")
    assert {"DL3007", "CKV_DOCKER_7"} <= expected, expected  # both tools read the reference
    for i, name in enumerate(names):
        assert _rules(report, f"svc{i}/{name}") == expected, name
    assert "B602" in _rules(report, f"src/{code[0]}"), code  # bandit's, not hadolint's
    assert report["health"]["complete"] is True, report["verdict"]


@pytest.mark.pypi
@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=dockerfile_names(), folder=st.sampled_from(("", "svc/", "deploy/api/")))
def test_a_finding_names_the_file_by_its_path_in_the_repository(
        tmp_path_factory: pytest.TempPathFactory, mode: str, name: str, folder: str) -> None:
    """checkov names a Dockerfile's instruction after the file's absolute path: that of a
    temporary checkout, or of the reviewer's machine. The report (a PR comment in Actions)
    names it by its path in the repository, in every mode."""
    root = init_repo(tmp_path_factory.mktemp("r") / "r", {"README.md": "project\n"})
    git(root, "checkout", "-qb", "feature")
    write(root, f"{folder}{name}", IMAGE)
    report = reviewed_in(root, mode)
    checkov = [f for f in report["findings"]["remaining"] if f["source"] == "checkov"]
    assert {f["rule"] for f in checkov} >= {"CKV_DOCKER_7"}, report["verdict"]
    for finding in checkov:
        assert finding["symbol"].startswith(f"{folder}{name}"), finding["symbol"]
    text = json.dumps(report)
    for outside in (str(root), tempfile.gettempdir() + "/", "/dev/shm/", "reviewloop-head-"):
        assert outside not in text, outside


# a Dockerfile's start before its first instruction: a parser directive, comments, blanks
PREAMBLES = st.lists(st.sampled_from(("# syntax=docker/dockerfile:1\n", "# escape=`\n",
                                      "# build the api\n", "\n", "   \n")), max_size=3)
FIRST = st.sampled_from(("FROM alpine:3.20\n", "from alpine:3.20 AS build\n",
                         "ARG VERSION=3.20\nFROM alpine:${VERSION}\n"))
# the same names with what another kind of file starts with
NOT_IMAGES = st.sampled_from(("package main\n\nfunc main() {}\n", "<?php\necho 1;\n",
                              "Notes on building the image.\n", "Notes\n\nFROM the base image on\n",
                              ""))


@st.composite
def other_kind_names(draw: st.DrawFn) -> str:
    """`Dockerfile.go`, `api.Dockerfile.txt`, `dockerfile.php`: a name checkov's mask reads
    as a Dockerfile whose suffix names another kind of file."""
    stem = draw(st.sampled_from(STEMS))
    prefix = draw(st.sampled_from(("", "api.", "web.")))
    return f"{prefix}{stem}{draw(st.sampled_from(('.go', '.php', '.txt', '.md', '.json')))}"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(name=other_kind_names(), preamble=PREAMBLES, first=FIRST, other=NOT_IMAGES)
def test_a_name_of_another_kind_is_a_dockerfile_when_it_starts_as_one(
        name: str, preamble: list[str], first: str, other: str) -> None:
    """checkov reads `Dockerfile.go` as a Dockerfile (its mask takes any suffix); so does the
    review when the file starts as a Dockerfile must: its first instruction `FROM` or
    `ARG`. Go, PHP or prose under the same name stays what its suffix says."""
    from reviewloop.git.languages import language

    assert language(name, ("".join(preamble) + first).encode()) == DOCKERFILE, name
    assert language(name, ("".join(preamble) + other).encode()) is None, (name, other)
    assert language(f"src/notes.{name.rsplit('.', 1)[1]}", first.encode()) is None


@pytest.mark.pypi
@pytest.mark.timeout(900)
def test_a_dockerfile_under_a_name_of_another_kind_gets_what_a_plain_one_gets(
        tmp_path: Path) -> None:
    names = ["Dockerfile.go", "api.Dockerfile.txt", "dockerfile.php"]
    files: dict[str | bytes, bytes] = {
        "ref/Dockerfile": IMAGE, "src/dockerfile.go": b"package main\n",
        **{f"svc{i}/{name}": b"# syntax=docker/dockerfile:1\n" + IMAGE
           for i, name in enumerate(names)}}
    root = feature_branch(tmp_path / "r", files)
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    expected = _rules(report, "ref/Dockerfile")
    for i, name in enumerate(names):
        assert _rules(report, f"svc{i}/{name}") == expected, name
    rows = {row["path"]: row for row in report["health"]["files"]}
    assert not any("hadolint" in a for a in rows["src/dockerfile.go"]["analysed_by"])
