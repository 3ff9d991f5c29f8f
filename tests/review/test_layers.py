"""Reviewers whose scopes differ still share one cached prefix: the files the reviewers that
cover most of a chunk all cover are in it, and each reviewer is sent its other files after
it, alone. Through `reviewloop review`, the real ChatBedrockConverse and the loopback
Bedrock fake with Bedrock's prompt caching: a change to code and its documentation (the
performance and test-quality reviewers leave `*.md` out) writes the prefix once."""

from __future__ import annotations

import json
import os
from pathlib import Path

from reviewloop.git.diff import parse_diff
from reviewloop.review.chunks import Chunk
from reviewloop.review.definitions import builtin_agents
from reviewloop.review.layers import layers, part
from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
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


def test_a_part_holds_only_its_files_diff() -> None:
    chunk = chunk_of({"a.py": 2, "b.md": 3, "c.py": 1})
    kept = part(chunk, ("c.py", "a.py"))
    assert kept.paths == ("a.py", "c.py")
    assert parse_diff(kept.diff).paths == ("a.py", "c.py")


def test_code_and_docs_write_the_prefix_once_and_the_docs_go_to_their_readers(
        tmp_path: Path) -> None:
    root = init_repo(tmp_path / "p", {"README.md": "demo\n"})
    for i in range(3):
        (root / f"mod_{i}.py").write_text("".join(
            f"def f{i}_{n}(value):\n    return value * {n} + {i}\n\n\n" for n in range(40)))
    (root / "README.md").write_text("demo\n\nDOCS-LINE: how to call f0_1.\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    with BedrockFake(prompt_cache=True, latency=0.2) as fake:
        for name in REVIEWERS:
            fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})])
        done = warm_cli.run(["review", "--model", MODEL, "--format", "json"], root,
                            env={**env, **fake_env(fake)}, timeout=240)
        calls = [r for r in fake.requests if not r.warmup]
    assert done.returncode == 0, done.stdout + done.stderr
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
