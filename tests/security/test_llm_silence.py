"""An LLM reviewer's silence closes nothing: bandit's B602 stays open at must_fix whatever the
security reviewer answers ([], a lower severity, "false positive", the rule at another line),
in `reviewloop review` and in `reviewloop run --yes` (nothing committed), until bandit itself
no longer reports it. The real CLI, the real ChatBedrockConverse → loopback Bedrock fake,
the real bandit, real git."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, text, tool_use
from tests.support.bedrock_together import asks
from tests.support.gitutil import git
from tests.support.loop_cli import MODEL, REVIEWERS, fake_env
from tests.support.repos import NO_GATES, init_repo

BEFORE = "import subprocess\n\n\ndef run(cmd):\n    return cmd\n"
SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
FIXER = "You fix review findings"
TEST = "from app import run\n\n\ndef test_run():\n"


def _draft(**overrides: Any) -> dict[str, Any]:
    base = {"severity": "nit", "file": "app.py", "start_line": 5, "end_line": 5,
            "title": "shell=True is fine here", "rationale": "the command is trusted",
            "confidence": 0.9}
    return {**base, **overrides}


# What the security reviewer answers, each an attempt to make B602 go away.
SILENCES: dict[str, list[dict[str, Any]]] = {
    "empty": [],
    "lower severity": [_draft()],
    "false positive": [_draft(title="B602 false positive",
                              rationale="False positive: dismiss bandit B602, input is fixed")],
    "same rule elsewhere": [_draft(start_line=1, end_line=1, title="B602 subprocess import")],
}


def _answers(fake: BedrockFake, security: list[dict[str, Any]], rounds: int = 1) -> None:
    for name in REVIEWERS:
        findings = security if name == "review-security" else []
        fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": findings})])
    # later rounds: the re-reviewers asked in one call (`review.rereview`), each finding
    # naming its reviewer
    named = [{**f, "agent": "review-security"} for f in security]
    fake.script("agents: ", [tool_use("submit_findings", {"findings": named})] * (rounds - 1))


def _cli(root: Path, fake: BedrockFake, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    env.update(fake_env(fake))
    return warm_cli.run([*args, "--model", MODEL], root, env=env, timeout=300)


def _repo(tmp_path: Path, *, spec: bool = False) -> Path:
    spec_files = {".kiro/specs/cmd/tasks.md": "# Tasks\n\n- [ ] 1. Run a command\n",
                  ".reviewloop.toml": "max_rounds = 2\n" + NO_GATES}
    root = init_repo(tmp_path / "r", {"app.py": BEFORE, "tests/test_app.py": TEST,
                                      **(spec_files if spec else {})})
    (root / "app.py").write_text(SHELL)
    (root / "tests/test_app.py").write_text(TEST + "    assert run('true') == 0\n")
    return root


def _b602(ledger: dict[str, Any]) -> dict[str, Any]:
    [entry] = [e for e in ledger["entries"] if e["finding"].get("rule") == "B602"]
    return entry


@pytest.mark.parametrize("answer", list(SILENCES), ids=list(SILENCES))
def test_review_keeps_b602_open_whatever_the_security_reviewer_answers(tmp_path: Path,
                                                                       answer: str) -> None:
    root = _repo(tmp_path)
    with BedrockFake() as fake:
        _answers(fake, SILENCES[answer])
        done = _cli(root, fake, "review", "--format", "json")
        asked = [r.system_text() for r in fake.calls if asks(r.system_text(), "review-security")]

    assert done.returncode == 1, done.stdout + done.stderr
    entry = _b602(json.loads(done.stdout)["ledger"])
    assert (entry["status"], entry["finding"]["severity"]) == ("open", "must_fix")
    assert len(asked) == 1 and "leaving one out does not remove it" in asked[0]


def test_run_yes_commits_nothing_while_b602_is_open_across_a_fix_round(tmp_path: Path) -> None:
    # Round 1: security answers []; the fixer edits app.py but keeps shell=True; round 2:
    # security answers [] again and bandit, re-run on app.py, still reports B602.
    root = _repo(tmp_path, spec=True)
    keep = {"path": "app.py", "old": "def run(cmd):\n", "new": "def run(cmd: str) -> int:\n"}
    with BedrockFake() as fake:
        _answers(fake, [], rounds=2)
        fake.script(FIXER, [tool_use("edit_file", keep), text("typed run(); kept the call")])
        done = _cli(root, fake, "run", "1", "--implementer", "manual", "--branch", "task-1",
                    "--yes")
        fixer_calls = [r for r in fake.calls if FIXER in r.system_text()]

    assert done.returncode == 1, done.stdout + done.stderr
    assert fixer_calls, "B602 went to the fixer: the model's silence did not drop it"
    shown = " ".join(done.stdout.split())
    assert "waiting for approval" in shown and "still open after 2 review round(s)" in shown
    assert "remaining 🔴 1 must fix" in shown
    assert "subprocess call with shell=True identified" in shown
    assert git(root, "log", "--format=%s") == "base\n"  # nothing committed
    assert "shell=True" in (root / "app.py").read_text()  # your change is still yours


def test_run_yes_commits_once_bandit_itself_no_longer_reports_it(tmp_path: Path) -> None:
    # The fixer removes shell=True: bandit's re-run no longer reports B602, so it is fixed
    # (the security reviewer said nothing either time: its silence is not what closed it).
    root = _repo(tmp_path, spec=True)
    fix = {"path": "app.py", "old": "subprocess.call(cmd, shell=True)",
           "new": "subprocess.call(cmd.split())"}
    with BedrockFake() as fake:
        _answers(fake, [], rounds=2)
        fake.script(FIXER, [tool_use("edit_file", fix), text("no shell any more")])
        done = _cli(root, fake, "run", "1", "--implementer", "manual", "--branch", "task-1",
                    "--yes")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Committed" in done.stdout
    assert "shell=True" not in git(root, "show", "HEAD:app.py")
