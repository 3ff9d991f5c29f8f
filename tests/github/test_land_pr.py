"""`run.land = "pr"` as a 3-job matrix on one machine: three real CLI processes, each in its own
clone of a bare "origin", one real PostgreSQL server for run state, the loopback GitHub fake
(strict about GitHub's REST description) and the loopback Bedrock fake behind the real boto3
stack. Then a job killed mid-review is finished by a process in another clone, while a
second resumer is refused by the lease."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest

from reviewloop.agent.models import UsageRecord, estimate_cost
from reviewloop.agent.spend import usd
from reviewloop.landing.pull_request import ATTENTION_LABEL
from reviewloop.reports.render import model_text
from tests.support import warm_cli
from tests.support.batch import implementer
from tests.support.bedrock import BedrockFake, Reply, tool_use
from tests.support.checkpoints import expire_lease
from tests.support.github import GitHubFake
from tests.support.gitutil import git
from tests.support.loop_cli import CALLED, MODEL, cli, fake_env, wait_until
from tests.support.repos import NO_GATES, bare_origin, tasks_origin

# What the fake's replies (80,000 tokens in, 8,000 out per run) cost at the catalogue's price.
SPENT = usd(estimate_cost([UsageRecord(role="implement", agent="implementer", model=MODEL,
                                       input_tokens=80_000, output_tokens=8_000)]) or 0.0)

REPO = "octo/tasks"
SPEC = ".kiro/specs/four/tasks.md"
TITLES = {"1": "One", "2": "Two", "3": "Three", "4": "Four"}
MUST_FIX = {"severity": "must_fix", "file": "feature_3.py", "start_line": 1, "end_line": 1,
            "title": "VALUE is a bare string constant", "rationale": "the task wants a type",
            "suggestion": "annotate it", "confidence": 0.9}


def review(findings: list[dict] | None = None, gate: threading.Event | None = None) -> Reply:
    """A reviewer's answer; with `gate`, held back until the test sets it (a reviewer that
    is "still thinking" for exactly as long as the test needs)."""
    return tool_use("submit_findings", {"findings": findings or []},
                    input_tokens=20_000, output_tokens=2_000, gate=gate)


def clean() -> list[Reply]:
    """No findings, once per reviewer."""
    return [review() for _ in CALLED]


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare repository whose main has four independent tasks and land = "pr"."""
    tasks = "# Tasks\n\n" + "".join(f"- [ ] {n}. {t}\n\n" for n, t in TITLES.items())
    return tasks_origin(tmp_path, SPEC, tasks, "pr")


def clone(origin: Path, name: str) -> Path:
    target = origin.parent / name
    git(origin.parent, "clone", "-q", str(origin), str(target))
    return target


