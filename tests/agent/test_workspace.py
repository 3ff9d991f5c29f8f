"""reviewloop.agent.workspace on real temp repositories: paths stay inside the repo, or say why
not."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.agent.workspace import ToolRefused, Workspace

# ---------------------------------------------------------------- Workspace.resolve


def test_resolve_inside_returns_real_path(ws: Workspace, repo: Path):
    assert ws.resolve("src/app.py") == (repo / "src/app.py").resolve()
    assert ws.resolve(str(repo / "README.md")) == (repo / "README.md").resolve()
    assert ws.resolve("src/../README.md") == (repo / "README.md").resolve()
    assert ws.resolve("new/dir/file.py") == (repo / "new/dir/file.py").resolve()


def test_workspace_root_is_resolved(repo: Path):
    assert Workspace(root=repo / "src" / "..").root == repo.resolve()


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../outside/victim.txt", "outside the repository"),
        ("src/../../outside/victim.txt", "outside the repository"),
        ("/etc/passwd", "outside the repository"),
        (".git/config", "inside .git"),
        ("src/../.git/HEAD", "inside .git"),
        (".env", "secrets"),
        (".env.production", "secrets"),
        ("config/server.pem", "secrets"),
        ("deploy/id_ed25519", "secrets"),
        ("app/secrets/db.yaml", "secrets"),
        ("AWS_CREDENTIALS.txt", "secrets"),
        ("", "empty"),
    ],
)
def test_resolve_refuses(ws: Workspace, path: str, reason: str):
    with pytest.raises(ToolRefused, match=reason):
        ws.resolve(path)


def test_resolve_refuses_symlinks_that_leave(ws: Workspace, repo: Path, outside: Path):
    (repo / "link.txt").symlink_to(outside / "victim.txt")
    (repo / "linkdir").symlink_to(outside, target_is_directory=True)
    (repo / "dangling").symlink_to(outside / "not-yet")
    for path in ("link.txt", "linkdir/victim.txt", "linkdir/new.txt", "dangling"):
        with pytest.raises(ToolRefused, match="symlink"):
            ws.resolve(path)


def test_resolve_refuses_symlink_loops(ws: Workspace, repo: Path):
    (repo / "loop_a").symlink_to(repo / "loop_b")
    (repo / "loop_b").symlink_to(repo / "loop_a")
    with pytest.raises(ToolRefused, match="cannot be resolved"):
        ws.resolve("loop_a/file")


def test_symlink_inside_repo_is_fine_but_not_into_git(ws: Workspace, repo: Path):
    (repo / "alias.py").symlink_to(repo / "src/app.py")
    (repo / "sneaky").symlink_to(repo / ".git", target_is_directory=True)
    assert ws.resolve("alias.py") == (repo / "src/app.py").resolve()
    with pytest.raises(ToolRefused, match=r"\.git"):
        ws.resolve("sneaky/config")


def test_sensitive_patterns_are_configurable(repo: Path):
    relaxed = Workspace(root=repo, sensitive=("config/prod/*",))
    assert relaxed.resolve(".env")
    with pytest.raises(ToolRefused):
        relaxed.resolve("config/prod/db.yaml")
    assert relaxed.resolve("other/config/prod/db.yaml")  # a slash anchors at the root

