"""Cutting a round's diff to the reviewers' token budget: nothing clipped silently."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.agent.models import estimate_tokens
from reviewloop.git.diff import FileDiff, parse_diff
from reviewloop.review.chunks import plan_chunks
from tests.support.gitutil import git
from tests.support.repos import init_repo, write_files


def change(tmp_path: Path, files: dict[str, str], before: dict[str, str] | None = None) -> str:
    """The real `git diff` of writing `files` over a commit of `before`."""
    root = init_repo(tmp_path / "repo", before or {"README.md": "x\n"})
    write_files(root, files)
    git(root, "add", "-A")
    return git(root, "diff", "--cached")


def module(name: str, functions: int) -> str:
    return "".join(f"def {name}_{i}(value):\n    return value + {i}\n\n\n"
                   for i in range(functions))


def test_without_a_budget_everything_is_one_chunk(tmp_path: Path):
    diff = change(tmp_path, {"app.py": module("f", 3), "lib/util.py": module("g", 2)})
    plan = plan_chunks(parse_diff(diff), None)
    assert len(plan.chunks) == 1
    assert set(plan.chunks[0].paths) == {"app.py", "lib/util.py"}
    assert plan.skipped == ()


def test_every_file_lands_in_exactly_one_chunk_within_the_budget(tmp_path: Path):
    files = {f"pkg/mod_{i}.py": module(f"m{i}", 20) for i in range(12)}
    files.update({f"tests/test_mod_{i}.py": module(f"test_m{i}", 5) for i in range(12)})
    diff = change(tmp_path, files)
    budget = 2_000
    plan = plan_chunks(parse_diff(diff), budget)
    assert len(plan.chunks) > 1
    assert all(c.tokens <= budget for c in plan.chunks)
    seen = [p for c in plan.chunks for p in c.paths]
    assert sorted(seen) == sorted(files)  # each once, none dropped
    for chunk in plan.chunks:
        assert chunk.tokens == estimate_tokens(chunk.diff)
        assert [f.path for f in parse_diff(chunk.diff).files] == list(chunk.paths)


def test_a_test_travels_with_the_code_it_tests(tmp_path: Path):
    files = {"src/alpha.py": module("a", 15), "src/beta.py": module("b", 15),
             "tests/test_alpha.py": module("ta", 5), "tests/test_beta.py": module("tb", 5)}
    diff = change(tmp_path, files)
    one_pair = sum(estimate_tokens(d.text) for d in parse_diff(diff).files
                   if "alpha" in d.path)
    plan = plan_chunks(parse_diff(diff), one_pair + 10)
    together = [set(c.paths) for c in plan.chunks]
    assert {"src/alpha.py", "tests/test_alpha.py"} in together
    assert {"src/beta.py", "tests/test_beta.py"} in together


def test_a_file_over_the_budget_is_split_on_hunk_boundaries(tmp_path: Path):
    lines = [f"line {i}\n" for i in range(400)]
    edited = list(lines)
    for at in range(10, 400, 40):  # ten separate hunks
        edited[at] = f"changed {at} " + "x" * 200 + "\n"
    diff = change(tmp_path, {"big.txt": "".join(edited)}, {"big.txt": "".join(lines)})
    whole = estimate_tokens(diff)
    plan = plan_chunks(parse_diff(diff), whole // 3)
    assert len(plan.chunks) >= 3
    assert plan.skipped == ()
    for chunk in plan.chunks:
        assert chunk.paths == ("big.txt",)
        assert chunk.diff.startswith("diff --git a/big.txt b/big.txt")
        assert parse_diff(chunk.diff).files[0].added  # a valid diff with its own hunks
    shown = [a.line for c in plan.chunks for a in parse_diff(c.diff).files[0].added]
    assert shown == list(parse_diff(diff).files[0].added_lines)  # every added line, once


def test_a_single_hunk_over_the_budget_is_listed_not_clipped(tmp_path: Path):
    diff = change(tmp_path, {"huge.py": module("h", 400)})
    plan = plan_chunks(parse_diff(diff), 500)
    assert plan.chunks == ()
    assert len(plan.skipped) == 1
    assert plan.skipped[0].startswith("huge.py: 1 of its 1 hunk(s)")
    assert "500-token budget" in plan.skipped[0]


def test_left_out_and_binary_files_are_listed_with_a_reason(tmp_path: Path):
    """What the caller leaves out (sensitive files; generated or vendored ones as the trusted
    side classifies them, `review.classify`) and real binaries; nothing else."""
    files = {"app.py": module("f", 2), "poetry.lock": "[[package]]\nname = 'x'\n",
             "vendor/lib.py": module("v", 2), "deploy/.env": "TOKEN=1\n"}
    root_diff = change(tmp_path, files)
    (tmp_path / "repo" / "logo.png").write_bytes(b"\x89PNG\0\0binary")
    git(tmp_path / "repo", "add", "logo.png")
    diff = git(tmp_path / "repo", "diff", "--cached")
    assert "logo.png" in diff and root_diff
    reasons = {"deploy/.env": "may hold secrets", "poetry.lock": "a dependency lock file"}
    plan = plan_chunks(parse_diff(diff), 10_000, leave_out=reasons.get)
    assert [sorted(c.paths) for c in plan.chunks] == [["app.py", "vendor/lib.py"]]
    assert dict(line.split(": ", 1) for line in plan.skipped) == {
        **reasons, "logo.png": "a binary file"}


def test_prepare_runs_once_per_file(tmp_path: Path):
    diff = change(tmp_path, {f"m{i}.py": module(f"f{i}", 3) for i in range(5)})
    calls = []

    def prepare(diff: FileDiff) -> str:
        calls.append(diff.text)
        return diff.text.replace("return", "yield")

    plan = plan_chunks(parse_diff(diff), 100_000, prepare=prepare)
    assert len(calls) == 5
    assert "return" not in plan.chunks[0].diff and "yield" in plan.chunks[0].diff


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(budget=st.integers(min_value=1, max_value=400), functions=st.integers(1, 30))
def test_a_file_no_call_can_hold_is_over_budget_never_lost(tmp_path: Path, budget: int,
                                                           functions: int):
    """Any budget: each changed file is in a chunk or listed over the budget (with its reason
    in `skipped`): no reviewer can take a file missing from both for "out of its scope"."""
    diff = change(tmp_path / str(budget * 100 + functions),
                  {"app.py": module("f", functions), "b.py": module("g", 1)})
    plan = plan_chunks(parse_diff(diff), budget)
    sent = {p for c in plan.chunks for p in c.paths}
    assert sent | set(plan.over_budget) == {"app.py", "b.py"}
    assert not sent & set(plan.over_budget)
    assert all(any(s.startswith(f"{p}: ") for s in plan.skipped) for p in plan.over_budget)
