"""reviewloop.git.provenance on real repositories: a file as a commit or a tree holds it, and
the commit that wrote a line."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.provenance import Origin, blame, link_at, links_at, read_at
from reviewloop.git.repository import Repository, open_repository
from tests.support.gitutil import git
from tests.support.repos import init_repo


def _repo(tmp_path: Path) -> tuple[Repository, str]:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "link.json").symlink_to("cfg/base.json")
    init_repo(root, {"cfg/base.json": '{"version": 1}\n', "app.py": "a = 1\nb = 2\n"})
    return open_repository(root), git(root, "rev-parse", "HEAD").strip()


def test_a_file_is_read_as_the_commit_or_tree_holds_it(tmp_path: Path) -> None:
    repo, base = _repo(tmp_path)
    # the tree moves on (another size: a same-size edit within the commit's second can look
    # unchanged to git's stat cache, see the report of this branch)
    (repo.root / "cfg/base.json").write_text('{"version": 20}\n')

    assert read_at(repo, base, "cfg/base.json") == '{"version": 1}\n'
    assert read_at(repo, repo.snapshot().tree, "cfg/base.json") == '{"version": 20}\n'
    assert read_at(repo, base, "missing.json") is None
    assert read_at(repo, base, "cfg") is None  # a folder is no file
    assert read_at(repo, base, "link.json") is None  # a symlink is never followed


def test_blame_names_the_commit_that_wrote_a_line_and_where_it_was(tmp_path: Path) -> None:
    repo, base = _repo(tmp_path)
    (repo.root / "app.py").write_text("top = 0\na = 1\nb = 3\n")
    git(repo.root, "commit", "-qam", "edit")
    edit = git(repo.root, "rev-parse", "HEAD").strip()
    (repo.root / "app.py").write_text("top = 0\na = 1\nb = 3\nc = 4\n")  # not committed

    assert blame(repo, "app.py", 2, edit) == Origin(commit=base, path="app.py", line=1)
    assert blame(repo, "app.py", 3, edit) == Origin(commit=edit, path="app.py", line=3)
    assert blame(repo, "app.py", 2) == Origin(commit=base, path="app.py", line=1)
    assert blame(repo, "app.py", 4) is None  # the working tree's own line: no commit yet
    assert blame(repo, "missing.py", 1) is None


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\u0085"])
def test_blame_names_a_file_whose_name_holds_a_break_git_does_not_quote(tmp_path: Path,
                                                                        char: str) -> None:
    """git leaves these as they are in its `filename` row; `str.splitlines` cut the row
    there, and the line was said to come from a file named `a`."""
    name = f"a{char}b.py"
    root = init_repo(tmp_path / "r", {name: "x = 1\n"})
    origin = blame(open_repository(root), name, 1, "HEAD")
    assert origin == Origin(commit=git(root, "rev-parse", "HEAD").strip(), path=name, line=1)


NAMES = ["package.json", "a b/package.json", "é/pyproject.toml", 'q"uote.json', "-dash.json",
         "tab\there.json", "deep/er/x.json", "*.json", ":(glob)x.json"]


@settings(max_examples=25, derandomize=True, deadline=None)
@given(kinds=st.lists(st.sampled_from(["file", "link", "absent"]), min_size=len(NAMES),
                      max_size=len(NAMES)),
       targets=st.lists(st.sampled_from(["../out/victim", "a b/x", "é", "/etc/passwd"]),
                        min_size=len(NAMES), max_size=len(NAMES)))
def test_links_read_together_answer_as_each_read_alone(kinds: list[str],
                                                       targets: list[str]) -> None:
    """`links_at` (one `ls-tree` a batch) says what `link_at` says of each path: odd names,
    pathspec magic and a name like an option included."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        for name, kind, target in zip(NAMES, kinds, targets, strict=True):
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            if kind == "file":
                (root / name).write_text("{}\n")
            elif kind == "link":
                (root / name).symlink_to(target)
        init_repo(root, {"README.md": "x\n"})
        repo = open_repository(root)
        alone = {name: found for name in NAMES if (found := link_at(repo, "HEAD", name))}
        assert links_at(repo, "HEAD", NAMES) == alone
        assert alone == {n: t for n, k, t in zip(NAMES, kinds, targets, strict=True)
                         if k == "link"}
