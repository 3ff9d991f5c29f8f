"""A finding on a file a push renamed moves with it: the next review posts its comment on the
new path (a live thread where GitHub's "Files changed" shows the code), resolves the old
thread, now outdated on a path the PR no longer has, and edits the old comment to point to
the new one, without a marker; later pushes read one comment for it, never two
(`github.publish._carry`).

Rename shapes are generated: the new name (another name, another folder, another
extension), whether the file was new in the PR or changed by it, an edit with the rename
(lines above the finding, below it, none), then a later push (unrelated, or the fix).
`reviewloop review --github` runs as the Action runs it, against the loopback GitHub fake,
analyzers only (no model)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.github.markers import read_marker
from tests.support.github import GitHubFake
from tests.support.pr_mode import KEY, git
from tests.support.pr_runs import payload, pushed, pushed_event, review, shown
from tests.support.repos import branch_repo

BAD = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
FIXED = BAD.replace("cmd, shell=True", "list(cmd)")
EDITS = {"none": lambda text: text, "above": lambda text: "# moved\n# here\n" + text,
         "below": lambda text: text + "\n\ndef other():\n    return 2\n"}


def _carriers(gh: GitHubFake) -> list[dict]:
    """The review comments that carry B602's finding marker."""
    return [c for c in gh.state.review_comments
            if (m := read_marker(c["body"], KEY, "finding")) and m.data["f"].get("rule") == "B602"]


def _prints(comments: Iterable[dict]) -> set[str]:
    """The findings `comments` carry a marker for."""
    return {m.data["f"]["fp"] for c in comments if (m := read_marker(c["body"], KEY, "finding"))}



@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(new=st.sampled_from(["b.py", "pkg/a.py", "a.pyw", "deep/er/c.py"]),
       on_main=st.booleans(), edit=st.sampled_from(sorted(EDITS)),
       fix_later=st.booleans())
def test_an_open_finding_moves_with_its_renamed_file_and_stays_one_comment(
        tmp_path: Path, new: str, on_main: bool, edit: str, fix_later: bool) -> None:
    case = tmp_path / f"{new.replace('/', '_')}-{on_main}-{edit}-{fix_later}"
    shutil.rmtree(case, ignore_errors=True)  # hypothesis replays a failing example
    base = {"README.md": "x\n", **({"a.py": "import subprocess\n"} if on_main else {})}
    root = branch_repo(case / "repo", base, {"a.py": BAD}, message="push 1")
    with GitHubFake() as gh:
        shown(gh, root)
        assert review(root, case / "run1", gh, payload(root, "opened")).code == 1
        (old,) = _carriers(gh)
        assert old["path"] == "a.py"

        (root / new).parent.mkdir(parents=True, exist_ok=True)
        git(root, "mv", "a.py", new)
        pushed(root, gh, case / "run2", f"rename to {new}", {new: EDITS[edit](BAD)})
        (carrier,) = _carriers(gh)  # one comment carries it, on the new path, live
        line = 5 + (2 if edit == "above" else 0)
        assert (carrier["path"], carrier["line"]) == (new, line), carrier
        assert "Moved here from `a.py`" in carrier["body"]
        was = next(c for c in gh.state.review_comments if c["id"] == old["id"])
        assert read_marker(was["body"], KEY) is None
        assert f"now on `{new}:{line}`" in was["body"] and carrier["html_url"] in was["body"]
        assert gh.thread_of(old["id"])["resolved"]
        assert not gh.thread_of(carrier["id"])["resolved"]

        posted = _prints(gh.state.review_comments)
        last = max(c["id"] for c in gh.state.review_comments)
        pushed(root, gh, case / "run3", "fix" if fix_later else "unrelated",
              {new: EDITS[edit](FIXED)} if fix_later else {"README.md": "y\n"})
        # nothing posted again (the fix may bring a finding of its own: B603)
        assert not _prints(c for c in gh.state.review_comments if c["id"] > last) & posted
        (still,) = _carriers(gh)
        assert still["id"] == carrier["id"]
        assert ("Fixed" in still["body"]) == fix_later
        assert gh.thread_of(carrier["id"])["resolved"] == fix_later
        assert not any("another run posted" in c["body"] for c in gh.state.review_comments)


def test_a_move_cut_short_is_finished_by_the_next_run_without_a_second_comment(
        tmp_path: Path) -> None:
    """GitHub fails the edit of the old comment after the new one was posted; the next run
    finishes the move: one comment carries the finding, none is retired as a copy."""
    root = branch_repo(tmp_path / "repo", {"README.md": "x\n"}, {"a.py": BAD})
    with GitHubFake() as gh:
        shown(gh, root)
        review(root, tmp_path / "run1", gh, payload(root, "opened"))
        (old,) = _carriers(gh)
        git(root, "mv", "a.py", "b.py")
        event = pushed_event(root, gh, "rename")
        # no wait asked (Retry-After: 0): the edit's retries all fail at once, not over 15 s
        gh.outage(500, match=f"PATCH /repos/{old['_pr'][0]}/pulls/comments/{old['id']}",
                  headers={"retry-after": "0"})
        cut = review(root, tmp_path / "run2", gh, event)
        assert cut.outputs["published"] == "false", cut.stderr
        assert len(_carriers(gh)) == 2  # the new one posted, the old one not yet edited
        gh.heal()
        review(root, tmp_path / "run2-again", gh, event)
        (carrier,) = _carriers(gh)
        assert (carrier["path"], carrier["line"]) == ("b.py", 5)
        was = next(c for c in gh.state.review_comments if c["id"] == old["id"])
        assert "now on `b.py:5`" in was["body"] and gh.thread_of(old["id"])["resolved"]
        assert not any("another run posted" in c["body"] for c in gh.state.review_comments)
        assert sum(1 for c in gh.state.review_comments if c["path"] == "b.py"
                   and "B602" in c["body"]) == 1
