"""The scripted chat model other tests drive the graph with."""

from __future__ import annotations

import threading

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from reviewloop.agent.messages import system_message
from reviewloop.agent.models import usage_from
from tests.support.chat import ScriptedChatModel, tool_call


@tool
def read_file(path: str) -> str:
    """Read a file in the repository."""
    return path


class SubmitReview(BaseModel):
    """Submit the review."""

    summary: str = Field(description="one line")


def _ask(system: str, question: str = "go"):
    return [SystemMessage(system), HumanMessage(question)]


def test_default_queue_answers_in_order_and_records_history():
    model = ScriptedChatModel().enqueue("first", AIMessage("second"))

    assert model.invoke(_ask("you implement")).content == "first"
    assert model.invoke(_ask("you implement", "again")).content == "second"
    assert [m[-1].content for m in model.history] == ["go", "again"]
    assert model.remaining() == 0


def test_marker_in_system_prompt_selects_the_script():
    model = ScriptedChatModel()
    model.script("agent: review-security", ["security says hi"])
    model.script("agent: review-style", ["style says hi"])
    model.enqueue("default")

    assert model.invoke(_ask("x\nagent: review-style\ny")).content == "style says hi"
    assert model.invoke(_ask("plain")).content == "default"
    assert model.invoke(_ask("agent: review-security")).content == "security says hi"


def test_marker_is_found_in_cached_block_system_messages():
    model = ScriptedChatModel().script("agent: review-tests", ["found"])
    system = system_message("shared diff", "agent: review-tests", bedrock=True)

    assert model.invoke([system, HumanMessage("go")]).content == "found"


def test_marker_in_a_human_message_does_not_select_a_script():
    model = ScriptedChatModel().script("agent: review-security", ["scripted"])
    model.enqueue("default")

    assert model.invoke(_ask("plain", "agent: review-security")).content == "default"


def test_callable_reply_sees_the_messages():
    model = ScriptedChatModel().enqueue(lambda messages: AIMessage(f"{len(messages)} messages"))

    assert model.invoke(_ask("s")).content == "2 messages"


def test_bind_tools_records_names_and_answers_from_the_script():
    model = ScriptedChatModel().enqueue(tool_call("read_file", {"path": "a.py"}, id="c1"),
                                        "done")
    bound = model.bind_tools([read_file, SubmitReview])

    first = bound.invoke(_ask("s"))
    assert first.tool_calls == [{"name": "read_file", "args": {"path": "a.py"}, "id": "c1",
                                 "type": "tool_call"}]
    follow_up = [*_ask("s"), first, ToolMessage("contents", tool_call_id="c1")]
    assert bound.invoke(follow_up).content == "done"
    assert model.bound_tools == ["read_file", "SubmitReview"]
    assert model.offered_tools == [["read_file", "SubmitReview"]] * 2


def test_unbound_calls_offer_no_tools():
    model = ScriptedChatModel().enqueue("x")
    model.invoke(_ask("s"))

    assert model.offered_tools == [[]]
    assert model.bound_tools == []


def test_structured_output_goes_through_a_scripted_tool_call():
    model = ScriptedChatModel().enqueue(tool_call("SubmitReview", {"summary": "fine"}))

    result = model.with_structured_output(SubmitReview).invoke(_ask("s"))

    assert result == SubmitReview(summary="fine")


def test_replies_carry_usage_metadata_from_prompt_size():
    model = ScriptedChatModel().enqueue("ok")
    reply = model.invoke(_ask("x" * 400, "y" * 40))

    assert reply.usage_metadata["input_tokens"] == 110
    record = usage_from(reply, role="review", agent="a", model="scripted")
    assert record.input_tokens == 110
    assert record.output_tokens >= 1


def test_explicit_usage_metadata_is_kept():
    usage = {"input_tokens": 7, "output_tokens": 3, "total_tokens": 10}
    model = ScriptedChatModel().enqueue(AIMessage("ok", usage_metadata=usage))

    assert model.invoke(_ask("s")).usage_metadata == usage


def test_running_out_of_replies_is_a_clear_assertion():
    model = ScriptedChatModel()

    with pytest.raises(AssertionError, match=r"no reply left at call 1.*HumanMessage: 'go'"):
        model.invoke(_ask("s"))


def test_running_out_of_a_marker_script_names_the_marker():
    model = ScriptedChatModel().script("agent: review-docs", ["one"]).enqueue("default")
    model.invoke(_ask("agent: review-docs"))

    with pytest.raises(AssertionError, match="script for 'agent: review-docs' ran out"):
        model.invoke(_ask("agent: review-docs"))


def test_a_reply_that_is_not_an_ai_message_is_rejected():
    model = ScriptedChatModel().enqueue(lambda messages: HumanMessage("wrong"))

    with pytest.raises(AssertionError, match="must be an AIMessage"):
        model.invoke(_ask("s"))


def test_parallel_callers_each_get_their_own_script():
    model = ScriptedChatModel()
    agents = [f"agent: review-{n}" for n in range(5)]
    for agent in agents:
        model.script(agent, [f"{agent} #{i}" for i in range(20)])
    answers: dict[str, list[str]] = {a: [] for a in agents}

    def reviewer(agent: str) -> None:
        for _ in range(20):
            answers[agent].append(model.invoke(_ask(agent)).content)

    threads = [threading.Thread(target=reviewer, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == {a: [f"{a} #{i}" for i in range(20)] for a in agents}
    assert len(model.history) == 100
    assert model.remaining() == 0


def test_tool_call_ids_are_unique_when_not_given():
    first, second = tool_call("t", {}), tool_call("t", {})

    assert first.tool_calls[0]["id"] != second.tool_calls[0]["id"]
