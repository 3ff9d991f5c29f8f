"""Nothing secret leaves the machine (issue #22): a hostile change and environment full of
canaries, run as a user runs reviewloop, and a grep over everything that went out finds none.

The canaries (tests/support/canaries.py): AWS, GitHub, database and API credentials in
reviewloop's environment; real-format secrets in code the change adds; `.env`,
`config/credentials.json` and `id_ed25519` in the change; a test in the change that prints
the environment and those files; a password bandit quotes in its message; a model that
quotes the secrets in its finding. Searched: every request the loopback Bedrock and GitHub
fakes recorded (bodies, paths and headers, except the request's own authentication:
`Authorization` and, for AWS, `X-Amz-Security-Token`), stdout, stderr (`-v` debug logs
on), every report file, the job summary and outputs, the crash log, and every file under
the temporary `$HOME` and `.reviewloop/`.

`.reviewloop/` is local state, and two parts of it hold the repository's own content by
design: `worktrees/` (a checkout of the repository, secrets and all) and the checkpoint
store (the run's state, which keeps the gates' raw output — here, what the hostile test
printed of the repository's files). Neither is a report or a log, so the repository's
secrets may be there; reviewloop's own credentials may not, and are searched for there too.
Everything else under `.reviewloop/` (the run registry, the handoff notes, each round's
material) is searched for every canary.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import HTTPClientError

from reviewloop.agent.tools import Workspace
from reviewloop.checks.secrets.scanner import redact
from reviewloop.review.definitions import load_agents
from reviewloop.review.model_review import run_reviewer
from reviewloop.review.reviewer import ReviewInput
from tests.support import canaries, warm_cli
from tests.support.bedrock import BedrockFake, RecordedRequest, text, tool_use
from tests.support.bedrock_together import asks
from tests.support.canaries import (
    CANARIES,
    ENV_CANARIES,
    ENVIRONMENT,
    GITHUB_TOKEN,
    MODEL,
    SESSION_TOKEN,
    environment,
    files_under,
    hostile_repo,
    leaks,
    script_reviewers,
    sent_to_bedrock,
    sent_to_github,
)
from tests.support.chat import ScriptedChatModel
from tests.support.github import GitHubFake
from tests.support.gitutil import git
from tests.support.pr_mode import event, show_pr

# --format → what else the run is asked for. `text` draws the terminal panel and, with
# --output, writes the Markdown report (the `markdown` format) to the file; the json run
# also runs the change's tests (sandboxed) for coverage.
FORMATS: dict[str, tuple[str, ...]] = {
    "text": ("--output", "review.md", "--sarif", "review.sarif"), "json": ("--tests",),
    "ruff": (), "github": (), "sarif": ()}
SECRET_RULES = {"aws-access-key-id", "aws-secret-access-key", "github-token", "private-key",
                "connection-string-password", "slack-webhook", "jwt"}


@dataclass
class Ran:
    """One CLI run: its process, what the fakes recorded, and the files it left."""

    done: subprocess.CompletedProcess
    bedrock: list[RecordedRequest] = field(default_factory=list)
    github: list[Any] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)

    def texts(self) -> list[tuple[str, str]]:
        return [("stdout", self.done.stdout), ("stderr", self.done.stderr),
                *sent_to_bedrock(self.bedrock), *sent_to_github(self.github), *self.files]


def cli(root: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return warm_cli.run(args, root, env=env, timeout=300)


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "tools"  # the suite's empty, offline tool cache


def bedrock_env(fake: BedrockFake) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": fake.url, "AWS_ENDPOINT_URL_BEDROCK": fake.url}


def _file(ran: Ran, name: str) -> str:
    (found,) = [text for path, text in ran.files if Path(path).name == name]
    return found


# --- 1. `reviewloop review`, once per --format --------------------------------------------

@pytest.fixture(scope="module")
def reviews(tmp_path_factory: pytest.TempPathFactory, tools: Path) -> dict[str, Ran]:
    place = tmp_path_factory.mktemp("reviews")
    root, home = hostile_repo(place / "repo"), place / "home"
    ran = {}
    for fmt, extra in FORMATS.items():
        out = place / fmt
        out.mkdir()
        written = [str(out / a) if a.startswith("review.") else a for a in extra]
        with BedrockFake() as fake:
            script_reviewers(fake)
            done = cli(root, "-v", "review", "--base", "main", "--head", "feature",
                       "--model", MODEL, "--format", fmt, *written,
                       env=environment(home, tools, **bedrock_env(fake)))
        ran[fmt] = Ran(done, list(fake.requests), files=files_under(out))
    ran["text"].files += files_under(home)
    return ran


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_review_format_leaks_a_canary(reviews: dict[str, Ran], fmt: str) -> None:
    ran = reviews[fmt]
    assert ran.done.returncode == 1, ran.done.stdout + ran.done.stderr  # must_fix remain
    # the reviewers in scope, asked in one call: the security one's four tools and its submit
    assert len(ran.bedrock) >= 5
    assert leaks(ran.texts()) == []


def test_the_review_reached_every_canary(reviews: dict[str, Ran]) -> None:
    ran = reviews["json"]
    report = json.loads(ran.done.stdout)
    found = report["findings"]["remaining"]
    assert {f["rule"] for f in found if f["source"] == "secrets"} >= SECRET_RULES
    # the secrets are quoted, redacted, by the scanner's findings and the model's
    assert "[REDACTED:github-token]" in ran.done.stdout
    markdown = _file(reviews["text"], "review.md")
    # the Markdown report shows a finding's text as text: its brackets escaped (`\[`)
    shown = markdown.replace("\\[", "[").replace("\\]", "]")
    assert markdown.startswith("#") and "[REDACTED:github-token]" in shown
    assert [s.split(":")[0] for s in report["skipped"]] == [
        ".env", "config/credentials.json", "id_ed25519"]
    security = json.dumps([[r.body["system"], r.body["messages"]] for r in ran.bedrock
                           if asks(r.system_text(), "review-security")])
    for shown in ("may hold secrets", "[REDACTED:aws-secret-access-key]",
                  "[REDACTED:private-key]", "[REDACTED:slack-webhook]",
                  "Possible hardcoded password: '[REDACTED:generic-password]'"):
        assert shown in security  # tools and bandit read the secrets; the model got none
    # boto3 took the credentials from the environment: the token went where it belongs
    assert {r.headers.get("X-Amz-Security-Token") for r in ran.bedrock} == {SESSION_TOKEN}


# --- 2. `reviewloop review --github`: a pull request --------------------------------------

@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory, tools: Path) -> Ran:
    place = tmp_path_factory.mktemp("pr")
    root, home = hostile_repo(place / "repo"), place / "home"
    (place / "outputs.txt").write_text("")
    with BedrockFake() as fake, GitHubFake() as github:
        script_reviewers(fake)
        show_pr(github, root)
        done = cli(root, "-v", "review", "--model", MODEL, "--sarif", str(place / "pr.sarif"),
                   env=environment(
                       home, tools, **bedrock_env(fake), GITHUB_ACTIONS="true",
                       GITHUB_EVENT_NAME="pull_request", GITHUB_API_URL=github.url,
                       GITHUB_EVENT_PATH=str(event(root, place, "opened")),
                       GITHUB_STEP_SUMMARY=str(place / "summary.md"),
                       GITHUB_OUTPUT=str(place / "outputs.txt")))
    assert github.violations == []
    return Ran(done, list(fake.requests), list(github.calls),
               files=[*files_under(place, skip=("repo",))])


def test_a_pull_request_review_posts_no_canary(pull_request: Ran) -> None:
    assert pull_request.done.returncode == 1, pull_request.done.stderr
    assert leaks(pull_request.texts()) == []


def test_the_pull_request_review_posted_the_redacted_findings(pull_request: Ran) -> None:
    inline = [c for call in pull_request.github if call.operation == "pulls/create-review"
              for c in call.body["comments"]]
    # the model's quoting finding is grouped with the scanner's on the same line
    on_token = [c for c in inline if c["path"] == "src/settings.py"]
    assert on_token and any("[REDACTED:" in c["body"] for c in on_token)
    assert {c["path"] for c in inline} >= {"src/settings.py", "src/signing.py", "src/auth.py"}
    assert [c.operation for c in pull_request.github].count("issues/create-comment") == 1
    assert {c.headers["authorization"] for c in pull_request.github} == {
        f"Bearer {GITHUB_TOKEN}"}  # the token in its one expected place
    written = {Path(name).name for name, _ in pull_request.files}
    assert {"pr.sarif", "summary.md", "outputs.txt"} <= written


# --- 3. `reviewloop run` with the LLM implementer, then `runs` and `handoff` ---------------

IMPLEMENTER = "You implement one task"


def script_implementer(fake: BedrockFake) -> None:
    """Tries a sensitive file and reads the secrets; its first attempt fails the test gate
    (no READY), so the gate's output, with what the hostile test printed, goes back to it."""
    fake.script(IMPLEMENTER, [
        tool_use("fs_read", {"path": ".env"}), tool_use("fs_read", {"path": "src/settings.py"}),
        tool_use("write_file", {"path": "src/feature.py",
                                "content": "def feature() -> int:\n    return 1\n"}),
        tool_use("write_file", {"path": "tests/test_feature.py",
                                "content": "from src.feature import feature\n\n\n"
                                           "def test_feature():\n    assert feature() == 1\n"}),
        text("wrote src/feature.py"),
        tool_use("edit_file", {"path": "src/feature.py", "old": "def feature",
                               "new": "READY = True\n\n\ndef feature"}),
        text("set READY")])


