"""Billed tokens of a review against the peer and the floors, and of the fix step and round 2.

    python benchmarks/review_tokens.py [--sizes 300,1k,3k,1k+docs,1k+longdocs] [--no-round2]
        [--no-peer]

On each generated change (`benchmarks/fixtures.py`), `reviewloop review --base --head` and
PR-Agent's `review` (`benchmarks/peer.py`: PR-Agent 0.49 from PyPI in its own venv under
`$REVIEWLOOP_BENCH_CACHE`) each talk to a loopback Bedrock fake with Bedrock's prompt
caching (a write readable after the writer's prefill; latency 1 s, prefill 10 %).
Billed-equivalent tokens are input-side, as the issue's outside harness counts them:
uncached input 1x, cache writes 1.25x, cache reads 0.1x; output tokens are printed apart
(the fake answers every call with the same short reply, so they say nothing about prompts).
A size with `+docs` adds a 40-line README.md to the change (code and its documentation,
which the performance and test-quality reviewers leave out; the two other reviewers read it
after the shared prefix, uncached: below a cache checkpoint's minimum), `+longdocs` a
160-line one (cached after the prefix, written once and read once, `review.layers`).
Printed per size, each figure with the command that reproduces it, for each shape of round
1 (`[review] combined_review`: the reviewers of a chunk on one model asked in one call, each
one's instructions in it, or one call per reviewer, in parallel), the default first and the
other set in the fixture's `.reviewloop.toml` (committed in its base; a fresh fake):

* its billed tokens ÷ one PR-Agent call (targets: <= 1.2 at 300 lines, <= 1.0 at 1k and
  3k), and beside the default's;
* ÷ the outside floor: the plain `git diff base...head` as the shared part, written once
  (1.25 G) and read by each other call (0.1 G each), plus each reviewer's instructions in
  full (its whole prompt file and the ask) uncached; it is built from nothing of
  reviewloop's own prompt, so it says what the specialists' prompts cost over the change;
* with one call per reviewer, a breakdown in characters of the shared prefix and each
  reviewer's own part (PR-Agent's prompt beside them), and ÷ its own floor (its own shared
  prefix written once and read by the others, each reviewer's own part: 1.00 whenever the
  cache works).

Then (left out with `--no-round2`; `--sizes none` for these alone) a task run on the
example project with a ~300-line change, a round-1 review with one finding (the 10-line fix
of two helpers), then again with three findings in three places (three fix groups, one
fixer conversation each: one reply, its edit with `done`, as the fixer's rules ask; the fix
step of a fixer that replies after its edit, two calls a group, is printed beside it), and
round 2 on the fix: the fix step ÷ round 1
(target <= 0.25), round 2's reviewers ÷ round 1 (target <= 0.15; the re-reviewers on one
model are asked in one call, `review.rereview`), and the fix step with
round 2 ÷ round 1 (the whole second round as a user pays it); how many fixer calls read
the cache.
"""

from __future__ import annotations

import argparse
import json
import math
import re
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
    git,
    init_repo,
    ratio,
    review,
    script_reviewers,
    workdir,
)
from reviewloop.config import Review  # noqa: E402
from reviewloop.review.definitions import load_agents  # noqa: E402
from reviewloop.review.reviewer import agent_prompt  # noqa: E402
from tests.support.bedrock import RecordedRequest, text, tool_use, tool_uses  # noqa: E402
from tests.support.bedrock_tokens import cache_points, segments, tokens_of  # noqa: E402

WINDOW = 200_000
COMMAND = "python benchmarks/review_tokens.py"
FIXER = "You fix review findings"


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


def full_instructions(name: str) -> int:
    """A reviewer's instructions in full: its whole prompt file and the ask (tokens)."""
    agent = next(a for a in load_agents(ROOT).agents if a.name == name)
    return math.ceil((len(agent.prompt) + len(f"Review as {name}.")) / 4)


def floors(calls: Sequence[RecordedRequest]) -> tuple[float, float, int]:
    """The floor for the reviewers called and for all five; and the shared prefix S (what
    every call shares). The floor writes each cached part once (1.25x) and reads it in
    every other call that holds it (0.1x): the common prefix, then the files some
    reviewers read after it (`review.layers`); each call's own part at 1x."""
    seen: set[tuple[str | None, ...]] = set()
    ran = 0.0
    for call in calls:
        parts = segments(call.body)
        points = cache_points(parts)
        read = max((p for p in points if tuple(parts[:p]) in seen), default=0)
        cached = tokens_of(parts[:points[-1]])
        ran += (0.1 * tokens_of(parts[:read]) + 1.25 * (cached - tokens_of(parts[:read]))
                + tokens_of(parts) - cached)
        seen.update(tuple(parts[:p]) for p in points)
    shares = {_agent(r): split(r) for r in calls}
    prefix = min(s for s, _ in shares.values())
    five = ran + sum(0.1 * prefix + own_tokens(n) for n in REVIEWERS if n not in shares)
    return ran, five, prefix


