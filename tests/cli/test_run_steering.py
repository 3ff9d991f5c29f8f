"""Steering in `reviewloop run`: the real CLI in a subprocess on the example project. A
steering file whose front matter cannot be used stops the run before any work, naming the
file, its line and the fix, instead of reaching every prompt as `always`."""

from __future__ import annotations

from pathlib import Path

from tests.support.gitutil import git
from tests.support.loop_cli import SPEC, cli, make_example, manual_change


def test_an_unclosed_front_matter_is_exit_2_before_any_work(tmp_path: Path) -> None:
    project = make_example(tmp_path)
    steering = project / ".kiro" / "steering" / "deploy.md"
    steering.parent.mkdir(parents=True, exist_ok=True)
    steering.write_text("---\ninclusion: manual\nUse the staging account for deploys.\n")
    git(project, "add", ".")
    git(project, "commit", "-qm", "steering")
    manual_change(project)
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
               "--branch", "task-2", "--yes", env={"HOME": str(tmp_path)})
    assert done.returncode == 2, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert f"{steering}:1" in said
    assert "steering file: front matter opened with --- is never closed" in said
    assert "close the front matter with a line holding only `---`" in said
    assert not (project / ".reviewloop" / "worktrees").exists()


def test_a_steering_file_past_the_cap_is_named_when_the_run_starts(tmp_path: Path) -> None:
    """Its tail never reached a prompt and nothing said so (fuzz12b D3). The run is stopped
    right after (an invalid --branch) to see only what its start says."""
    project = make_example(tmp_path)
    steering = project / ".kiro" / "steering" / "long.md"
    steering.parent.mkdir(parents=True, exist_ok=True)
    steering.write_text("filler line\n" * 900 + "RULE-AT-END\n")
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
               "--branch", "bad..name", "--yes", env={"HOME": str(tmp_path)})
    said = " ".join(done.stderr.split())
    assert f"steering {steering}: 10,811 characters; the first 7,991 reach" in said, said
    assert "the last 2,820 are left out" in said


def test_a_file_reference_out_of_reach_is_exit_2_before_any_work(tmp_path: Path) -> None:
    """`#[[file:.env]]` would put a secret into every prompt; a missing file, a rule that is
    not there: both named at the steering file's line before anything is created."""
    project = make_example(tmp_path)
    steering = project / ".kiro" / "steering" / "api.md"
    steering.parent.mkdir(parents=True, exist_ok=True)
    for target, said_why in ((".env", "sensitive file"), ("api/none.yaml", "no such file")):
        steering.write_text(f"Follow the contract:\n#[[file:{target}]]\n")
        done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                   "--branch", "task-2", "--yes", env={"HOME": str(tmp_path)})
        said = " ".join(done.stderr.split())
        assert done.returncode == 2, said
        assert f"{steering}:2" in said and said_why in said
        assert not (project / ".reviewloop" / "worktrees").exists()
