"""One copy of the change's base a review, whichever of its reviewers compare with it.

The analyzers that compare their findings off the change's lines with a run on the change's
base (`review.introduced`) belong to several reviewers: the ESLint views to security,
maintainability and performance, bandit to security, shellcheck to maintainability. Each
reviewer made its own copy of the base, and a TypeScript file linted with types has its
whole tsconfig project in it: with a root tsconfig, the repository, copied up to three
times a review. The review now makes one, on first use, shared by every reviewer's
analyzers, and removes it when they are done.

Generated: which reviewers' analyzers hold a finding far from the change's lines (so
compare), in a project under a root tsconfig; one file's untouched line the change makes a
finding (an import swapped to `child_process`). Counted in the review's debug log (`-v`):
the copies made and removed. The results stand: the findings the base already had stay
outside the change, the one it brought about counts.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support import warm_cli
from tests.support.gitutil import git
from tests.support.repos import init_repo, write_files

pytestmark = [pytest.mark.npm, pytest.mark.timeout(900)]

TSCONFIG = json.dumps({"compilerOptions": {"strict": True, "module": "ES2022",
                                           "moduleResolution": "bundler", "target": "ES2022"}})
# a finding far from the change's lines, per (file, rule) of the reviewer that compares it
OLD = {
    "eslint-security": ("src/risky.ts", "no-eval",
                        "export function run(code: string): unknown { return eval(code); }"),
    "eslint-maintainability": ("src/unused.ts", "no-unused-vars", "const leftOver = 1;"),
    "eslint-performance": ("src/loop.ts", "no-await-in-loop",
                           "export async function each(xs: string[]): Promise<void> { "
                           "for (const x of xs) { await Promise.resolve(x); } }"),
    "bandit": ("tool.py", "B602", "import subprocess\n\n\ndef go(cmd):\n"
               "    return subprocess.call(cmd, shell=True)"),
    "shellcheck": ("run.sh", "SC2086", "#!/bin/bash\necho $1"),
}
MADE = ("src/made.ts", "security/detect-child-process",
        'import { run as exec } from "./safe.js";', 'import { exec } from "child_process";',
        "export function g(cmd: string): unknown { return exec(cmd); }")
SAFE = "export function run(c: string): string { return c; }\n"


def _padded(top: str, gap: int, last: str, comment: str = "//") -> str:
    """`top`, `gap` filler lines, then `last` (the line the change edits)."""
    if comment == "#":
        filler = [f"PAD{i} = {i}" for i in range(gap)]
    elif comment == "sh":
        filler = [f"pad{i}={i}" for i in range(gap)]
    else:
        filler = [f"export const pad{i} = {i};" for i in range(gap)]
    return "\n".join([top, *filler, last]) + "\n"


def _files(comparing: frozenset[str], made: bool, gap: int, edited: bool
           ) -> dict[str, str]:
    files = {"package.json": '{"name": "x", "type": "module"}\n', "tsconfig.json": TSCONFIG,
             "src/safe.ts": SAFE, "src/plain.ts": f"export const last = {2 if edited else 1};\n"}
    for name, (path, _rule, top) in OLD.items():
        if name in comparing:
            kind = "#" if path.endswith(".py") else "sh" if path.endswith(".sh") else "//"
            last = {"#": "LAST = {}", "sh": "last={}", "//": "export const last = {};"}[kind]
            files[path] = _padded(top, gap, last.format(2 if edited else 1), kind)
    if made:
        path, _rule, before, after, effect = MADE
        files[path] = "\n".join([after if edited else before, *[
            f"export const pad{i} = {i};" for i in range(gap)], effect]) + "\n"
    return files


@pytest.mark.long(seconds=23)
@settings(max_examples=3, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(comparing=st.frozensets(st.sampled_from(sorted(OLD))), made=st.booleans(),
       gap=st.integers(6, 20), modules=st.integers(5, 40))
def test_one_review_makes_one_copy_of_the_base(
        tmp_path_factory: pytest.TempPathFactory, eslint_tools: Path,
        shellcheck_tools: Path, comparing: frozenset[str], made: bool, gap: int,
        modules: int) -> None:
    scratch = tmp_path_factory.mktemp("copies")
    unrelated = {f"src/m{n}.ts": f"export const value{n} = {n};\n" for n in range(modules)}
    root = init_repo(scratch / "r", {**unrelated, **_files(comparing, made, gap, False)})
    git(root, "checkout", "-qb", "feature")
    write_files(root, _files(comparing, made, gap, True))
    git(root, "commit", "-qam", "change")
    temp = scratch / "tmp"
    temp.mkdir()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
           "TMPDIR": str(temp)}
    done = warm_cli.run(["-v", "review", "--base", "main", "--head", "feature", "--json",
                         "--fail-on", "never"], root, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    made_in = re.findall(r"the change's base made in (\S+)", done.stderr)
    removed = re.findall(r"the change's base in (\S+) removed", done.stderr)
    assert len(made_in) == (1 if comparing or made else 0), (comparing, made, made_in)
    assert sorted(removed) == sorted(made_in)
    assert not [p for p in made_in if Path(p).exists()], made_in  # gone with the review
    report = json.loads(done.stdout)
    kept = {(f["file"], f["rule"]) for bucket in ("remaining", "nits")
            for f in report["findings"][bucket]}
    for name in comparing:  # the base had it: outside the change, as before
        path, rule, _top = OLD[name]
        assert not [k for k in kept if k[0] == path and rule in k[1]], (name, sorted(kept))
    if made:  # an untouched line the change made a finding: the change's
        assert (MADE[0], MADE[1]) in kept, sorted(kept)
