"""A pull request's follow-up push, whatever its shape (a rename, a move, a rename with an
edit, the base merged in, a retarget, a plain edit, a fix), leaves the PR with the findings and
the verdict a fresh review of the whole PR at that head gives, and with the must-fixes plain
bandit reports on the PR's files (`github.followup`): nothing the PR still adds is "fixed",
nothing only the base brought counts against it.

`reviewloop review --github` runs as the Action runs it, against the loopback GitHub fake,
analyzers only (no model)."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewloop.github.converge import LEFT
from tests.support import warm_cli
from tests.support.github import GitHubFake
from tests.support.pr_mode import EVENTS, PR_NUMBER, PR_REPO, git
from tests.support.repos import commit, init_repo

BAD = "import subprocess\n\n\ndef g(x):\n    return subprocess.call(x, shell=True)\n"
APP = "".join(f"\n\ndef f{n}():\n    return {n}\n" for n in range(4)).lstrip()
DEV_BAD = "# develop's\n\n" + BAD  # its must-fix on line 7, the PR's on line 5
PYPROJECT = ('[project]\nname = "x"\nversion = "0"\nrequires-python = ">=3.11"\n'
             '[tool.ruff.lint]\nselect = ["E", "S"]\n')
Shape = Callable[[Path], None]


def sh(root: Path, *commands: str) -> None:
    for command in commands:
        subprocess.run(command, shell=True, cwd=root, check=True, capture_output=True)


def merge_base_branch(base: str) -> Shape:
    """GitHub's "Update branch": the base gains a file with a must-fix, merged into the PR."""
    def shape(root: Path) -> None:
        sh(root, f"git switch -q {base}")
        commit(root, {f"{base}_bad.py": BAD}, f"{base} gains a file")
        sh(root, "git switch -q feature", f"git merge -q --no-edit {base}")
    return shape


def base_took_the_file(base: str) -> Shape:
    """The base branch gets bad.py as the PR has it, then is merged in: bad.py leaves the PR's
    change though the head still has it."""
    def shape(root: Path) -> None:
        sh(root, f"git switch -q {base}")
        commit(root, {"bad.py": BAD}, f"{base} takes bad.py")
        sh(root, "git switch -q feature", f"git merge -q --no-edit {base}")
    return shape


def base_edited_a_pr_file(base: str) -> Shape:
    """The base adds a must-fix at the top of app.py, which the PR changes at its end; merged
    in, the base's lines are not the PR's."""
    def shape(root: Path) -> None:
        sh(root, f"git switch -q {base}")
        app = root / "app.py"
        commit(root, {"app.py": BAD + "\n\n" + app.read_text()}, f"{base} edits app.py")
        sh(root, "git switch -q feature", f"git merge -q --no-edit {base}")
    return shape


SHAPES: dict[str, Shape] = {
    "rename": lambda r: sh(r, "git mv bad.py bad2.py"),
    "move": lambda r: sh(r, "mkdir pkg", "git mv bad.py pkg/bad.py"),
    "rename+edit": lambda r: sh(r, "git mv bad.py bad2.py", "echo '# moved' >> bad2.py",
                                "git add bad2.py"),
    "rename+edit elsewhere": lambda r: sh(r, "git mv bad.py bad2.py", "echo 'y = 2' >> f.py",
                                          "git add f.py"),
    "rename to pyw": lambda r: sh(r, "git mv bad.py bad.pyw"),
    "plain edit": lambda r: sh(r, "echo 'y = 2' >> f.py", "git add f.py"),
    "fix": lambda r: sh(r, "sed -i 's/x, shell=True/[x]/' bad.py", "git add bad.py"),
    # which base these merge depends on the retarget: see `push`
    "base merged in": lambda r: None,
    "base took bad.py": lambda r: None,
    "base edited a PR file": lambda r: None,
    "no push (edited)": lambda r: None,  # the PR's base or title edited, no new commit
}
BASE_SHAPES = {"base merged in": merge_base_branch, "base took bad.py": base_took_the_file,
               "base edited a PR file": base_edited_a_pr_file}
