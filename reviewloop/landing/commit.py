"""The commit step: the task ticked in its spec, exactly the touched files committed, with a
message that says what the loop did (`landing.message`). Idempotent: a commit made before a
crash is found by its trailer and not made twice."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from reviewloop.agent.workspace import Workspace
from reviewloop.errors import BlockingOutcome
from reviewloop.git.nofollow import refuse_symlinks
from reviewloop.git.repository import Repository, TouchedFiles, is_protected
from reviewloop.landing.message import RECENT_SUBJECTS, TRAILER, CommitFacts, commit_message
from reviewloop.spec import writeback
from reviewloop.spec.loader import load_spec


def commit_change(repo: Repository, workspace: Workspace, spec_file: Path | None,
                  protected: Sequence[str], touched: TouchedFiles, facts: CommitFacts) -> str:
    """Mark the task done and commit exactly the touched files and the spec; the commit id."""
    if f"{TRAILER}: {facts.run_id}" in repo.last_commit_message():
        return repo.head_sha() or ""  # committed before a crash: do not commit twice
    branch = repo.current_branch() or "(detached HEAD)"
    if is_protected(branch, protected) or branch == repo.default_branch():
        raise BlockingOutcome(f"refusing to commit on protected branch {branch}; switch to a "
                              f"working branch (git switch -c NAME) and run "
                              f"`reviewloop approve {facts.run_id}` again")
    spec = load_spec(repo.root, spec_file)
    # The tick is written in the run's worktree, which the model wrote: a spec (or a folder
    # above it) turned into a symlink would carry the write outside.
    refuse_symlinks(repo.root, [_relative(repo.root, spec.tasks_file)],
                    fix="restore the spec file as a regular file in the run's worktree")
    original = spec.tasks_file.read_bytes()
    writeback.mark_done(spec.tasks_file, spec.tasks, facts.task_id)
    spec_rel = spec.tasks_file.resolve().relative_to(repo.root.resolve()).as_posix()
    paths, _held = committable(workspace, sorted({*touched.paths, spec_rel}))
    task = spec.task(facts.task_id)
    try:
        # the run's files were reviewed: one ignored since (.git/info/exclude) is still theirs
        message = commit_message(dataclasses.replace(facts, spec=spec_rel),
                                 task.title if task else "", recent_subjects(repo))
        return repo.commit_paths(paths, message, force=True)
    except BaseException:
        spec.tasks_file.write_bytes(original)  # nothing committed: the task is not done
        raise


def recent_subjects(repo: Repository) -> list[str]:
    """The branch's latest commit subjects, newest first ([] on an unborn branch)."""
    status, out, _ = repo.try_git("log", f"-{RECENT_SUBJECTS}", "--no-merges", "--format=%s")
    return out.splitlines() if status == 0 else []


def committable(workspace: Workspace, paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(paths to commit, sensitive paths held back)."""
    keep: list[str] = []
    held: list[str] = []
    for path in paths:
        (held if workspace.is_sensitive(PurePosixPath(path)) else keep).append(path)
    return keep, held


def _relative(root: Path, path: Path) -> str:
    """`path` under `root`, without resolving symlinks (they are what is checked)."""
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(root))).as_posix()
