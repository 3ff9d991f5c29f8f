"""Landing writes each file as `git checkout` writes it: the checkout's attributes and config
(`eol=crlf`, `text=auto` with `core.autocrlf`, `-text`, `binary`) apply, so a CRLF tasks.md
comes back CRLF — checked against git's own checkout of the landed commit."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import open_repository
from reviewloop.landing import engine
from reviewloop.state_dir import STATE_DIR
from tests.support.gitutil import git
from tests.support.repos import init_repo, write

ATTRIBUTES = ("", "*.md text eol=crlf\n", "* text=auto\n", "*.md text eol=lf\n",
              "*.md -text\n", "*.md binary\n", "*.md eol=crlf\n", "* text=auto eol=crlf\n")
AUTOCRLF = (None, "true", "input", "false")
# what the run commits: lines with LF or CRLF ends, or a few bytes no text is made of
CONTENT = st.one_of(
    st.lists(st.sampled_from(["- [x] 1. a", "- [ ] 2. b", "note", ""]), min_size=1,
             max_size=4).flatmap(lambda lines: st.sampled_from(["\n", "\r\n"]).map(
                 lambda end: end.join(lines) + end)),
    st.binary(min_size=1, max_size=12).map(lambda b: b"\0" + b))


def _repository(tmp: Path, attributes: str, autocrlf: str | None) -> Path:
    root = init_repo(tmp / "repo", {"tasks.md": "- [ ] 1. a\n- [ ] 2. b\n", "app.py": "x\n",
                                    ".gitattributes": attributes})
    if autocrlf is not None:
        git(root, "config", "core.autocrlf", autocrlf)
    git(root, "switch", "-qc", "work")
    open_repository(root).ensure_ignored(STATE_DIR)
    (root / "tasks.md").unlink()  # as git checks it out under these settings
    git(root, "checkout", "--", "tasks.md")
    return root


def _checked_out_by_git(root: Path, paths: tuple[str, ...]) -> dict[str, bytes]:
    """What `git checkout` writes for `paths` of HEAD, in a scratch worktree of `root`."""
    scratch = Path(tempfile.mkdtemp(prefix="checkout-")) / "tree"
    git(root, "worktree", "add", "-q", "--detach", str(scratch), "HEAD")
    try:
        return {p: (scratch / p).read_bytes() for p in paths}
    finally:
        git(root, "worktree", "remove", "--force", str(scratch))
        shutil.rmtree(scratch.parent, ignore_errors=True)


@settings(max_examples=24, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attributes=st.sampled_from(ATTRIBUTES), autocrlf=st.sampled_from(AUTOCRLF),
       tasks=CONTENT, notes=CONTENT)
def test_landing_writes_what_git_checkout_writes(attributes: str, autocrlf: str | None,
                                                 tasks: str | bytes, notes: str | bytes):
    with tempfile.TemporaryDirectory(prefix="land-eol-") as tmp:
        root = _repository(Path(tmp), attributes, autocrlf)
        tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
        run = Path(tree.path)
        write(run, "tasks.md", tasks)
        write(run, "notes/task_1.md", notes)
        git(run, "add", "-A")
        git(run, "commit", "-qm", "1: a")
        commit = git(run, "rev-parse", "HEAD").strip()
        checkout = open_repository(root)
        plan = engine.plan(checkout, commit, "work")

        assert engine.apply(checkout, plan) == []
        assert engine.apply(checkout, plan) == []  # a resume after a crash changes nothing

        landed = {p: (root / p).read_bytes() for p in plan.paths}
        assert landed == _checked_out_by_git(root, plan.paths)
        assert git(root, "status", "--porcelain") == ""


def test_a_crlf_spec_under_eol_crlf_lands_crlf_on_every_line(tmp_path: Path):
    root = _repository(tmp_path, "*.md text eol=crlf\n", None)
    assert (root / "tasks.md").read_bytes() == b"- [ ] 1. a\r\n- [ ] 2. b\r\n"
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    write(Path(tree.path), "tasks.md", "- [x] 1. a\r\n- [ ] 2. b\r\n")
    git(Path(tree.path), "commit", "-qam", "1: a")
    checkout = open_repository(root)

    engine.apply(checkout, engine.plan(checkout, git(Path(tree.path), "rev-parse",
                                                     "HEAD").strip(), "work"))

    assert (root / "tasks.md").read_bytes() == b"- [x] 1. a\r\n- [ ] 2. b\r\n"
    assert git(root, "status", "--porcelain") == ""


def test_a_smudge_filter_runs_as_git_checkout_runs_it(tmp_path: Path):
    """A `filter=` attribute (git-lfs is one): the landed file is the smudged text, and git
    sees it unchanged (its clean side gives the blob back)."""
    root = _repository(tmp_path, "*.md filter=upper\n", None)
    shout = "import sys; sys.stdout.write(sys.stdin.read().{}())"
    git(root, "config", "filter.upper.smudge", f"{sys.executable} -c '{shout.format('upper')}'")
    git(root, "config", "filter.upper.clean", f"{sys.executable} -c '{shout.format('lower')}'")
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    write(Path(tree.path), "tasks.md", "- [x] 1. a\n- [ ] 2. b\n")
    git(Path(tree.path), "commit", "-qam", "1: a")
    checkout = open_repository(root)
    plan = engine.plan(checkout, git(Path(tree.path), "rev-parse", "HEAD").strip(), "work")

    assert engine.apply(checkout, plan) == []

    assert (root / "tasks.md").read_bytes() == b"- [X] 1. A\n- [ ] 2. B\n"
    assert _checked_out_by_git(root, ("tasks.md",)) == {"tasks.md": b"- [X] 1. A\n- [ ] 2. B\n"}
    assert git(root, "status", "--porcelain") == ""
