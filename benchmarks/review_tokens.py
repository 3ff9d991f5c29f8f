"""Prompt tokens of a review round against the peer and against the floor, and round 2.

    python benchmarks/review_tokens.py [--sizes 300,1k,3k] [--no-round2]

On each generated change (`benchmarks/fixtures.py`), `reviewloop review --base --head` and
PR-Agent's `review` (`benchmarks/peer.py`, its own venv) each talk to a loopback Bedrock
fake with Bedrock's prompt caching (a write readable after the writer's prefill; latency
1 s, prefill 10 %). Billed-equivalent prompt tokens count uncached input 1x, cache reads
0.1x and cache writes 1.25x. Printed per size:

* reviewloop ÷ PR-Agent (one call), target <= 1.6;
* reviewloop ÷ the floor for five specialists that each need the change: the shared
  prefix S (tool specs, rules, task, diff, every analyzer's evidence: what one reviewer
  request holds before its last cache point) written once (1.25 S) and read by the other
  four (0.4 S), plus each reviewer's own instructions (persona, focus, the ask) in full;
  target within 10 %. Reviewers whose scope holds none of the changed files are not called
  (the infrastructure reviewer on a Python-only change), so the measured figure can be
  under the five-specialist floor; the floor for the reviewers that ran is printed too;
* before those, a breakdown in characters: each tool spec, the rules and the round's
  material (its analyzer evidence apart) of the shared prefix; each reviewer's own part
  (persona and focus, then the ask); PR-Agent's system prompt and message beside them;
* round 2 ÷ round 1 (left out with `--no-round2`): a task run on the example project with
  a ~300-line change, one finding, and a fix that rewrites 10 lines; target <= 0.2.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from benchmarks import peer  # noqa: E402
from benchmarks.fixtures import SIZES, make_change  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    MODEL,
    REVIEWERS,
    bedrock,
    init_repo,
    ratio,
    review,
    script_reviewers,
    workdir,
)
from reviewloop.review.definitions import load_agents  # noqa: E402
from reviewloop.review.reviewer import agent_prompt  # noqa: E402
from tests.support.bedrock import RecordedRequest, text, tool_use  # noqa: E402
from tests.support.bedrock_tokens import cache_points, segments, tokens_of  # noqa: E402

WINDOW = 200_000


def billed(requests: Sequence[RecordedRequest]) -> float:
    """Prompt tokens as billed: uncached input 1x, cache reads 0.1x, cache writes 1.25x."""
    return sum(r.input_tokens + 0.1 * r.cache_read + 1.25 * r.cache_write for r in requests
               if r.status == 200)


def split(request: RecordedRequest) -> tuple[int, int]:
    """(shared prefix, own part) of one reviewer request: before / after its last cache point."""
    parts = segments(request.body)
    last = cache_points(parts)[-1]
    return tokens_of(parts[:last]), tokens_of(parts) - tokens_of(parts[:last])


def own_tokens(name: str) -> int:
    """A reviewer that was not called: its persona and the ask, estimated as the fake does."""
    agent = next(a for a in load_agents(ROOT).agents if a.name == name)
    ask = f"Review as {name}."
    return math.ceil((len(agent_prompt(agent)) + len(ask)) / 4)


def floors(calls: Sequence[RecordedRequest]) -> tuple[float, float, int]:
    """The floor for the reviewers called and for all five; and the shared prefix S."""
    shares = {_agent(r): split(r) for r in calls}
    prefix = max(s for s, _ in shares.values())
    own = {name: o for name, (_, o) in shares.items()}
    ran = 1.25 * prefix + 0.1 * prefix * (len(own) - 1) + sum(own.values())
    five = 1.25 * prefix + 0.4 * prefix + sum(own.get(n) or own_tokens(n) for n in REVIEWERS)
    return ran, five, prefix


def breakdown(size: str, calls: Sequence[RecordedRequest],
              peer_calls: Sequence[RecordedRequest]) -> list[str]:
    """Characters per part: the shared prefix (each tool spec, the rules, the round's
    material: diff and evidence), each reviewer's own part, and PR-Agent's prompt."""
    first = calls[0].body
    tools = {t["toolSpec"]["name"]: len(json.dumps(t["toolSpec"], separators=(",", ":")))
             for t in first["toolConfig"]["tools"] if "toolSpec" in t}
    blocks = [b.get("text") for b in first["system"]]  # None where a cache point sits
    points = [i for i, b in enumerate(blocks) if b is None]
    rules = sum(len(b) for b in blocks[:points[0]] if b)
    material = "".join(b for b in blocks[points[0]:points[-1]] if b)
    evidence = len(material) - material.find("# Analyzer evidence") \
        if "# Analyzer evidence" in material else 0
    out = [f"{size}: shared prefix, chars: tools {sum(tools.values()):,} ("
           + ", ".join(f"{n} {c:,}" for n, c in tools.items()) + f"), rules {rules:,}, "
           f"round material {len(material):,} (evidence {evidence:,})"]
    own = []
    for call in calls:
        texts = [b.get("text") for b in call.body["system"]]
        mine = sum(len(t) for t in texts[max(i for i, t in enumerate(texts) if t is None):]
                   if t)
        ask = sum(len(b.get("text", "")) for m in call.body["messages"] for b in m["content"])
        own.append(f"{_agent(call)} {mine:,}+{ask}")
    out.append(f"{size}: own part, chars (system + ask): " + ", ".join(own))
    for call in peer_calls:
        system = sum(len(b.get("text", "")) for b in call.body.get("system") or [])
        user = sum(len(b.get("text", "")) for m in call.body["messages"] for b in m["content"])
        out.append(f"{size}: PR-Agent's prompt, chars: system {system:,}, messages {user:,}")
    return out


def _agent(request: RecordedRequest) -> str:
    system = request.system_text()
    return next(n for n in REVIEWERS if f"agent: {n}" in system)


def one_size(base: Path, size: str, python: Path | None) -> list[str]:
    lines, files = SIZES[size]
    ours, theirs = base / f"rl-{size}", base / f"pa-{size}"
    rev = make_change(ours, lines, files, seed=1)
    make_change(theirs, lines, files, seed=1)
    with bedrock(latency=1.0, prompt_cache=True, context_window=WINDOW) as fake:
        script_reviewers(fake, rounds=20)
        run = review(ours, *rev, fake=fake)
    calls = [r for r in run.requests if not r.warmup]
    mine = billed(run.requests)
    ran, five, prefix = floors(calls)
    writes = sum(1 for r in calls if r.cache_write)
    out = [f"{size}: reviewloop billed {mine:,.0f} tokens in {len(run.requests)} call(s) "
           f"({writes} prefix write(s), {len(calls) - writes} read(s); shared prefix "
           f"{prefix:,} tokens)"]
    theirs_calls: Sequence[RecordedRequest] = ()
    if python is not None:
        with bedrock(latency=1.0, prompt_cache=True, context_window=WINDOW) as fake:
            theirs_calls = peer.review(python, theirs, "main", fake)
    out += breakdown(size, calls, theirs_calls)
    if python is not None:
        peer_billed = billed(theirs_calls)
        out.append(ratio(f"{size}: billed prompt tokens, reviewloop / PR-Agent", mine / peer_billed,
                         target=1.6, note=f"PR-Agent {peer_billed:,.0f} in "
                                          f"{len(theirs_calls)} call(s)"))
    out.append(ratio(f"{size}: billed / floor for five specialists", mine / five, target=1.1,
                     note=f"floor {five:,.0f}"))
    out.append(ratio(f"{size}: billed / floor for the {len(calls)} reviewers called",
                     mine / ran, target=1.1, note=f"floor {ran:,.0f}"))
    return out


def round2(base: Path) -> list[str]:
    """Round 2 ÷ round 1 billed, through the real graph: a 10-line fix of a 300-line change."""
    from reviewloop.agent.models import make_chat_model
    from reviewloop.config import Gates, Settings
    from reviewloop.implement.implementer import Implementer
    from reviewloop.runs.runner import LoopRunner
    from reviewloop.spec import select
    from reviewloop.spec.loader import load_spec

    root = base / "round2"
    shutil.copytree(ROOT / "examples" / "todo-api", root,
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    init_repo(root, "example")
    helpers = [f"def helper_{i}(value: int) -> int:\n    \"\"\"Helper {i}.\"\"\"\n"
               f"    return value * {i} + {i}\n\n\n" for i in range(60)]
    (root / "todo" / "helpers.py").write_text('"""Generated helpers."""\n\n\n' + "".join(helpers))
    old = "".join(helpers[1:3])  # 10 lines: two helpers, their blank lines included
    new = old.replace("value * 1 + 1", "value + 1  # one is the offset").replace(
        "value * 2 + 2", "(value + 1) * 2  # doubled after the offset").replace(
        "Helper 1.", "Helper 1: offset by one.").replace("Helper 2.", "Helper 2: doubled.")
    finding = {"severity": "should_fix", "file": "todo/helpers.py", "start_line": 10,
               "end_line": 10, "title": "magic numbers", "rationale": "unexplained constants",
               "confidence": 0.8}
    with bedrock(latency=0.5, in_process=True, prompt_cache=True,
                 context_window=WINDOW) as fake:
        script_reviewers(fake, rounds=2, findings={REVIEWERS[0]: [finding]})
        fake.script("You fix review findings", [
            tool_use("edit_file", {"path": "todo/helpers.py", "old": old, "new": new}),
            text("done")])
        settings = Settings(model=MODEL, gates=Gates(build=(), test=()))
        runner = LoopRunner(root, settings, lambda name: make_chat_model(name), llm=True)
        spec_file = root / "docs" / "todo-api-spec.md"
        task = select.next_task(load_spec(root, spec_file).tasks)
        runner.start(task, spec_file, Implementer.parse("manual"))
        requests = list(fake.requests)
    reviews = [r for r in requests if "agent: review-" in r.system_text()]
    second = [r for r in reviews if "Re-review, round 2" in r.system_text()]
    first = [r for r in reviews if r not in second]
    if not second:
        raise SystemExit("round 2 never ran: " + json.dumps([r.path for r in requests]))
    return [ratio("round 2 / round 1 billed prompt tokens, 10-line fix of a 300-line change",
                  billed(second) / billed(first), target=0.2,
                  note=f"{billed(second):,.0f} in {len(second)} call(s) vs "
                       f"{billed(first):,.0f} in {len(first)}")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,1k,3k")
    parser.add_argument("--no-peer", action="store_true", help="leave PR-Agent out")
    parser.add_argument("--no-round2", action="store_true")
    args = parser.parse_args()
    python = None
    if not args.no_peer:
        try:
            python = peer.pr_agent_python()
        except peer.PeerUnavailable as exc:
            print(f"PR-Agent not measured: {exc}", flush=True)
    with workdir() as base:
        for size in args.sizes.split(","):
            for line in one_size(base, size, python):
                print(line, flush=True)
        if not args.no_round2:
            for line in round2(base):
                print(line, flush=True)


if __name__ == "__main__":
    main()
