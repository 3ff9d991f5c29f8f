"""A review asks the project's ESLint config about all its changed files in one sandboxed
node run (and the reviewed tree's config in at most one more), however many files change.
A working-tree review's change is not the trust's `added` (the trust is measured
from the review's own snapshot), so each modified file got a run of its own, on a fresh
copy of the base: a 120-file review under strace reached 53 of them before its 180 s
timeout.

Generated: each review mode × a change of few or many modified files, spread over the
config's three cases (linted, a folder it ignores, one it turns no-eval off in); plain
`eslint .` is the oracle for what is reported and what is suppressed, run once for each
change (its files are the same in every mode) and read by that change's three reviews."""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path

import pytest

from tests.support import warm_cli
from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_files
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import MODES, outcomes

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

CONFIG = ('export default [{ ignores: ["skip/**"] }, { rules: { "no-eval": "error" } }, '
          '{ files: ["quiet/**"], rules: { "no-eval": "off" } }];\n')
FOLDERS = ("lint", "skip", "quiet")
RUN = re.compile(r"the project's ESLint config evaluated in the (trusted|reviewed) tree "
                 r"for (\d+) file\(s\)")


def _reviewed(root: Path, mode: str) -> tuple[dict, list[tuple[str, int]]]:
    """The JSON report of a `-v` review in `mode` (`review_cli.reviewed_in`'s), and the
    config runs its debug log names: (which tree, how many files)."""
    args: tuple[str, ...] = ()
    if mode != "working":
        git(root, "add", "-A")
        args = ("--staged",)
    if mode == "head":
        git(root, "commit", "-qm", "after")
        args = ("--base", "main", "--head", "feature")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    done = warm_cli.run(["-v", "review", *args, "--json", "--fail-on", "never"], root,
                        env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout), [(t, int(n)) for t, n in RUN.findall(done.stderr)]


@pytest.fixture(scope="module")
def plain_by_count() -> dict[int, set[str]]:
    """Plain ESLint's no-eval files for a change of each size, filled by its first test."""
    return {}


@pytest.mark.parametrize(("mode", "count"), list(itertools.product(MODES, (3, 15))))
def test_one_config_run_for_all_the_changed_files(tmp_path: Path, eslint_tools: Path,
                                                  plain_by_count: dict[int, set[str]],
                                                  mode: str, count: int) -> None:
    names = [f"{FOLDERS[i % len(FOLDERS)]}/m{i}.js" for i in range(count)]
    root = init_repo(tmp_path / "r", {"eslint.config.mjs": CONFIG,
                                      "package.json": '{"name": "x", "type": "module"}\n',
                                      **dict.fromkeys(names, "export const a = 1;\n")})
    git(root, "checkout", "-qb", "feature")
    write_files(root, dict.fromkeys(names, "export function run(s) {\n  return eval(s);\n}\n"))
    if count not in plain_by_count:  # the same files in every mode: one plain run
        plain_by_count[count] = rule_files(plain_eslint(root), "no-eval")
    plain = plain_by_count[count]
    assert plain and len(plain) < count, plain  # both kinds of file met
    report, runs = _reviewed(root, mode)
    suppressed, reported = outcomes(report, "no-eval")
    assert reported == plain
    assert suppressed == set(names) - plain
    # the trusted tree's config once for every file, the reviewed tree's once (it may
    # only take the suppressions away): two runs, for 3 files as for 15
    assert sorted(tree for tree, _ in runs) == ["reviewed", "trusted"], runs
    assert dict(runs)["trusted"] == count, runs
