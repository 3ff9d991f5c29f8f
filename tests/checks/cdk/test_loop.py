"""A task run end to end on the fixture CDK app, with scripted models: the implementer's first
stack does not synthesize and the synth's output goes back to it; its second adds a bucket
without encryption in transit, a queue stored unencrypted and a security group open to the
world, which reach the infrastructure
reviewer as cdk-nag findings on the lines of lib/app-stack.ts that created them; the
acknowledgement it adds is reported, not honoured."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from reviewloop.checks.cdk.synth import synths_started
from reviewloop.checks.gates.commands import project_tests
from reviewloop.config import Gates, Settings
from reviewloop.implement.implementer import Implementer
from reviewloop.review.evidence import analyze
from reviewloop.runs.runner import LoopRunner
from reviewloop.spec.loader import load_spec
from tests.support.cdk_app import BROKEN_STACK, CHANGED_STACK, STACK_FILE, cdk_repo, line_of
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.gitutil import git
from tests.support.runner import IMPLEMENTER, ran, review

pytestmark = pytest.mark.npm

SPEC = """# Implementation Plan

- [ ] 1. Store uploads and let the admins in
  - Add an `Uploads` bucket and an `Admin` security group to AppStack
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The app on `work` with a spec, installed in the checkout as a user installs it
    (node_modules ignored): the run's worktree has none and borrows the checkout's."""
    root = cdk_repo(tmp_path / "app")
    (root / ".kiro/specs/infra").mkdir(parents=True)
    (root / ".kiro/specs/infra/tasks.md").write_text(SPEC)
    git(root, "add", ".kiro")
    git(root, "commit", "-qm", "the task and the installed packages")
    return root



def _calls(model: ScriptedChatModel, marker: str) -> list[str]:
    """The text of every call whose messages carry `marker`, in order."""
    return ["\n".join(message_text(m) for m in messages) for messages in model.history
            if any(marker in message_text(m) for m in messages[:1])]


@pytest.mark.long(seconds=16)
def test_a_failed_synth_goes_back_and_the_new_constructs_are_reported_on_their_lines(
        repo: Path) -> None:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": STACK_FILE, "content": BROKEN_STACK}), "added them",
        tool_call("write_file", {"path": STACK_FILE, "content": CHANGED_STACK}), "fixed the id",
    ])
    model.script("agents: ", [review()])  # the stack's reviewers, asked in one call
    settings = Settings(model="scripted", gates=Gates(build=(), test=None), max_rounds=1)
    spec_file = repo / ".kiro/specs/infra/tasks.md"
    spec = load_spec(repo, spec_file)

    run = LoopRunner(repo, settings, lambda name: model,
                     analyze=partial(analyze, tests=project_tests(settings)))  # as `run` does

    before = synths_started()

    result = run.start(spec.task("1"), spec_file, Implementer.parse("llm"))

    # one synth per tree state: the broken stack's, and the fixed one's that the gate and
    # both analyzers shared
    assert synths_started() - before == 2

    # each attempt is two calls: the write, then the answer after the tool's result
    first, _, second, _ = _calls(model, IMPLEMENTER)
    assert "synth gate" not in first
    assert "## synth gate: `cdk synth (in .)` exited with" in second
    assert "There is already a Construct with name 'Reports'" in second
    (infra,) = _calls(model, "## review-infrastructure\n")  # its part of the one call
    admin = line_of(CHANGED_STACK, "new ec2.SecurityGroup(this, 'Admin'")
    uploads = line_of(CHANGED_STACK, "new s3.Bucket(this, 'Uploads'")
    jobs = line_of(CHANGED_STACK, "new sqs.Queue(this, 'Jobs'")
    assert f"{STACK_FILE}:{admin} AwsSolutions-EC23" in infra
    assert f"{STACK_FILE}:{uploads}-{uploads + 2} AwsSolutions-S10" in infra  # the whole call
    assert f"{STACK_FILE}:{jobs}-{jobs + 2} AwsSolutions-SQS2" in infra  # stored unencrypted
    remaining = {(f.rule, f.file, f.start_line) for f in ran(result).findings_remaining}
    assert {("AwsSolutions-EC23", STACK_FILE, admin),
            ("AwsSolutions-S10", STACK_FILE, uploads),
            ("AwsSolutions-SQS2", STACK_FILE, jobs)} <= remaining
    # the model's own acknowledgement silences nothing: reported, and S1 stays open
    acknowledged = line_of(CHANGED_STACK, "id: 'AwsSolutions-S1'")
    reports = line_of(CHANGED_STACK, "new s3.Bucket(this, 'Reports'")
    assert {("adds-suppression", STACK_FILE, acknowledged),
            ("AwsSolutions-S1", STACK_FILE, reports)} <= remaining