def outside_floor(diff_text: str, calls: Sequence[Sequence[str]]) -> float:
    """The plain diff G written once and read by each other call, each reviewer's
    instructions in full (`calls`: the reviewers each call asks): nothing of reviewloop's
    own prompt goes into it."""
    diff = math.ceil(len(diff_text) / 4)
    return 1.25 * diff + 0.1 * diff * (len(calls) - 1) + sum(
        full_instructions(name) for names in calls for name in names)


def breakdown(size: str, calls: Sequence[RecordedRequest],
              peer_calls: Sequence[RecordedRequest]) -> list[str]:
    """Characters per part: the shared prefix (each tool spec, the rules, the round's
    material: diff and evidence), each reviewer's own part, and PR-Agent's prompt."""
    first = min(calls, key=lambda r: len(cache_points(segments(r.body)))).body  # no after part
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
        after = sum(len(t) for t in texts[[i for i, t in enumerate(texts) if t is None][1] + 1:
                                          max(i for i, t in enumerate(texts) if t is None)]
                    if t)  # its files after the prefix, cached (`review.layers`)
        own.append(f"{_agent(call)} {mine:,}+{ask}" + (f" (+{after:,} cached after the prefix)"
                                                       if after else ""))
    out.append(f"{size}: own part, chars (system + ask): " + ", ".join(own))
    for call in peer_calls:
        system = sum(len(b.get("text", "")) for b in call.body.get("system") or [])
        user = sum(len(b.get("text", "")) for m in call.body["messages"] for b in m["content"])
        out.append(f"{size}: PR-Agent's prompt, chars: system {system:,}, messages {user:,}")
    return out


def _agent(request: RecordedRequest) -> str:
    """The reviewer a call asks, or the reviewers asked together joined with "+"."""
    return "+".join(_members(request))


def _members(request: RecordedRequest) -> list[str]:
    system = request.system_text()
    listed = re.search(r"^agents: (.+)$", system, re.M)
    if listed:
        return listed[1].split(", ")
    return [next(n for n in REVIEWERS if f"agent: {n}" in system)]


# A size's suffix: the README.md added on top of the change, in lines of steps
DOCS = {"+docs": 38, "+longdocs": 158}


def sized(size: str) -> tuple[str, int]:
    """(the size in the fixtures' table, the README's lines of steps: 0 for none)."""
    return next(((size.removesuffix(end), n) for end, n in DOCS.items() if size.endswith(end)),
                (size, 0))


def with_docs(repo: Path, steps: int) -> str:
    """The change with a README.md of `steps` lines added on top (code and its
    documentation: the performance and test-quality reviewers leave `*.md` out); the new
    head."""
    (repo / "README.md").write_text("# Shop\n\n" + "".join(
        f"Step {i}: how the shop's module {i} is called and what it returns.\n"
        for i in range(steps)))
    git(repo, "add", "README.md")
    git(repo, "commit", "-qm", "docs")
    return git(repo, "rev-parse", "HEAD").strip()


def one_size(base: Path, size: str, python: Path | None) -> list[str]:
    """One generated change reviewed in both shapes of round 1, the default first (`SHAPES`):
    each one's billed tokens ÷ one PR-Agent call and ÷ the outside floor; for one call per
    reviewer, also what its shared prefix and each reviewer's own part hold, and its floors."""
    plain_size, steps = sized(size)
    lines, files = SIZES[plain_size]
    theirs = base / f"pa-{size}"
    make_change(theirs, lines, files, seed=1)
    if steps:
        with_docs(theirs, steps)
    theirs_calls: Sequence[RecordedRequest] = ()
    if python is not None:
        with bedrock(latency=1.0, prompt_cache=True, context_window=WINDOW) as fake:
            theirs_calls = peer.review(python, theirs, "main", fake)
    out: list[str] = []
    default = 0.0
    for combined in SHAPES:
        shown, spent = _shape(base, size, combined, theirs_calls, default)
        out += shown
        default = default or spent
    return out


# "[review] combined_review" as the two shapes are set, the default's first
SHAPES = (Review().combined_review, not Review().combined_review)


