"""Reviewers whose scopes differ still share one cached prefix: the files the reviewers that
cover most of a chunk all cover are in it, and each reviewer is sent its other files after
it, alone. Through `reviewloop review`, the real ChatBedrockConverse and the loopback
Bedrock fake with Bedrock's prompt caching: a change to code and its documentation (the
performance and test-quality reviewers leave `*.md` out) writes the prefix once."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.diff import parse_diff
from reviewloop.review.cache_gate import CACHE_MIN_TOKENS, cache_min_tokens
from reviewloop.review.chunks import Chunk
from reviewloop.review.definitions import builtin_agents
from reviewloop.review.layers import layers, part
from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.bedrock_tokens import cache_points, segments, tokens_of
from tests.support.loop_cli import MODEL, REVIEWERS, fake_env
from tests.support.repos import init_repo


def diff_of(files: dict[str, int]) -> str:
    """A diff adding `lines` lines to each file."""
    return "".join(
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{n} @@\n"
        + "".join(f"+line {i} of {path}\n" for i in range(n)) for path, n in files.items())


def chunk_of(files: dict[str, int]) -> Chunk:
    return Chunk(index=0, paths=tuple(files), diff=diff_of(files), tokens=0)


def test_documentation_is_left_out_of_the_prefix_of_reviewers_that_skip_it() -> None:
    found = layers(chunk_of({"app.py": 40, "README.md": 10}), builtin_agents())
    assert found is not None
    assert found.common == ("app.py",)
    assert found.sharing == {a.name for a in builtin_agents() if a.applies_to("app.py")}
    assert any(not a.applies_to("README.md") for a in builtin_agents() if a.name in found.sharing)


def test_a_small_scope_keeps_a_prefix_of_its_own() -> None:
    found = layers(chunk_of({"app.py": 60, "deploy.yaml": 5}), builtin_agents())
    assert found is not None and "review-infrastructure" not in found.sharing
    assert found.common == ("app.py", "deploy.yaml")  # the others all cover both


def test_one_scope_for_all_is_one_prefix_as_before() -> None:
    assert layers(chunk_of({"app.py": 40, "tests/test_app.py": 20}), builtin_agents()) is None


READERS = tuple(a.name for a in builtin_agents() if a.applies_to("README.md")
                and a.applies_to("app.py"))


def test_files_two_reviewers_read_after_the_prefix_are_cached_when_long_enough() -> None:
    found = layers(chunk_of({"app.py": 40, "README.md": 10}), builtin_agents())
    assert found is not None and len(READERS) >= 2
    for name in found.sharing:
        reads = name in READERS
        assert found.rest(name) == (("README.md",) if reads else ())
        # long enough: cached for its two readers; shorter than a checkpoint's minimum: not
        assert found.after_cached(name, CACHE_MIN_TOKENS, CACHE_MIN_TOKENS) == reads
        assert not found.after_cached(name, CACHE_MIN_TOKENS - 1, CACHE_MIN_TOKENS)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(grouped=st.sets(st.sampled_from(sorted(a.name for a in builtin_agents())), max_size=5),
       docs=st.integers(min_value=1, max_value=30))
def test_reviewers_asked_in_one_call_read_their_files_once_so_nothing_is_cached(
        grouped: set[str], docs: int) -> None:
    """A cached part pays off only when a second call reads it: the readers asked in one
    call (`review.rereview`) are one reader."""
    found = layers(chunk_of({"app.py": 40, "README.md": docs}), builtin_agents(),
                   [sorted(grouped)] if len(grouped) > 1 else [])
    assert found is not None
    calls = len({"group" if name in grouped and len(grouped) > 1 else name
                 for name in READERS})
    assert all(found.after_cached(name, CACHE_MIN_TOKENS, CACHE_MIN_TOKENS) == (calls > 1)
               for name in READERS)


MODELS = ("us.anthropic.claude-sonnet-4-20250514-v1:0",
          "us.anthropic.claude-opus-4-1-20250805-v1:0", "us.amazon.nova-pro-v1:0")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(chosen=st.fixed_dictionaries({name: st.sampled_from(MODELS) for name in READERS}))
def test_a_part_is_cached_only_for_readers_sharing_its_model(chosen: dict[str, str]) -> None:
    """Bedrock caches per model: a part whose readers are on different models would be
    written (1.25×) by each and read by none (docs/costs.md: sent uncached, 1× each)."""
    found = layers(chunk_of({"app.py": 40, "README.md": 10}), builtin_agents(), [], chosen)
    assert found is not None
    for name in READERS:
        peers = sum(chosen[other] == chosen[name] for other in READERS)
        assert found.after_cached(name, CACHE_MIN_TOKENS, CACHE_MIN_TOKENS) == (peers > 1)


def test_a_model_s_cache_minimum_is_bedrock_s_for_its_family() -> None:
    assert cache_min_tokens("bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0") == 1024
    assert cache_min_tokens("bedrock/anthropic.claude-3-5-haiku-20241022-v1:0") == 2048
    assert cache_min_tokens("bedrock/us.anthropic.claude-haiku-4-5-20251001-v1:0") == 4096
    assert cache_min_tokens("bedrock/amazon.nova-pro-v1:0") == CACHE_MIN_TOKENS


def test_a_part_holds_only_its_files_diff() -> None:
    chunk = chunk_of({"a.py": 2, "b.md": 3, "c.py": 1})
    kept = part(chunk, ("c.py", "a.py"))
    assert kept.paths == ("a.py", "c.py")
    assert parse_diff(kept.diff).paths == ("a.py", "c.py")


def test_code_and_docs_write_the_prefix_once_and_the_docs_go_to_their_readers(
        tmp_path: Path) -> None:
    root = init_repo(tmp_path / "p", {"README.md": "demo\n", ".reviewloop.toml": ONE_EACH})
    for i in range(3):
        (root / f"mod_{i}.py").write_text("".join(
            f"def f{i}_{n}(value):\n    return value * {n} + {i}\n\n\n" for n in range(40)))
    (root / "README.md").write_text("demo\n\nDOCS-LINE: how to call f0_1.\n")
    calls = _reviewed(root)
    # infrastructure: no file in its scope
    assert len(calls) == sum(a.applies_to("mod_0.py") for a in builtin_agents())
    assert sum(1 for r in calls if r.cache_write) == 1  # one prefix, written once
    writer = next(r for r in calls if r.cache_write)
    assert all(r.cache_read == writer.cache_write for r in calls if r is not writer)

    def split(request) -> tuple[str, str]:
        system = request.body["system"]
        cut = max(i for i, block in enumerate(system) if "cachePoint" in block)
        return json.dumps(system[:cut]), json.dumps(system[cut:])

    prefixes = {split(r)[0] for r in calls}
    assert len(prefixes) == 1 and "DOCS-LINE" not in prefixes.pop()
    readers = {name for r in calls for name in REVIEWERS
               if f"agent: {name}" in split(r)[1] and "DOCS-LINE" in split(r)[1]}
    assert readers == {a.name for a in builtin_agents() if a.applies_to("README.md")}
    assert readers and len(readers) < len(calls)


def test_long_docs_two_reviewers_read_are_written_once_and_read_by_the_other(
        tmp_path: Path) -> None:
    """A README over a cache checkpoint's minimum, which two reviewers (or more) read after
    the prefix: a cached part of its own, written by the first of them and read by the
    others (1.25 + 0.1 instead of 2 x); the reviewers that leave it out never see it. (The code
    is most of the diff, so all four share the prefix: `layers`.)"""
    root = init_repo(tmp_path / "p", {"README.md": "demo\n", ".reviewloop.toml": ONE_EACH})
    for i in range(3):
        (root / f"mod_{i}.py").write_text("".join(
            f"def f{i}_{n}(value):\n    return value * {n} + {i}\n\n\n" for n in range(120)))
    (root / "README.md").write_text("demo\n\n" + "".join(
        f"DOCS-LINE {n}: how to call f0_{n % 40} and what it gives back.\n" for n in range(120)))
    calls = _reviewed(root)

    def cached(request) -> list[str | None]:  # the request up to its last cache point
        parts = segments(request.body)
        return parts[:cache_points(parts)[-1]]

    readers = [r for r in calls if "DOCS-LINE" in r.system_text()]
    others = [r for r in calls if r not in readers]
    assert len(readers) == len(READERS) >= 2 and others
    # the README is cached, byte for byte the same, in every reader's request
    assert all(cached(r) == cached(readers[0]) for r in readers)
    assert any("DOCS-LINE" in (p or "") for p in cached(readers[0]))
    prefix = {tuple(cached(r)) for r in others}
    assert len(prefix) == 1  # the common prefix, the same for the reviewers that skip it
    common, whole = tokens_of(list(prefix.pop())), tokens_of(cached(readers[0]))
    assert whole - common >= CACHE_MIN_TOKENS
    # each cached part written once: the prefix, then the README after it
    assert sum(r.cache_write for r in calls) == whole
    assert sorted(r.cache_read for r in readers)[1:] == [whole] * (len(readers) - 1)
    assert all(r.cache_read == common for r in others if not r.cache_write)
    assert len(calls) == sum(a.applies_to("mod_0.py") for a in builtin_agents())


# One call per reviewer: how separate calls share the prefix and a part only some read
# (asked together, the default, they read their files once in one call:
# `test_reviewers_asked_in_one_call_read_their_files_once_so_nothing_is_cached`)
ONE_EACH = "[review]\ncombined_review = false\n"


def _reviewed(root: Path) -> list:
    """`reviewloop review` of `root`'s change against the Bedrock fake with prompt caching,
    every reviewer answering with no finding: the calls it made (warm-ups left out)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    with BedrockFake(prompt_cache=True, latency=0.2) as fake:
        for name in REVIEWERS:
            fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})])
        done = warm_cli.run(["review", "--model", MODEL, "--format", "json"], root,
                            env={**env, **fake_env(fake)}, timeout=240)
        calls = [r for r in fake.requests if not r.warmup]
    assert done.returncode == 0, done.stdout + done.stderr
    return calls
