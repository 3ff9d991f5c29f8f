"""`git.untracked`: an untracked folder is left out of a working-tree snapshot only on the
marker its tool really writes (a virtualenv's `pyvenv.cfg` with `home =`, a conda
environment's `conda-meta/history`, a repository's `.git` that git itself takes for one: a
git directory, or a `gitdir:` link to one).
Before, an empty `.git` file, an empty `pyvenv.cfg` or an empty `conda-meta/` folder beside
a user's sources dropped the folder whole, unsaid in the verdict. Every untracked file is
snapshotted, whatever its size (one over the ceiling was left out). Generated: marker x real
or look-alike x the folder's depth; `.git` shapes judged against git's own listing."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.repository import open_repository
from reviewloop.git.sizes import MAX_DIFFED_BYTES
from tests.support.gitutil import git
from tests.support.repos import init_repo, write

SOURCE = "import subprocess\nsubprocess.call(cmd, shell=True)\n"
# marker -> (files that make the real thing, files that only look like it)
MARKERS: dict[str, tuple[dict[str, str], list[dict[str, str]]]] = {
    "a virtualenv": ({"pyvenv.cfg": "home = /usr/bin\nversion = 3.11.7\n"}, [
        {"pyvenv.cfg": ""}, {"pyvenv.cfg": "version = 3.11.7\n"},
        {"pyvenv.cfg": "# home = /usr/bin\n"}, {"pyvenv.cfg/x.txt": "a folder\n"}]),
    "a conda environment": ({"conda-meta/history": "==> 2024-01-01 <==\n"}, [
        {"conda-meta/.keep": ""}, {"conda-meta/history/x.txt": "a folder\n"}]),
    "a git repository": ({".git/HEAD": "ref: refs/heads/main\n", ".git/objects/.k": "",
                          ".git/refs/.k": ""}, [
        {".git/config": "[core]\n"}, {".git/HEAD/x": "a folder\n"},
        {".git/HEAD": "ref: refs/heads/main\n"},  # HEAD alone: git lists its files
        {".git/HEAD": "ref: refs/heads/main\n", ".git/objects/.k": ""},
        {".git/HEAD": "nonsense\n", ".git/objects/.k": "", ".git/refs/.k": ""},
        {".git": "gitdir: ../.git/modules/app\n"},  # a submodule's folder copied elsewhere
        {".git": "gitdir: /nowhere/.git/worktrees/app\n"}, {".git": "gitdir:\n"}]),
}
WHERE = st.sampled_from(("app", "src/app", "lib/pkg/app"))


def _listed(root: Path) -> tuple[set[str], dict[str, str]]:
    """(the files the working-tree snapshot holds, the left-out paths with their reason)."""
    repo = open_repository(root)
    tree = repo.worktree_tree()
    files = set(git(root, "ls-tree", "-r", "--name-only", tree).split("\n")) - {""}
    skipped = {s.path: s.reason for s in repo.untracked_skipped()}
    return files, skipped


@settings(max_examples=60, deadline=None)
@given(marker=st.sampled_from(sorted(MARKERS)), where=WHERE, data=st.data())
def test_a_look_alike_marker_leaves_nothing_out(tmp_path_factory, marker: str, where: str,
                                                data: st.DataObject) -> None:
    root = init_repo(tmp_path_factory.mktemp("r") / "r", {"README.md": "x\n"})
    fake = data.draw(st.sampled_from(MARKERS[marker][1]))
    for rel, text in fake.items():
        write(root, f"{where}/{rel}", text)
    write(root, f"{where}/evil.py", SOURCE)
    files, skipped = _listed(root)
    assert f"{where}/evil.py" in files, (fake, files, skipped)
    assert not any(path.startswith(f"{where}/") for path in skipped), skipped


@settings(max_examples=20, deadline=None)
@given(marker=st.sampled_from(sorted(MARKERS)), where=WHERE)
def test_a_real_marker_leaves_its_folder_out_and_says_why(tmp_path_factory, marker: str,
                                                          where: str) -> None:
    root = init_repo(tmp_path_factory.mktemp("r") / "r", {"README.md": "x\n"})
    for rel, text in MARKERS[marker][0].items():
        write(root, f"{where}/{rel}", text)
    write(root, f"{where}/mod.py", SOURCE)
    files, skipped = _listed(root)
    assert not any(path.startswith(f"{where}/") for path in files), files
    assert skipped[f"{where}/"].startswith(marker), skipped


def test_a_worktree_link_leaves_its_folder_out(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    other = init_repo(tmp_path / "other", {"README.md": "x\n"})
    git(other, "worktree", "add", "-q", "--detach", str(root / "linked"))
    write(root, "linked/mod.py", SOURCE)
    files, skipped = _listed(root)
    assert "linked/mod.py" not in files
    assert skipped["linked/"].startswith("a git repository of its own")


HEADS = ("ref: refs/heads/main\n", "ref:refs/x", "0123456789abcdef0123456789abcdef01234567\n",
         "ref: heads/main\n", "deadbeef\n", "")
GITDIRS = ("{real}", "{real}/", "{bare}", "{headonly}", "{missing}", "../{rel}")


@settings(max_examples=60, deadline=None)
@given(shape=st.sampled_from(("folder", "file")), head=st.sampled_from(HEADS),
       objects=st.booleans(), refs=st.booleans(), gitdir=st.sampled_from(GITDIRS))
def test_a_dot_git_leaves_its_folder_out_exactly_when_git_does(
        tmp_path_factory, shape: str, head: str, objects: bool, refs: bool,
        gitdir: str) -> None:
    """Whatever the `.git` in an untracked folder, its files are in the snapshot exactly
    when git lists them (`git ls-files --others`: what `git add -A` stages)."""
    top = tmp_path_factory.mktemp("r")
    root = init_repo(top / "r", {"README.md": "x\n"})
    real = init_repo(top / "real", {"README.md": "x\n"}) / ".git"
    git(top, "init", "-q", "--bare", "bare.git")
    write(top, "headonly/HEAD", "ref: refs/heads/main\n")
    if shape == "folder":
        write(root, "app/.git/HEAD", head)
        for name, there in (("objects", objects), ("refs", refs)):
            if there:
                (root / "app" / ".git" / name).mkdir()
    else:
        linked = gitdir.format(real=real, bare=top / "bare.git", headonly=top / "headonly",
                               missing=top / "missing", rel="real/.git")
        write(root, "app/.git", f"gitdir: {linked}\n")
    write(root, "app/mod.py", SOURCE)
    listed = git(root, "ls-files", "--others", "--exclude-standard").split("\n")
    files, skipped = _listed(root)
    assert ("app/mod.py" in files) is ("app/mod.py" in listed), (listed, files, skipped)
    assert ("app/" in skipped) is ("app/mod.py" not in listed), skipped


@settings(max_examples=6, deadline=None)
@given(where=st.sampled_from(("", "data/", "data/deep/")), over=st.integers(1, 4096))
def test_an_untracked_file_over_the_ceiling_is_snapshotted(tmp_path_factory, where: str,
                                                           over: int) -> None:
    root = init_repo(tmp_path_factory.mktemp("r") / "r", {"README.md": "x\n"})
    (root / where).mkdir(parents=True, exist_ok=True)
    with (root / where / "dump.sql").open("wb") as fh:  # sparse: big without writing it
        fh.truncate(MAX_DIFFED_BYTES + over)
    files, skipped = _listed(root)
    assert f"{where}dump.sql" in files
    assert skipped == {}