def _shape(base: Path, size: str, combined: bool, peer_calls: Sequence[RecordedRequest],
           default: float) -> tuple[list[str], float]:
    """One shape's lines (`default`: the default shape's billed tokens, 0 for the default
    itself) and its billed tokens."""
    setting = f"combined_review = {str(combined).lower()}"
    what = f"{size}, {setting}" + (" (the default)" if combined == SHAPES[0] else "")
    config = "" if combined == SHAPES[0] else f"[review]\n{setting}\n"
    folder = f"rl-{'together' if combined else 'apart'}-{size}"
    plain, calls, mine = _reviewed(base / folder, size, config)
    command = f"{COMMAND} --sizes {size} --no-round2"
    out = [f"{what}: reviewloop billed {mine:,.0f} tokens in {len(calls)} call(s) "
           f"({', '.join(map(_agent, calls))}; output "
           f"{sum(r.output_tokens for r in calls):,} tokens, not counted)"
           + (f"; {mine / default:.2f} of the default's {default:,.0f}" if default else "")]
    if peer_calls:
        out.append(ratio(f"{what}: billed tokens, reviewloop / one PR-Agent call",
                         mine / billed(peer_calls),
                         target=1.2 if size.startswith("300") else 1.0,
                         note=f"PR-Agent {billed(peer_calls):,.0f} in {len(peer_calls)} "
                              f"call(s); `{command}`"))
    outside = outside_floor(plain, [_members(r) for r in calls])
    out.append(ratio(f"{what}: billed / outside floor (plain git diff, each reviewer's "
                     "instructions in full)", mine / outside,
                     note=f"floor {outside:,.0f} for these {len(calls)} call(s)"))
    if combined:
        return out, mine
    ran, five, prefix = floors(calls)
    writes = sum(1 for r in calls if r.cache_write)
    out.append(f"{what}: {writes} prefix write(s), {len(calls) - writes} read(s); shared "
               f"prefix {prefix:,} tokens")
    out += breakdown(size, calls, peer_calls)
    out.append(ratio(f"{what}: billed / own floor for five specialists", mine / five,
                     target=1.1, note=f"floor {five:,.0f}"))
    out.append(ratio(f"{what}: billed / own floor for the {len(calls)} reviewers called",
                     mine / ran, target=1.1, note=f"floor {ran:,.0f}"))
    return out, mine


def _reviewed(repo: Path, size: str, config: str = ""
              ) -> tuple[str, list[RecordedRequest], float]:
    """Review the generated change of `size` in `repo` (`config`: its `.reviewloop.toml`,
    committed in the base): the plain diff, the reviewer calls, their billed tokens."""
    plain_size, steps = sized(size)
    lines, files = SIZES[plain_size]
    rev = make_change(repo, lines, files, seed=1, config=config)
    if steps:
        rev = (rev[0], with_docs(repo, steps))
    with bedrock(latency=1.0, prompt_cache=True, context_window=WINDOW) as fake:
        script_reviewers(fake, rounds=20)
        run = review(repo, *rev, fake=fake)
    calls = [r for r in run.requests if not r.warmup]
    return git(repo, "diff", f"{rev[0]}...{rev[1]}"), calls, billed(run.requests)


FINDINGS = [  # three findings in three places: three fix groups
    {"severity": "should_fix", "file": "todo/helpers.py", "start_line": line,
     "end_line": line, "title": title, "rationale": "unexplained constants", "confidence": 0.8}
    for line, title in ((10, "magic numbers in helper_1"), (166, "magic numbers in helper_32"),
                        (291, "magic numbers in helper_57"))]


def _helpers() -> list[str]:
    return [f"def helper_{i}(value: int) -> int:\n    \"\"\"Helper {i}.\"\"\"\n"
            f"    return value * {i} + {i}\n\n\n" for i in range(60)]


def _fixes(helpers: list[str]) -> list[tuple[str, str]]:
    """(old, new) of each group's fix: two helpers rewritten (10 lines), then one line in each
    of two more."""
    first = "".join(helpers[1:3])
    new = first.replace("value * 1 + 1", "value + 1  # one is the offset").replace(
        "value * 2 + 2", "(value + 1) * 2  # doubled after the offset").replace(
        "Helper 1.", "Helper 1: offset by one.").replace("Helper 2.", "Helper 2: doubled.")
    return [(first, new),
            ("value * 32 + 32", "(value + 1) * 32  # 32 per step"),
            ("value * 57 + 57", "(value + 1) * 57  # 57 per step")]


