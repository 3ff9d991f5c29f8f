"""reviewloop.agent.models: the real ChatBedrockConverse → boto3 stack against the loopback fake."""

from __future__ import annotations

import os
import sys
import threading
import time
import types

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_aws import ChatBedrockConverse
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel, Field, ValidationError

from reviewloop.agent.messages import cached_ask, system_message
from reviewloop.agent.models import (
    UsageRecord,
    check_credentials,
    estimate_cost,
    is_bedrock_model,
    llm_available,
    make_chat_model,
    split_provider,
    total,
    usage_from,
)
from reviewloop.errors import ConfigError, CredentialsError
from tests.support.bedrock import malformed, text, tool_use, validate_converse_request

SONNET = "us.anthropic.claude-sonnet-4-20250514-v1:0"
CREDENTIALS_FIX = ("export AWS_PROFILE=<profile> (after `aws sso login --profile <profile>` "
                   "for SSO), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")


class ReportFinding(BaseModel):
    """Report one finding in the change."""

    path: str = Field(description="file the finding is in")
    line: int = Field(description="1-based line number")
    message: str


@pytest.fixture
def no_aws(monkeypatch, tmp_path):
    """An environment where the boto3 chain finds nothing at all."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    (tmp_path / "config").write_text("")
    (tmp_path / "credentials").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


# -- the real client against the fake --------------------------------------------------


def test_plain_reply_goes_through_converse(bedrock_fake):
    bedrock_fake.enqueue(text("looks good"))
    model = make_chat_model(SONNET)

    reply = model.invoke([HumanMessage("review this")])

    assert reply.content == "looks good"
    assert reply.response_metadata["stopReason"] == "end_turn"
    [request] = bedrock_fake.requests
    assert request.model_id == SONNET
    assert request.body["messages"] == [{"role": "user", "content": [{"text": "review this"}]}]
    assert request.body["inferenceConfig"] == {"temperature": 0.0}
    assert request.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDFAKE")


def test_client_is_built_for_parallel_reviewers(bedrock_fake):
    model = make_chat_model(SONNET, region="eu-west-1")

    assert isinstance(model, ChatBedrockConverse)
    config = model.client.meta.config
    assert (config.read_timeout, config.connect_timeout) == (300, 10)
    assert config.max_pool_connections == 32
    # botocore normalises `max_attempts` (retries) to `total_max_attempts` (attempts).
    assert config.retries == {"total_max_attempts": 7, "mode": "adaptive"}
    assert model.client.meta.region_name == "eu-west-1"
    assert model.client.meta.endpoint_url == bedrock_fake.url


def test_tool_use_round_trip(bedrock_fake):
    finding = {"path": "app.py", "line": 3, "message": "SQL built from user input"}
    bedrock_fake.enqueue(tool_use("ReportFinding", finding, text_before="One issue.",
                                  tool_use_id="tooluse_1"),
                         text("reported"))
    model = make_chat_model(SONNET).bind_tools([ReportFinding])

    first = model.invoke([HumanMessage("review app.py")])

    assert first.tool_calls == [{"name": "ReportFinding", "args": finding,
                                 "id": "tooluse_1", "type": "tool_call"}]
    assert first.response_metadata["stopReason"] == "tool_use"
    second = model.invoke([HumanMessage("review app.py"), first,
                           ToolMessage("noted", tool_call_id="tooluse_1")])
    assert second.content == "reported"
    tools = bedrock_fake.requests[0].body["toolConfig"]["tools"]
    assert tools[0]["toolSpec"]["name"] == "ReportFinding"
    assert tools[0]["toolSpec"]["inputSchema"]["json"]["required"] == ["path", "line", "message"]
    answered = bedrock_fake.requests[1].body["messages"]
    assert [m["role"] for m in answered] == ["user", "assistant", "user"]
    assert answered[1]["content"][-1]["toolUse"]["toolUseId"] == "tooluse_1"
    assert answered[2]["content"][0]["toolResult"]["toolUseId"] == "tooluse_1"


def test_usage_with_cache_tokens_becomes_a_usage_record(bedrock_fake):
    bedrock_fake.enqueue(text("ok", input_tokens=120, output_tokens=30,
                              cache_read=2000, cache_write=500))
    reply = make_chat_model(SONNET).invoke([HumanMessage("hi")])

    record = usage_from(reply, role="review", agent="security", model=SONNET)

    # LangChain's input_tokens already counts the cached tokens.
    assert record == UsageRecord(role="review", agent="security", model=SONNET,
                                 input_tokens=2620, output_tokens=30,
                                 cache_read_tokens=2000, cache_write_tokens=500)


def test_cache_point_and_tool_config_reach_the_wire(bedrock_fake):
    bedrock_fake.enqueue(tool_use("ReportFinding", {"path": "a", "line": 1, "message": "m"}))
    system = system_message("shared: repo context + diff", "agent: review-security",
                            bedrock=True)

    make_chat_model(SONNET).bind_tools([ReportFinding]).invoke([system, HumanMessage("go")])

    body = bedrock_fake.requests[0].body
    assert body["system"] == [{"text": "shared: repo context + diff"},
                              {"cachePoint": {"type": "default"}},
                              {"text": "agent: review-security"}]
    assert [t["toolSpec"]["name"] for t in body["toolConfig"]["tools"]] == ["ReportFinding"]


def test_marker_scripts_answer_parallel_reviewers(bedrock_fake):
    agents = [f"agent: review-{name}" for name in ("security", "style", "tests", "docs", "perf")]
    for agent in agents:
        bedrock_fake.script(agent, [text(f"{agent} done")])
    model = make_chat_model(SONNET)
    answers: dict[str, str] = {}

    def reviewer(agent: str) -> None:
        system = system_message("shared prefix", agent, bedrock=True)
        answers[agent] = model.invoke([system, HumanMessage("go")]).content

    threads = [threading.Thread(target=reviewer, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == {a: f"{a} done" for a in agents}
    assert len(bedrock_fake.requests) == len(agents)


def test_throttling_is_retried_by_botocore(bedrock_fake):
    bedrock_fake.fail_next(status=429)
    bedrock_fake.enqueue(text("after the throttle"))

    reply = make_chat_model(SONNET).invoke([HumanMessage("hi")])

    assert reply.content == "after the throttle"
    assert len(bedrock_fake.requests) == 2
    assert reply.response_metadata["ResponseMetadata"]["RetryAttempts"] == 1


def test_service_unavailable_is_retried_by_botocore(bedrock_fake):
    bedrock_fake.fail_next(status=503)
    bedrock_fake.enqueue(text("back"))

    assert make_chat_model(SONNET).invoke([HumanMessage("hi")]).content == "back"
    assert len(bedrock_fake.requests) == 2


def test_validation_exception_surfaces_without_retry(bedrock_fake):
    model = make_chat_model(SONNET)

    with pytest.raises(ClientError) as raised:
        model.invoke([AIMessage("I speak first")])

    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("A conversation must start with a user message.")
    assert len(bedrock_fake.requests) == 1


def test_injected_validation_exception_carries_its_message(bedrock_fake):
    bedrock_fake.fail_next(status=400, message="Input is too long for requested model.")

    with pytest.raises(Exception, match="Input is too long"):
        make_chat_model(SONNET).invoke([HumanMessage("hi")])
    assert len(bedrock_fake.requests) == 1


def test_malformed_response_body_is_an_error(bedrock_fake):
    bedrock_fake.enqueue(malformed())

    with pytest.raises(ValueError, match="No 'output' key"):
        make_chat_model(SONNET).invoke([HumanMessage("hi")])


def test_an_exhausted_script_is_an_error_not_a_hang(bedrock_fake):
    with pytest.raises(ClientError, match="the script ran out"):
        make_chat_model(SONNET).invoke([HumanMessage("hi")])
    assert len(bedrock_fake.requests) == 1  # a 4xx botocore does not retry


def test_slow_reply_still_arrives(bedrock_fake):
    bedrock_fake.enqueue(text("slow", delay=0.3))

    started = time.monotonic()
    reply = make_chat_model(SONNET).invoke([HumanMessage("hi")])

    assert reply.content == "slow"
    assert time.monotonic() - started >= 0.3


# -- model strings ------------------------------------------------------------------------


@pytest.mark.parametrize(("model", "expected"), [
    ("anthropic.claude-3-5-sonnet-20240620-v1:0",
     (None, "anthropic.claude-3-5-sonnet-20240620-v1:0")),
    (SONNET, (None, SONNET)),
    ("amazon.nova-pro-v1:0", (None, "amazon.nova-pro-v1:0")),
    ("openai:gpt-4.1", ("openai", "gpt-4.1")),
    ("anthropic:claude-sonnet-4-5", ("anthropic", "claude-sonnet-4-5")),
    ("bedrock_converse:amazon.nova-lite-v1:0", ("bedrock_converse", "amazon.nova-lite-v1:0")),
    ("ollama:llama3.1:8b", ("ollama", "llama3.1:8b")),
])
def test_split_provider(model, expected):
    assert split_provider(model) == expected


@pytest.mark.parametrize("model, hint", [
    ("opneai:gpt-4o", "did you mean openai:gpt-4o?"),
    ("antropic:claude-sonnet-4-5", "did you mean anthropic:claude-sonnet-4-5?"),
    ("zzz:model", "use a Bedrock model id"),
])
def test_a_misspelt_provider_is_a_config_error_naming_the_closest(model, hint):
    with pytest.raises(ConfigError) as caught:
        split_provider(model)
    assert f"unknown model provider {model.split(':')[0]!r}" in str(caught.value)
    assert hint in str(caught.value) and "openai" in str(caught.value)


def test_bedrock_ids_with_colons_are_not_providers():
    for model in ("anthropic.claude-3-5-sonnet-20240620-v1:0",
                  "us.anthropic.claude-sonnet-4-5-20250929-v1:0"):
        assert split_provider(model) == (None, model)


ARNS = st.builds("arn:aws:bedrock:{}:{}:{}/{}".format,
                 st.sampled_from(["us-east-1", "eu-west-1"]),
                 st.from_regex(r"\d{12}", fullmatch=True),
                 st.sampled_from(["application-inference-profile", "inference-profile",
                                  "provisioned-model"]),
                 st.from_regex(r"[a-z0-9.:-]{1,24}", fullmatch=True))


@given(arn=ARNS)
def test_a_bare_model_arn_is_a_config_error_saying_how_to_name_its_provider(arn):
    """ChatBedrockConverse refuses an ARN without its provider: exit 2, not a crash (3)."""
    with pytest.raises(ConfigError) as caught:
        split_provider(arn)
    assert caught.value.exit_code == 2 and caught.value.where == "model"
    assert f"bedrock:anthropic:{arn}" in str(caught.value)


@settings(max_examples=10, deadline=None)
@given(arn=ARNS.filter(lambda arn: "application-inference-profile" not in arn),
       provider=st.sampled_from(["anthropic", "amazon", "meta", "mistral"]))
def test_a_model_arn_is_named_with_its_provider(arn, provider):
    """(An application inference profile is built asking Bedrock's GetInferenceProfile for
    its base model, which the loopback fake does not answer.)"""
    model = f"bedrock:{provider}:{arn}"
    assert split_provider(model) == ("bedrock", f"{provider}:{arn}")
    assert is_bedrock_model(model)
    chat = make_chat_model(model, region="us-east-1")
    assert isinstance(chat, ChatBedrockConverse)
    assert (chat.model_id, chat.provider) == (arn, provider)


def test_a_model_arn_with_its_provider_reaches_bedrock(bedrock_fake):
    arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123"
    bedrock_fake.enqueue(text("from the profile"))
    reply = make_chat_model(f"bedrock:anthropic:{arn}").invoke([HumanMessage("hi")])
    assert reply.content == "from the profile"
    [request] = bedrock_fake.requests
    assert request.model_id == arn


def test_is_bedrock_model():
    assert is_bedrock_model(SONNET)
    assert is_bedrock_model("bedrock:amazon.nova-pro-v1:0")
    assert not is_bedrock_model("openai:gpt-4.1")


def test_bedrock_prefix_is_handled_without_langchain(bedrock_fake):
    model = make_chat_model("bedrock_converse:amazon.nova-lite-v1:0")

    assert isinstance(model, ChatBedrockConverse)
    assert model.model_id == "amazon.nova-lite-v1:0"


def test_other_providers_need_the_langchain_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "langchain", None)

    with pytest.raises(ConfigError) as raised:
        make_chat_model("openai:gpt-4.1")

    assert str(raised.value) == (
        "model: model 'openai:gpt-4.1' names the provider 'openai', which needs the "
        "`langchain` package\n  fix: pip install langchain plus the provider's integration "
        "(e.g. `pip install \"langchain[openai]\"`), or use a Bedrock model id")


def test_other_providers_go_through_init_chat_model(monkeypatch):
    calls = []
    chat_models = types.ModuleType("langchain.chat_models")
    chat_models.init_chat_model = lambda model, **kw: calls.append((model, kw)) or "a model"
    monkeypatch.setitem(sys.modules, "langchain", types.ModuleType("langchain"))
    monkeypatch.setitem(sys.modules, "langchain.chat_models", chat_models)

    assert make_chat_model("ollama:llama3.1:8b", temperature=None) == "a model"
    assert make_chat_model("openai:gpt-4.1") == "a model"
    assert calls == [("llama3.1:8b", {"model_provider": "ollama"}),
                     ("gpt-4.1", {"model_provider": "openai", "temperature": 0})]


def test_bedrock_without_a_region_says_how_to_set_one(no_aws):
    with pytest.raises(CredentialsError) as raised:
        make_chat_model(SONNET)

    assert str(raised.value) == (
        f"no AWS region for the Bedrock model {SONNET!r}\n"
        "  fix: set AWS_REGION, or `region` in .reviewloop.toml, or pass --region")


# -- credentials ------------------------------------------------------------------------


def test_no_credentials_says_exactly_what_to_set(no_aws):
    with pytest.raises(CredentialsError) as raised:
        check_credentials(SONNET, "us-east-1")

    assert str(raised.value) == f"no AWS credentials found for Bedrock\n  fix: {CREDENTIALS_FIX}"
    assert raised.value.exit_code == 2


def test_unknown_profile_is_named_in_the_fix(no_aws, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "dev-sso")

    with pytest.raises(CredentialsError) as raised:
        check_credentials(SONNET, "us-east-1")

    assert str(raised.value) == (
        "AWS credentials could not be loaded: The config profile (dev-sso) could not be found"
        "\n  fix: export AWS_PROFILE=dev-sso (after `aws sso login --profile dev-sso` for "
        "SSO), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")


def test_profile_from_config_file_counts(no_aws, monkeypatch):
    (no_aws / "credentials").write_text(
        "[team]\naws_access_key_id = AKIDTEAM\naws_secret_access_key = s\n")
    (no_aws / "config").write_text("[profile team]\nregion = eu-central-1\n")
    monkeypatch.setenv("AWS_PROFILE", "team")

    check_credentials(SONNET, None)  # region from the profile


def test_no_region_says_which_variable(no_aws, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")

    with pytest.raises(CredentialsError) as raised:
        check_credentials(SONNET, None)

    assert str(raised.value) == ("no AWS region set for Bedrock\n  fix: set AWS_REGION, or "
                                 "`region` in .reviewloop.toml, or pass --region")


@pytest.mark.parametrize("variable", ["AWS_REGION", "AWS_DEFAULT_REGION"])
def test_region_variables_are_honoured(no_aws, monkeypatch, variable):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv(variable, "us-west-2")

    check_credentials(SONNET, None)


def test_bedrock_api_key_counts_as_credentials(no_aws, monkeypatch):
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key")

    check_credentials(SONNET, "us-east-1")


def test_other_provider_api_key(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(CredentialsError) as raised:
        check_credentials("openai:gpt-4.1", None)
    assert str(raised.value) == ("no API key for the openai model 'openai:gpt-4.1'\n"
                                 "  fix: export OPENAI_API_KEY=…")

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    check_credentials("openai:gpt-4.1", None)
    check_credentials("ollama:llama3.1", None)  # no key to check


def test_llm_available(no_aws, monkeypatch):
    assert not llm_available(None, "us-east-1")
    assert not llm_available("", "us-east-1")
    assert not llm_available(SONNET, "us-east-1")
    monkeypatch.setenv("AWS_PROFILE", "missing")
    assert not llm_available(SONNET, "us-east-1")  # a broken profile does not raise
    monkeypatch.delenv("AWS_PROFILE")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    assert llm_available(SONNET, "us-east-1")
    assert not llm_available(SONNET, None)


# -- prompts ------------------------------------------------------------------------------


def test_a_conversations_first_ask_is_cached_on_bedrock_only():
    """A fixer's group of findings: its later calls (the reply after an edit) read it."""
    assert cached_ask("fix these", bedrock=False).content == "fix these"
    assert cached_ask("fix these", bedrock=True).content == [
        {"type": "text", "text": "fix these"}, {"cachePoint": {"type": "default"}}]


