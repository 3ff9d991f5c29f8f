"""A Dockerfile under another name that the repository tells docker to build (a Compose
file's `build.dockerfile`, a workflow's `docker/build-push-action` `file:`, a Makefile's
`docker build -f`, a devcontainer.json, a Bake file, a Skaffold config, a package.json
script, a justfile, a GitLab CI job, a workflow's `run:`) is analysed as a Dockerfile,
outside the infrastructure reviewer's globs too: the review reports on its own lines what
plain checkov reports on it named `Dockerfile` (the oracle), and hadolint reads it.
`reviewloop review --base main --head feature` as a user runs it, with the suite's checkov
and hadolint (`iac_env`); marked `pypi` (CI sets REVIEWLOOP_PYPI=1)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.checkov import DOCKERFILE, plain_checkov
from tests.support.docker_builds import FORMS, Built, builds
from tests.support.review_cli import review_feature

pytestmark = [pytest.mark.usefixtures("iac_env"), pytest.mark.pypi, pytest.mark.timeout(900)]


@pytest.mark.parametrize("form", FORMS)
def test_a_dockerfile_the_repository_builds_is_analysed_whatever_its_name(
        iac_tools: Path, form: str) -> None:
    """Each form once, its path's spelling drawn (a folder, `./`, a context)."""
    _analysed_as_a_dockerfile(iac_tools, builds((form,)))


def _analysed_as_a_dockerfile(iac_tools: Path, forms: st.SearchStrategy[Built]) -> None:
    @settings(max_examples=1, deadline=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
              database=None)
    @given(drawn=forms)
    def one(drawn: Built) -> None:
        _check(iac_tools, drawn)

    one()


def _check(iac_tools: Path, drawn: Built) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "Dockerfile").write_text(DOCKERFILE)
        expected = {(c["check_id"], c["file_line_range"][0])
                    for c in plain_checkov(iac_tools, Path(folder), "--framework", "dockerfile")}
    assert expected
    files = {drawn.path: DOCKERFILE.encode(), **{p: t.encode() for p, t in drawn.files.items()}}
    report = review_feature(files)
    found = [f for bucket in ("remaining", "nits", "out_of_scope")
             for f in report["findings"][bucket] if f["file"] == drawn.path]
    assert {(f["rule"], f["start_line"]) for f in found if f["rule"].startswith("CKV")} \
        == expected, drawn
    assert any(f["rule"].startswith("DL") for f in found), drawn  # hadolint's
    row = next(row for row in report["health"]["files"] if row["path"] == drawn.path)
    assert {"checkov (review-infrastructure)", "hadolint (review-infrastructure)"} \
        <= set(row["analysed_by"]) and row["not_read"] == []
