"""A provider failing the implementer or the fixer (throttled past its retries, a 5xx,
credentials revoked mid-run) ends the run as failed and resumable — exit 1, one line of
reason — and `resume` after the provider recovers continues from the checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from reviewloop.errors import ExitCode
from reviewloop.runs.runner import RunFailed
from tests.support.bedrock import BedrockFake, text, tool_use
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.gitutil import git
from tests.support.loop_cli import MODEL, SPEC, clean_reviews, cli, fake_env, make_example
from tests.support.runner import (
    FIXER,
    IMPLEMENTER,
    clean_round,
    ran,
    review,
    round_one,
    runner,
    start,
)

IMPLEMENTER_PROMPT = IMPLEMENTER  # the implementer's system prompt, for the Bedrock fake
WRITE_CALC = tool_call("write_file", {"path": "calc.py",
                                      "content": "def add(a, b):\n    return a + b\n"})


def provider_error(code: str, status: int):
    """A reply that is the error botocore raises once its own retries are spent."""
    def fail(messages):
        raise ClientError({"Error": {"Code": code, "Message": f"fake {code}"},
                           "ResponseMetadata": {"HTTPStatusCode": status}}, "Converse")
    return fail


@pytest.mark.parametrize(("code", "status"), [("ThrottlingException", 429),
                                              ("InternalServerException", 500),
                                              ("UnrecognizedClientException", 403)])
def test_a_provider_failure_while_implementing_fails_the_run_resumably(
        project: Path, code: str, status: int) -> None:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [provider_error(code, status)])
    run = runner(project, model)

    with pytest.raises(RunFailed) as failed:
        start(run, project)

    assert failed.value.exit_code == ExitCode.BLOCKING
    run_id = run.registry.list()[0].run_id
    first = str(failed.value).splitlines()[0]
    assert first == (f"run {run_id} failed: the model call failed: ClientError: An error "
                     f"occurred ({code}) when calling the Converse operation: fake {code}")
    assert f"`reviewloop resume {run_id}`" in str(failed.value)
    record = run.registry.get(run_id)
    assert record.status == "failed" and "\n" not in (record.detail or "")
    assert record.detail and record.detail.startswith("the model call failed: ClientError")

    # the provider is back: resume continues from the checkpoint, to the approval
    model.script(IMPLEMENTER, [WRITE_CALC, "wrote calc.py"])
    clean_round(model)
    resumed = run.resume(run_id)
    assert resumed.status == "awaiting_approval"
    assert run.resume(run_id, "approve").status == "committed"
    assert "def add" in git(project, "show", "HEAD:calc.py")


def test_a_provider_failure_while_fixing_fails_the_run_and_resume_redoes_only_the_fix(
        project: Path) -> None:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [WRITE_CALC, "wrote calc.py"])
    should_fix = {"severity": "should_fix", "file": "calc.py", "start_line": 1, "end_line": 2,
                  "title": "add has no type hints", "rationale": "public API",
                  "suggestion": "annotate it", "confidence": 0.9}
    round_one(model, {"review-maintainability": [should_fix]})
    model.script(FIXER, [provider_error("ServiceUnavailableException", 503)])
    run = runner(project, model)

    with pytest.raises(RunFailed, match="ServiceUnavailableException"):
        start(run, project)
    run_id = run.registry.list()[0].run_id
    assert run.registry.get(run_id).status == "failed"
    implementer_calls = sum(IMPLEMENTER in str(h[0].content) for h in model.history)

    model.script(FIXER, [tool_call("edit_file", {"path": "calc.py", "old": "def add(a, b):",
                                                 "new": "def add(a: int, b: int) -> int:"}),
                         "annotated add"])
    model.script("agents: ", [review()])  # round 2: the re-reviewers in one call
    resumed = run.resume(run_id)

    assert resumed.status == "awaiting_approval"
    assert [f.title for f in ran(resumed).findings_fixed] == [should_fix["title"]]
    # nothing before the fix ran again: the implementer was asked once
    assert sum(IMPLEMENTER in str(h[0].content) for h in model.history) == implementer_calls
    assert model.remaining() == 0


def test_revoked_credentials_mid_run_exit_1_through_the_cli_and_resume_finishes(
        tmp_path: Path) -> None:
    """The real ChatBedrockConverse → boto3 stack against the loopback fake: a 403 (not
    retried by botocore) on the implementer's first call."""
    root = make_example(tmp_path)
    with BedrockFake() as fake:
        fake.fail_next(status=403, code="UnrecognizedClientException",
                       message="The security token included in the request is invalid.")
        failed = cli(root, "run", "T2", "--spec", SPEC, "--model", MODEL, "--branch", "t2",
                     env=fake_env(fake))
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "internal error" not in failed.stderr and "Traceback" not in failed.stderr
        reason = next(line for line in failed.stderr.splitlines() if line.startswith("error:"))
        assert reason.endswith("failed: the model call failed: ClientError: An error occurred "
                               "(UnrecognizedClientException) when calling the Converse "
                               "operation: The security token included in the request is "
                               "invalid.")
        listed = json.loads(cli(root, "runs", "--json").stdout)["runs"]
        assert [(r["status"], r["detail"][:29]) for r in listed] == [
            ("failed", "the model call failed: Client")]

        fake.script(IMPLEMENTER_PROMPT, [
            tool_use("write_file", {"path": "todo/extra.py", "content": "EXTRA = 1\n"}),
            tool_use("write_file", {"path": "tests/test_extra.py", "content": (
                "from todo.extra import EXTRA\n\n\ndef test_extra():\n"
                "    assert EXTRA == 1\n")}),
            text("wrote todo/extra.py")])
        clean_reviews(fake)
        resumed = cli(root, "resume", "--model", MODEL, "--yes", env=fake_env(fake))
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "Committed" in resumed.stdout
    assert git(root, "show", "HEAD:todo/extra.py") == "EXTRA = 1\n"
