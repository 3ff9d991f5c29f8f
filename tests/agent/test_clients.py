"""The AWS clients a review builds: one botocore session, one client per Bedrock service,
shared by every reviewer, counted where botocore builds them (`Session.create_client`).
Building a client reads botocore's endpoint and service files into its session's loader: a
second session read them all again, a second control-plane client read `bedrock`'s large
service model for nothing."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import botocore.session
import pytest
from langchain_aws import ChatBedrockConverse

from reviewloop.agent.models import make_chat_model
from tests.support.bedrock import BedrockFake, aws_env, tool_use
from tests.support.cli_main import run_cli
from tests.support.loop_cli import MODEL, REVIEWERS
from tests.support.repos import feature_branch

CHANGE: dict[str | bytes, bytes] = {
    "app/store.py": b"def total(items):\n    return sum(i.price for i in items)\n",
    "tests/test_store.py": b"def test_total():\n    assert True\n"}


class Built:
    """Every botocore client built while it counts: by service, and by session."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.services: Counter[str] = Counter()
        self.sessions: set[int] = set()
        create = botocore.session.Session.create_client

        def counted(session, service_name, *args, **kwargs):
            self.services[service_name] += 1
            self.sessions.add(id(session))
            return create(session, service_name, *args, **kwargs)

        monkeypatch.setattr(botocore.session.Session, "create_client", counted)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    # a fake of its own: its address is new, so no session or listing of an earlier test's
    # is reused (both are kept per AWS_* environment)
    with BedrockFake(models={MODEL, MODEL.removeprefix("us.")}) as served:
        for name, value in aws_env(served).items():
            monkeypatch.setenv(name, value)
        for name in REVIEWERS:
            served.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})] * 4)
        yield served


def test_a_review_builds_one_session_and_one_client_per_service(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        fake: BedrockFake):
    root = feature_branch(tmp_path / "repo", CHANGE)
    monkeypatch.chdir(root)
    built = Built(monkeypatch)

    code, _, err = run_cli(capsys, "review", "--base", "main", "--head", "feature",
                           "--model", MODEL, "--format", "json")

    assert code in (0, 1), err
    assert fake.listings and fake.calls  # the id was checked, the reviewers were called
    # the listing's control-plane client and the reviewers' runtime client, from one session
    assert built.services == Counter({"bedrock": 1, "bedrock-runtime": 1})
    assert len(built.sessions) == 1


def test_the_control_plane_client_is_built_only_when_the_model_asks_for_it(
        monkeypatch: pytest.MonkeyPatch, fake: BedrockFake):
    built = Built(monkeypatch)

    model = make_chat_model(MODEL)

    assert isinstance(model, ChatBedrockConverse)
    assert built.services == Counter({"bedrock-runtime": 1})
    assert model.bedrock_client.meta.service_model.service_name == "bedrock"  # on first use
    assert built.services == Counter({"bedrock-runtime": 1, "bedrock": 1})
