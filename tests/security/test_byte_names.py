"""A changed file whose name is not UTF-8 is analysed under its own bytes and named in every
view: `reviewloop review --base main --head feature` as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.support.bedrock import BedrockFake
from tests.support.gitutil import git
from tests.support.loop_cli import (
    MODEL,
    SPEC,
    clean_reviews,
    cli,
    fake_env,
    make_example,
    manual_change,
)
from tests.support.repos import feature_branch
from tests.support.review_cli import review

RISKY = b"import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
SHOWN = "mod_\\xff.py"  # the name's text form: its byte written as people read it


def _branch(tmp_path: Path) -> Path:
    """`main` with a README; `feature` adds `mod_<0xff>.py`, a shell=True call (bandit B602)."""
    return feature_branch(tmp_path / "r", {b"mod_\xff.py": RISKY})


def test_a_name_that_is_not_utf8_is_analysed_and_named_in_every_view(tmp_path: Path) -> None:
    root = _branch(tmp_path)
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "must_fix",
                  "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (SHOWN, "B602") in {(f["file"], f["rule"]) for f in report["findings"]["remaining"]}
    assert report["files"]["created"] == [SHOWN]
    [row] = report["health"]["files"]
    assert row["path"] == SHOWN and row["not_read"] == []
    assert "bandit (review-security)" in row["analysed_by"]
    assert report["health"]["complete"] is True

    text = review(root, "--base", "main", "--head", "feature", "--fail-on", "must_fix")
    assert text.returncode == 1 and f"{SHOWN}:5" in text.stdout

    sarif = json.loads(review(root, "--base", "main", "--head", "feature", "--format",
                              "sarif").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]}
    assert uris == {"mod_%FF.py"}  # the name's bytes, percent-encoded as a URI has them

    markdown = review(root, "--base", "main", "--head", "feature", "--format", "markdown")
    assert f"`{SHOWN}:5`" in markdown.stdout


def test_a_run_carries_reviews_and_commits_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    """`run --implementer manual` on a change holding `todo/notes_<0xff>.txt`: the run's state
    and landing plan are stored, so they hold the name as text; the commit has its bytes."""
    project = make_example(tmp_path)
    manual_change(project)
    with open(os.path.join(os.fsencode(project), b"todo", b"notes_\xff.txt"), "wb") as fh:
        fh.write(b"plain notes\n")
    with BedrockFake() as fake:
        clean_reviews(fake)
        done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                   "--model", MODEL, "--branch", "task-2", "--yes", env=fake_env(fake))
        reviewed = json.dumps([call.body for call in fake.calls])
    assert done.returncode == 0, done.stdout + done.stderr
    assert '+++ \\"b/todo/notes_\\\\377.txt\\"' in reviewed  # reviewed: in git's quoting
    committed = subprocess.run(["git", "ls-tree", "-r", "-z", "--name-only", "task-2", "todo"],
                               cwd=project, check=True, capture_output=True).stdout
    assert b"todo/notes_\xff.txt" in committed.split(b"\0")
    assert git(project, "status", "--porcelain") == ""  # nothing of the change left behind