def start(root: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    return warm_cli.popen(args, root, env={**os.environ, **env})


def run_id_of(stdout: str) -> str:
    return stdout.split("(run ", 1)[1].split(")")[0]


def pull(github: GitHubFake, task: str) -> dict:
    found = [p for p in github.pulls_of(REPO)
             if p["head"]["ref"] == f"reviewloop/four/{task}"]
    assert len(found) == 1, found
    return found[0]


def spec_at(origin: Path, ref: str) -> str:
    return git(origin, "show", f"{ref}:{SPEC}")


@pytest.mark.timeout(600)  # six CLI processes one after another: ~2 min on a quiet machine
def test_three_jobs_open_three_pull_requests_rerun_updates_and_a_killed_job_resumes(
        origin: Path, tmp_path: Path, pg_url) -> None:
    import psycopg

    clones = [clone(origin, f"job{n}") for n in (1, 2, 3)]
    agent = implementer(tmp_path)
    killed_gate, resumed_gate = threading.Event(), threading.Event()
    with BedrockFake() as bedrock, GitHubFake() as github:
        github.remotes[REPO] = origin
        env = {**fake_env(bedrock), "REVIEWLOOP_CHECKPOINT_URL": pg_url,
               "GITHUB_API_URL": github.url, "GITHUB_TOKEN": "ghs_fake_token",
               "GITHUB_REPOSITORY": REPO}
        # one queue per task (the marker is the file its diff creates), in this order
        bedrock.script("feature_1.py", clean())
        bedrock.script("feature_2.py", clean())
        bedrock.script("feature_3.py", [review([MUST_FIX]), *clean()[1:]])
        thinking = review(gate=killed_gate)
        bedrock.script("feature_4.py", [*clean()[1:], thinking])
        try:
            # --- a 3-job matrix: one task per process, each in its own clone ------------
            jobs = [start(root, env, "run", n, "--implementer", agent, "--model", MODEL)
                    for n, root in zip("123", clones, strict=True)]
            outs = [job.communicate(timeout=300) for job in jobs]
            codes = [job.returncode for job in jobs]
            # task 3 escalated: its draft pull request waits for a human (exit 1)
            assert codes == [0, 0, 1], "\n".join(o + e for o, e in outs)
            runs = {n: run_id_of(out) for n, (out, _) in zip("123", outs, strict=True)}
            _check_matrix(origin, github, outs, runs)

            # --- re-running task 1 updates its pull request --------------------------
            bedrock.script("feature_1.py", clean())
            again = cli(clones[0], "run", "1", "--implementer", agent, "--model", MODEL,
                        env=env, timeout=300)
            assert again.returncode == 0, again.stdout + again.stderr
            rerun = run_id_of(again.stdout)
            first = pull(github, "1")
            assert f"Updated pull request #{first['number']}" in again.stdout
            assert len(github.pulls_of(REPO)) == 3
            assert len(github.calls_to("pulls/create")) == 3
            assert rerun in first["body"] and runs["1"] not in first["body"]
            assert first["head"]["sha"] == git(origin, "rev-parse",
                                               "reviewloop/four/1").strip()
            assert f"Reviewloop-Run: {rerun}" in git(origin, "log", "-1", "--format=%B",
                                                     "reviewloop/four/1")
            assert git(origin, "rev-list", "--count", "main..reviewloop/four/1") == "1\n"

            # --- kill -9 a job mid-review; another clone's process finishes the run --
            victim = start(clones[1], env, "run", "4", "--implementer", agent,
                           "--model", MODEL)
            try:
                # every reviewer of task 4, asked in one call (`combined_review`)
                wait_until(lambda: _asked(bedrock, "feature_4.py") == 1,
                          what="every reviewer of task 4")
            finally:
                victim.kill()
                victim.communicate()
            with psycopg.connect(pg_url) as conn:
                run_id = conn.execute("SELECT run_id FROM reviewloop_runs WHERE task_id = '4'"
                                      ).fetchone()[0]
            expire_lease(pg_url, run_id)  # the dead job's lease runs out

            resumed_reply = review(gate=resumed_gate)
            bedrock.script("feature_4.py", [resumed_reply, *clean()[1:]])
            asked = _asked(bedrock, "feature_4.py")
            resumer = start(clone(origin, "job4"), env, "resume", run_id)
            try:
                wait_until(lambda: _asked(bedrock, "feature_4.py") > asked,
                          what="the resumed review")
                second = cli(clone(origin, "job5"), "resume", run_id, env=env)
            finally:
                resumed_gate.set()
                out, err = resumer.communicate(timeout=300)
        finally:
            killed_gate.set()
            resumed_gate.set()

    assert second.returncode == 2, second.stdout + second.stderr
    assert f"run {run_id} is being driven by" in second.stderr
    assert resumer.returncode == 0, out + err
    fourth = pull(github, "4")
    assert f"Opened pull request #{fourth['number']}" in out
    assert run_id in fourth["body"] and "Implements task **4: Four**" in fourth["body"]
    assert "- [x] 4. Four" in spec_at(origin, "reviewloop/four/4")
    assert _files(origin, "reviewloop/four/4") == [SPEC, "feature_4.py",
                                                   "tests/test_feature_4.py"]
    # the dead job's worktree and local branch (in its clone) are cleaned up by the resumer
    assert not (clones[1] / ".reviewloop/worktrees" / run_id).exists()
    assert git(clones[1], "branch", "--list", "reviewloop/*") == ""
    listed = cli(origin.parent / "job4", "runs", env={"REVIEWLOOP_CHECKPOINT_URL": pg_url})
    assert run_id in listed.stdout and "committed" in listed.stdout
    assert github.violations == []


def _check_matrix(origin: Path, github: GitHubFake, outs, runs: dict[str, str]) -> None:
    heads = git(origin, "for-each-ref", "--format=%(refname:short)", "refs/heads")
    assert sorted(heads.split()) == ["main", "reviewloop/four/1", "reviewloop/four/2",
                                     "reviewloop/four/3"]
    assert "- [x]" not in spec_at(origin, "main")  # approval is the merge: main untouched
    for n in "123":
        branch = f"reviewloop/four/{n}"
        assert git(origin, "rev-parse", f"{branch}~1") == git(origin, "rev-parse", "main")
        assert _files(origin, branch) == [SPEC, f"feature_{n}.py", f"tests/test_feature_{n}.py"]
        ticked = [line for line in spec_at(origin, branch).splitlines() if "- [x]" in line]
        assert ticked == [f"- [x] {n}. {TITLES[n]}"]  # its own task only
        pr = pull(github, n)
        assert pr["base"]["ref"] == "main"
        assert pr["head"]["sha"] == git(origin, "rev-parse", branch).strip()
        assert pr["title"] == f"{n}: {TITLES[n]}"
        body = pr["body"]
        assert f"Implements task **{n}: {TITLES[n]}** from `{SPEC}`" in body
        assert f"run `{runs[n]}`" in body
        assert f"**Spend:** {SPENT} (80,000 tokens in / 8,000 out)" in body
        for agent in CALLED:
            assert f"| {agent} | ok |" in body
    clean = [pull(github, n) for n in "12"]
    assert [(p["draft"], p["labels"]) for p in clean] == [(False, []), (False, [])]
    for (out, _), n in zip(outs[:2], "12", strict=True):
        assert f"Opened pull request #{pull(github, n)['number']}" in out
        assert f"Spend: {SPENT} (80,000 tokens in / 8,000 out)" in out

    escalated = pull(github, "3")
    assert escalated["draft"] is True
    assert [label["name"] for label in escalated["labels"]] == [ATTENTION_LABEL]
    label = github.labels[REPO][ATTENTION_LABEL]
    assert label["color"] == "d93f0b" and "escalated" in label["description"]
    body = escalated["body"]
    assert "**Escalated: this run needs a human's attention before merging.**" in body
    assert "1 finding(s) still open after 1 review round(s)" in body
    assert MUST_FIX["title"] in body
    row = next(line for line in body.splitlines() if line.startswith("| review-")
               and "| 1 | 0 | 0 | 0 |" in line)  # one must-fix, none fixed, by that agent
    assert row.split(" | ")[1] == "ok"
    assert f'Opened draft pull request #{escalated["number"]}' in outs[2][0]
    assert ATTENTION_LABEL in outs[2][0]


def _files(origin: Path, ref: str) -> list[str]:
    return sorted(git(origin, "show", "--name-only", "--format=", ref).split())


def _asked(bedrock: BedrockFake, marker: str) -> int:
    return sum(1 for r in bedrock.calls if marker in str(r.body))


def test_a_run_over_its_budget_opens_a_draft_pull_request_marked_escalated(
        origin: Path, tmp_path: Path) -> None:
    root = clone(origin, "job")
    config = root / ".reviewloop.toml"
    config.write_text("budget_usd = 0.01\n" + config.read_text())
    with BedrockFake() as bedrock, GitHubFake() as github:
        github.remotes[REPO] = origin
        bedrock.script("feature_1.py", clean())
        done = cli(root, "run", "1", "--implementer", implementer(tmp_path), "--model", MODEL,
                   env={**fake_env(bedrock), "GITHUB_API_URL": github.url,
                        "GITHUB_TOKEN": "ghs_fake_token", "GITHUB_REPOSITORY": REPO},
                   timeout=300)

    assert done.returncode == 1, done.stdout + done.stderr  # the draft waits for a human
    assert f"budget exhausted: {SPENT} spent of budget_usd $0.01" in done.stdout
    assert f"Spend: {SPENT} (80,000 tokens in / 8,000 out) of budget_usd $0.01" in done.stdout
    opened = pull(github, "1")
    assert f"Opened draft pull request #{opened['number']}" in done.stdout
    assert ATTENTION_LABEL in done.stdout
    assert opened["draft"] is True
    assert [label["name"] for label in opened["labels"]] == [ATTENTION_LABEL]
    assert "**Escalated: this run needs a human's attention before merging.**" in \
        opened["body"]
    # an escalation is shown as text, as the Markdown report shows it (`budget\_usd`)
    assert model_text(f"budget exhausted: {SPENT} spent of budget_usd $0.01") in opened["body"]
    assert "- [ ] 1. One" in spec_at(origin, "main")  # approval is the merge: main untouched
    assert "- [x] 1. One" in spec_at(origin, "reviewloop/four/1")
    assert opened["head"]["sha"] == git(origin, "rev-parse", "reviewloop/four/1").strip()
    assert github.violations == []


def test_run_all_opens_the_first_wave_then_the_next_after_the_merge(tmp_path: Path) -> None:
    origin = bare_origin(tmp_path, {
        SPEC: "# Tasks\n\n- [ ] 1. One\n\n- [ ] 2. Two\n  - _Depends: 1_\n",
        ".reviewloop.toml": NO_GATES + '\n[run]\nland = "pr"\n'}, "spec")
    root = clone(origin, "work")
    agent = implementer(tmp_path)
    with BedrockFake() as bedrock, GitHubFake() as github:
        github.remotes[REPO] = origin
        env = {**fake_env(bedrock), "GITHUB_API_URL": github.url,
               "GITHUB_TOKEN": "ghs_fake_token", "GITHUB_REPOSITORY": REPO}
        bedrock.script("feature_1.py", clean())
        bedrock.script("feature_2.py", clean())
        first = cli(root, "run", "all", "--implementer", agent, "--model", MODEL, env=env,
                    timeout=300)
        assert first.returncode == 1, first.stdout + first.stderr
        assert "Skipping task 2: it waits on 1" in first.stderr
        assert [p["head"]["ref"] for p in github.pulls_of(REPO)] == ["reviewloop/four/1"]

        git(root, "push", "-q", "origin", "origin/reviewloop/four/1:refs/heads/main")  # merged
        git(root, "pull", "-q", "--ff-only")
        second = cli(root, "run", "all", "--implementer", agent, "--model", MODEL, env=env,
                     timeout=300)

    assert second.returncode == 0, second.stdout + second.stderr
    assert [p["head"]["ref"] for p in github.pulls_of(REPO)] == ["reviewloop/four/1",
                                                                 "reviewloop/four/2"]
    assert "- [x] 1. One" in spec_at(origin, "reviewloop/four/2")
    assert "- [x] 2. Two" in spec_at(origin, "reviewloop/four/2")
    assert git(origin, "rev-parse", "reviewloop/four/2~1") == git(origin, "rev-parse", "main")