def test_system_message_for_other_providers_is_plain_text():
    message = system_message("shared", "specific", bedrock=False)

    assert message.content == "shared\n\nspecific"


def test_system_message_for_bedrock_has_one_cache_point():
    message = system_message("shared", "specific", bedrock=True)

    assert message.content == [{"type": "text", "text": "shared"},
                               {"cachePoint": {"type": "default"}},
                               {"type": "text", "text": "specific"}]


# -- usage and cost -----------------------------------------------------------------------


def _record(model=SONNET, **tokens) -> UsageRecord:
    return UsageRecord(role="review", agent="security", model=model, **tokens)


def test_usage_from_a_reply_without_usage_is_zero():
    assert usage_from(AIMessage("x"), role="fix", agent="fixer", model="m") == UsageRecord(
        role="fix", agent="fixer", model="m")


def test_usage_record_is_frozen():
    with pytest.raises(ValidationError, match="frozen"):
        _record().input_tokens = 5


def test_total_adds_every_field():
    summed = total([_record(input_tokens=10, output_tokens=2, cache_read_tokens=4),
                    _record(input_tokens=5, output_tokens=1, cache_write_tokens=3)])

    assert (summed.input_tokens, summed.output_tokens) == (15, 3)
    assert (summed.cache_read_tokens, summed.cache_write_tokens) == (4, 3)


