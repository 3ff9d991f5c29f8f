"""The Bedrock fake's realism (context window, prompt cache, latency, prompt log), driven
through the real ChatBedrockConverse → boto3 stack as reviewloop drives it."""

from __future__ import annotations

import json
import math
import threading
import time

import pytest
from botocore.exceptions import ClientError
from langchain_core.messages import HumanMessage
from pydantic import BaseModel

from reviewloop.agent.messages import system_message
from reviewloop.agent.models import make_chat_model
from tests.support.bedrock import BedrockFake, aws_env, text, tool_use
from tests.support.bedrock_tokens import PromptCache, estimate_tokens, segments

SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
SHARED = "Shared review context: the whole diff goes here. " * 100  # 5,000 chars
SHARED_TOKENS = math.ceil(len(SHARED) / 4)


class SubmitFindings(BaseModel):
    """Submit the findings of a review."""

    findings: list[str]


@pytest.fixture
def start_fake(monkeypatch):
    """Start a BedrockFake with the given options; boto3 in this process talks to it."""
    fakes = []

    def start(**options) -> BedrockFake:
        fake = BedrockFake(**options).__enter__()
        fakes.append(fake)
        for name, value in aws_env(fake).items():
            monkeypatch.setenv(name, value)
        return fake

    yield start
    for fake in fakes:
        fake.__exit__(None, None, None)


def reviewer_call(agent: str, *, max_tokens: int | None = None, tools=(SubmitFindings,)):
    """One reviewer-shaped call: the shared prefix, a cache point, the agent's own part."""
    model = make_chat_model(SONNET)
    if tools:
        model = model.bind_tools(list(tools))
    messages = [system_message(SHARED, f"agent: {agent}", bedrock=True),
                HumanMessage("Review the change.")]
    return model.invoke(messages, **({"max_tokens": max_tokens} if max_tokens else {}))


# -- token estimate ---------------------------------------------------------------------


def test_estimate_is_a_quarter_of_the_characters_the_model_reads():
    tool = {"name": "t", "description": "d", "inputSchema": {"json": {"type": "object"}}}
    body = {"toolConfig": {"tools": [{"toolSpec": tool}, {"cachePoint": {"type": "default"}}]},
            "system": [{"text": "abcdefgh"}, {"cachePoint": {"type": "default"}}],
            "messages": [{"role": "user", "content": [{"text": "xyz"}]},
                         {"role": "assistant", "content": [
                             {"toolUse": {"toolUseId": "1", "name": "t", "input": {"a": 1}}}]}]}

    tool_chars = len(json.dumps(tool, separators=(",", ":"), sort_keys=True))
    assert estimate_tokens(body) == math.ceil((tool_chars + 8 + 3 + len('t{"a":1}')) / 4)
    assert segments(body)[1] is None and segments(body)[3] is None  # the cache points


def test_usage_is_computed_from_the_request_when_not_scripted(start_fake):
    fake = start_fake()
    fake.enqueue(text("fine"))

    reply = make_chat_model(SONNET).invoke([HumanMessage("x" * 400)])

    assert reply.usage_metadata["input_tokens"] == 100
    assert fake.requests[0].tokens == fake.requests[0].input_tokens == 100


# -- context window ---------------------------------------------------------------------


def test_a_request_over_the_window_gets_bedrocks_validation_exception(start_fake):
    fake = start_fake(context_window=1000)
    fake.enqueue(text("fits"))

    assert make_chat_model(SONNET).invoke([HumanMessage("x" * 4000)]).content == "fits"
    with pytest.raises(ClientError) as raised:
        make_chat_model(SONNET).invoke([HumanMessage("x" * 4004)])

    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert raised.value.response["Error"] == {"Code": "ValidationException",
                                              "Message": "Input is too long for requested model."}
    assert [(r.tokens, r.status, r.error) for r in fake.requests] == [
        (1000, 200, None), (1001, 400, "ValidationException")]  # not retried


def test_input_plus_max_tokens_over_the_window_names_both(start_fake):
    fake = start_fake(context_window=1000)

    with pytest.raises(ClientError, match=r"exceed context limit: 900 \+ 200 > 1000"):
        make_chat_model(SONNET).invoke([HumanMessage("x" * 3600)], max_tokens=200)
    assert fake.requests[0].error == "ValidationException"


