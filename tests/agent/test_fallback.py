"""A role's fallback model: the real ChatBedrockConverse → boto3 stack against the loopback
Bedrock fake, whose primary model id is throttled; and `model_routing` mapped onto roles."""

from __future__ import annotations

from langchain_core.messages import HumanMessage
from langchain_core.tools import tool

from reviewloop.agent.fallback import ChatWithFallback
from reviewloop.agent.models import make_chat_model, usage_from
from reviewloop.agent.roles import Models
from reviewloop.agent.tool_loop import run_agent
from reviewloop.authoring import phases
from reviewloop.authoring.start import deps_for
from reviewloop.config import Settings, fallback_for, model_for
from tests.support.bedrock import text, tool_use
from tests.support.chat import ScriptedChatModel

PRIMARY = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
FALLBACK = "us.amazon.nova-pro-v1:0"


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def bedrock_models(**settings) -> Models:
    return Models(Settings(**settings), lambda name: make_chat_model(name))


def test_a_throttled_primary_falls_back_and_the_usage_names_the_fallback(bedrock_fake):
    bedrock_fake.fail_model(PRIMARY)  # ThrottlingException on every call to the primary
    bedrock_fake.enqueue(tool_use("add", {"a": 2, "b": 3}), text("5"))
    chat = bedrock_models(model=PRIMARY, fallback_model=FALLBACK).get("implement")
    assert chat is not None and (chat.name, chat.fallback) == (PRIMARY, FALLBACK)

    result = run_agent(chat.model, [HumanMessage("add 2 and 3")], [add],
                       timeout_s=chat.timeout_s)

    assert result.messages[-1].content == "5"
    answered = [r for r in bedrock_fake.requests if r.status == 200]
    throttled = [r for r in bedrock_fake.requests if r.error == "ThrottlingException"]
    assert {r.model_id for r in answered} == {FALLBACK} and len(answered) == 2
    # the primary fails fast (one retry) instead of backing off for a minute
    assert {r.model_id for r in throttled} == {PRIMARY} and len(throttled) == 4
    records = [usage_from(r, role="implement", agent="implementer", model=chat.name)
               for r in result.replies]
    assert {(u.model, u.fallback_for) for u in records} == {(FALLBACK, PRIMARY)}
    assert all(u.input_tokens > 0 for u in records)


def test_a_healthy_primary_answers_and_nothing_is_marked(bedrock_fake):
    bedrock_fake.enqueue(text("hello"))
    chat = bedrock_models(model=PRIMARY, fallback_model=FALLBACK).get("review")
    assert chat is not None

    reply = chat.model.invoke([HumanMessage("hi")])

    assert reply.content == "hello"
    assert [r.model_id for r in bedrock_fake.requests] == [PRIMARY]
    assert usage_from(reply, role="review", agent="a", model=chat.name).fallback_for is None


def test_a_fallback_is_per_role_and_never_the_primary_itself():
    settings = Settings(model=PRIMARY, fallback_model=FALLBACK,
                        fallbacks={"review": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                                   "fix": PRIMARY})

    assert fallback_for(settings, "implement") == FALLBACK
    assert fallback_for(settings, "review") == "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert fallback_for(settings, "fix") is None  # the same model cannot stand in for itself
    assert fallback_for(settings, "spec_design") == FALLBACK
    assert fallback_for(Settings(model=PRIMARY), "review") is None
    models = Models(settings, lambda name: ScriptedChatModel())
    assert models.get("fix").fallback is None  # type: ignore[union-attr]


def test_model_routing_maps_reasoning_and_generation_onto_the_roles():
    settings = Settings(model="global", model_routing={"reasoning": "thinker",
                                                       "generation": "writer"},
                        models={"fix": "fixer-model"})

    assert model_for(settings, "implement") == "writer"
    assert model_for(settings, "fix") == "fixer-model"  # a role's own model wins
    assert model_for(settings, "review") == "thinker"
    assert model_for(settings, "spec_design") == "thinker"
    assert model_for(Settings(model="global"), "review") == "global"
    assert model_for(Settings(model_routing={"generation": "writer"}), "review") is None


def test_the_spec_author_falls_back_too(bedrock_fake, tmp_path):
    bedrock_fake.fail_model(PRIMARY)
    bedrock_fake.enqueue(text("# Requirements"))
    settings = Settings(model_routing={"reasoning": PRIMARY}, fallback_model=FALLBACK)
    deps = deps_for(tmp_path, settings, lambda name: make_chat_model(name))

    author = deps.model_for(phases.REQUIREMENTS)

    assert isinstance(author, ChatWithFallback) and author.primary_name == PRIMARY
    reply = author.invoke([HumanMessage("write the requirements")])
    assert reply.content == "# Requirements"
    assert usage_from(reply, role="spec", agent="author", model=PRIMARY).model == FALLBACK