@dataclass
class TaskRun:
    """`run` and what was read after it: `runs --json`, `handoff --json`, the files left."""

    run: Ran
    runs: Ran
    handoff: Ran
    files: list[tuple[str, str]]  # local state (but worktrees and checkpoints), $HOME
    checkpoints: list[tuple[str, str]]
    env: dict[str, str]  # what each command was given


@pytest.fixture(scope="module")
def task_run(tmp_path_factory: pytest.TempPathFactory, tools: Path) -> TaskRun:
    place = tmp_path_factory.mktemp("run")
    root, home = hostile_repo(place / "repo"), place / "home"
    git(root, "switch", "-qc", "work")
    with BedrockFake() as fake:
        script_implementer(fake)
        script_reviewers(fake)
        env = environment(home, tools, **bedrock_env(fake))
        run = Ran(cli(root, "-v", "run", "1", "--yes", "--model", MODEL, env=env),
                  list(fake.requests))
    runs, handoff = (Ran(cli(root, "-v", command, "--json", env=env))
                     for command in ("runs", "handoff"))
    state = files_under(root / ".reviewloop", skip=("worktrees",))
    return TaskRun(run, runs, handoff, env=env,
                   files=[*[f for f in state if "checkpoints.sqlite" not in f[0]],
                          *files_under(root / ".kiro" / "context"), *files_under(home)],
                   checkpoints=[f for f in state if "checkpoints.sqlite" in f[0]])


