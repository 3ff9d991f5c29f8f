"""The submit_findings tool's spec: lean for the model, while the reply is validated in full."""

from __future__ import annotations

import json

import pytest
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ValidationError

from reviewloop.findings.schema import ReviewReply
from reviewloop.review.submit import DESCRIPTION, reply_schema, submit_tool

FINDING = {"severity": "nit", "file": "a.py", "start_line": 1, "end_line": 1, "title": "t",
           "rationale": "r", "confidence": 0.5}


def spec() -> dict:
    return convert_to_openai_tool(submit_tool())["function"]


def test_the_spec_says_nothing_twice_and_no_null_defaults():
    function = spec()
    text = json.dumps(function)
    assert function["description"] == DESCRIPTION
    assert "null" not in text and "anyOf" not in text and "$ref" not in text
    assert "One problem in the change" not in text and "[] when there are none" not in text
    item = function["parameters"]["properties"]["findings"]["items"]
    assert item["properties"]["suggestion"] == {
        "description": "How to fix it, in prose; omit when the replacement says it.",
        "type": "string"}
    # what the model needs stays: every field, the required ones, the severity scale, limits
    assert item["required"] == ["severity", "file", "start_line", "end_line", "title",
                                "rationale", "confidence"]
    assert item["properties"]["severity"]["enum"] == ["must_fix", "should_fix", "nit"]
    assert "must_fix: broken build" in item["properties"]["severity"]["description"]
    assert item["properties"]["title"]["maxLength"] == 120
    assert item["additionalProperties"] is False


def test_the_schema_is_one_object_so_the_binding_is_reused():
    assert submit_tool().args_schema is submit_tool().args_schema is reply_schema()


def test_the_reply_is_still_validated_by_the_full_model():
    # null for an optional field, which the lean spec no longer offers, is still accepted
    reply = ReviewReply.model_validate({"findings": [{**FINDING, "suggestion": None}]})
    assert reply.findings[0].suggestion is None
    with pytest.raises(ValidationError):
        ReviewReply.model_validate({"findings": [{**FINDING, "extra": 1}]})


def test_the_spec_is_lean_yet_describes_every_field():
    """It goes out with every reviewer and fixer call: its fields say what the rules and the
    schema's own limits do not (the published schema keeps the long descriptions)."""
    function = spec()
    item = function["parameters"]["properties"]["findings"]["items"]
    assert len(json.dumps(function, separators=(",", ":"))) <= 1_800  # was 2,176, then 1,900
    assert all(field.get("description") for field in item["properties"].values())
    assert "NEW file" in item["properties"]["start_line"]["description"]
    assert "start_line..end_line" in item["properties"]["replacement"]["description"]
    published = ReviewReply.model_json_schema()["$defs"]["FindingDraft"]["properties"]
    assert "1-based" in published["start_line"]["description"]  # the schema is unchanged
