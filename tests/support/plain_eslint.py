"""Plain ESLint as a project runs it (`npx eslint .` from its root, its own config): the
pinned ESLint reviewloop provisions, run on a test repository, for a review's answer to be
compared with the plain tool's."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.provision import TOOLS, home


def plain_eslint(root: Path, *args: str) -> list[dict[str, Any]]:
    """ESLint's JSON report of `eslint . ARGS` in `root` (the tools folder `eslint_tools`
    set): its results, paths relative to `root`."""
    folder = home(TOOLS["eslint"])
    node = shutil.which("node")
    assert folder is not None and node is not None, "eslint_tools installs ESLint beside node"
    done = subprocess.run([node, str(folder / "node_modules/eslint/bin/eslint.js"), "-f", "json",
                           *args, "."], cwd=root, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    results = json.loads(done.stdout)
    for result in results:
        result["filePath"] = Path(result["filePath"]).relative_to(root.resolve()).as_posix()
    return results


def fatal_files(results: list[dict[str, Any]]) -> set[str]:
    """The files ESLint could not parse (a fatal message)."""
    return {r["filePath"] for r in results if any(m.get("fatal") for m in r["messages"])}


def rule_hits(results: list[dict[str, Any]]) -> set[tuple[str, str, int]]:
    """(file, rule, line) of each message of a rule."""
    return {(r["filePath"], m["ruleId"], m["line"]) for r in results for m in r["messages"]
            if m.get("ruleId")}


def rule_files(results: list[dict[str, Any]], rule: str) -> set[str]:
    """The files ESLint reports `rule` in."""
    return {path for path, hit, _ in rule_hits(results) if hit == rule}


# the import each file's last, unchanged line uses, which the change deletes
USED_IMPORT = 'import { compute } from "./c.js";\n'


def import_deleted(tmp_path: Path, texts: dict[str, str], config: str) -> tuple[Path, Path]:
    """A repository (`tmp_path/r`, branch `feature` checked out) whose files `texts` each
    start with `USED_IMPORT` on `main`, the change putting other code in its place, so what
    uses `compute` is undefined on lines it did not write; and ESLint's `config` written
    outside it (plain ESLint is given it with `-c`; reviewloop's own run reports no-undef)."""
    from tests.support.gitutil import git
    from tests.support.repos import init_repo, write_files

    written = tmp_path / "eslint.config.mjs"
    written.write_text(config, encoding="utf-8")
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      **{p: USED_IMPORT + body for p, body in texts.items()}})
    git(root, "checkout", "-qb", "feature")
    write_files(root, {p: "const other = 1;\nexport { other };\n" + body
                       for p, body in texts.items()})
    return root, written


def linked_node_modules(root: Path) -> None:
    """A real `node_modules` folder in `root` holding the provisioned ESLint's packages
    (typescript-eslint among them), each a link, as a project installs them."""
    folder = home(TOOLS["eslint"])
    assert folder is not None
    modules = root / "node_modules"
    modules.mkdir()
    for package in (folder / "node_modules").iterdir():
        (modules / package.name).symlink_to(package, target_is_directory=package.is_dir())
