"""The history reads of `reviewloop bench`: a rev from a user or a file is never an option of
git's; blame's porcelain is split where git ends its lines, whatever a file name holds; a
fix that changed more runs of lines than fit on a command line is still blamed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.errors import UserInputError
from reviewloop.git import history
from reviewloop.git.repository import Repository, open_repository
from tests.support.repos import commit, init_repo

# every character `str.splitlines` ends a line at; git ends its output's lines at "\n" only
BREAKS = [c for c in map(chr, range(0x110000)) if len(f"a{c}b".splitlines()) == 2]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    root = init_repo(tmp_path_factory.mktemp("history") / "r", {"f.py": "x = 1\n"})
    commit(root, {"f.py": "x = 2\n"}, "fix: two")
    return open_repository(root)


# option-like revs: `--output=FILE` made `git log` write FILE; `--all` would widen the history
OPTIONS = st.from_regex(r"\A-[-A-Za-z][-A-Za-z=._]{0,15}\Z") | st.sampled_from(
    ["--output=OUT", "--output=OUT/x", "-oOUT", "--all", "--help", "-h", "--no-walk"])


@given(rev=OPTIONS)
@example(rev="--output=OUT")
@example(rev="--")  # still git's end of the revs after --end-of-options
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_rev_that_looks_like_an_option_is_an_unknown_commit(repo, tmp_path: Path, rev):
    """`commit` and `log` (the `--cases`, `--fix`, `--fixes` and `--rev` reads) refuse a
    rev starting with `-` as an unknown one (exit 2), and git writes no file for it."""
    rev = rev.replace("OUT", str(tmp_path / "out"))
    with pytest.raises(UserInputError, match="unknown commit"):
        history.commit(repo, rev)
    with pytest.raises(UserInputError, match="cannot read the history"):
        history.log(repo, rev)
    assert list(tmp_path.iterdir()) == []
    assert repo.git("status", "--porcelain", "--untracked-files=all") == ""  # `--out=x`: x


def test_a_commit_and_its_short_id_name_one_commit(repo):
    full = history.commit(repo, "HEAD")
    assert history.commit(repo, full.sha[:10]) == full
    assert history.commit(repo, ":/fix: two") == full
    assert [c.sha for c in history.log(repo)] == [full.sha, full.parents[0]]


@pytest.mark.parametrize("char", BREAKS, ids=[f"U+{ord(c):04X}" for c in BREAKS])
def test_blame_traces_a_name_holding_any_line_break(tmp_path: Path, char: str):
    """A file name holding a character `str.splitlines` breaks at (U+2028, U+0085, \\x1c…)
    is traced under its whole name, not cut at that character."""
    name = f"a{char}b.py"
    root = init_repo(tmp_path / "r", {name: "x = 1\ny = 2\nz = 3\n"}, message="add")
    written = commit(root, {name: "x = 1\ny = 20\nz = 30\n"}, "change")
    commit(root, {name: "x = 1\ny = 2\nz = 3\n"}, "fix: values")
    origins = history.blame(open_repository(root), "HEAD~1", name, [2, 3])
    assert [(o.commit, o.path, o.line) for o in origins] == [(written, name, 2),
                                                             (written, name, 3)]


def test_more_runs_than_one_command_line_holds_are_blamed_from_the_whole_file(tmp_path: Path):
    """A fix changing every other line: more runs than `-L` pairs are passed (300,000 lines
    passed the argv limit) are blamed once for the whole file, and give the same origins the
    ranges give."""
    count = 2 * history._MOST_RANGES + 10
    root = init_repo(tmp_path / "r", {"big.py": "".join(f"v{i} = {i}\n" for i in range(count))})
    changed = commit(root, {"big.py": "".join(f"v{i} = {i + (i % 2 == 0)}\n"
                                              for i in range(count))}, "change")
    repo = open_repository(root)
    wanted = list(range(1, count + 1, 2))  # each its own run
    many = history.blame(repo, changed, "big.py", wanted)
    assert [(o.commit, o.line) for o in many] == [(changed, n) for n in wanted]
    few = history.blame(repo, changed, "big.py", [*wanted[:3], 2])
    assert few == [o for o in history.blame(repo, changed, "big.py", range(1, count + 1))
                   if o.line in {*wanted[:3], 2}]


def test_a_name_with_a_nul_has_no_text(repo):
    assert history.file_text(repo, "HEAD", "f.py\0x") is None
    assert history.line_count(repo, "HEAD", "f.py") == 1
