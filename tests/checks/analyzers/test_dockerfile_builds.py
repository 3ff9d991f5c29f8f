"""A file the repository tells docker to build is a Dockerfile whatever its name
(`dockerfile_builds`): every form of `tests/support/docker_builds.py`, and nothing else —
an expression, a path out of the tree, a file no build names."""

from __future__ import annotations

import os
import posixpath
import tempfile
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.dockerfile_builds import (
    _COMPOSE,
    _MAKEFILE,
    _OTHERS,
    BuiltDockerfiles,
    BuiltOrUntoldDockerfiles,
    _kind,
    _listed,
    built,
    unresolved,
)
from reviewloop.git.languages import DOCKERFILE
from reviewloop.git.reads import one_read
from tests.support.docker_builds import Built, builds


def _tree(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(builds())
def test_a_file_a_build_names_is_a_dockerfile(drawn: Built) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _tree(root, {**drawn.files, drawn.path: "FROM alpine\n", "other.txt": "x\n"})
        assert built(root, [drawn.path, "other.txt"]) == {drawn.path: DOCKERFILE}
        assert BuiltDockerfiles().claimed(root, [drawn.path, "other.txt"]) == [drawn.path]
        assert BuiltDockerfiles().claims(root, drawn.path)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(builds())
def test_a_batch_finds_the_built_files_once_and_as_without_one(drawn: Built) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _tree(root, {**drawn.files, drawn.path: "FROM alpine\n", "other.txt": "x\n"})
        paths = [drawn.path, "other.txt"]
        alone = built(root, paths)
        with one_read(root):
            first = built(root, paths)
            os.unlink(root / next(iter(drawn.files)))  # a batch's tree does not change
            assert built(root, paths) == first == alone  # the first answer, shared
            assert BuiltDockerfiles().claimed(root, paths) == [drawn.path]
        assert built(root, paths) == {}  # outside: the tree as it is now


def test_an_expression_or_a_path_out_of_the_tree_names_nothing(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "compose.yaml": "services:\n  a:\n    build:\n      context: ../up\n"
                        "      dockerfile: a.img\n  b:\n    build:\n"
                        "      dockerfile: ${FILE:-b.img}\n  c:\n    build: .\n",
        ".github/workflows/w.yml": "jobs:\n  x:\n    steps:\n"
                                   "      - uses: docker/build-push-action@v6\n"
                                   "        with: {file: '${{ inputs.file }}'}\n"
                                   "      - uses: other/action@v1\n        with: {file: c.img}\n",
        "Makefile": "x:\n\tdocker build -f $(FILE) .\n\tdocker run -f d.img\n",
        "a.img": "", "b.img": "", "c.img": "", "d.img": ""})
    assert built(tmp_path, ["a.img", "b.img", "c.img", "d.img"]) == {}


def test_a_broken_compose_file_names_nothing(tmp_path: Path) -> None:
    _tree(tmp_path, {"compose.yaml": "services: [\n", "web.img": "FROM alpine\n"})
    assert built(tmp_path, ["web.img"]) == {}
    assert built(tmp_path, []) == {}


_PARTS = st.sampled_from(["compose.yaml", "docker-compose.prod.yml", "Compose.YML", "Makefile",
                          "GNUmakefile", "x.mk", "a.yml", "b.YAML", ".yml", "x.yml.bak", ".github",
                          "workflows", "sub", "pkg", "Dockerfile", "compose.yml\n", "Makefile\n",
                          "a.yml\n", "x.MK", "makefile.py", "mod_00001.py", "compose.yml\n\n",
                          "devcontainer.json", ".devcontainer.json", ".devcontainer",
                          "docker-bake.hcl", "docker-bake.override.json", "skaffold.yaml",
                          "package.json", "justfile", ".JustFile", ".gitlab-ci.yml",
                          "deploy.gitlab-ci.yaml", "x.json", "x.hcl", "justfile.py"])


@given(st.lists(_PARTS, min_size=1, max_size=4))
def test_a_build_files_kind_is_told_by_its_name_as_pathlib_tells_it(parts: list[str]) -> None:
    """`_kind` reads the name with string operations (5,000 changed files a review, twice):
    the same answer as the pathlib reading it replaced."""
    path = "/".join(parts)
    pure = PurePosixPath(path)
    if _COMPOSE.match(pure.name):
        expected = "compose"
    elif str(pure.parent) == ".github/workflows" and pure.suffix.lower() in (".yml", ".yaml"):
        expected = "workflow"
    elif _MAKEFILE.match(pure.name):
        expected = "make"
    else:
        expected = next((k for k, p in _OTHERS if p.match(pure.name)), "")
    assert _kind(path) == expected, path


