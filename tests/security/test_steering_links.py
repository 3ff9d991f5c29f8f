"""A project's steering file that is a symlink out of the repository is refused, never read:
a steering file's text goes into every prompt of the run (implementer, reviewers, fixer) and
into a new spec's drafts.

Before: `.kiro/steering/team.md -> ~/.aws/credentials` (or the whole `.kiro/steering` folder
linked out) was read as an `always` steering file. Spec files were confined in the last
round (`test_spec_links.py`); `spec new`'s context read the existing specs without it too.
Generated: names, front matter, absolute or relative links, the file or its folder, in a
repository or a package of a monorepo; links that stay inside still load, and the user's own
`~/.kiro/steering` is theirs to link where they like."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.authoring.context import gather
from reviewloop.errors import ConfigError, SpecError
from reviewloop.spec.steering import STEERING_DIR, load_layered
from reviewloop.spec.steering_set import SteeringSet
from tests.support.repos import init_repo
from tests.support.review_cli import review

CANARY = "OUTSIDE-CANARY-5d1e"
HEADERS = ("", "---\ninclusion: always\n---\n", "---\ninclusion: manual\n---\n",
           '---\ninclusion: fileMatch\nfileMatchPattern: "**/*.py"\n---\n')
NAMES = st.text("abcdefghijklmnopqrstuvwxyz-_", min_size=1, max_size=10)
CASES = st.fixed_dictionaries({
    "name": NAMES, "header": st.sampled_from(HEADERS), "relative": st.booleans(),
    "whole_folder": st.booleans(), "package": st.sampled_from(("", "packages/api/"))})


def _link(link: Path, target: Path, relative: bool) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(os.path.relpath(target, link.parent) if relative else target)


def _repo(base: Path, case: dict, target_folder: Path) -> Path:
    """A repository (with `.git`) whose `<package>.kiro/steering/<name>.md` — or whose whole
    steering folder — links into `target_folder`, which holds the file."""
    root = base / "repo"
    (root / ".git").mkdir(parents=True)
    target_folder.mkdir(parents=True, exist_ok=True)
    (target_folder / f"{case['name']}.md").write_text(f"{case['header']}Use {CANARY}.\n")
    steering = root / case["package"] / STEERING_DIR
    if case["whole_folder"]:
        _link(steering, target_folder, case["relative"])
    else:
        steering.mkdir(parents=True)
        (steering / "kept.md").write_text("Write tests.\n")
        _link(steering / f"{case['name']}.md", target_folder / f"{case['name']}.md",
              case["relative"])
    return root


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=CASES)
def test_a_steering_file_linked_out_of_the_repository_is_refused(tmp_path_factory, case):
    base = tmp_path_factory.mktemp("steer")
    root = _repo(base, case, base / "outside")
    steering = root / case["package"] / STEERING_DIR
    with pytest.raises(ConfigError) as raised:
        SteeringSet.collect(steering)
    text = f"{raised.value} {raised.value.where} {raised.value.fix}"
    assert "resolves outside the repository" in text and CANARY not in text
    assert f"{case['name']}.md" in raised.value.where
    assert all(CANARY not in f.body for f in load_layered(steering))  # never read
    if not case["package"]:
        with pytest.raises(ConfigError):
            gather(root)  # `spec new`'s context


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=CASES)
def test_a_steering_file_linked_inside_the_repository_is_read(tmp_path_factory, case):
    base = tmp_path_factory.mktemp("steer")
    root = _repo(base, case, base / "repo" / "shared" / "steering")
    steering = SteeringSet.collect(root / case["package"] / STEERING_DIR)
    assert any(CANARY in f.body for f in steering.files)


def test_your_own_global_steering_may_link_anywhere(tmp_path: Path) -> None:
    outside = tmp_path / "dotfiles" / "style.md"
    outside.parent.mkdir()
    outside.write_text(f"Use {CANARY}.\n")
    _link(tmp_path / "home" / STEERING_DIR / "style.md", outside, relative=False)
    assert [f.body for f in load_layered(None, home=tmp_path / "home")] == [f"Use {CANARY}.\n"]


def test_spec_new_refuses_an_existing_spec_linked_out(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    outside = tmp_path / "outside.md"
    outside.write_text(f"# Requirements\n\n{CANARY}\n")
    _link(root / ".kiro/specs/old/requirements.md", outside, relative=True)
    with pytest.raises(SpecError) as raised:
        gather(root)
    assert "resolves outside the repository" in str(raised.value)
    assert CANARY not in str(raised.value)


def test_a_review_refuses_it_with_exit_2_before_any_work(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "repo", {"app.py": "A = 1\n"})
    (tmp_path / "secret.md").write_text(f"{CANARY}\n")
    _link(root / STEERING_DIR / "team.md", tmp_path / "secret.md", relative=False)
    (root / "app.py").write_text("A = 2\n")
    done = review(root)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "resolves outside the repository" in done.stderr and "fix:" in done.stderr
    assert CANARY not in done.stdout + done.stderr
