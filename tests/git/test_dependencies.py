"""A commit's export for `review --head` gets the packages the checkout has installed, and a
sandboxed command on the export reads them and changes none of them."""

from __future__ import annotations

from pathlib import Path

from reviewloop.checks.gates.commands import run_shell
from reviewloop.git.dependencies import link_installed
from reviewloop.git.repository import open_repository
from reviewloop.runs.review import head_tree
from reviewloop.sandbox.bubblewrap import Sandbox
from tests.support.repos import init_repo


def _checkout(tmp_path: Path) -> Path:
    root = init_repo(tmp_path / "checkout", {
        "package.json": '{"name": "app"}\n', "infra/package.json": '{"name": "infra"}\n',
        ".gitignore": "node_modules/\n"})
    for folder in (root, root / "infra"):  # installed, never committed
        (folder / "node_modules" / ".bin").mkdir(parents=True)
        (folder / "node_modules" / ".bin" / "cdk").write_text("#!/bin/sh\necho cdk 2.0\n")
    return root


def test_the_export_links_each_installed_node_modules_beside_its_package_json(
        tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    with head_tree(open_repository(root), "HEAD") as tree:
        assert tree is not None
        for folder in (tree, tree / "infra"):
            assert (folder / "node_modules").is_symlink()
            assert (folder / "node_modules" / ".bin" / "cdk").read_text().startswith("#!/bin/sh")
        assert not (tree / "node_modules" / "node_modules").exists()


def test_a_sandboxed_command_on_the_export_reads_the_packages_and_cannot_change_them(
        tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    with head_tree(open_repository(root), "HEAD") as tree:
        assert tree is not None
        read = run_shell("sh node_modules/.bin/cdk", tree / "infra", 60, sandbox=Sandbox())
        assert read.exit_code == 0 and "cdk 2.0" in read.output
        wrote = run_shell("echo evil > node_modules/.bin/cdk", tree / "infra", 60,
                          sandbox=Sandbox())
        assert wrote.exit_code != 0
    assert (root / "infra" / "node_modules" / ".bin" / "cdk").read_text().endswith("cdk 2.0\n")


def test_only_a_file_named_package_json_gets_the_link_whatever_else_its_path_says(
        tmp_path: Path) -> None:
    names = ["a/package.json", "b/xpackage.json", "c/package.json.bak", "d/package.jsonx",
             "package.json/e/app.py", "f/package.json/g.py", "h/node_modules/package.json"]
    checkout, export = tmp_path / "checkout", tmp_path / "export"
    for name in names:  # every folder on the way has packages installed, in both trees
        for parent in Path(name).parents:
            (checkout / parent / "node_modules").mkdir(parents=True, exist_ok=True)
            (export / parent).mkdir(parents=True, exist_ok=True)
    linked = link_installed(checkout, export, names)
    assert linked == [(checkout / "a" / "node_modules").resolve()]
    assert sorted(p.relative_to(export).as_posix() for p in export.rglob("node_modules")
                  if p.is_symlink()) == ["a/node_modules"]