def test_estimate_cost_splits_cached_input():
    prices = {SONNET: {"input": 3.0, "output": 15.0, "cache_read": 0.3, "cache_write": 3.75}}
    record = _record(input_tokens=1_600_000, output_tokens=100_000,
                     cache_read_tokens=500_000, cache_write_tokens=100_000)

    cost = estimate_cost([record], prices)

    assert cost == pytest.approx(1.0 * 3 + 0.1 * 15 + 0.5 * 0.3 + 0.1 * 3.75)


def test_a_configured_price_for_a_base_id_covers_its_inference_profiles():
    tokens = {"input_tokens": 1_000_000, "output_tokens": 1_000_000}
    prices = {"anthropic.claude-haiku-4-5-20251001-v1:0": {"input": 1.0, "output": 5.0}}
    for model in ("global.anthropic.claude-haiku-4-5-20251001-v1:0",
                  "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
                  "bedrock_converse:us.anthropic.claude-haiku-4-5-20251001-v1:0"):
        assert estimate_cost([_record(model=model, **tokens)], prices) == pytest.approx(6)


def test_configured_prices_win_and_add_models():
    prices = {SONNET: {"input": 1.0, "output": 2.0},
              "openai:gpt-4.1": {"input": 2.0, "output": 8.0}}
    records = [_record(input_tokens=1_000_000, output_tokens=1_000_000),
               _record(model="openai:gpt-4.1", input_tokens=500_000)]

    assert estimate_cost(records, prices) == pytest.approx(1 + 2 + 1)