RETARGETS = [("develop", "develop"), ("develop", "main"), ("main", "develop")]
# every shape without a retarget, and a fixed-seed sample of the shapes with one
CASES = [(s, "develop", "develop") for s in SHAPES] + random.Random(8).sample(
    [(s, a, b) for s in SHAPES for a, b in RETARGETS if a != b], 6)


def make_repo(root: Path) -> Path:
    """main; develop: main and dev_bad.py (a must-fix); feature, from develop: bad.py (a
    must-fix), f.py and a function at the end of app.py."""
    init_repo(root, {"pyproject.toml": PYPROJECT, "app.py": APP,
                     "tests/test_app.py": "def test_ok():\n    assert True\n"})
    sh(root, "git switch -qc develop")
    commit(root, {"dev_bad.py": DEV_BAD}, "develop's own")
    sh(root, "git switch -qc feature")
    commit(root, {"bad.py": BAD, "f.py": "x = 1\n",
                  "app.py": APP + "\n\ndef two():\n    return 2\n"}, "push 1")
    return root


def review(root: Path, tmp: Path, gh: GitHubFake, action: str, base: str,
           **extra: str) -> tuple[int, dict[str, str], str]:
    """One Actions run: (exit code, step outputs, the job summary of this run)."""
    payload = json.loads((EVENTS / f"pull_request.{action.replace('edited', 'opened')}.json")
                         .read_text()) | {"action": action}
    payload["pull_request"]["base"] |= {"sha": git(root, "rev-parse", base), "ref": base}
    payload["pull_request"]["head"]["sha"] = git(root, "rev-parse", "HEAD")
    payload["pull_request"]["head"]["repo"] = {"full_name": PR_REPO}
    payload.update(extra)
    tmp.mkdir(parents=True)
    (tmp / "event.json").write_text(json.dumps(payload))
    (tmp / "outputs.txt").write_text("")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k != "REVIEWLOOP_MODEL"}
    env |= {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(tmp / "event.json"), "GITHUB_API_URL": gh.url,
            "GITHUB_TOKEN": "ghs_test", "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
            "GITHUB_OUTPUT": str(tmp / "outputs.txt")}
    done = warm_cli.run(["review"], root, env=env, timeout=300)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    outputs = dict(line.split("=", 1) for line in (tmp / "outputs.txt").read_text().splitlines())
    return done.returncode, outputs, (tmp / "summary.md").read_text()


def show(gh: GitHubFake, root: Path, base: str, *, before: str | None = None) -> None:
    """Tell the fake the PR's diff and head now, as GitHub would know them."""
    diff = raw_diff(root, f"{base}...HEAD")
    head = git(root, "rev-parse", "HEAD")
    if before is None:
        gh.open_pr(PR_REPO, PR_NUMBER, diff, head_sha=head)
    else:
        gh.push(PR_REPO, PR_NUMBER, diff, head_sha=head, moved_by=raw_diff(root, before, "HEAD"))


