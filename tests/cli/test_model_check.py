"""A model id Bedrock does not know is refused before any work, with the closest valid ids:
through the real command line, against the loopback Bedrock fake serving a region's models
(its ListFoundationModels and ListInferenceProfiles, and the ValidationException Bedrock
answers a call to an unknown id). No Converse call is made for a misspelt id."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.agent import model_ids
from reviewloop.errors import ConfigError
from tests.support.bedrock import BedrockFake
from tests.support.loop_cli import MODEL, clean_reviews, cli, fake_env, make_example, manual_change

SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"
REGION = {SONNET_4, f"us.{SONNET_4}", MODEL, MODEL.removeprefix("us."),
          "amazon.nova-pro-v1:0", "us.amazon.nova-pro-v1:0"}
TYPO = "anthropic.claude-sonet-4"


@pytest.fixture
def changed(tmp_path: Path) -> Path:
    root = make_example(tmp_path)
    manual_change(root)
    return root


def refused(done, fake: BedrockFake) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"the model '{TYPO}'" in done.stderr and "fix: did you mean " in done.stderr
    # the closest valid ids are named: the region's list, or the price catalogue's ids
    assert "anthropic.claude-sonnet-4" in done.stderr.split("did you mean", 1)[1]
    assert "Traceback" not in done.stderr
    assert [r for r in fake.requests if not r.warmup] == []  # no model call spent


@pytest.mark.parametrize("flags", [(), ("--require-llm",)])
def test_a_misspelt_model_is_refused_naming_the_closest_listed_ids(changed: Path, flags):
    with BedrockFake(models=REGION) as fake:
        done = cli(changed, "review", "--model", TYPO, *flags, env=fake_env(fake))
        refused(done, fake)
        assert fake.requests == [] and "/foundation-models" in fake.listings


def test_without_permission_to_list_one_token_asks_bedrock_itself(changed: Path):
    with BedrockFake(models=REGION, list_status=403) as fake:
        done = cli(changed, "review", "--model", TYPO, env=fake_env(fake))
        refused(done, fake)
        assert len(fake.requests) == 1 and fake.requests[0].warmup  # maxTokens 1
        assert fake.requests[0].error == "ValidationException"


def test_a_run_with_the_llm_implementer_is_refused_before_anything_is_created(tmp_path):
    root = make_example(tmp_path)
    with BedrockFake(models=REGION) as fake:
        done = cli(root, "run", "next", "--spec", "docs/todo-api-spec.md", "--branch", "t2",
                   "--model", TYPO, env=fake_env(fake))
        refused(done, fake)
    assert not (root / ".reviewloop").exists()


def test_a_listed_model_reviews_as_before(changed: Path):
    with BedrockFake(models=REGION) as fake:
        clean_reviews(fake)
        done = cli(changed, "review", "--model", MODEL, env=fake_env(fake))
        assert done.returncode == 0, done.stdout + done.stderr
        assert fake.calls and all(r.model_id == MODEL for r in fake.calls)


def test_offline_needs_no_list_and_no_model(changed: Path):
    with BedrockFake(models=REGION) as fake:
        env = fake_env(fake) | {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
        done = cli(changed, "review", "--model", TYPO, env=env)
        assert done.returncode in (0, 1), done.stdout + done.stderr
        assert "LLM reviewers are OFF" in done.stderr
        assert fake.listings == [] and fake.requests == []


def test_an_arn_and_other_providers_are_not_asked(monkeypatch):
    with BedrockFake(models=REGION) as fake:
        for name, value in fake_env(fake).items():
            monkeypatch.setenv(name, value)
        model_ids.check_model_id("bedrock:anthropic:arn:aws:bedrock:us-east-1:1:"
                                 "inference-profile/x", "us-east-1")
        model_ids.check_model_id("openai:gpt-4.1", None)
        with pytest.raises(ConfigError, match="bedrock:PROVIDER:arn"):  # a bare ARN names no
            model_ids.check_model_id("arn:aws:bedrock:us-east-1:1:inference-profile/x",  # provider
                                     "us-east-1")
        assert fake.listings == [] and fake.requests == []
        with pytest.raises(ConfigError, match="did you mean"):  # while a Bedrock id is
            model_ids.check_model_id(TYPO, "us-east-1")
        assert fake.listings