def test_unknown_model_has_unknown_cost():
    records = [_record(input_tokens=10), _record(model="ollama:llama3.1", input_tokens=10)]

    assert estimate_cost(records, None) is None
    assert estimate_cost([], None) == 0.0


# -- live -------------------------------------------------------------------------------


@pytest.mark.live
def test_live_bedrock_round_trip():
    """Talks to real Bedrock: REVIEWLOOP_LIVE=1, AWS credentials, a region, model access."""
    model_id = os.environ.get("REVIEWLOOP_LIVE_MODEL",
                              "us.anthropic.claude-haiku-4-5-20251001-v1:0")
    region = os.environ.get("REVIEWLOOP_LIVE_REGION")
    check_credentials(model_id, region)
    model = make_chat_model(model_id, region=region).bind_tools([ReportFinding])

    reply = model.invoke([
        system_message("You review code. " * 300, "Always answer by calling ReportFinding.",
                       bedrock=is_bedrock_model(model_id)),
        HumanMessage("app.py line 3: query = 'SELECT * FROM t WHERE id=' + user_id"),
    ])

    assert reply.tool_calls and reply.tool_calls[0]["name"] == "ReportFinding"
    record = usage_from(reply, role="review", agent="live", model=model_id)
    assert record.input_tokens > 0 and record.output_tokens > 0


