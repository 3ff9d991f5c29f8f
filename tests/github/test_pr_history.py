"""A pull request's verdict does not depend on its history: whatever an earlier push could
not do — an analyzer not installed, findings past the review body's size limit, the LLM
reviewers off — a later push judges the PR as a fresh review of its head would, and says
"incomplete" for as long as a file was not analysed. A re-run of an old workflow run leaves
the PR's state to its current head.

Each run is `reviewloop review --github` as the Action runs it, against the loopback GitHub
fake; the oracles are the plain tools on the head and a fresh PR at the same head."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.review.definitions import builtin_names
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.github import GitHubFake
from tests.support.pr_mode import git
from tests.support.pr_runs import (
    Run,
    payload,
    posted_fingerprints,
    review,
    shown,
    summary_comment,
    verdict,
)
from tests.support.repos import branch_repo, commit

APP = "def ok():\n    return 1\n"
TEST = "def test_ok():\n    assert True\n"
# shell scripts plain shellcheck flags (an unquoted expansion, a `cd` without a check, ...)
SCRIPTS = ["#!/bin/bash\nrm -rf $DIR/*\n", "#!/bin/sh\ncd $1\nrm -rf build\n",
           "#!/bin/bash\nfor f in $(ls *.txt); do cat $f; done\n"]


def _push(root: Path, files: dict[str, str], gh: GitHubFake) -> dict[str, str]:
    before = git(root, "rev-parse", "HEAD")
    commit(root, files, "push")
    shown(gh, root, before=before)
    return {"before": before, "after": git(root, "rev-parse", "HEAD")}


def _fresh(root: Path, tmp: Path) -> Run:
    """The head reviewed as a new pull request: the oracle of what the PR holds."""
    with GitHubFake() as gh:
        shown(gh, root)
        return review(root, tmp, gh, payload(root, "opened"))


# --- an analyzer missing on one push -------------------------------------------------------

MISSING_CASES = list(itertools.product(range(len(SCRIPTS)), ("arrives", "still missing")))


@pytest.mark.pypi
@pytest.mark.parametrize(("script", "later"), random.Random(11).sample(MISSING_CASES, 3))
def test_a_file_an_analyzer_could_not_read_is_judged_on_a_later_push_or_stays_incomplete(
        script: int, later: str, tmp_path: Path, shellcheck_tools: Path) -> None:
    """Push 1 has no shellcheck (its verdict incomplete); push 2 changes only app.py. With
    shellcheck there by then, push 2 reads run.sh and counts what a fresh review of the head
    counts (plain shellcheck flags the script); without it, push 2 is still incomplete and
    names shellcheck missing, never "no changed file it analyzes"."""
    root = branch_repo(tmp_path / "repo", {"app.py": APP, "tests/test_app.py": TEST},
                       {"run.sh": SCRIPTS[script]})
    cold = {"REVIEWLOOP_TOOLS_DIR": str(tmp_path / "empty-tools")}
    with GitHubFake() as gh:
        shown(gh, root)
        first = review(root, tmp_path / "run1", gh, payload(root, "opened"), env=cold)
        assert "shellcheck (review-maintainability) missing" in verdict(first.job_summary)
        moved = _push(root, {"app.py": APP.replace("1", "2")}, gh)
        second = review(root, tmp_path / "run2", gh, payload(root, "synchronize", **moved),
                        env=cold if later == "still missing" else {})
    body, _ = summary_comment(gh)
    if later == "still missing":
        assert "shellcheck (review-maintainability) missing" in verdict(second.job_summary)
        assert "shellcheck (review-maintainability) missing" in verdict(body)
        assert "shellcheck (review-maintainability): skipped" not in body
        return
    plain = subprocess.run([str(shellcheck_tools / "shellcheck-0.11.0.1/bin/shellcheck"),
                            "-f", "gcc", "run.sh"], cwd=root, capture_output=True, text=True)
    assert plain.stdout.strip(), "plain shellcheck flags the script"
    fresh = _fresh(root, tmp_path / "fresh")
    assert (second.code, second.counts()) == (fresh.code, fresh.counts())
    assert "incomplete" not in verdict(second.job_summary)


# --- findings past the review body's size limit ---------------------------------------------

def shell_calls(count: int) -> str:
    """A module of `count` functions, each a `shell=True` call (bandit B602, must-fix)."""
    return "import subprocess\n" + "".join(
        f"\n\ndef f{n}(c):\n    return subprocess.call(c, shell=True)\n" for n in range(count))


def _plain_b602(root: Path, files: list[str]) -> int:
    done = subprocess.run([sys.executable, "-m", "bandit", "-q", "-f", "custom",
                           "--msg-template", "{test_id}", *files], cwd=root,
                          capture_output=True, text=True)
    return done.stdout.split().count("B602")


@pytest.mark.parametrize(("calls", "then"), random.Random(2).sample(
    list(itertools.product((230, 320), ("an unrelated push", "fixes the first calls"))), 2))
def test_findings_the_review_body_had_no_room_for_are_judged_on_the_next_push(
        calls: int, then: str, tmp_path: Path) -> None:
    """Push 1 finds more must-fixes than one review shows (30 inline, the body cut at
    GitHub's size limit): none of them may drop out. Push 2 counts what plain bandit
    reports at its head, and what a fresh PR at that head counts, and has posted all."""
    source = shell_calls(calls)
    root = branch_repo(tmp_path / "repo", {"tests/test_app.py": TEST},
                       {"calls.py": source, "tests/test_app.py": TEST + "\n"})
    with GitHubFake() as gh:
        shown(gh, root)
        first = review(root, tmp_path / "run1", gh, payload(root, "opened"))
        assert first.outputs["must_fix"] == str(_plain_b602(root, ["calls.py"])) == str(calls)
        assert len(posted_fingerprints(gh)) < calls, "the body had no room for them all"
        change = {"NOTES.md": "notes\n"} if then == "an unrelated push" else \
            {"calls.py": source.replace("c, shell=True", "[c]", 20)}
        moved = _push(root, change, gh)
        second = review(root, tmp_path / "run2", gh, payload(root, "synchronize", **moved))
    plain = _plain_b602(root, ["calls.py"])
    assert second.outputs["must_fix"] == str(plain)
    assert second.counts() == _fresh(root, tmp_path / "fresh").counts()


# --- the LLM reviewers off on one push, on from the next -------------------------------------

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
LOGIC = "def secret_logic(x):\n    return x * 42\n"


def _model_env(bedrock: BedrockFake) -> dict[str, str]:
    return {"REVIEWLOOP_MODEL": MODEL, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock.url,
            "AWS_ENDPOINT_URL_BEDROCK": bedrock.url, "AWS_ACCESS_KEY_ID": "AKIDFAKE",
            "AWS_SECRET_ACCESS_KEY": "fake", "AWS_REGION": "us-east-1"}


@pytest.mark.parametrize("then", ["edits app.py", "adds a note"])
def test_reviewers_that_were_off_read_the_whole_pr_once_they_are_on(
        then: str, tmp_path: Path) -> None:
    """Push 1 runs without a model (analyzers only); push 2 with one: every reviewer reads
    the files push 1 added, not only what push 2 changed — no model has seen them yet."""
    root = branch_repo(tmp_path / "repo", {"app.py": APP, "tests/test_app.py": TEST},
                       {"logic.py": LOGIC, "tests/test_app.py": TEST + "\n"})
    with GitHubFake() as gh:
        shown(gh, root)
        review(root, tmp_path / "run1", gh, payload(root, "opened"))
        moved = _push(root, {"app.py": APP.replace("1", "2")} if then == "edits app.py"
                      else {"NOTES.md": "notes\n"}, gh)
        with BedrockFake() as bedrock:
            for name in builtin_names():
                bedrock.script(f"agent: {name}", [tool_use("submit_findings",
                                                           {"findings": []})])
            second = review(root, tmp_path / "run2", gh, payload(root, "synchronize", **moved),
                            env=_model_env(bedrock))
            prompts = [r.system_text() for r in bedrock.requests]
    assert second.code == 0, second.stderr
    assert prompts and all("secret_logic" in p for p in prompts)


# --- a re-run of an old workflow run ---------------------------------------------------------

SHELL_APP = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


@pytest.mark.parametrize("rerun", ["the opened run", "a synchronize run"])
def test_a_rerun_of_an_old_run_leaves_the_pr_to_its_current_head(rerun: str,
                                                                  tmp_path: Path) -> None:
    """"Re-run jobs" on a run whose payload names an older head, after a newer push fixed
    its must-fix: the summary comment and the threads stay the current head's, and the run
    says why it did not publish (its exit code and outputs are its own head's)."""
    root = branch_repo(tmp_path / "repo", {"app.py": APP, "tests/test_app.py": TEST},
                       {"app.py": SHELL_APP, "tests/test_app.py": TEST + "\n"})
    with GitHubFake() as gh:
        shown(gh, root)
        events = [payload(root, "opened")]
        review(root, tmp_path / "run1", gh, events[0])
        if rerun == "a synchronize run":
            moved = _push(root, {"NOTES.md": "notes\n"}, gh)
            events.append(payload(root, "synchronize", **moved))
            review(root, tmp_path / "run2", gh, events[-1])
        moved = _push(root, {"app.py": SHELL_APP.replace("cmd, shell=True", "list(cmd)")}, gh)
        fixed = review(root, tmp_path / "fixed", gh, payload(root, "synchronize", **moved))
        assert fixed.outputs["must_fix"] == "0"
        current, comments = summary_comment(gh)[0], [c["body"] for c in gh.state.review_comments]
        head = git(root, "rev-parse", "HEAD")
        git(root, "checkout", "-q", events[-1]["pull_request"]["head"]["sha"])
        again = review(root, tmp_path / "rerun", gh, events[-1])
        assert summary_comment(gh)[0] == current
        assert [c["body"] for c in gh.state.review_comments] == comments
    assert again.outputs["published"] == "false" and again.outputs["must_fix"] == "1"
    assert again.code == 1
    assert f"the pull request's head moved to {head[:12]}" in again.stderr
    assert f"the pull request's head moved to {head[:12]}" in again.job_summary
