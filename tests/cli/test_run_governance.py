"""Kiro governance in `reviewloop run`: the real CLI in a subprocess, the loopback Bedrock fake,
the example project in real git. A change over `.kiro/config.yaml`'s or `.kiro/governance.yaml`'s
rules stops for a human even under --yes, naming the rule that asked."""

from __future__ import annotations

from pathlib import Path

from tests.support.bedrock import BedrockFake
from tests.support.gitutil import git
from tests.support.kiro_guides import KIRO_CONFIG, KIRO_GOVERNANCE, with_file_limit
from tests.support.loop_cli import (
    MODEL,
    SPEC,
    clean_reviews,
    cli,
    example_project,  # noqa: F401 - the fixture `project` here
    fake_env,
    manual_change,
)


def commit_file(root: Path, path: str, text: str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    git(root, "add", path)
    git(root, "commit", "-qm", f"add {path}")


def fourteen_file_change(root: Path) -> None:
    manual_change(root)  # two files
    for i in range(12):
        note = root / "docs" / "notes" / f"n{i}.md"
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(f"# Note {i}\n")


def run_yes(root: Path) -> tuple[int, str, str]:
    with BedrockFake() as fake:
        clean_reviews(fake)
        done = cli(root, "run", "next", "--spec", SPEC, "--implementer", "manual",
                   "--model", MODEL, "--branch", "task-2", "--yes", env=fake_env(fake))
    return done.returncode, " ".join(done.stdout.split()), " ".join(done.stderr.split())


def test_a_14_file_change_stops_for_approval_under_yes_when_kiro_says_10(project: Path
                                                                          ) -> None:
    commit_file(project, ".kiro/config.yaml",
                "governance:\n  require_approval:\n    file_changes_over: 10\n"
                "    require_ticket: true\n")
    fourteen_file_change(project)
    code, out, err = run_yes(project)
    assert code == 1, out + err
    assert ("needs approval: 14 files changed (limit 10, .kiro/config.yaml "
            "governance.require_approval.file_changes_over)") in out
    assert "waiting for approval (escalated: needs your explicit approval)" in out
    # the ignored key is said, not swallowed
    assert ("Note: governance.require_approval.require_ticket in .kiro/config.yaml is not a "
            "reviewloop setting and was ignored.") in err
    assert git(project, "log", "-1", "--format=%s") == "add .kiro/config.yaml\n"


def test_the_same_change_under_the_limit_commits_under_yes(project: Path) -> None:
    commit_file(project, ".kiro/config.yaml",
                "governance:\n  require_approval:\n    file_changes_over: 20\n")
    fourteen_file_change(project)
    code, out, err = run_yes(project)
    assert code == 0, out + err
    assert "Committed" in out


def test_a_governance_yaml_change_type_stops_for_approval_under_yes(project: Path) -> None:
    commit_file(project, ".kiro/governance.yaml",
                "require_human_approval:\n  change_types: [environment variables]\n")
    manual_change(project)
    store = project / "todo" / "store.py"
    store.write_text(store.read_text() + '\n\nLIMIT = int(os.environ.get("TODO_LIMIT", "9"))\n')
    store.write_text("import os\n" + store.read_text())
    code, out, err = run_yes(project)
    assert code == 1, out + err
    assert "needs approval: environment variables change: todo/store.py:" in out
    assert "(.kiro/governance.yaml require_human_approval.change_types)" in out


def test_a_malformed_governance_yaml_is_exit_2_before_any_work(project: Path) -> None:
    commit_file(project, ".kiro/governance.yaml",
                "require_human_approval:\n  thresholds:\n    files_changed: many\n")
    manual_change(project)
    done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
               "--branch", "task-2", "--yes")
    assert done.returncode == 2, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert ".kiro/governance.yaml:3" in said
    assert 'key "require_human_approval.thresholds.files_changed"' in said
    assert not (project / ".reviewloop" / "worktrees").exists()


def test_governance_test_coverage_fails_the_strict_gate_with_the_figure(project: Path) -> None:
    config = project / ".reviewloop.toml"
    config.write_text(config.read_text().replace("[gates]\n", '[gates]\ncoverage = "strict"\n'))
    commit_file(project, ".kiro/governance.yaml", "quality_gates:\n  test_coverage: 0.95\n")
    manual_change(project)
    store = project / "todo" / "store.py"
    store.write_text(store.read_text() + "\n\ndef _shout(text):\n    if text:\n"
                     "        return text.upper()\n    return \"\"\n")  # private, untested
    code, out, err = run_yes(project)
    assert code == 1, out + err
    assert "coverage: failed" in err
    assert "changed lines: 3 of 6 covered (50%), below the 95% threshold" in err
    assert "waiting for approval (escalated: needs your explicit approval)" in out


# Kiro's guides publish both files as lists of one-key items; copied verbatim (only the
# limit lowered to 2), each governs the run: a 3-file change stops for approval under --yes.
KIRO_CONFIG_GUIDE = with_file_limit(KIRO_CONFIG, 2)
KIRO_GOVERNANCE_GUIDE = with_file_limit(KIRO_GOVERNANCE, 2)


def three_file_change(root: Path) -> None:
    manual_change(root)  # two files
    (root / "docs" / "notes.md").write_text("# Notes\n")


def test_kiro_config_in_the_guides_list_form_stops_a_3_file_change(project: Path) -> None:
    commit_file(project, ".kiro/config.yaml", KIRO_CONFIG_GUIDE)
    three_file_change(project)
    code, out, err = run_yes(project)
    assert code == 1, out + err
    assert ("needs approval: 3 files changed (limit 2, .kiro/config.yaml "
            "governance.require_approval.file_changes_over)") in out
    assert "waiting for approval (escalated: needs your explicit approval)" in out


def test_kiro_governance_in_the_guides_list_form_stops_a_3_file_change(project: Path) -> None:
    commit_file(project, ".kiro/governance.yaml", KIRO_GOVERNANCE_GUIDE)
    three_file_change(project)
    code, out, err = run_yes(project)
    assert code == 1, out + err
    assert ("needs approval: 3 files changed (limit 2, .kiro/governance.yaml "
            "require_human_approval.thresholds.files_changed)") in out
    # describe() adds no decision point: under 20% of store.py's, measured, not asked
    assert "complexity" not in out
    assert "waiting for approval (escalated: needs your explicit approval)" in out


def test_a_relative_complexity_threshold_stops_a_branchy_change(project: Path) -> None:
    commit_file(project, ".kiro/governance.yaml",
                "require_human_approval:\n  - thresholds:\n      complexity_increase: 20%\n")
    manual_change(project)
    store = project / "todo" / "store.py"
    store.write_text(store.read_text() + '\n\ndef _size(n: int) -> str:\n    size = "none"\n'
                     + "".join(f'    if n > {limit}:\n        size = "{name}"\n' for limit, name
                               in ((0, "small"), (10, "medium"), (100, "large")))
                     + "    return size\n")
    code, out, err = run_yes(project)
    assert code == 1, out + err
    # store.py had 3 decision points: 3 more is 100%, over 20% (the panel may wrap the rule)
    assert ("needs approval: complexity up by 3 decision points, 100% of the 3 decision "
            "points its files had (limit 20%,") in out
    assert "require_human_approval.thresholds.complexity_increase)" in out
