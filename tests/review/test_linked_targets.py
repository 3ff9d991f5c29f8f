"""A symlink already in the base gives a text file another name (`k8s/pod.yaml ->
../t/pod.txt`, `tool.py -> notes/tool.txt`, or through a chain of links); the change edits
only the text file. The plain tools open it through the link, by the link's name (`checkov
-d .`, `bandit -r .`); the review's analyzers read it by its own name. Each such changed file
is named as not analysed under the link's name (`review.linked`, `review.matrix`), for every
kind of name, at every chain length, and the plain tools are asked that they do read it
there."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS, cached
from tests.support.repos import branch_repo
from tests.support.review_cli import review
from tests.support.tools_cache import cache_root

POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
       "    - name: web\n      image: nginx:1.25\n      securityContext:\n"
       "        privileged: {}\n")
WORKFLOW = ("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: echo {}\n")
# the link's name, its text before and after (`{}` filled), and the plain tool reading it
KINDS = {
    "k8s/pod{n}.yaml": (POD, "false", "true", "checkov"),
    "docker{n}/Dockerfile": ("FROM nginx:{}\n", "1.25", "latest", "checkov"),
    "infra/main{n}.tf": ('resource "aws_s3_bucket" "b" {{\n  bucket = "{}"\n}}\n', "a", "b",
                         "checkov"),
    ".github/workflows/ci{n}.yml": (WORKFLOW, "a", "b", "checkov"),
    "tool{n}.py": ("import subprocess\n\n\ndef run(cmd):\n    return subprocess.call({})\n",
                   "cmd", "cmd, shell=True", "bandit"),
    "web/app{n}.js": ("export const run = (s) => {};\n", "s", "eval(s)", None),
    "bin/run{n}.sh": ("#!/bin/sh\necho {}\n", "hi", "$1", None),
}
CHAINS = (0, 1, 2)  # links between the named link and the file


def _variants() -> dict[str, tuple[str, list[tuple[str, str]], str, str, str | None]]:
    """The target, its chain of links (path, what it points at), its texts, its plain tool,
    by the named link's path: every kind × chain length."""
    out = {}
    for (name, (text, before, after, tool)), chain in itertools.product(KINDS.items(), CHAINS):
        number = f"{list(KINDS).index(name)}{chain}"
        link, target = name.format(n=number), f"t/f{number}.txt"
        hops = [f"t/hop{number}_{i}" for i in range(chain)]
        steps = [link, *hops, target]  # each link points at the next
        pairs = [(path, _relative(path, following))
                 for path, following in itertools.pairwise(steps)]
        out[link] = (target, pairs, text.format(before), text.format(after), tool)
    return out


def _relative(link: str, target: str) -> str:
    return "../" * link.count("/") + target


def _plain(root: Path) -> set[tuple[str, str]]:
    """(path, tool) of every file the plain tools, run on the whole checkout, read."""
    checkov = subprocess.run(
        [str(cached(TOOLS["checkov"], cache_root())), "-d", ".", "-o", "json", "--quiet",
         "--compact", "--framework", "kubernetes", "dockerfile", "terraform",
         "github_actions"], cwd=root, capture_output=True, text=True, check=False)
    reports = json.loads(checkov.stdout)
    read = {(check["file_path"].lstrip("/"), "checkov")
            for report in (reports if isinstance(reports, list) else [reports])
            for kind in ("passed_checks", "failed_checks")
            for check in report.get("results", {}).get(kind, [])}
    bandit = subprocess.run([sys.executable, "-m", "bandit", "-r", ".", "-f", "json", "-q"],
                            cwd=root, capture_output=True, text=True, check=False)
    return read | {(r["filename"].removeprefix("./"), "bandit")
                   for r in json.loads(bandit.stdout)["results"]}


@pytest.mark.pypi
def test_a_changed_file_an_unchanged_link_names_is_named_every_kind_and_chain(
        tmp_path: Path, iac_tools: Path) -> None:
    variants = _variants()
    base: dict[str, str | bytes] = {target: before for target, _, before, _, _ in
                                    variants.values()}
    root = branch_repo(tmp_path / "r", base)
    for _, pairs, _, _, _ in variants.values():
        for path, points in pairs:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).symlink_to(points)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "links"], cwd=root, check=True)
    subprocess.run(["git", "branch", "-f", "main"], cwd=root, check=True)  # links in the base
    for target, _, _, after, _ in variants.values():
        (root / target).write_text(after)  # the change: only the targets
    subprocess.run(["git", "commit", "-qam", "edit"], cwd=root, check=True)

    plain = _plain(root)
    done = review(root, "--base", "main", "--head", "feature", "--json")
    health = json.loads(done.stdout)["health"]
    rows = {r["path"]: r["not_read"] for r in health["files"]}

    assert health["complete"] is False, done.stderr
    for link, (target, _, _, _, tool) in variants.items():
        if tool is not None:  # the oracle: the plain tool reads the change under that name
            assert (link, tool) in plain, (link, tool)
        why = rows.get(target) or []
        assert len(why) == 1 and why[0].startswith(
            f"changed-files: {link}, a symlink the change did not touch, makes it "), \
            (link, why)


@pytest.mark.pypi
def test_a_chain_of_links_the_change_writes_names_the_file_it_ends_at(
        tmp_path: Path, iac_tools: Path) -> None:
    """The change writes the links and the file: the named link's row names the file the
    chain ends at (what the plain tools read), not the link in the middle."""
    variants = {link: v for link, v in _variants().items() if v[1][1:]}  # chains only
    root = branch_repo(tmp_path / "r", {"README.md": "project\n"})
    for target, pairs, _, after, _ in variants.values():
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        (root / target).write_text(after)
        for path, points in pairs:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).symlink_to(points)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "links"], cwd=root, check=True)

    plain = _plain(root)
    done = review(root, "--base", "main", "--head", "feature", "--json")
    rows = {r["path"]: r["not_read"] for r in json.loads(done.stdout)["health"]["files"]}

    for link, (target, _, _, _, tool) in variants.items():
        if tool is not None:
            assert (link, tool) in plain, (link, tool)
        why = rows.get(link) or []
        assert len(why) == 1 and f"a symlink that makes {target} " in why[0], (link, why)