def raw_diff(root: Path, *revs: str) -> str:
    """`git diff` as it prints it (a context line of a blank line ends in a space)."""
    return subprocess.run(["git", "diff", *revs], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def open_findings(summary: str) -> list[str]:
    """"🔴 bad2.py:5 title"-style entries the job summary lists as open on the PR
    (`test-changes`' "no test change" too: it judges the PR's whole change,
    `github.whole_checks`)."""
    found = []
    for section in ("Remaining findings", "Nits"):
        part = re.search(rf"^### {section}\n(.*?)(?=^###|\Z)", summary, re.M | re.S)
        found += re.findall(r"^- (\S+) \*\*[^*]+\*\* `([^`]+)` (.*)$", part[1] if part else "",
                            re.M)
    return sorted(f"{emoji} {where} {title}" for emoji, where, title in found)


def plain_bandit_must_fix(root: Path, base: str, tmp: Path) -> list[str]:
    """Plain bandit's B602 the PR brings: on the files its change (base...HEAD) adds or
    modifies, those bandit does not report on the same file's code at the merge base."""
    files = [f for f in git(root, "diff", "--name-only", "--diff-filter=AMR",
                            f"{base}...HEAD").splitlines() if f.endswith((".py", ".pyw"))]
    merge_base = git(root, "merge-base", base, "HEAD")
    old = tmp / "merge-base"
    for path in files:
        shown = subprocess.run(["git", "show", f"{merge_base}:{path}"], cwd=root,
                               capture_output=True, text=True)
        if shown.returncode == 0:
            (old / path).parent.mkdir(parents=True, exist_ok=True)
            (old / path).write_text(shown.stdout)
    had = Counter(_what(r) for r in _bandit(old, [f for f in files if (old / f).exists()]))
    found = []
    for r in _bandit(root, files):
        if had[_what(r)] > 0:
            had[_what(r)] -= 1
        else:
            found.append(f"{r['filename']}:{r['line_number']}")
    return sorted(found)


def _what(result: dict) -> tuple[str, str]:
    """A bandit result by its file and code, without line numbers."""
    code = "\n".join(line.split(" ", 1)[-1] for line in result["code"].splitlines())
    return result["filename"], code


def _bandit(root: Path, files: list[str]) -> list[dict]:
    """Plain bandit's B602 results on `files` (paths relative to `root`)."""
    if not files:
        return []
    done = subprocess.run([sys.executable, "-m", "bandit", "-q", "-f", "json", *files],
                          cwd=root, capture_output=True, text=True)
    return [r | {"filename": r["filename"].removeprefix("./")}
            for r in json.loads(done.stdout)["results"] if r["test_id"] == "B602"]


@pytest.mark.parametrize(("shape", "first", "then"), CASES,
                         ids=[f"{s}-{a}-{b}" for s, a, b in CASES])
def test_a_follow_up_push_leaves_what_a_fresh_review_of_the_pr_finds(
        shape: str, first: str, then: str, tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    with GitHubFake() as gh:
        show(gh, root, first)
        review(root, tmp_path / "run1", gh, "opened", first)
        first_open = open_findings(gh.state.issue_comments[-1]["body"])
        before = git(root, "rev-parse", "HEAD")
        (BASE_SHAPES[shape](then) if shape in BASE_SHAPES else SHAPES[shape])(root)
        if shape == "no push (edited)":
            show(gh, root, then)
            code, outputs, summary = review(root, tmp_path / "run2", gh, "edited", then)
        else:
            sh(root, f"git commit -qm 'push 2: {shape}' --allow-empty")
            show(gh, root, then, before=before)
            code, outputs, summary = review(root, tmp_path / "run2", gh, "synchronize", then,
                                            before=before,
                                            after=git(root, "rev-parse", "HEAD"))
    with GitHubFake() as fresh:  # the oracle: the whole PR at this head, reviewed anew
        show(fresh, root, then)
        want_code, want_outputs, want_summary = review(root, tmp_path / "fresh", fresh,
                                                       "opened", then)
    counts = ("must_fix", "should_fix", "nit")
    assert (code, [outputs[k] for k in counts]) == (
        want_code, [want_outputs[k] for k in counts]), summary
    assert open_findings(summary) == open_findings(want_summary), summary
    must_fix = [f.split()[1] for f in open_findings(summary) if f.startswith("🔴")]
    assert must_fix == plain_bandit_must_fix(root, then, tmp_path), summary
    # "fixed" only what the PR no longer has (by what it is, wherever it moved); one on a
    # file that left the PR's change is not fixed but no longer in this pull request
    left = left_files(root, f"{first}...{before}", f"{then}...HEAD", before)
    stayed = [f for f in first_open if f.split()[1].rsplit(":", 1)[0] not in left]
    gone = Counter(titles(stayed, "🔴")) - Counter(titles(open_findings(want_summary), "🔴"))
    assert f"Findings fixed: 🔴 {gone.total()} must fix" in summary, summary
    for f in first_open:
        if f.startswith("🔴") and f.split()[1].rsplit(":", 1)[0] in left:
            assert re.search(rf"^- 🔴 `{re.escape(f.split()[1])}` .* — {re.escape(LEFT)}",
                             summary, re.M), summary


def left_files(root: Path, was: str, now: str, before: str) -> set[str]:
    """Plain git: the files the PR's change held at the last review (`was`) and holds no
    more (`now`), those the new commits renamed aside."""
    def names(rev: str) -> set[str]:
        return set(git(root, "diff", "--name-only", rev).splitlines())
    renamed = {line.split("\t")[1] for line in git(root, "diff", "-M", "--name-status",
                                                     "--diff-filter=R", before, "HEAD")
               .splitlines()}
    return names(was) - names(now) - renamed


def titles(found: list[str], emoji: str) -> list[str]:
    """What each finding is, wherever its file moved: its line and title."""
    return [f"{f.split(' ', 2)[1].rsplit(':', 1)[-1]} {f.split(' ', 2)[2]}" for f in found
            if f.startswith(emoji)]


# an AWS key id and a GitHub token, in pieces so that no scanner takes this file for a leak
SECRETS = ('AWS_ACCESS_KEY_ID = "AKIA' + 'QWERTYUIOPASDFGH"\n'
           'GH = "ghp_' + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + '"\n')


@pytest.mark.parametrize("move", ["git mv settings.py conf.py",
                                  "mkdir cfg && git mv settings.py cfg/settings.py"])
def test_moving_a_file_with_secrets_keeps_the_secrets_gate_failed(move: str,
                                                                   tmp_path: Path) -> None:
    """The secrets gate judges the PR's change: a moved file still adds its secrets."""
    root = tmp_path / "repo"
    init_repo(root, {"pyproject.toml": PYPROJECT})
    sh(root, "git switch -qc feature")
    commit(root, {"settings.py": SECRETS}, "push 1")
    with GitHubFake() as gh:
        show(gh, root, "main")
        first, first_outputs, _ = review(root, tmp_path / "run1", gh, "opened", "main")
        before = git(root, "rev-parse", "HEAD")
        sh(root, move, "git commit -qm 'push 2'")
        show(gh, root, "main", before=before)
        code, outputs, summary = review(root, tmp_path / "run2", gh, "synchronize", "main",
                                        before=before, after=git(root, "rev-parse", "HEAD"))
    added = [line for line in raw_diff(root, "main...HEAD").splitlines()
             if line.startswith("+") and ("AKIA" in line or "ghp_" in line)]
    assert len(added) == 2  # plain git: the PR still adds both
    assert (code, outputs["must_fix"]) == (first, first_outputs["must_fix"]) == (1, "2"), summary
    assert "Findings fixed: 🔴 0 must fix" in summary, summary


@pytest.mark.parametrize("pr_tests", [True, False], ids=["PR changes tests", "no test"])
def test_a_follow_up_push_judges_test_changes_on_the_whole_pr(pr_tests: bool,
                                                              tmp_path: Path) -> None:
    """A push changing code but no test: `test-changes` judges the PR's whole change
    (`github.whole_checks`), so a PR that changes tests gets no "no test change", and one
    that does not keeps the one finding its first review posted (never a second)."""
    root = make_repo(tmp_path / "repo")
    if pr_tests:
        commit(root, {"tests/test_app.py": "def test_ok():\n    assert 2 > 1\n"}, "tests")
    with GitHubFake() as gh:
        show(gh, root, "develop")
        review(root, tmp_path / "run1", gh, "opened", "develop")
        before = git(root, "rev-parse", "HEAD")
        sh(root, "echo 'y = 2' >> f.py", "git add f.py", "git commit -qm 'push 2'")
        show(gh, root, "develop", before=before)
        _, _, summary = review(root, tmp_path / "run2", gh, "synchronize", "develop",
                               before=before, after=git(root, "rev-parse", "HEAD"))
        posted = [c for c in gh.state.review_comments if "test-changes/no-test-change" in
                  c["body"]] + [r for r in gh.state.reviews if "with no test change" in
                                (r.get("body") or "")]
    changed = git(root, "diff", "--name-only", "develop...HEAD").splitlines()
    tested = any(p.startswith("tests/") for p in changed)  # plain git: the PR's change
    part = re.search(r"^### Remaining findings\n(.*?)(?=^###|\Z)", summary, re.M | re.S)
    open_ones = re.findall(r"^- .*with no test change.*$", part[1] if part else "", re.M)
    assert len(open_ones) == (0 if tested else 1), summary
    assert len(posted) == (0 if tested else 1), posted