# -- the fake's own checks ------------------------------------------------------------------


def test_repeated_faults_are_counted(bedrock_fake):
    bedrock_fake.fail_next(status=500, count=2)
    bedrock_fake.enqueue(text("third time"))

    assert make_chat_model(SONNET).invoke([HumanMessage("hi")]).content == "third time"
    assert len(bedrock_fake.requests) == 3


@pytest.mark.parametrize(("body", "problem"), [
    ({}, "The messages field is required"),
    ({"messages": [{"role": "system", "content": [{"text": "x"}]}]}, "messages.0.role"),
    ({"messages": [{"role": "user", "content": []}]}, "messages.0.content"),
    ({"messages": [{"role": "user", "content": [{"text": "x"}]}],
      "system": [{"oops": 1}]}, "system.0"),
    ({"messages": [{"role": "user", "content": [{"text": "x"}]}],
      "toolConfig": {"tools": [{"toolSpec": {"inputSchema": {"json": {}}}}]}},
     "toolConfig.tools.0.toolSpec.name"),
    ({"messages": [{"role": "user", "content": [{"text": "x"}]}],
      "toolConfig": {"tools": [{"toolSpec": {"name": "t", "inputSchema": {}}}]}},
     "toolConfig.tools.0.toolSpec.inputSchema.json"),
])
def test_fake_rejects_malformed_requests(body, problem):
    assert problem in validate_converse_request(body)


def test_fake_accepts_a_well_formed_request():
    body = {"messages": [{"role": "user", "content": [{"text": "x"}]}],
            "system": [{"text": "s"}, {"cachePoint": {"type": "default"}}],
            "toolConfig": {"tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": {}}}}]}}

    assert validate_converse_request(body) is None
