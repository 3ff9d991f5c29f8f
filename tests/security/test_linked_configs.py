"""A tool's config file that is a symbolic link inside the repository is read through the
link, as the plain tool on the checkout reads it. A monorepo keeps one `config/ruff.toml`
and links `ruff.toml` to it; the trusted side's config was read only as a regular file, so
the rules it switches on were silently off and the review said complete (fuzz round 9a, D1).

Generated: the link's shape (a sibling target, a target through a linked folder, a chain of
two links, a nested config reaching up with `..`) × the review (a pull request, reading the
base commit; the user's own uncommitted change, reading the tree), each over one repository
whose configs are all linked the same way: ruff (root `ruff.toml`, a nested `api/ruff.toml`),
`.shellcheckrc`, `.hadolint.yaml`, and checkov's `.checkov.yaml` whose
`external-checks-dir` holds a linked policy. The oracle is each plain tool run on the head
checkout: every rule it reports through the links, the review reports."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reviewloop.checks.analyzers.provision import TOOLS
from tests.support.checkov import plain_checkov
from tests.support.gitutil import git
from tests.support.iac_tools import module_reviews
from tests.support.project_rules import shown
from tests.support.repos import init_repo
from tests.support.review_cli import review

pytestmark = pytest.mark.pypi  # checkov, hadolint and shellcheck from the shared tools cache

POLICY = """metadata:
  id: CKV2_ACME_1
  name: buckets must have an owner tag
  category: GENERAL_SECURITY
  severity: HIGH
definition:
  cond_type: attribute
  resource_types: [aws_s3_bucket]
  attribute: tags.owner
  operator: exists
