"""The fix step reads the review round's cache: through a real `reviewloop run`, the real
ChatBedrockConverse → boto3 stack and the loopback Bedrock fake with Bedrock's prompt
caching, every fixer request starts with the bytes the round's reviewers cached before their
round material (the same tool specs, their rules, the steering and the task), never the
diff again; its own rules are cached after that, and its group of findings after them: the
first call writes its rules and findings, a group's later call writes nothing, and a later
group writes only its own findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bedrock import BedrockFake, RecordedRequest, text, tool_use
from tests.support.bedrock_together import members
from tests.support.bedrock_tokens import cache_points, segments, tokens_of
from tests.support.loop_cli import (
    CALLED,
    MODEL,
    SPEC,
    cli,
    fake_env,
    make_example,
    manual_change,
    one_call_each,
)

FIXER = "You fix review findings"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_example(tmp_path)


def finding(path: str, line: int, title: str) -> dict:
    return {"severity": "should_fix", "file": path, "start_line": line, "end_line": line,
            "title": title, "rationale": "the reviewer says so", "confidence": 0.9}


def line_of(root: Path, path: str, needle: str) -> int:
    return next(n for n, line in enumerate((root / path).read_text().splitlines(), 1)
                if needle in line)


def script(fake: BedrockFake, root: Path) -> None:
    """Round 1: the security reviewer reports one finding in each of two files (two fix
    groups); the fixer edits each file once and answers; round 2 is clean (the
    re-reviewers on the one model asked in one call, `review.rereview`)."""
    found = [finding("todo/store.py", line_of(root, "todo/store.py", "return str(item)"),
                     "describe returns the raw repr"),
             finding("tests/test_store.py",
                     line_of(root, "tests/test_store.py", "def test_describe_names"),
                     "the test name hides what it checks")]
    for name in CALLED:
        first = found if name == "review-security" else []
        fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": first})])
    fake.script("agents: ", [tool_use("submit_findings", {"findings": []})])
    fake.script(FIXER, [
        tool_use("edit_file", {"path": "todo/store.py", "old": "    return str(item)\n",
                               "new": "    return str(item)  # the item's own text\n"}),
        text("fixed describe"),
        tool_use("edit_file", {"path": "tests/test_store.py",
                               "old": "def test_describe_names_the_item():",
                               "new": "def test_describe_names_the_item() -> None:"}),
        text("fixed the test")])


def run_with_fixes(project: Path, *, combined: bool = True) -> list[RecordedRequest]:
    """`reviewloop run` on a manual change, scripted by `script`: every request it sent.
    Round 1 asks its reviewers in one call (`[review] combined_review`), or with
    `combined=False` one call each."""
    if not combined:
        one_call_each(project)
    manual_change(project)
    with BedrockFake(prompt_cache=True) as fake:
        script(fake, project)
        done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                   "--model", MODEL, "--branch", "task-2", "--yes", env=fake_env(fake))
        requests = list(fake.requests)
    assert done.returncode == 0, done.stdout + done.stderr
    return requests


def cached_prefix(request: RecordedRequest, upto: int) -> tuple[list, list]:
    """The request's tool specs and its system blocks before cache point number `upto`."""
    system = request.body["system"]
    points = [i for i, block in enumerate(system) if "cachePoint" in block]
    return request.body["toolConfig"]["tools"], \
        system[:points[upto - 1]] if len(points) >= upto else system


@pytest.mark.parametrize("combined", [True, False], ids=["combined", "one-call-each"])
def test_every_fixer_call_reads_the_rules_the_reviewers_cached_and_no_diff(
        project: Path, combined: bool) -> None:
    requests = run_with_fixes(project, combined=combined)
    fixer = [r for r in requests if FIXER in r.system_text()]
    reviewers = [r for r in requests if r not in fixer
                 and ("agent: review-" in r.system_text() or members(r.body))
                 and "Re-review, round 2" not in r.system_text()]
    assert len(fixer) == 4  # two groups, two calls each
    # round 1: the reviewers asked in one call, or a call each
    assert len(reviewers) == (1 if combined else len(CALLED))

    # The reviewers' cached parts before the round's material (the diff and the evidence):
    # tool specs, rules, steering and task. The fixer's requests start with them, byte for
    # byte.
    rules = len([b for b in reviewers[0].body["system"] if "cachePoint" in b]) - 1
    theirs = cached_prefix(reviewers[0], rules)
    assert "```diff" not in str(theirs) and "```diff" in reviewers[0].system_text()
    assert all(cached_prefix(r, rules) == theirs for r in reviewers)
    for request in fixer:
        assert cached_prefix(request, rules) == theirs
        assert "```diff" not in request.system_text()  # the diff is not sent again
        assert "# The task" in request.system_text()  # the task is, read from the cache
    assert "submit_findings" in fixer[0].tool_names() and "edit_file" in fixer[0].tool_names()

    # The cache as Bedrock accounts it: the reviewers' write is read by every fixer call,
    # the fixer's rules are written once, each group's findings once.
    def upto(request: RecordedRequest, point: int) -> int:
        parts = segments(request.body)
        return tokens_of(parts[:cache_points(parts)[point]])

    reviewed = upto(reviewers[0], rules - 1)
    assert sum(1 for r in reviewers if r.cache_write) == 1
    own_rules = upto(fixer[0], rules)
    assert fixer[0].cache_read == reviewed
    assert fixer[0].cache_write == upto(fixer[0], rules + 1) - reviewed  # rules, findings
    assert (fixer[1].cache_write, fixer[1].cache_read) == (0, upto(fixer[1], rules + 1))
    assert fixer[2].cache_read == own_rules  # the next group: its findings are new
    assert fixer[2].cache_write == upto(fixer[2], rules + 1) - own_rules
    assert (fixer[3].cache_write, fixer[3].cache_read) == (0, upto(fixer[3], rules + 1))


def read_from_cache(request: RecordedRequest) -> str:
    """The text of the request's prefix the fake billed as a cache read."""
    parts = segments(request.body)
    ends = [p for p in cache_points(parts) if tokens_of(parts[:p]) == request.cache_read]
    assert ends, (request.cache_read, [tokens_of(parts[:p]) for p in cache_points(parts)])
    return "".join(p for p in parts[:ends[0]] if p is not None)


def test_the_fixer_reads_the_task_from_the_reviewers_cache(project: Path) -> None:
    # The reviewers' prefix holds the task before the diff; the fixer's first call reads it
    # from their cache (0.1x) instead of writing it again with its own rules (1.25x), and
    # its own write holds its rules and its findings only. Each request keeps within
    # Bedrock's four cache points (the fake refuses more).
    requests = run_with_fixes(project)
    fixer = [r for r in requests if FIXER in r.system_text()]
    first = fixer[0]
    task = first.system_text()[first.system_text().index("# The task"):].split("\n\n")[1]
    assert task.strip() and "# The project's steering" in first.system_text()
    read = read_from_cache(first)
    assert "# The task" in read and task in read and FIXER not in read
    prompt = "".join(p for p in segments(first.body) if p is not None)
    assert prompt.startswith(read) and "# The task" not in prompt[len(read):]  # not again
    assert all(len(cache_points(segments(r.body))) <= 4 for r in requests)
