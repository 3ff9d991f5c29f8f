"""`gates.coverage_threshold` in a fix round, through the whole graph (scripted chat model,
real git, real pytest and coverage.py in the sandbox): the changed-lines threshold is judged
on the fix round as a whole by the full gates, never on one fix group's own few lines. Group
A adds a None guard to `add` whose `raise` no test runs (1 of its 2 changed lines covered,
50%); group B rewrites the tested `scale` in 6 covered lines; the round is 7 of 8 (87.5%),
above the 75% threshold. Before, group A's own re-test failed it on its 50%, retried it and
discarded the guard, telling the fixer to test an error branch."""

from __future__ import annotations

import sys
from pathlib import Path

from langchain_core.messages import ToolMessage

from reviewloop.config import Gates, Settings
from reviewloop.runs.runner import LoopRunner
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.runner import FIXER, IMPLEMENTER, ran, review, round_one, start

CALC = "def add(a, b):\n    return a + b\n"
UTIL = "def scale(x):\n    return x * 2\n"
TEST_UTIL = "from util import scale\n\n\ndef test_scale():\n    assert scale(2) == 4\n"
GUARDED = ("def add(a, b):\n    if a is None:\n        raise TypeError('a is None')\n"
           "    return a + b\n")
SCALED = ("def scale(x):\n    factor = 2\n    offset = 0\n    result = x * factor\n"
          "    result = result + offset\n    checked = int(result)\n    return checked\n")
GUARD = {"severity": "should_fix", "file": "calc.py", "start_line": 1, "end_line": 2,
         "title": "add accepts None", "rationale": "guard it", "suggestion": "raise TypeError",
         "confidence": 0.9}
NAME = {"severity": "should_fix", "file": "util.py", "start_line": 1, "end_line": 2,
        "title": "scale hides its factor", "rationale": "name it", "suggestion": "name factor",
        "confidence": 0.9}


def _fixer(messages: list[object]) -> object:
    """Each group's fixer writes its file once; a retry, if one came, would add nothing."""
    if isinstance(messages[-1], ToolMessage):
        return "done"
    text = "\n".join(message_text(m) for m in messages)
    if "did not pass its checks" in text or "broke the tests" in text:
        return "nothing more to do"
    if GUARD["title"] in text:
        return tool_call("write_file", {"path": "calc.py", "content": GUARDED})
    return tool_call("write_file", {"path": "util.py", "content": SCALED})


def _model() -> ScriptedChatModel:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [tool_call("write_file", {"path": "calc.py", "content": CALC}),
                               tool_call("write_file", {"path": "util.py", "content": UTIL}),
                               tool_call("write_file", {"path": "tests/test_util.py",
                                                        "content": TEST_UTIL}), "wrote"])
    round_one(model, {"review-maintainability": [GUARD, NAME]})
    model.script("agents: ", [review()] * 3)
    model.script(FIXER, [_fixer] * 30)
    return model


def _fixer_prompts(model: ScriptedChatModel) -> list[str]:
    return [message_text(h[1]) for h in model.history
            if FIXER in message_text(h[0]) and len(h) == 2]


def test_a_small_guard_below_the_threshold_on_its_own_is_kept_when_the_round_meets_it(
        project: Path) -> None:
    gates = Gates(build=(), test=(f"{sys.executable} -m pytest -q -p no:cacheprovider",),
                  coverage="strict", coverage_threshold=0.75)
    model = _model()

    result = start(LoopRunner(project, Settings(model="scripted", gates=gates),
                              lambda name: model), project)

    summary = ran(result)
    assert summary.escalations == [], summary.escalations
    prompts = _fixer_prompts(model)
    assert len(prompts) == 2, prompts  # one attempt per group, no retry
    assert not any("did not pass its checks" in p or "threshold" in p for p in prompts)
    assert result.tree is not None
    tree = Path(result.tree.path)
    assert (tree / "calc.py").read_text() == GUARDED
    assert (tree / "util.py").read_text() == SCALED
    assert sorted(f.title for f in summary.findings_fixed) == sorted(
        [GUARD["title"], NAME["title"]])
    assert result.status == "awaiting_approval"