def test_without_a_window_any_size_is_answered(start_fake):
    fake = start_fake()
    fake.enqueue(text("ok"))

    assert make_chat_model(SONNET).invoke([HumanMessage("x" * 1_000_000)]).content == "ok"


# -- prompt cache -----------------------------------------------------------------------


def test_the_first_call_writes_the_prefix_and_the_next_reads_it(start_fake):
    fake = start_fake(prompt_cache=True)
    fake.script("agent: a", [tool_use("SubmitFindings", {"findings": []})])
    fake.script("agent: b", [tool_use("SubmitFindings", {"findings": []})])

    first = reviewer_call("a")
    second = reviewer_call("b")

    prefix = fake.requests[0].tokens - fake.requests[0].input_tokens
    assert prefix > SHARED_TOKENS  # tools come first in the prefix, then the system text
    assert first.usage_metadata["input_token_details"] == {"cache_creation": prefix,
                                                          "cache_read": 0}
    assert second.usage_metadata["input_token_details"] == {"cache_creation": 0,
                                                           "cache_read": prefix}
    # LangChain's input_tokens counts the cached part too, as Bedrock's totals do.
    assert second.usage_metadata["input_tokens"] == fake.requests[1].tokens


def test_other_tools_make_another_prefix(start_fake):
    class Other(BaseModel):
        """Another tool."""

        note: str

    fake = start_fake(prompt_cache=True)
    fake.enqueue(text("one"), text("two"))

    reviewer_call("a")
    reviewer_call("a", tools=(Other,))

    assert [(r.cache_read > 0, r.cache_write > 0) for r in fake.requests] == [
        (False, True), (False, True)]


def test_five_simultaneous_calls_all_write(start_fake):
    # All five arrive at the same instant of the fake's frozen clock, before the first
    # write is readable (2 s of prefill later), however slowly the threads get going.
    fake = start_fake(prompt_cache=True, latency=2.0, prefill_share=1.0, clock=lambda: 100.0)
    for agent in "abcde":
        fake.script(f"agent: {agent}", [text("none")])
    threads = [threading.Thread(target=reviewer_call, args=(agent,)) for agent in "abcde"]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fake.requests) == 5
    assert all(r.cache_write > 0 and r.cache_read == 0 for r in fake.requests)