def round2(base: Path, groups: int, *, closing_reply: bool = False) -> list[RecordedRequest]:
    """Every request of a run through the real graph: `groups` findings in as many places of
    a 300-line change (1: the 10-line fix of two helpers; 3: that and one line in each of
    two more), each fixed by its own fixer conversation: one reply, its edit with `done`
    (the fixer's rules ask for that, `agent.done`), or with `closing_reply` an edit, then a
    reply of its own; then round 2."""
    from reviewloop.agent.models import make_chat_model
    from reviewloop.config import Gates, Settings
    from reviewloop.implement.implementer import Implementer
    from reviewloop.runs.runner import LoopRunner
    from reviewloop.spec import select
    from reviewloop.spec.loader import load_spec

    root = base / f"round2-{groups}{'-reply' if closing_reply else ''}"
    shutil.copytree(ROOT / "examples" / "todo-api", root,
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    init_repo(root, "example")
    helpers = _helpers()
    (root / "todo" / "helpers.py").write_text('"""Generated helpers."""\n\n\n' + "".join(helpers))
    with bedrock(latency=0.5, in_process=True, prompt_cache=True,
                 context_window=WINDOW) as fake:
        script_reviewers(fake, rounds=2, findings={REVIEWERS[0]: FINDINGS[:groups]})
        edits = [("edit_file", {"path": "todo/helpers.py", "old": old, "new": new})
                 for old, new in _fixes(helpers)[:groups]]
        fake.script(FIXER, [reply for edit in edits for reply in (
            (tool_use(*edit), text("fixed")) if closing_reply
            else (tool_uses(edit, ("done", {"summary": "fixed"})),))])
        settings = Settings(model=MODEL, gates=Gates(build=(), test=()))
        runner = LoopRunner(root, settings, lambda name: make_chat_model(name), llm=True)
        spec_file = root / "docs" / "todo-api-spec.md"
        task = select.next_task(load_spec(root, spec_file).tasks)
        assert task is not None, "the example's spec has a task left"
        runner.start(task, spec_file, Implementer.parse("manual"))
        return list(fake.requests)


def _phases(requests: Sequence[RecordedRequest]
            ) -> tuple[list[RecordedRequest], list[RecordedRequest], list[RecordedRequest]]:
    """Round 1's reviewer calls, the fix step's, round 2's."""
    fix = [r for r in requests if FIXER in r.system_text()]
    reviews = [r for r in requests if r not in fix and ("agent: review-" in r.system_text()
                                                         or "agents: review-" in r.system_text())]
    second = [r for r in reviews if "Re-review, round 2" in r.system_text()]
    if not second or not fix:
        raise SystemExit("the fix or round 2 never ran: " + json.dumps([r.path for r in requests]))
    return [r for r in reviews if r not in second], fix, second


def round2_figures(requests: Sequence[RecordedRequest], groups: int,
                   replying: Sequence[RecordedRequest] = ()) -> list[str]:
    """The fix step and round 2 ÷ round 1 billed; with `replying` (the same run with a fixer
    that ends in a reply of its own), that fix step beside it."""
    command = f"{COMMAND} --sizes none"
    what = f"{groups} fix group(s) of a 300-line change"
    first, fix, second = _phases(requests)
    one = billed(first)
    reads = sum(1 for r in fix if r.cache_read and not r.cache_write)
    writes = sum(1 for r in fix if r.cache_write)
    closing = []
    if replying:
        first_r, fix_r, _ = _phases(replying)
        closing = [ratio(f"{what}: fix step / round 1 billed, a fixer that ends in a reply of "
                         "its own after its edit", billed(fix_r) / billed(first_r),
                         note=f"{billed(fix_r):,.0f} in {len(fix_r)} fixer call(s); "
                              f"{billed(fix_r) / billed(first_r):.3f}; `{command}`")]
    return [
        f"{what}: round 1 {one:,.0f} billed in {len(first)} reviewer call(s); fix step "
        f"{billed(fix):,.0f} in {len(fix)} fixer call(s) ({reads} read the cache only, "
        f"{writes} wrote after reading); round 2 {billed(second):,.0f} in {len(second)} call(s)",
        ratio(f"{what}: fix step / round 1 billed", billed(fix) / one, target=0.25,
              note=f"{billed(fix) / one:.3f}; `{command}`"),
        ratio(f"{what}: round 2 reviewers / round 1 billed", billed(second) / one,
              target=0.15, note=f"{billed(second) / one:.3f}; `{command}`"),
        *closing,
        ratio(f"{what}: fix step + round 2 reviewers / round 1 billed (the second round as "
              "paid)", (billed(fix) + billed(second)) / one, note=f"`{command}`")]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="300,1k,3k,1k+docs,1k+longdocs")
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
        for size in [s for s in args.sizes.split(",") if s != "none"]:
            for line in one_size(base, size, python):
                print(line, flush=True)
        if not args.no_round2:
            for groups in (1, 3):
                replying = round2(base, groups, closing_reply=True) if groups == 3 else []
                for line in round2_figures(round2(base, groups), groups, replying):
                    print(line, flush=True)


if __name__ == "__main__":
    main()
