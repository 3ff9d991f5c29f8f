"""Which comments of a pull request's JavaScript files count as the trusted side's — the
`/* global */` names handed to ESLint (`eslint_env.facts`), the `/* eslint rule */` configs
(`eslint_inline.trusted_configs`) and the suppression markers honoured (`base_markers`) — is
the same when the base's copies of all the files are read together (one `ls-tree`, one
`cat-file --batch`, `git.commit_files`) as when each file is judged alone, its base read by
itself (the old per-file reads: two git processes a file, three times over).

Generated: a fixed product of what a change does to a file's comments (left alone, the file
edited elsewhere, added, removed, moved down, changed, a string around them unwrapped, a line
of a spanning comment deleted, the file renamed and edited, added, deleted) × how the file is
named (plain, a space, a name no UTF-8), all in one pull request."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.eslint_env import facts
from reviewloop.checks.analyzers.eslint_inline import trusted_configs
from reviewloop.checks.suppressions.base_markers import file_markers
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.checks.suppressions.scope import pr_trust
from reviewloop.git.diff import FileStatus
from reviewloop.git.names import shown
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust
from tests.support.cli_main import run_cli
from tests.support.gitutil import git
from tests.support.processes import started
from tests.support.repos import commit, init_repo

COMMENTS = ('/* global alpha, beta: writable */\n/* eslint no-console: "error" */\n'
            "x(); // eslint-disable-line no-undef\n")
CODE = "export function f() {\n  return alpha + beta;\n}\n"
SPANNING = "/* global alpha,\n  beta,\n  gamma */\n"
# what the change does → (base text or None, head text or None)
CHANGES: dict[str, tuple[str | None, str | None]] = {
    "left alone": (COMMENTS + CODE, COMMENTS + CODE),
    "edited elsewhere": (COMMENTS + CODE, COMMENTS + CODE + "export const more = 1;\n"),
    "added": (CODE, COMMENTS + CODE),
    "removed": (COMMENTS + CODE, CODE + "export const more = 1;\n"),
    "moved down": (COMMENTS + CODE, "// one\n// two\n" + COMMENTS + CODE),
    "changed": (COMMENTS + CODE, COMMENTS.replace("beta", "delta") + CODE),
    "unwrapped": ("const s = `\n" + COMMENTS + "`;\n" + CODE, COMMENTS + CODE),
    "spanning cut": (SPANNING + CODE, SPANNING.replace("  beta,\n", "") + CODE),
    "renamed": (COMMENTS + CODE, None),  # its new name holds it edited: RENAMED_TO
    "new file": (None, COMMENTS + "".join(f"export const fresh{n} = {n} * alpha;\n"
                                          for n in range(12))),  # like no deleted file
    "deleted": ("export const removed = 0;\n", None),  # unlike the new file: no rename
}
NAMES = (b"src/%d.js", b"src/with space %d.js", b"src/caf\xe9 %d.js")


def _write(root: Path, name: bytes, text: str | None) -> None:
    path = os.path.join(os.fsencode(root), name)
    if text is None:
        if os.path.exists(path):
            os.remove(path)
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(text.encode())


def _pull_request(root: Path) -> AnalyzerContext:
    """The repository's `main` with each file's base, `feature` (checked out) with the
    change: the context an analyzer of the pull request gets."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    cases = list(itertools.product(CHANGES.values(), NAMES))
    for index, ((base, _), name) in enumerate(cases):
        _write(root, name % index, base)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    for index, ((_, head), name) in enumerate(cases):
        _write(root, name % index, head)
    for index, name in enumerate(NAMES):  # a rename git finds: the same text, one line more
        renamed = list(CHANGES).index("renamed") * len(NAMES) + index
        _write(root, name.replace(b"src/", b"lib/") % renamed,
               f"{CHANGES['renamed'][0]}export const more = 1;\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "change")
    trust = pr_trust(open_repository(root), "main", "feature")
    assert trust.changes is not None
    files = tuple(f.path for f in trust.changes.files if f.status is not FileStatus.DELETED)
    assert any(shown(os.fsdecode(b"caf\xe9")) in f for f in files)
    return AnalyzerContext(root, trust.changes, "", "review-maintainability", files=files,
                           trust=trust)


def _alone(ctx: AnalyzerContext, name: str) -> AnalyzerContext:
    return AnalyzerContext(ctx.root, ctx.changes, "", ctx.agent, files=(name,), trust=ctx.trust)


def test_the_trusted_comments_are_the_same_read_together_or_alone(tmp_path: Path) -> None:
    ctx = _pull_request(tmp_path / "r")
    names = list(ctx.files)
    trust = ctx.trust
    assert isinstance(trust, Trust)

    with started() as together_runs:
        together = (facts(ctx, names), trusted_configs(ctx, names))
        files = TrustedFiles(open_repository(ctx.root), ctx.root, trust)
        files.want_bases(names)
        markers = {name: file_markers(files, name) for name in names}
    alone = ({k: v for name in names for k, v in facts(_alone(ctx, name), [name]).items()},
             {k: v for name in names for k, v in trusted_configs(_alone(ctx, name),
                                                                 [name]).items()})
    markers_alone = {name: file_markers(TrustedFiles(open_repository(ctx.root), ctx.root,
                                                     trust), name) for name in names}

    assert together == alone
    assert markers == markers_alone
    # the outcomes differ by what the change did: some declare, some do not
    declared = {Path(key).name: f.declared for key, f in together[0].items()}
    case = {change: f"{len(NAMES) * index}.js" for index, change in enumerate(CHANGES)}
    assert declared[case["edited elsewhere"]] == (("alpha", "readonly"), ("beta", "writable"))
    assert declared[case["moved down"]] == declared[case["edited elsewhere"]]
    assert declared[case["added"]] == declared[case["unwrapped"]] == ()
    assert declared[case["spanning cut"]] == declared[case["new file"]] == ()
    configs = {Path(name).name for name in together[1]}
    assert case["edited elsewhere"] in configs and case["new file"] not in configs
    assert markers[f"src/{case['edited elsewhere']}"] and not markers[f"src/{case['added']}"]
    # the bases read together: a few git processes, not two a file
    reads = [argv for argv in together_runs if "ls-tree" in argv or "cat-file" in argv]
    assert len(reads) <= 4, reads


def _review_runs(root: Path, count: int, monkeypatch: pytest.MonkeyPatch,
                 capsys: pytest.CaptureFixture[str]) -> list[list[str]]:
    """The git processes of a review of a pull request editing `count` JavaScript files,
    each with trusted comments, global and rule comments and suppression markers."""
    files = {f"src/m{index}.js": COMMENTS + CODE.replace("f()", f"f{index}()")
             for index in range(count)}
    init_repo(root, {"eslint.config.js": 'export default [{ rules: { "no-undef": "error" } }];\n',
                     "package.json": '{"name": "x", "type": "module"}\n', **files})
    git(root, "checkout", "-qb", "feature")
    commit(root, {name: text + "export const more = gamma;\n" for name, text in files.items()})
    monkeypatch.chdir(root)
    with started() as runs:
        code, out, err = run_cli(capsys, "review", "--base", "main", "--head", "feature",
                                 "--fail-on", "never", "--json")
    assert code == 0, err[-2000:]
    assert sum(f["rule"] == "no-undef" for f in json.loads(out)["findings"]["remaining"]) \
        == count  # each file's `gamma`: ESLint ran on them all
    return [argv for argv in runs if argv[0] == "git"]


@pytest.mark.npm
def test_a_reviews_git_processes_do_not_grow_with_its_javascript_files(
        tmp_path: Path, eslint_tools: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Each file's base was read alone three times (two git processes each) and the
    repository opened twice a file: 838 git processes for 100 files. Now 4 files or 16 start
    about the same few (the first base read of a step reads its files together)."""
    few = _review_runs(tmp_path / "few", 4, monkeypatch, capsys)
    many = _review_runs(tmp_path / "many", 16, monkeypatch, capsys)
    assert len(many) - len(few) <= 2, (len(few), len(many))
    alone = [argv for argv in many if "cat-file" in argv and "blob" in argv]
    assert len(alone) <= 2, alone  # a blob read by itself: a config file, not each file
