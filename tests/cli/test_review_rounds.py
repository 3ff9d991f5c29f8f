"""A review round end to end through the real ChatBedrockConverse → loopback Bedrock fake:
chunks within the token budget, every file reviewed or listed, the cache warmed once, and a
round over `max_cost_usd` stopped before any reviewer call."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from reviewloop.review.definitions import builtin_agents, builtin_names
from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.loop_cli import fake_env
from tests.support.repos import init_repo

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
REVIEWERS = builtin_names()  # from the registry, not copied
# the reviewers whose scope holds the Python modules below (infrastructure's does not)
IN_SCOPE = [a.name for a in builtin_agents() if a.applies_to("mod_0.py")]


def review(root: Path, fake: BedrockFake, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    env.update(fake_env(fake))
    return warm_cli.run(["review", "--model", MODEL, "--format", "json", *args], root, env=env,
                        timeout=240)


def project(tmp_path: Path, config: str, files: int = 8, functions: int = 40) -> Path:
    root = init_repo(tmp_path / "p", {"README.md": "demo\n", ".reviewloop.toml": config})
    for i in range(files):
        (root / f"mod_{i}.py").write_text("".join(
            f"def f{i}_{n}(value):\n    return value * {n} + {i}\n\n\n" for n in range(functions)))
    (root / "poetry.lock").write_text("[[package]]\nname = 'x'\n")
    return root


def answer_all(fake: BedrockFake, times: int) -> None:
    for name in REVIEWERS:
        fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})] * times)


def reviewer_calls(fake: BedrockFake):
    return [r for r in fake.requests if not r.warmup]


def test_a_change_over_the_budget_is_reviewed_in_chunks_with_nothing_left_out(tmp_path: Path):
    root = project(tmp_path, "[review]\nchunk_tokens = 2000\n")
    with BedrockFake() as fake:
        answer_all(fake, 20)
        done = review(root, fake)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = reviewer_calls(fake)
    diffs = [r.system_text() for r in calls]
    chunks = {text.split("```diff\n", 1)[1].split("```", 1)[0] for text in diffs}
    assert len(chunks) > 1  # more than one chunk, each reviewed by every reviewer in scope
    # in one call (a reviewer whose scope holds no Python module is not called)
    assert len(calls) == len(chunks)
    assert all(f"agents: {', '.join(IN_SCOPE)}\n" in r.system_text() for r in calls)
    assert all(len(c) // 3 <= 2000 for c in chunks)  # within the budget (3 chars a token)
    for i in range(8):  # every file in exactly one chunk
        assert sum(f"b/mod_{i}.py" in c for c in chunks) == 1
    report = json.loads(done.stdout)
    assert "poetry.lock: a dependency lock file; analysed, not sent to a model" \
        in report["skipped"]
    assert "review round 1:" in done.stderr and "chunk(s)" in done.stderr


def test_the_first_reviewer_writes_the_prefix_and_the_others_read_it(tmp_path: Path):
    # one call per reviewer: the calls that share the prefix (asked together, the
    # default, they are one call)
    root = project(tmp_path, "[review]\ncombined_review = false\n", files=2, functions=40)
    with BedrockFake(prompt_cache=True, latency=0.2) as fake:
        answer_all(fake, 1)
        done = review(root, fake)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = reviewer_calls(fake)
    assert [r for r in fake.requests if r.warmup] == []  # no separate warm-up call
    assert len(calls) == len(IN_SCOPE)  # infrastructure: no file in its scope
    writer = calls[0]
    assert writer.path.endswith("/converse-stream")  # streamed: the others wait for it
    assert writer.cache_write > 0 and writer.cache_read == 0
    assert all(r.cache_read == writer.cache_write and r.cache_write == 0 for r in calls[1:])

    def prefix(request) -> tuple[str, str]:
        system = request.body["system"]
        cut = max(i for i, block in enumerate(system) if "cachePoint" in block)
        return json.dumps(request.body["toolConfig"]), json.dumps(system[:cut + 1])

    assert len({prefix(r) for r in calls}) == 1  # byte-identical, cache points too
    own = [r.body["system"][-1]["text"] for r in calls]
    assert all(text.startswith("agent: review-") for text in own)  # only the persona after it


def test_a_round_over_max_cost_is_stopped_before_any_reviewer_call(tmp_path: Path):
    root = project(tmp_path, "[review]\nmax_cost_usd = 0.0001\n")
    with BedrockFake() as fake:
        answer_all(fake, 1)
        done = review(root, fake)
    assert fake.requests == []
    assert done.returncode == 1, done.stdout + done.stderr  # not reviewed: not clean
    report = json.loads(done.stdout)
    assert any("max_cost_usd" in e for e in report["escalations"])
    failed = {r["agent"]: r["error"] for r in report["reviewers"] if r["status"] == "failed"}
    assert set(failed) == set(REVIEWERS)
    assert all("over [review] max_cost_usd $0.0001" in e for e in failed.values())


def test_a_change_no_call_can_hold_is_not_reviewed_never_clean(tmp_path: Path):
    """One hunk over the budget: no model reads the file, and its reviewers say so (failed,
    "not reviewed"), not "no changed file in scope"; the verdict is not clean."""
    root = project(tmp_path, "[review]\nchunk_tokens = 1000\n", files=1, functions=200)
    (root / "poetry.lock").unlink()
    with BedrockFake() as fake:
        answer_all(fake, 1)
        done = review(root, fake)
    assert reviewer_calls(fake) == []
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    failed = {r["agent"]: r["error"] for r in report["reviewers"] if r["status"] == "failed"}
    assert set(failed) == set(IN_SCOPE)
    assert all(e.startswith("not reviewed: mod_0.py: over the 1,000-token budget")
               for e in failed.values())
    assert not report["verdict"].startswith("clean")