@pytest.mark.parametrize("command", ["run", "runs", "handoff"])
def test_a_task_run_leaks_no_canary(task_run: TaskRun, command: str) -> None:
    ran: Ran = getattr(task_run, command)
    assert ran.done.returncode == 0, ran.done.stdout + ran.done.stderr
    assert leaks(ran.texts()) == []


def test_no_canary_in_the_handoff_notes_run_records_or_cache(task_run: TaskRun) -> None:
    names = {Path(name).name for name, _ in task_run.files}
    assert {"runs.sqlite", "handoff.md", "handoff.json", "session-handoff.md"} <= names
    assert leaks(task_run.files) == []


def test_the_checkpoints_hold_none_of_reviewloops_credentials(task_run: TaskRun) -> None:
    assert task_run.checkpoints  # the run saved its state
    assert leaks(task_run.checkpoints, {f"env {k}": v for k, v in ENV_CANARIES.items()}) == []


def test_the_hostile_test_ran_and_its_output_reached_the_model(
        task_run: TaskRun) -> None:
    ran = task_run.run
    assert "Committed" in ran.done.stdout
    told = [json.dumps(r.body["messages"]) for r in ran.bedrock
            if IMPLEMENTER in r.system_text()]
    failed_gate = [t for t in told if "AttributeError" in t and "Captured stdout" in t]
    assert failed_gate  # the test gate's output went back to the implementer …
    for shown in ("('CI', 'true')", "SESSION_SECRET=[REDACTED:", "[REDACTED:private-key]",
                  "[REDACTED:github-token]"):
        assert shown in failed_gate[0]  # … with the environment it saw and the files it read
    for name in ENVIRONMENT:  # reviewloop had them; the sandbox gave the test none of them
        assert task_run.env[name] == ENVIRONMENT[name]
        assert f"('{name}'," not in failed_gate[0]
    assert any("may hold secrets" in t for t in told)  # fs_read refused .env


