"""Review-phase parallelism and round-2 prompt size, through the real graph and Bedrock stack.

    python benchmarks/review_parallel.py [--latency 1.0]

A copy of the example project gets a ~300-line manual change. The loopback Bedrock fake
answers every model call after `--latency` seconds. Printed:

* the wall time of the review phase (from the end of the guard-rails to the end of triage)
  with 5 reviewers and with 1, and their ratio (sequential would be ~5; target <= 1.3);
* the mean request size a reviewer sends in round 2 (only the fix's diff) over round 1
  (task context + whole change), when the fix touches one line (target <= 0.25).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This folder holds secrets.py, which must not shadow the standard library's `secrets`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import (  # noqa: E402
    MODEL,
    REVIEWERS,
    bedrock,
    init_repo,
    ratio,
    script_reviewers,
    workdir,
)
from reviewloop.agent.models import make_chat_model  # noqa: E402
from reviewloop.config import Gates, Settings  # noqa: E402
from reviewloop.implement.implementer import Implementer  # noqa: E402
from reviewloop.runs.runner import LoopRunner  # noqa: E402
from reviewloop.spec import select  # noqa: E402
from reviewloop.spec.loader import load_spec  # noqa: E402
from tests.support.bedrock import text, tool_use  # noqa: E402


def make_project(base: Path, reviewers: int) -> Path:
    root = base / f"project-{reviewers}"
    shutil.copytree(ROOT / "examples" / "todo-api", root,
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    agents = root / ".kiro" / "agents"
    agents.mkdir(parents=True)
    for name in REVIEWERS[reviewers:]:  # switch the other built-ins off
        (agents / f"{name}.json").write_text(json.dumps(
            {"name": name, "prompt": "off", "reviewloop": {"enabled": False}}))
    init_repo(root, "example")
    lines = [f"def helper_{i}(value: int) -> int:\n    \"\"\"Helper {i}.\"\"\"\n"
             f"    return value * {i} + {i}\n\n\n" for i in range(60)]
    (root / "todo" / "helpers.py").write_text('"""Generated helpers."""\n\n\n' + "".join(lines))
    return root


def run_once(root: Path, latency: float, *, with_fix: bool) -> dict[str, float]:
    marks: dict[str, float] = {}
    progress = _Marks(marks)

    finding = {"severity": "should_fix", "file": "todo/helpers.py", "start_line": 6,
               "end_line": 6, "title": "magic number", "rationale": "unexplained constant",
               "confidence": 0.8}
    with bedrock(latency, in_process=True) as fake:
        script_reviewers(fake, rounds=2, findings={REVIEWERS[0]: [finding]} if with_fix else None)
        fake.script("You fix review findings", [
            tool_use("edit_file", {"path": "todo/helpers.py", "old": "value * 1 + 1",
                                   "new": "value + 1  # one is the offset"}),
            text("done")])
        settings = Settings(model=MODEL, gates=Gates(build=(), test=()))
        runner = LoopRunner(root, settings, lambda name: make_chat_model(name), llm=True,
                            progress=progress)
        spec_file = root / "docs" / "todo-api-spec.md"
        task = select.next_task(load_spec(root, spec_file).tasks)
        runner.start(task, spec_file, Implementer.parse("manual"))
        requests = list(fake.requests)
    sizes: dict[str, list[int]] = {"1": [], "2": [], "1t": [], "2t": []}
    for req in requests:
        system = req.system_text()
        if "agent: review-" in system:
            key = "2" if "Re-review, round 2" in system else "1"
            sizes[key].append(len(json.dumps(req.body)))
            prompt = system + json.dumps(req.body.get("messages", []), ensure_ascii=False)
            sizes[key + "t"].append(len(prompt))
    return {"review_s": marks["review_end"] - marks["review_start"],
            **{f"round{k}": _mean(v) for k, v in sizes.items()}}


class _Marks:
    """A progress listener (`reviewloop.runs.streaming.Listener`) noting when the review
    phase starts (the gates finished) and ends (the first triage finished)."""

    def __init__(self, marks: dict[str, float]) -> None:
        self.marks = marks

    def started(self, task_id: str, node: str, inputs: dict) -> None:
        pass

    def ended(self, task_id: str) -> None:
        pass

    def event(self, data: dict) -> None:
        pass

    def finished(self, node: str, update: dict) -> None:
        if node == "gates":
            self.marks["review_start"] = time.perf_counter()
        if node == "triage" and "review_end" not in self.marks:
            self.marks["review_end"] = time.perf_counter()


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0)
    args = parser.parse_args()
    with workdir() as tmp:
        one = run_once(make_project(tmp, 1), args.latency, with_fix=False)
        five = run_once(make_project(tmp, 5), args.latency, with_fix=False)
        fixed = run_once(make_project(tmp / "fix", 5), args.latency, with_fix=True)
    parallel = five["review_s"] / one["review_s"]
    text_ratio = fixed["round2t"] / fixed["round1t"]
    size_ratio = fixed["round2"] / fixed["round1"]
    print(f"model latency per call: {args.latency:.2f} s")
    print(f"review phase, 1 reviewer:  {one['review_s']:.2f} s")
    print(f"review phase, 5 reviewers: {five['review_s']:.2f} s")
    print(ratio("parallel ratio (5/1)", parallel, target=1.3, note="sequential ~5"))
    print(f"reviewer prompt (system + messages), round 1: {fixed['round1t']:.0f} chars; "
          f"round 2: {fixed['round2t']:.0f} chars")
    print(ratio("round-2 / round-1 prompt size", text_ratio, target=0.25))
    print(f"whole request incl. the fixed tool definitions: {fixed['round1']:.0f} -> "
          f"{fixed['round2']:.0f} bytes, ratio {size_ratio:.2f}")


if __name__ == "__main__":
    main()