@settings(max_examples=60, deadline=None)
@given(names=st.lists(_PARTS.filter(lambda n: "\n" not in n or n.endswith("\n")), max_size=12,
                      unique=True), workflows=st.booleans())
def test_a_folders_build_files_are_the_ones_every_entry_path_tells(
        names: list[str], workflows: bool) -> None:
    """`_listed` makes a path only for a name a build file can have: the same list as a path
    made for every entry, each told by `_kind` (the folder of 5,000 changed files, twice)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for at in ("sub", ".github/workflows", ".devcontainer", ".devcontainer/api"):
            (root / at).mkdir(parents=True)
            for name in names:
                (root / at / name).mkdir() if name in (".github", "workflows") else (
                    root / at / name).write_text("x\n")
        for asked in ("sub", "." if workflows else "sub/../sub"):
            tops = (".github/workflows", ".devcontainer", ".devcontainer/api")
            every = [p for name in (asked, *(tops if asked == "." else ()))
                     for p in (posixpath.normpath(posixpath.join(name, e))
                               for e in os.listdir(root / name)) if _kind(p)]
            assert _listed(root, asked) == every, asked


_EXPRESSIONS = ("${DOCKERFILE}", "${FILE:-web.img}", "$(DOCKERFILE)", "{{dockerfile}}",
                "${{ inputs.file }}")


@settings(max_examples=80, deadline=None, derandomize=True)
@given(drawn=builds(), expression=st.sampled_from(_EXPRESSIONS))
def test_a_changed_build_file_naming_an_expression_is_named(drawn: Built,
                                                            expression: str) -> None:
    """Every form, its path an expression: no file is built, and the build file, when
    changed, is named with the expression; unchanged, it is not the change's to name."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        relative = posixpath.relpath(drawn.path, posixpath.dirname(drawn.path) or ".")
        files = {p: t.replace(relative, expression) for p, t in drawn.files.items()}
        if files == drawn.files:
            files = {p: t.replace(drawn.path, expression) for p, t in drawn.files.items()}
        _tree(root, {**files, drawn.path: "FROM alpine\n"})
        source = next(iter(files))
        if expression not in files[source]:  # a spelling YAML or JSON refuses: not named so
            return
        assert built(root, [drawn.path, source]) == {}
        why = unresolved(root, [drawn.path, source])
        # `{{dockerfile}}` bare in YAML is a mapping in a mapping: it does not parse; a command
        # line names its first word
        assert list(why) == [source] and (expression.split()[0] in why[source]
                                          or "it is not YAML" in why[source]), (files, why)
        assert unresolved(root, [drawn.path]) == {}
        assert BuiltOrUntoldDockerfiles().claimed(root, [drawn.path, source]) == [source]


@pytest.mark.parametrize(("source", "text"), [
    ("compose.yaml", "services:\n  web:\n    build: {dockerfile: web.img\n"),
    (".devcontainer/devcontainer.json", '{"build": {"dockerfile": "../web.img"\n'),
    ("docker-bake.json", '{"target": {"a": {"dockerfile": "web.img"}}\n'),
    ("package.json", '{"scripts": {"img": "docker build -f web.img ."\n'),
    ("skaffold.yaml", "build:\n  artifacts:\n    - docker: [dockerfile: web.img\n"),
    (".gitlab-ci.yml", "build:\n  script:\n    - [docker build -f web.img .\n"),
    (".github/workflows/w.yml", "jobs:\n  b:\n    steps:\n      - run: 'docker build -f x\n"),
])
def test_a_changed_build_file_that_does_not_parse_is_named(tmp_path: Path, source: str,
                                                          text: str) -> None:
    _tree(tmp_path, {source: text, "web.img": "FROM alpine\n"})
    why = unresolved(tmp_path, [source, "web.img"])
    assert list(why) == [source] and "it is not" in why[source], why
    # the same text without a word of docker builds nothing: not named
    _tree(tmp_path, {source: text.replace("docker", "make")})
    assert unresolved(tmp_path, [source, "web.img"]) == {}


def test_a_gitlab_reference_tag_is_read_past(tmp_path: Path) -> None:
    _tree(tmp_path, {".gitlab-ci.yml": ".setup:\n  script: [echo]\nbuild:\n  script:\n"
                                       "    - !reference [.setup, script]\n"
                                       "    - docker build -f ci/web.img .\n",
                     "ci/web.img": "FROM alpine\n"})
    assert built(tmp_path, ["ci/web.img", ".gitlab-ci.yml"]) == {"ci/web.img": DOCKERFILE}
    assert unresolved(tmp_path, ["ci/web.img", ".gitlab-ci.yml"]) == {}