# --- 4. a credential the HTTP client rejects: a crash, and a failed reviewer ---------------

# AWS_SESSION_TOKEN read from a file saved with Windows line endings: the HTTP client refuses
# the header and quotes its value in the exception.
BROKEN_TOKEN = SESSION_TOKEN + "\r"


@pytest.fixture(scope="module")
def crash(tmp_path_factory: pytest.TempPathFactory, tools: Path) -> Ran:
    place = tmp_path_factory.mktemp("crash")
    root, home = hostile_repo(place / "repo"), place / "home"
    git(root, "switch", "-qc", "work")
    with BedrockFake() as fake:
        done = cli(root, "-v", "run", "1", "--yes", "--model", MODEL, env=environment(
            home, tools, **bedrock_env(fake), AWS_SESSION_TOKEN=BROKEN_TOKEN))
        assert fake.requests == []  # the request never left
    return Ran(done, files=files_under(home))


def test_a_provider_failure_mid_run_leaks_no_canary(crash: Ran) -> None:
    """The provider quotes the session token in its error: the run fails (exit 1, resumable,
    no crash log: it is not reviewloop's bug) and neither its message nor anything it wrote
    holds the token."""
    assert crash.done.returncode == 1, crash.done.stdout + crash.done.stderr
    assert not [name for name, _ in crash.files if Path(name).name.startswith("crash-")]
    assert "HTTPClientError" in crash.done.stderr
    assert "[REDACTED:aws-session-token]" in crash.done.stderr
    assert leaks(crash.texts()) == []


def test_a_reviewer_whose_provider_quotes_a_credential_fails_without_it(
        tmp_path: Path) -> None:
    def refused(messages):
        raise HTTPClientError(error=ValueError(f"Invalid header value b{BROKEN_TOKEN!r}"))

    agent = next(a for a in load_agents(tmp_path).agents if a.name == "review-security")
    (tmp_path / "app.py").write_text("VALUE = 1\n")
    diff = ("diff --git a/app.py b/app.py\nnew file mode 100644\n--- /dev/null\n"
            "+++ b/app.py\n@@ -0,0 +1 @@\n+VALUE = 1\n")
    outcome = run_reviewer(ScriptedChatModel().enqueue(refused), agent,
                           ReviewInput(round=1, diff_text=diff), Workspace(root=tmp_path))
    assert outcome.status == "failed" and "[REDACTED:aws-session-token]" in outcome.error
    assert leaks([("error", outcome.error)]) == []


# --- the grep and the scanner, unit by unit ------------------------------------------------

def test_the_grep_finds_a_canary_however_it_is_laid_out() -> None:
    token = CANARIES["ghp token"]
    framed = f"│ token {token[:15]} │\n│ {token[15:]}       │"
    escaped = json.dumps({"m": f"{token[:5]}\u200b{token[5:]}"}, ensure_ascii=True)
    cut = f"header b'{SESSION_TOKEN[:60]}"
    found = leaks([("framed", framed), ("escaped", escaped), ("cut", cut),
                   ("preview", f"`{token[:4]}…[redacted]`")])
    assert found == [("ghp token", "framed"), ("ghp token", "escaped"),
                     ("env AWS_SESSION_TOKEN", "cut")]


def test_no_two_canaries_share_a_piece() -> None:
    for name, value in CANARIES.items():
        others = {k: v for k, v in CANARIES.items() if k != name}
        assert leaks([(name, value)], others) == []


def test_every_file_canary_and_the_bare_session_token_are_redacted() -> None:
    texts = [canaries.SETTINGS, canaries.SIGNING, canaries.AUTH, *canaries.SENSITIVE.values(),
             f"Invalid header value b'{SESSION_TOKEN}\\r'",
             f"aws_session_token = {SESSION_TOKEN}"]  # its `//////////` is no fixture
    assert len(leaks([("raw", "\n".join(texts))])) == len(canaries.FILE_CANARIES) + 1
    assert leaks([("redacted", redact(t)) for t in texts]) == []
