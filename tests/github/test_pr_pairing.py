"""A pull request's verdict does not depend on how git paired its renames along the way.

Git pairs a renamed file with its old name only while the two are at least half alike: a
push that grows or shrinks a renamed file can turn the PR's rename into a deleted file and a
new one (every line of it then added by the PR, the base's own code with it), or the reverse
(the file's lines the base's again). A follow-up push reads such a file with its whole part
of the PR's diff (`github.followup.pairing`), so after every push of a generated history —
renames with edits of every size, growing, shrinking, a file split in two, replaced by a new
one, put back — the PR's must-fix count, its open findings and the exit code equal those of
a fresh review of the same head. (A history's every prefix is a history of its own: the last
head is the one compared.)

`reviewloop review --github` runs as the Action runs it, against the loopback GitHub fake,
analyzers only (no model)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.github.whole_checks import WHOLE
from tests.support.github import GitHubFake
from tests.support.pr_mode import git
from tests.support.pr_runs import Run, payload, pushed_event, review, shown
from tests.support.repos import branch_repo, write

BAD = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def helpers(first: int, count: int) -> str:
    """`count` small harmless functions, numbered from `first`."""
    return "".join(f"\n\ndef ok{n}():\n    return {n}\n" for n in range(first, first + count))


BASE = BAD + helpers(0, 8)  # a.py on main: a must-fix the base already has, and its helpers
Op = tuple[str, int]  # (what the push does, a size: functions added, or which file)


def _files(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("*.py"))


def _first(text: str) -> str:
    """The text up to its second function: its imports and first function."""
    second = text.find("\n\n\ndef ", text.find("def "))
    return text[:second + 1] if second > 0 else text


def apply(root: Path, op: Op, serial: int) -> None:
    """Make one change of a push in the checkout (`serial`: a number of its own, for the
    names it gives and the functions it adds)."""
    kind, size = op
    files = _files(root)
    name = files[size % len(files)]
    path = root / name
    text = path.read_text()
    if kind == "rename":  # git mv, then `size` functions added (0: a pure rename)
        git(root, "mv", name, f"r{serial}.py")
        (root / f"r{serial}.py").write_text(text + helpers(100 * serial, size))
    elif kind == "grow":
        path.write_text(text + helpers(100 * serial, size + 1))
    elif kind == "shrink":
        path.write_text(_first(text))
    elif kind == "restore":  # the base's a.py again, under its present name
        path.write_text(BASE)
    elif kind == "split":  # from its second function on, to a new file
        head = _first(text)
        if head != text:
            path.write_text(head)
            write(root, f"s{serial}.py", text[len(head) + 2:])
    elif kind == "replace":  # deleted, and a new file holding its first function
        git(root, "rm", "-qf", name)
        write(root, f"n{serial}.py", _first(text))
    elif kind == "back":  # the base's a.py back, name and content, in place of this file
        git(root, "rm", "-qf", name)
        write(root, "a.py", BASE)
    git(root, "add", "-A")  # the next change of the push sees this one's files


OPS = st.tuples(st.sampled_from(["rename", "grow", "shrink", "restore", "split", "replace",
                                 "back"]), st.integers(0, 9))
HISTORIES = st.lists(st.lists(OPS, min_size=1, max_size=2), min_size=1, max_size=2)


def open_findings(root: Path) -> Counter[tuple[str, str, str]]:
    """The PR's open findings after the last run in `root`, as its record in the store has
    them (`runs.records.save_pull`): (rule, file, severity) each. A check of the whole PR
    (`github.whole_checks`: "no test changed") is one finding of the PR, not of a file: it
    keeps the file it was first posted on while that file is the PR's (`whole_files`), so
    only its rule is compared."""
    (record,) = (root / ".reviewloop" / "pulls").glob("*.json")
    entries = json.loads(record.read_text())["summary"]["ledger"]["entries"]
    return Counter((f["rule"], "" if f["source"] in WHOLE else f["file"], f["severity"])
                   for e in entries if e["status"] == "open" for f in [e["finding"]])


def fresh(root: Path, tmp: Path) -> tuple[Run, Counter[tuple[str, str, str]]]:
    """The head reviewed as a new pull request, in a clone of its own: the oracle."""
    clone = tmp / "clone"
    tmp.mkdir(parents=True)
    git(tmp, "clone", "-q", str(root), str(clone))
    git(clone, "checkout", "-q", git(root, "rev-parse", "HEAD"))
    git(clone, "branch", "-f", "main", git(root, "rev-parse", "main"))
    with GitHubFake() as gh:
        shown(gh, clone)
        run = review(clone, tmp / "run", gh, payload(clone, "opened"))
    return run, open_findings(clone)


def _verdict(run: Run, found: Counter[tuple[str, str, str]]) -> tuple[object, ...]:
    return run.code, run.outputs["must_fix"], run.counts(), sorted(found.elements())


Pushes = list[list[Op]]


@pytest.mark.long(seconds=19)
@pytest.mark.timeout(1200)  # about a minute an example, on a busy machine
@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pushes=HISTORIES)
# the fuzzer's witnesses: a pure rename, then grown past git's pairing (a missed must-fix);
# the file replaced by a new one, then its old content back (a stale must-fix)
@example(pushes=[[("rename", 0)], [("grow", 7)]])
@example(pushes=[[("replace", 0)], [("restore", 0)]])
def test_a_follow_up_judges_the_head_as_a_fresh_review_whatever_git_paired_before(
        tmp_path: Path, pushes: Pushes) -> None:
    case = tmp_path / "case"
    shutil.rmtree(case, ignore_errors=True)  # hypothesis runs every example in one tmp_path
    root = branch_repo(case / "repo", {"a.py": BASE, "README.md": "x\n"}, {"NOTES.md": "n\n"})
    with GitHubFake() as gh:
        shown(gh, root)
        review(root, case / "run0", gh, payload(root, "opened"))
        for serial, push in enumerate(pushes, 1):
            for at, op in enumerate(push):
                apply(root, op, 10 * serial + at)
            # a note each push, so that a push whose changes cancel out is still a commit
            event = pushed_event(root, gh, f"push {serial}: {push}",
                                 {"NOTES.md": f"push {serial}\n"})
            run = review(root, case / f"run{serial}", gh, event)
    found = open_findings(root)
    pairs = git(root, "diff", "--name-status", "main...HEAD").replace("\n", " | ")
    assert _verdict(run, found) == _verdict(*fresh(root, case / "fresh")), pairs
    # the whole PR's "no test changed" sits on one of the PR's files at its head, never on
    # one a rename git no longer pairs took out of it
    at_head = set(git(root, "diff", "--name-only", "--diff-filter=d", "main...HEAD").split())
    assert whole_files(root) <= at_head, pairs


def whole_files(root: Path) -> set[str]:
    """The files the PR's open findings of a whole-PR check sit on, as its record has them."""
    (record,) = (root / ".reviewloop" / "pulls").glob("*.json")
    entries = json.loads(record.read_text())["summary"]["ledger"]["entries"]
    return {e["finding"]["file"] for e in entries
            if e["status"] == "open" and e["finding"]["source"] in WHOLE}
