"""Reading a tree that is not checked out: git's own attributes for it, its files, their start."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.git.repository import Repository, open_repository
from reviewloop.git.trees import attributes, file_start, folders, present
from tests.support.gitutil import git
from tests.support.processes import started
from tests.support.repos import commit, init_repo

pytestmark = pytest.mark.usefixtures("no_global_git_config")


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    return open_repository(init_repo(tmp_path / "r"))


def test_attributes_come_from_the_tree_asked_not_the_checkout(repo: Repository) -> None:
    base = commit(repo.root, {".gitattributes": "[attr]gen linguist-generated\n"
                                                "*.min.js -diff\n",
                              "pkg/.gitattributes": "api.py gen\n", "app.py": "x = 1\n"},
                  "base")
    commit(repo.root, {".gitattributes": "* binary\n"}, "head: hide everything")

    old = attributes(repo, base, ["app.py", "pkg/api.py", "web/app.min.js"])
    now = attributes(repo, None, ["app.py"])

    assert old["app.py"] == {}
    assert old["pkg/api.py"] == {"gen": "set", "linguist-generated": "set"}  # nested + macro
    assert old["web/app.min.js"] == {"diff": "unset"}  # a path the tree does not hold
    assert now["app.py"] == {"binary": "set", "diff": "unset", "merge": "unset",
                             "text": "unset"}
    assert git(repo.root, "status", "--short") == ""  # the real index is untouched


def test_present_and_file_start_read_the_tree(repo: Repository) -> None:
    base = commit(repo.root, {"gen/api.py": "# @generated\nx = 1\n"}, "base")
    commit(repo.root, {"gen/api.py": "x = 2\n", "new.py": "y = 1\n"}, "head")

    assert present(repo, base, ["gen/api.py", "new.py", "gone.py"]) == {"gen/api.py"}
    assert file_start(repo, base, "gen/api.py") == "# @generated\nx = 1\n"
    assert file_start(repo, base, "gen/api.py", limit=5) == "# @ge"
    assert file_start(repo, base, "new.py") is None
    assert attributes(repo, base, []) == {} and present(repo, base, []) == set()


def test_folders_names_the_folders_a_tree_has(repo: Repository) -> None:
    base = commit(repo.root, {"vendor/a.go": "package a\n", "web/node_modules/x/i.js": "1\n"},
                  "base")
    assert folders(repo, base, ["vendor", "web/node_modules", "third_party"]) == {
        "vendor", "web/node_modules"}
    assert folders(repo, base, ["vendor/a.go"]) == set()  # a file
    assert folders(repo, base, []) == set()


# path parts a change may hold: deep folders, spaces, a leading dash, non-ASCII, a quote
PARTS = st.text(alphabet=st.sampled_from("abz09_- .é'\""), min_size=1, max_size=24).filter(
    lambda part: part.strip(" .") == part and part not in (".", ".."))


GIT_FLAGS = {"-a", "-z", "--all", "--stdin", "--cached"}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paths=st.lists(st.lists(PARTS, min_size=1, max_size=8).map("/".join),
                      min_size=1, max_size=60, unique=True))
@example(paths=["-a", "-z"])  # names spelled as check-attr's own flags (the CI's draw)
def test_attributes_of_any_names_never_ride_on_the_command_line(
        repo: Repository, paths: list[str]) -> None:
    """The paths reach `check-attr` on its input (f_abs D3: 7,000 names of 345 bytes passed
    ARG_MAX, exit 3): whatever their number and length, no path is an argument, and each
    gets the attributes git gives it, in the checkout and in a tree alike."""
    (repo.root / ".gitattributes").write_text("*.py diff=python\n- export-ignore\n")
    tree = git(repo.root, "hash-object", "-w", "-t", "tree", "/dev/null").strip()
    wanted = [*paths, *(f"{p}.py" for p in paths)]
    for where in (None, tree):
        with started() as runs:
            found = attributes(repo, where, wanted)
        # a name spelled like check-attr's own flags (`-a`, `-z`) cannot be told from them
        assert not [argv for argv in runs if set(argv) & (set(wanted) - GIT_FLAGS)], runs
        for path in paths:
            assert found[f"{path}.py"].get("diff") == ("python" if where is None else None)
            assert found[path] == ({"export-ignore": "set"} if where is None and
                                   path.rsplit("/", 1)[-1] == "-" else {})
