"""The `submit_findings` tool as a reviewer model sees it: `ReviewReply`'s schema, lean.

Its spec goes out with every reviewer call (in the cached prefix), so it holds what the
model needs and nothing the rest of the prompt already says: no description of the list or
of a finding (the tool's own description and the rules say what they are), no
`"default": null` and no `null` alternative for an optional field (leaving it out is
enough; `ReviewReply` still accepts null), and each field's description cut to what the
rules and the field's own limits do not say (`_SAID`: the published schema keeps the
long ones). The reply is validated with `Submission` (`ReviewReply`'s findings, each
of which may name its agent), never with this copy.

A re-review asks the reviewers of a chunk on one model in one call (`review.rereview`),
and each finding then names the agent whose area it is in. The field is in the spec of
every call, named or not: the tool specs open the cached prefix, and a spec that changed
in round 2 would write the whole prefix again instead of reading round 1's. Which names
it may hold is said in the prompt and checked on the reply (`agents_checked`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, ConfigDict, Field

from reviewloop.findings.schema import FindingDraft, ReviewReply

SUBMIT = "submit_findings"
DESCRIPTION = "Submit your review: every finding in your area, or an empty list."

# A finding's fields as the tool describes them: the rules say already that lines are in
# the new file and hold a changed line, the schema says the limits (`minimum`, `maxLength`),
# each persona its area's severity scale (here only what each level does to the change).
_SAID = {
    "severity": "must_fix: broken build or behaviour, security hole, data loss; must not "
                "ship. should_fix: worth fixing now. nit: taste; reported, never fixed.",
    "file": "Repository path, no a/ or b/ prefix, e.g. 'src/app/db.py'.",
    "start_line": "First line of the problem in the NEW file.",
    "end_line": "Last line of the problem, >= start_line.",
    "title": "What is wrong, e.g. 'SQL built with an f-string from request data'.",
    "rationale": "Why it matters here: the failure, attack or cost, with the evidence seen.",
    "suggestion": "How to fix it, in prose; omit when the replacement says it.",
    "replacement": "Exact new text for lines start_line..end_line, whole lines with their "
                   "indentation, no diff markers; '' deletes them. Omit unless sure.",
    "confidence": "0.0 (a guess) to 1.0 (certain) that it is a real problem.",
    "agent": "With several agents listed: the one whose area it is in.",
}


class SubmittedFinding(FindingDraft):
    """A finding as the tool takes it: in a combined re-review, the agent it is for."""

    agent: str | None = Field(default=None, description=_SAID["agent"])


class Submission(BaseModel):
    """`ReviewReply` as the tool takes it (its findings may name their agent)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    findings: list[SubmittedFinding] = Field(
        description=ReviewReply.model_fields["findings"].description)
    summary: str | None = Field(
        default=None, description=ReviewReply.model_fields["summary"].description)


def agents_checked(agents: Sequence[str]) -> Callable[[dict[str, Any]], Submission]:
    """The reply validated; with several `agents`, every finding must name one of them (a
    missing or unknown name is a malformed reply: the model is told and asked again once,
    as for any invalid argument). A lone reviewer's finding may name it or leave it out."""
    def validate(args: dict[str, Any]) -> Submission:
        reply = Submission.model_validate(args)
        if len(agents) < 2:
            return reply
        wrong = sorted({repr(f.agent) for f in reply.findings if f.agent not in agents})
        if wrong:
            raise ValueError(f"every finding's `agent` must be one of {', '.join(agents)}; "
                             f"got {', '.join(wrong)}")
        return reply
    return validate


def submit_tool() -> StructuredTool:
    def submit_findings(**reply: Any) -> str:  # the loop validates and stops; never executed
        return "received"

    return StructuredTool.from_function(submit_findings, name=SUBMIT, description=DESCRIPTION,
                                        args_schema=reply_schema())


@functools.lru_cache(maxsize=1)
def reply_schema() -> dict[str, Any]:
    """One object for every call, so the tool binding made for it is reused."""
    schema = _lean(Submission.model_json_schema())
    schema.pop("additionalProperties", None)
    schema["properties"]["findings"].pop("description", None)
    for definition in schema.get("$defs", {}).values():
        if definition.get("type") == "object":
            definition.pop("description", None)
        for name, field in definition.get("properties", {}).items():
            if name in _SAID:
                field["description"] = _SAID[name]
    return schema


def _lean(node: Any) -> Any:
    if isinstance(node, list):
        return [_lean(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _lean(value) for key, value in node.items()
           if not (key == "default" and value is None)}
    options = out.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options and len(options) == 2:
        out.pop("anyOf")
        out.update(next(o for o in options if o != {"type": "null"}))
    return out
