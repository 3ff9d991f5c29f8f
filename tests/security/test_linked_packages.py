"""PR mode links the checkout's installed `node_modules` into the head commit's export, and
the sandbox shows the link's target read-only. A change may commit a `node_modules` link of
its own: neither step may then show a host folder the sandbox hides (`~/.ssh`, the
checkout's `.git` with its credentials, any folder not installed by a package manager)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.checks.gates.commands import run_shell
from reviewloop.git.repository import open_repository
from reviewloop.runs.review import head_tree
from reviewloop.sandbox.bubblewrap import Sandbox
from tests.support.repos import commit, init_repo

CANARY = "linked-canary-4f1c"


def _secret(folder: Path) -> Path:
    """A folder outside the checkout, hidden by the sandbox (it lies under /tmp)."""
    folder.mkdir(parents=True)
    (folder / "creds").write_text(CANARY)
    return folder


@pytest.mark.parametrize("target", ["a host folder", "the checkout's .git",
                                    "a node_modules no package.json sits beside"])
def test_a_committed_node_modules_link_is_neither_linked_nor_shown(tmp_path: Path,
                                                                   target: str) -> None:
    root = init_repo(tmp_path / "checkout")
    (root / "package.json").write_text('{"name": "app"}\n')
    aim = {"a host folder": _secret(tmp_path / "host-secret"),
           "the checkout's .git": root / ".git",
           "a node_modules no package.json sits beside": _secret(
               tmp_path / "elsewhere" / "node_modules")}[target]
    (root / "node_modules").symlink_to(aim)
    commit(root, message="a link of the change's")
    with head_tree(open_repository(root), "HEAD") as tree:
        assert tree is not None
        assert not (tree / "node_modules").exists()  # the change's link is not followed
        (tree / "node_modules").symlink_to(aim)  # and were it there, the sandbox hides it
        done = run_shell("cat node_modules/creds node_modules/config", tree, 60,
                         sandbox=Sandbox())
    assert CANARY not in done.output and "[core]" not in done.output
