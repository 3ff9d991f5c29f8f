"""Under `core.symlinks = false` (Git for Windows' default) git checks a symlink out as a
small text file holding its target, its index keeping `120000`: the working-tree review
takes that file for the link it is (`review.linked`, `git.kept_modes`). Before, a change
editing only the file an unchanged link leads to (`k8s/pod.yaml -> ../t/pod.txt`) was
reviewed in such a checkout as if no link existed: the Kubernetes manifest, workflow or
Python module the plain tools read through the link went unnamed, the review complete.

Generated: layouts of links already in the base — each link's name a kind (a manifest, a
workflow, a Dockerfile, Terraform, Python, JavaScript, a shell script, a plain note), a chain
of 0–2 links before the file, the text's spelling (`../t/f.txt`, `./../t/f.txt`,
`../t/deep/../f.txt`), a folder link (`.husky -> tools/hooks`) — and a change editing every
target. The same commit and edits are reviewed in a clone with links and in one without:
the verdict, each file's not-read reasons and the findings must be the same."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import init_repo, write
from tests.support.review_cli import review

POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
       "    - name: web\n      image: nginx:1.25\n      securityContext:\n"
       "        privileged: {}\n")
WORKFLOW = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo {}\n"
# a link's name (`{n}` its number) → the target's text (`{}` filled before / after the change)
KINDS = {
    "k8s/pod{n}.yaml": (POD, "false", "true"),
    "docker{n}/Dockerfile": ("FROM nginx:{}\n", "1.25", "latest"),
    "infra/main{n}.tf": ('resource "aws_s3_bucket" "b" {{\n  bucket = "{}"\n}}\n', "a", "b"),
    ".github/workflows/ci{n}.yml": (WORKFLOW, "a", "b"),
    "tool{n}.py": ("import subprocess\n\n\ndef run(cmd):\n    return subprocess.call({})\n",
                   "cmd", "cmd, shell=True"),
    "web/app{n}.js": ("export const run = (s) => {};\n", "s", "eval(s)"),
    "bin/run{n}.sh": ("#!/bin/sh\necho {}\n", "hi", "$1"),
    "notes/n{n}.txt": ("note {}\n", "a", "b"),  # a name that makes the file nothing new
}
class Layout(NamedTuple):
    links: dict[str, str]  # path → its text
    base: dict[str, str]  # the files of the base
    head: dict[str, str]  # the files the change writes
    named: set[str]  # the files an unchanged link makes something their name does not


SPELLINGS = ("{up}{path}", "./{up}{path}", "{up}t/deep/../{rest}")


def _relative(link: str, target: str, spelling: str) -> str:
    """The text of `link` leading to `target` (under `t/`), spelled as `spelling` says."""
    return spelling.format(up="../" * link.count("/"), path=target,
                           rest=target.removeprefix("t/"))


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    """One generated layout."""
    kinds = draw(st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=4, unique=True))
    links: dict[str, str] = {}
    base: dict[str, str] = {"t/deep/keep": "x\n", "README.md": "r\n"}
    head: dict[str, str] = {}
    named: set[str] = set()
    for number, kind in enumerate(kinds):
        text, before, after = KINDS[kind]
        link, target = kind.format(n=number), f"t/f{number}.txt"
        steps = [link, *(f"t/hop{number}_{i}" for i in range(draw(st.integers(0, 2)))), target]
        for path, following in itertools.pairwise(steps):
            links[path] = _relative(path, following, draw(st.sampled_from(SPELLINGS)))
        base[target], head[target] = text.format(before), text.format(after)
        if not kind.startswith("notes/"):
            named.add(target)
    if draw(st.booleans()):  # a folder link: husky runs its files as shell scripts
        links[".husky"] = "tools/hooks"
        base["tools/hooks/pre-commit"] = "#!/bin/sh\necho a\n"
        head["tools/hooks/pre-commit"] = "#!/bin/sh\necho $1\n"
        named.add("tools/hooks/pre-commit")
    return Layout(links, base, head, named)


def _seen(root: Path) -> tuple[str, dict[str, list[str]], set[tuple[str, str, int]]]:
    """The working-tree review's verdict, not-read reasons by file, and findings."""
    done = review(root, "--json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    return (report["verdict"], {r["path"]: r["not_read"] for r in report["health"]["files"]},
            {(f["file"], f["rule"], f["line"]) for bucket in report["findings"].values()
             for f in bucket})


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=layouts())
def test_a_checkout_without_symlinks_is_reviewed_as_one_with_them(
        tmp_path_factory: pytest.TempPathFactory, layout: Layout) -> None:
    links, base, head, named = layout
    tmp = tmp_path_factory.mktemp("links")
    origin = init_repo(tmp / "origin", base)
    for path, text in links.items():
        (origin / path).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(text, origin / path)
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "links")
    seen = []
    for symlinks in ("true", "false"):
        clone = tmp / f"symlinks-{symlinks}"
        git(tmp, "clone", "-q", "-c", f"core.symlinks={symlinks}", str(origin), str(clone))
        assert all(os.path.islink(clone / p) == (symlinks == "true") for p in links)
        for path, text in head.items():
            write(clone, path, text)
        seen.append(_seen(clone))
    with_links, without = seen
    # not a comparison of two silences: with links, every file a link makes more is named
    assert {path for path, why in with_links[1].items()
            if any("a symlink the change did not touch" in w for w in why)} == named
    assert without == with_links