"""
# config name (as the tools look for it): its text, which switches a rule on
CONFIGS = {
    "ruff.toml": '[lint]\nselect = ["T20"]\n',
    "api/ruff.toml": '[lint]\nselect = ["ERA"]\n',
    ".shellcheckrc": "enable=require-variable-braces\n",
    ".hadolint.yaml": "trustedRegistries:\n  - docker.io\n",
    ".checkov.yaml": "external-checks-dir:\n  - policies\n",
    "policies/owner.yaml": POLICY,
}
CHANGE = {
    "app.py": "x = 1\nprint(x)\n",
    "api/app.py": "x = 1\n# y = x + 1\n",
    "run.sh": '#!/bin/bash\necho "$HOME"\n',
    "Dockerfile": "FROM quay.io/foo/bar:1.0\nUSER nobody\n",
    "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
}
# the rule each config switches on, on its file
RULES = {("ruff", "app.py"): "T201", ("ruff", "api/app.py"): "ERA001",
         ("shellcheck", "run.sh"): "SC2250", ("hadolint", "Dockerfile"): "DL3026",
         ("checkov", "main.tf"): "CKV2_ACME_1"}
SHAPES = ("sibling", "linked-folder", "chain", "up")
MODES = ("pull request", "local")


def _link(root: Path, path: str, target: str) -> None:
    full = root / path
    full.parent.mkdir(parents=True, exist_ok=True)
    full.symlink_to(target)


def _build(root: Path, shape: str) -> None:
    """Each config of CONFIGS at its name, a link to its text kept elsewhere in the tree."""
    init_repo(root)
    store = "shared" if shape == "linked-folder" else "config"
    for index, (name, text) in enumerate(CONFIGS.items()):
        kept = f"{store}/{index}.conf"
        (root / kept).parent.mkdir(parents=True, exist_ok=True)
        (root / kept).write_text(text)
        up = "../" * name.count("/")
        if shape == "chain":
            _link(root, f"links/{index}", f"../{kept}")
            _link(root, name, f"{up}links/{index}")
        elif shape == "up" and "/" not in name:
            _link(root, name, f"sub/../{kept}")
            (root / "sub").mkdir(exist_ok=True)
        else:
            _link(root, name, f"{up}config/{index}.conf")
    if shape == "linked-folder":
        (root / "config").symlink_to("shared")


def _reviewed(root: Path, shape: str, mode: str) -> dict[str, Any]:
    _build(root, shape)
    return _review_change(root, CHANGE, mode)


def _review_change(root: Path, change: dict[str, str], mode: str) -> dict[str, Any]:
    """The base as `root` holds it committed, `change` written on a branch, reviewed."""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    for path, text in change.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(root, "add", "-A")
    if mode == "pull request":
        git(root, "commit", "-qm", "change")
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    else:
        done = review(root, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def _plain(tools: Path, root: Path) -> set[tuple[str, str, str]]:
    """(tool, file, rule) each plain tool reports on the checkout, as its users run it."""
    def binary(name: str) -> str:
        return str(TOOLS[name].command_in(tools / TOOLS[name].folder))

    ruff = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "--no-cache",
                           "--output-format", "json", "."], cwd=root, capture_output=True,
                          text=True, check=False)
    found = {("ruff", os.path.relpath(f["filename"], root), f["code"])
             for f in json.loads(ruff.stdout)}
    shell = subprocess.run([binary("shellcheck"), "-f", "json", "run.sh"], cwd=root,
                           capture_output=True, text=True, check=False)
    found |= {("shellcheck", "run.sh", f"SC{f['code']}") for f in json.loads(shell.stdout)}
    docker = subprocess.run([binary("hadolint"), "-f", "json", "Dockerfile"], cwd=root,
                            capture_output=True, text=True, check=False)
    found |= {("hadolint", "Dockerfile", f["code"]) for f in json.loads(docker.stdout)}
    found |= {("checkov", c["file_path"].lstrip("/"), c["check_id"])
              for c in plain_checkov(tools, root)}
    return found


@pytest.fixture(scope="module")
def reviews(tmp_path_factory: pytest.TempPathFactory, iac_tools: Path
            ) -> dict[tuple[str, str], tuple[dict[str, Any], set[tuple[str, str, str]]]]:
    done = {}
    with module_reviews(tmp_path_factory, iac_tools, "shellcheck"):
        for shape in SHAPES:
            plain: set[tuple[str, str, str]] = set()
            for mode in MODES:  # the same checkout: the tools' answer is asked once
                root = tmp_path_factory.mktemp(f"{shape}-{mode.replace(' ', '-')}")
                report = _reviewed(root, shape, mode)
                plain = plain or _plain(iac_tools, root)
                done[shape, mode] = (report, plain)
    return done


@pytest.mark.parametrize(("shape", "mode"), list(itertools.product(SHAPES, MODES)))
def test_a_linked_config_switches_its_rules_on_as_for_the_plain_tool(
        reviews: dict[tuple[str, str], tuple[dict[str, Any], set[tuple[str, str, str]]]],
        shape: str, mode: str) -> None:
    report, plain = reviews[shape, mode]
    for (tool, path), rule in RULES.items():
        assert (tool, path, rule) in plain, (shape, tool, path, "the oracle lost its rule")
        assert rule in shown(report, tool, path), (shape, mode, tool, path)
    assert report["health"]["complete"], report["health"]


@pytest.mark.parametrize("mode", MODES)
def test_a_config_linked_out_of_the_repository_names_what_it_governs(tmp_path: Path,
                                                                     mode: str) -> None:
    """Plain ruff follows `ruff.toml -> ../shared/ruff.toml` out of the repository; the
    review reads no file outside it, and says so for every file ruff reads."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "ruff.toml").write_text(CONFIGS["ruff.toml"])
    root = tmp_path / "repo"
    init_repo(root)
    (root / "ruff.toml").symlink_to("../shared/ruff.toml")
    report = _review_change(root, {"app.py": CHANGE["app.py"]}, mode)
    plain = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "--no-cache",
                            "--output-format", "json", "."], cwd=root, capture_output=True,
                           text=True, check=False)
    assert "T201" in {f["code"] for f in json.loads(plain.stdout)}  # plain ruff follows it
    assert "T201" not in shown(report, "ruff", "app.py")
    assert not report["health"]["complete"]
    unread = {name: why for a in report["health"]["analyzers"] if a["name"].startswith("ruff")
              for name, why in a.get("unread", {}).items()}
    assert "link out of the repository" in unread.get("app.py", ""), report["health"]
