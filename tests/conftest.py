"""Suite-wide guards: no real model provider, no real AWS, no user git config."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REVIEWLOOP_LIVE") == "1":
        return
    skip = pytest.mark.skip(reason="talks to a real model provider; set REVIEWLOOP_LIVE=1")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path_factory, request):
    """Tests never see the developer's AWS profile, tokens or reviewloop settings."""
    if "live" in request.keywords:
        return
    for name in list(os.environ):
        if name.startswith(("AWS_", "REVIEWLOOP_")) or name in ("GITHUB_TOKEN", "GH_TOKEN"):
            monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.getbasetemp() / "aws-empty"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "reviewloop tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@reviewloop.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "reviewloop tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@reviewloop.invalid")
from tests.fakes.bedrock import bedrock_fake  # noqa: F401,E402 - fixture for every test module
from tests.agent.workspace_helpers import outside, repo, ws  # noqa: F401 - temp-repo fixtures for workspace, shell and tools tests
