"""`reviewloop run` with a fallback model: the real CLI in a subprocess against the loopback
Bedrock fake, whose primary model id is throttled on every call; the fallback answers and the
summary names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bedrock import BedrockFake
from tests.support.gitutil import git
from tests.support.loop_cli import (
    CALLED,
    MODEL,
    SPEC,
    clean_reviews,
    cli,
    example_project,  # noqa: F401 - the fixture `project` here
    fake_env,
    manual_change,
    one_call_each,
)

FALLBACK = "us.amazon.nova-pro-v1:0"


@pytest.mark.parametrize("combined", [True, False], ids=["combined", "one-call-each"])
def test_a_throttled_primary_falls_back_and_the_summary_names_the_fallback(
        project: Path, combined: bool):
    if not combined:
        one_call_each(project)
    git(project, "switch", "-qc", "task-2")
    manual_change(project)
    with BedrockFake() as fake:
        fake.fail_model(MODEL)  # ThrottlingException: the primary's quota is spent
        clean_reviews(fake)
        done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                   "--model", MODEL, "--yes",
                   env={**fake_env(fake), "REVIEWLOOP_FALLBACK_MODEL": FALLBACK,
                        "COLUMNS": "1000"})
        answered = [r.model_id for r in fake.calls if r.status == 200]
        throttled = {r.model_id for r in fake.requests if r.error == "ThrottlingException"}

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Committed" in done.stdout
    # the reviewers whose scope holds the change (not infrastructure's), no warm-up call:
    # asked together one call, else one each
    calls = 1 if combined else len(CALLED)
    assert answered == [FALLBACK] * calls and throttled == {MODEL}
    shown = " ".join(done.stdout.replace("│", " ").split())  # the panel's wrapped lines
    # the note counts the calls, and names the reviewers they answered for
    assert (f"fallback model review: {FALLBACK} answered {calls} call(s) instead of "
            f"{MODEL}, which failed or was throttled ({', '.join(sorted(CALLED))})") in shown
