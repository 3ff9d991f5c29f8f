"""`reviewloop run` with a fallback model: the real CLI in a subprocess against the loopback
Bedrock fake, whose primary model id is throttled on every call; the fallback answers and the
summary names it."""

from __future__ import annotations

from pathlib import Path

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
)

FALLBACK = "us.amazon.nova-pro-v1:0"


def test_a_throttled_primary_falls_back_and_the_summary_names_the_fallback(project: Path):
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
    # one call: the reviewers whose scope holds the change (not infrastructure's) asked
    # together, no warm-up call
    assert answered == [FALLBACK] and throttled == {MODEL}
    shown = " ".join(done.stdout.replace("│", " ").split())  # the panel's wrapped lines
    # (the note counts the reviewers it answered for: one call for four, asked together)
    assert (f"fallback model review: {FALLBACK} answered {len(CALLED)} call(s) instead of "
            f"{MODEL}, which failed or was throttled ({', '.join(sorted(CALLED))})") in shown
