"""`reviewloop handoff`, `pickup` and `note` on real git repositories and a real run registry."""

from __future__ import annotations

import json
import subprocess

import pytest

from reviewloop.runs.registry import Registry
from tests.support.cli_main import run_cli
from tests.support.gitutil import git
from tests.support.repos import init_repo

SPEC = """\
# Todo

## Requirements
- **FR-1** Todos

## Tasks
""" + "".join(f"- [{'x' if n <= 3 else ' '}] T{n} Step {n}\n  - Requirements: FR-1\n"
              for n in range(1, 8))


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = init_repo(tmp_path / "repo", {"docs/todo-spec.md": SPEC, "app.py": "print('v1')\n"})
    monkeypatch.chdir(root)
    return root.resolve()


def _pending_run(root) -> str:
    registry = Registry(root)
    registry.create("T4-run", task_id="T4", task_title="Step 4",
                    spec=str(root / "docs/todo-spec.md"), options={})
    registry.update("T4-run", status="awaiting_approval")
    return "T4-run"


def test_handoff_lists_the_pending_approval_the_dirty_tree_and_progress(repo, capsys):
    run_id = _pending_run(repo)
    (repo / "app.py").write_text("print('v2')\n")
    code, out, _ = run_cli(capsys, "handoff", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["blockers"][0] == f"run {run_id} (T4 Step 4) is waiting for approval"
    assert data["blockers"][1].startswith("dirty working tree: 1 uncommitted change(s) (`app.py`)")
    assert data["next_steps"][0].startswith(f"`reviewloop approve {run_id}`")
    # T4 is what `run next` would pick, but its run waits for approval: approve it, never
    # start a second run of T4
    assert not [s for s in data["next_steps"] if "reviewloop run next" in s]
    spec = data["facts"]["specs"][0]
    assert (spec["done"], spec["total"]) == (3, 7)
    assert [t["id"] for t in spec["open"]] == ["T4", "T5", "T6", "T7"]
    text = (repo / ".reviewloop/handoff.md").read_text()
    order = ["## Blockers before resuming", "## Immediate next steps", "## Current state",
             "## Done since the last handoff", "## What remains", "## Key files touched",
             "## Key decisions", "## Preferences"]
    assert [text.index(h) for h in order] == sorted(text.index(h) for h in order)
    assert f"- run {run_id} (T4 Step 4) is waiting for approval" in text
    assert "- working tree: dirty (1 change(s))" in text
    assert "- spec docs/todo-spec.md: 3/7 tasks done" in text
    assert "| docs/todo-spec.md | T5 | Step 5 | open |  |" in text
    assert f"| docs/todo-spec.md | T4 | Step 4 | awaiting approval (run {run_id}) |  |" in text
    assert not (repo / ".kiro").exists()


@pytest.mark.parametrize("status", ["failed", "interrupted"])
def test_a_next_task_whose_run_stopped_is_resumed_not_run_again(repo, capsys, status):
    run_id = _pending_run(repo)
    Registry(repo).update(run_id, status=status)
    code, out, _ = run_cli(capsys, "handoff", "--json")
    assert code == 0
    assert json.loads(out)["next_steps"] == [f"`reviewloop resume {run_id}` — T4 {status}"]


def test_a_run_of_another_task_leaves_run_next(repo, capsys):
    registry = Registry(repo)
    registry.create("T9-run", task_id="T9", task_title="Elsewhere",
                    spec=str(repo / "docs/other-spec.md"), options={})
    registry.update("T9-run", status="awaiting_approval")
    code, out, _ = run_cli(capsys, "handoff", "--json")
    assert code == 0
    assert json.loads(out)["next_steps"][-1] == "`reviewloop run next` — T4 Step 4"


def test_notes_reach_the_handoff_and_kiro_gets_a_copy(repo, capsys):
    (repo / ".kiro").mkdir()
    assert run_cli(capsys, "note", "chose a dict: one process, no server")[0] == 0
    assert run_cli(capsys, "note", "--preference", "small commits")[0] == 0
    code, _, err = run_cli(capsys, "handoff")
    assert code == 0 and "written: .reviewloop/handoff.md" in err
    copy = (repo / ".kiro/context/session-handoff.md").read_text()
    assert copy == (repo / ".reviewloop/handoff.md").read_text()
    assert ": chose a dict: one process, no server" in copy
    assert "## Preferences\n\n- small commits" in copy


@pytest.mark.parametrize("committed", [False, True], ids=["untracked", "committed-copy"])
def test_the_handoffs_own_kiro_copy_is_no_dirty_tree_at_pickup(repo, capsys, committed):
    """Handoff writes Kiro's copy after it read the tree: right after it, pickup finds no
    discrepancy and no blocker (the copy new, or committed before and rewritten); a real
    uncommitted change beside it is still named, alone."""
    (repo / ".kiro").mkdir()
    if committed:
        assert run_cli(capsys, "handoff")[0] == 0
        git(repo, "add", ".kiro/context/session-handoff.md")
        git(repo, "commit", "-qm", "keep the handoff")
        run_cli(capsys, "note", "a decision")  # the next copy differs from the committed one
    assert run_cli(capsys, "handoff")[0] == 0
    assert git(repo, "status", "--porcelain", "--untracked-files=all").splitlines() == [
        f"{' M' if committed else '??'} .kiro/context/session-handoff.md"]  # in the tree
    assert "- working tree: clean" in (repo / ".reviewloop/handoff.md").read_text()
    report = json.loads(run_cli(capsys, "pickup", "--json")[1])
    assert report["discrepancies"] == []
    assert report["blockers"] == []
    assert not any("uncommitted" in step for step in report["next"])

    (repo / "app.py").write_text("print('v2')\n")
    report = json.loads(run_cli(capsys, "pickup", "--json")[1])
    assert report["discrepancies"] == ["working tree was clean, now dirty"]
    assert report["blockers"] == ["dirty working tree: 1 uncommitted change(s) (`app.py`)"]


def test_pickup_reports_a_new_commit_and_a_branch_switch_first(repo, capsys):
    _pending_run(repo)
    run_cli(capsys, "handoff")
    git(repo, "switch", "-qc", "feature")
    (repo / "app.py").write_text("print('v3')\n")
    git(repo, "commit", "-qam", "more work")
    code, out, _ = run_cli(capsys, "pickup", "--json")
    report = json.loads(out)
    assert code == 0
    assert report["discrepancies"][:2] == [
        "branch differs: the handoff was on main, you are on feature",
        report["discrepancies"][1]]
    assert report["discrepancies"][1].startswith("1 new commit(s) since the handoff")
    assert report["next"][0].startswith("`reviewloop approve T4-run`")
    code, out, _ = run_cli(capsys, "pickup")
    lines = out.splitlines()
    assert lines[0] == "Changed since the handoff:"
    assert lines[1] == "  ! branch differs: the handoff was on main, you are on feature"
    assert lines[2].startswith("  ! 1 new commit(s) since the handoff")


def test_pickup_sees_a_run_that_moved_on(repo, capsys):
    run_id = _pending_run(repo)
    run_cli(capsys, "handoff")
    head = git(repo, "rev-parse", "HEAD").strip()  # a commit the branch holds
    Registry(repo).update(run_id, status="committed", commit_sha=head)
    report = json.loads(run_cli(capsys, "pickup", "--json")[1])
    assert report["discrepancies"] == [f"run {run_id} (T4) was awaiting_approval, now committed"]


def test_pickup_without_a_handoff_says_how_to_make_one(repo, capsys):
    code, _, err = run_cli(capsys, "pickup")
    assert code == 2 and "fix: end a session with `reviewloop handoff`" in err


def test_an_empty_note_is_refused(repo, capsys):
    code, _, err = run_cli(capsys, "note", "   ")
    assert code == 2 and "an empty note" in err


def test_unpushed_commits_failed_runs_and_missing_credentials_are_blockers(repo, tmp_path,
                                                                          capsys, monkeypatch):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-qu", "origin", "main")
    (repo / "app.py").write_text("print('v2')\n")
    git(repo, "commit", "-qam", "not pushed yet")
    registry = Registry(repo)
    registry.create("T5-run", task_id="T5", task_title="Step 5", spec="s", options={})
    registry.update("T5-run", status="failed", detail="gates failed: tests")
    monkeypatch.setenv("REVIEWLOOP_MODEL", "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    data = json.loads(run_cli(capsys, "handoff", "--json")[1])
    assert data["blockers"][0] == "run T5-run (T5) failed: gates failed: tests"
    assert data["blockers"][1] == "1 unpushed commit(s) on main (upstream origin/main)"
    assert data["blockers"][2].startswith("missing credentials: no AWS credentials found")
    assert data["next_steps"][:2] == ["`reviewloop resume T5-run` — T5 failed", "`git push`"]
    assert data["summary"] is None  # no usable model: no prose


def test_a_configured_model_writes_only_the_prose_summary(repo, bedrock_fake, monkeypatch):
    from reviewloop.app import handoff
    from reviewloop.config import load_settings

    bedrock_fake.enqueue("Three of seven todo tasks are done; T4 is next.")
    settings = load_settings(repo, flags={"model": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"})
    assert handoff.write(settings, repo).prose is not None
    text = (repo / ".reviewloop/handoff.md").read_text()
    assert "## Summary\n\nThree of seven todo tasks are done; T4 is next." in text
    assert "- spec docs/todo-spec.md: 3/7 tasks done" in text  # facts stay deterministic
    assert '"done": 3' in json.dumps(bedrock_fake.requests[0].body).replace('\\"', '"')


_DAMAGED = {"empty": b"", "cut short": b'{"facts": {"branch": "ma', "not JSON": b"{oops",
            "NULs": b"\0" * 40, "a list": b"[]", "no facts": b'{"summary": null}'}


@pytest.mark.parametrize("kind", sorted(_DAMAGED))
def test_a_damaged_handoff_is_named_as_damaged_and_kept_when_replaced(repo, capsys, kind):
    """r17 fz1 D16: a handoff.json cut short (killed mid-write, another terminal) is not
    "no handoff"; `handoff`, the fix pickup names, keeps the damaged file beside the new one."""
    assert run_cli(capsys, "handoff")[0] == 0
    saved = repo / ".reviewloop/handoff.json"
    saved.write_bytes(_DAMAGED[kind])
    code, out, err = run_cli(capsys, "pickup")
    said = " ".join(err.split())
    assert code == 2 and "the handoff is damaged" in said and "no handoff" not in said, out + err
    assert "reviewloop handoff" in said
    assert run_cli(capsys, "handoff")[0] == 0
    kept = list((repo / ".reviewloop").glob("handoff.json.damaged-*"))
    assert [p.read_bytes() for p in kept] == [_DAMAGED[kind]]
    assert json.loads(saved.read_text())["facts"]["branch"]
    assert run_cli(capsys, "pickup")[0] == 0


def test_the_users_own_kiro_handoff_is_kept_before_it_is_replaced(repo, capsys):
    """r17 fz1 D12: `.kiro/context/session-handoff.md` with text the last handoff did not
    write is copied under .reviewloop/handoff-backups/ first; reviewloop's own copy is not."""
    copy = repo / ".kiro/context/session-handoff.md"
    copy.parent.mkdir(parents=True)
    copy.write_text("my own notes for Kiro\n")
    assert run_cli(capsys, "handoff")[0] == 0
    assert run_cli(capsys, "handoff")[0] == 0
    kept = list((repo / ".reviewloop/handoff-backups").iterdir())
    assert [p.read_text() for p in kept] == ["my own notes for Kiro\n"]
    assert copy.read_text() == (repo / ".reviewloop/handoff.md").read_text()