def test_a_warm_up_call_makes_the_prefix_readable_for_the_fan_out(start_fake):
    fake = start_fake(prompt_cache=True, latency=0.5, prefill_share=0.2)
    for agent in "abcde":
        fake.script(f"agent: {agent}", [text("none")])

    warm = reviewer_call("warm", max_tokens=1)  # no scripted reply needed
    threads = [threading.Thread(target=reviewer_call, args=(agent,)) for agent in "abcde"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert warm.response_metadata["stopReason"] == "max_tokens"
    assert fake.requests[0].warmup and fake.requests[0].cache_write > 0
    assert all(r.cache_read == fake.requests[0].cache_write and r.cache_write == 0
               for r in fake.requests[1:])


def test_a_short_prefix_is_not_cached(start_fake):
    fake = start_fake(prompt_cache=True, cache_min_tokens=100_000)
    fake.enqueue(text("one"), text("two"))

    reviewer_call("a")
    reviewer_call("a")

    assert all(r.cache_read == r.cache_write == 0 and r.input_tokens == r.tokens
               for r in fake.requests)


def test_caching_is_off_unless_asked(start_fake):
    fake = start_fake()
    fake.enqueue(text("one"), text("two"))

    reviewer_call("a")
    reviewer_call("a")

    assert all(r.cache_read == r.cache_write == 0 for r in fake.requests)


def test_scripted_usage_wins_over_the_computed_one(start_fake):
    fake = start_fake(prompt_cache=True)
    fake.enqueue(text("ok", input_tokens=7, cache_read=11))

    reply = reviewer_call("a")

    assert reply.usage_metadata["input_token_details"]["cache_read"] == 11
    assert fake.requests[0].input_tokens == 7


def test_more_than_four_cache_points_is_refused(start_fake):
    start_fake(prompt_cache=True)
    point = {"cachePoint": {"type": "default"}}
    content = [{"type": "text", "text": f"part {n}"} if n % 2 == 0 else point
               for n in range(10)]

    with pytest.raises(ClientError, match="A maximum of 4 blocks with cache_control"):
        make_chat_model(SONNET).invoke([HumanMessage(content)])


def test_cache_entries_become_ready_after_the_prefill_and_expire_after_the_ttl():
    cache = PromptCache(min_tokens=1, ttl=300.0)
    parts = ["x" * 4000, None, "y" * 40]

    first = cache.account("m", parts, now=0.0, prefill=0.5)
    during = cache.account("m", parts, now=0.4, prefill=0.5)
    after = cache.account("m", parts, now=0.6, prefill=0.5)
    refreshed = cache.account("m", parts, now=300.5, prefill=0.5)  # read at 0.6: alive
    expired = cache.account("m", parts, now=700.0, prefill=0.5)
    other_model = cache.account("n", parts, now=700.0, prefill=0.5)

    assert (first.cache_write, first.input_tokens) == (1000, 10)
    assert (during.cache_write, during.cache_read) == (1000, 0)
    assert (after.cache_write, after.cache_read) == (0, 1000)
    assert refreshed.cache_read == 1000
    assert (expired.cache_write, other_model.cache_write) == (1000, 1000)


def test_the_longest_ready_prefix_is_read_and_the_rest_written():
    cache = PromptCache(min_tokens=1)
    cache.account("m", ["a" * 400, None], now=0.0, prefill=0.0)

    usage = cache.account("m", ["a" * 400, None, "b" * 400, None, "c" * 4], now=1.0,
                          prefill=0.0)

    assert (usage.cache_read, usage.cache_write, usage.input_tokens) == (100, 100, 1)


# -- latency ----------------------------------------------------------------------------


def test_a_call_takes_the_latency_and_a_warm_up_only_its_prefill(start_fake):
    fake = start_fake(latency=0.4, prefill_share=0.25)
    fake.enqueue(text("full"))
    model = make_chat_model(SONNET)

    started = time.monotonic()
    assert model.invoke([HumanMessage("hi")]).content == "full"
    full = time.monotonic() - started
    model.invoke([HumanMessage("hi")], max_tokens=1)

    assert full >= 0.4
    assert [(r.duration, r.warmup) for r in fake.requests] == [(0.4, False), (0.1, True)]
    assert fake.requests[1].output_tokens == 1


def test_a_scripted_delay_replaces_the_latency_for_its_reply(start_fake):
    fake = start_fake(latency=5.0)
    fake.enqueue(text("quick", delay=0.2))

    started = time.monotonic()
    make_chat_model(SONNET).invoke([HumanMessage("hi")])

    assert time.monotonic() - started >= 0.2
    assert fake.requests[0].duration == 0.2


def test_prefill_share_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match=r"prefill_share must be within 0\.\.1, not 1\.5"):
        BedrockFake(prefill_share=1.5)


# -- the prompt log ---------------------------------------------------------------------


def test_the_log_has_one_json_line_per_call_with_tokens_and_prompt(start_fake, tmp_path):
    fake = start_fake(prompt_cache=True, context_window=100_000)
    fake.script("agent: a", [text("one")])
    fake.script("agent: b", [text("two")])
    reviewer_call("a")
    reviewer_call("b")
    with pytest.raises(ClientError):
        make_chat_model(SONNET).invoke([HumanMessage("x" * 500_000)])

    lines = fake.write_log(tmp_path / "calls.jsonl").read_text().splitlines()
    bare = fake.write_log(tmp_path / "bare.jsonl", body=False).read_text().splitlines()

    entries = [json.loads(line) for line in lines]
    assert [(e["status"], e["cache_read"] > 0, e["cache_write"] > 0) for e in entries] == [
        (200, False, True), (200, True, False), (400, False, False)]
    assert entries[0]["model_id"] == SONNET and entries[0]["at"] >= 0
    assert entries[1]["tokens"] == (entries[1]["input_tokens"] + entries[1]["cache_read"])
    assert "agent: b" in json.dumps(entries[1]["body"])
    assert entries[2]["error"] == "ValidationException"
    assert all("body" not in json.loads(line) for line in bare)
