"""A file the repository tells docker to build is a Dockerfile whatever its name
(`dockerfile_builds`): every form of `tests/support/docker_builds.py`, and nothing else —
an expression, a path out of the tree, a file no build names."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.dockerfile_builds import (
    _COMPOSE,
    _MAKEFILE,
    BuiltDockerfiles,
    _kind,
    _may_be,
    built,
)
from reviewloop.git.languages import DOCKERFILE
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
                          "workflows", "sub", "pkg", "Dockerfile"])


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
    else:
        expected = "make" if _MAKEFILE.match(pure.name) else ""
    assert _kind(path) == expected, path
    # a folder's entries are joined to it only when the name may be one, in some folder
    assert _may_be(pure.name) or not _kind(f".github/workflows/{pure.name}"), path
    assert _may_be(pure.name) or not expected, path
