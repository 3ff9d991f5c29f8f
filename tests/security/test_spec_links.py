"""A spec file, or a spec folder, that is a symlink out of the repository is refused, never
read into a task's context (the implementing model's prompt) or a spec draft.

Before: `.kiro/specs/x/requirements.md -> ~/.aws/credentials` put the credentials into
`render(task_context(...))`, and `tasks` parsed `/etc/passwd` through a linked `tasks.md`.
Generated: each file of each format linked out (absolute or relative target, the file or
its folder), and links that stay inside the repository, which still load."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.authoring.existing import load_drafts
from reviewloop.errors import SpecError
from reviewloop.spec.context import render, task_context
from reviewloop.spec.loader import load_spec
from tests.support.cli_main import run_cli
from tests.support.repos import init_repo

CANARY = "OUTSIDE-CANARY-7f3a"
TASKS = "# Implementation Plan\n\n- [ ] 1. Add the endpoint\n  - _Requirements: 1_\n"
REQS = "# Requirements\n\n### Requirement 1\n\nThe endpoint answers.\n"
DESIGN = "# Design\n\n## Overview\n\nThe endpoint.\n"
KIRO = {"tasks.md": TASKS, "requirements.md": REQS, "design.md": DESIGN}
FOLDER = ".kiro/specs/feat"


def _outside(base: Path, name: str) -> Path:
    """A file outside the repository that reads like the spec file `name`, with the canary."""
    text = {"tasks.md": TASKS, "requirements.md": REQS, "design.md": DESIGN}[name]
    target = base / "outside" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace("The endpoint", CANARY))
    return target


def _link(link: Path, target: Path, relative: bool) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(os.path.relpath(target, link.parent) if relative else target)


def _repo(base: Path, linked: str, relative: bool, whole_folder: bool) -> Path:
    root = base / "repo"
    folder = root / FOLDER
    if whole_folder:
        for name in KIRO:
            _outside(base, name)
        _link(folder, base / "outside", relative)
        return root
    folder.mkdir(parents=True)
    for name, text in KIRO.items():
        if name != linked:
            (folder / name).write_text(text)
    _link(folder / linked, _outside(base, linked), relative)
    return root


CASES = st.tuples(st.sampled_from(sorted(KIRO)), st.booleans(), st.booleans())


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=CASES)
def test_a_spec_file_linked_out_of_the_repository_is_refused(tmp_path_factory, case):
    linked, relative, whole_folder = case
    base = tmp_path_factory.mktemp("spec")
    root = _repo(base, linked, relative, whole_folder)
    with pytest.raises(SpecError) as raised:
        spec = load_spec(root)
        render(task_context(spec, spec.tasks[0]))  # reached only without the fix
    text = f"{raised.value} {raised.value.where} {raised.value.fix}"
    assert "resolves outside the repository" in text and CANARY not in text
    assert raised.value.where.endswith(linked if not whole_folder else "tasks.md")
    with pytest.raises(SpecError):
        load_drafts(root, "kiro", root / FOLDER / "tasks.md")


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=CASES)
def test_a_spec_file_linked_inside_the_repository_is_read(tmp_path_factory, case):
    linked, relative, whole_folder = case
    root = tmp_path_factory.mktemp("spec") / "repo"
    real = root / "specs-real"
    real.mkdir(parents=True)
    for name, text in KIRO.items():
        (real / name).write_text(text)
    folder = root / FOLDER
    if whole_folder:
        _link(folder, real, relative)
    else:
        folder.mkdir(parents=True)
        for name, text in KIRO.items():
            if name != linked:
                (folder / name).write_text(text)
        _link(folder / linked, real / linked, relative)
    spec = load_spec(root)
    assert "The endpoint answers." in render(task_context(spec, spec.tasks[0]))


def test_tasks_refuses_a_linked_tasks_file_with_exit_2(tmp_path, capsys, monkeypatch):
    root = init_repo(_repo(tmp_path, "tasks.md", False, False))
    monkeypatch.chdir(root)
    code, _, err = run_cli(capsys, "tasks")
    assert code == 2
    assert "resolves outside the repository" in err and "fix:" in err and CANARY not in err
