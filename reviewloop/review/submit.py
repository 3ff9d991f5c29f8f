"""The `submit_findings` tool as a reviewer model sees it: `ReviewReply`'s schema, lean.

Its spec goes out with every reviewer call (in the cached prefix), so it holds what the
model needs and nothing the rest of the prompt already says: no description of the list or
of a finding (the tool's own description and the rules say what they are), no
`"default": null` and no `null` alternative for an optional field (leaving it out is
enough; `ReviewReply` still accepts null), and each field's description cut to what the
rules and the field's own limits do not say (`_SAID`: the published schema keeps the
long ones). The reply is validated with `ReviewReply` itself, never with this copy.
"""

from __future__ import annotations

import functools
from typing import Any

from langchain_core.tools import StructuredTool

from reviewloop.findings.schema import ReviewReply

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
}


def submit_tool() -> StructuredTool:
    def submit_findings(**reply: Any) -> str:  # the loop validates and stops; never executed
        return "received"

    return StructuredTool.from_function(submit_findings, name=SUBMIT, description=DESCRIPTION,
                                        args_schema=reply_schema())


@functools.lru_cache(maxsize=1)
def reply_schema() -> dict[str, Any]:
    """One object for every call, so the tool binding made for it is reused."""
    schema = _lean(ReviewReply.model_json_schema())
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
