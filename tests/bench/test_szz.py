"""SZZ cases from a history: the planted bugs of a built repository, and real fixes of a
real project's history (tests/fixtures/history/appdirs.bundle, ActiveState/appdirs, MIT)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.bench import szz
from reviewloop.git.history import removed_lines
from reviewloop.git.names import from_bytes
from reviewloop.git.repository import Repository, open_repository
from tests.support.bench_repo import AVERAGE, BUGS, CLAMP, PARSE, planted
from tests.support.gitutil import git
from tests.support.paths import FIXTURES
from tests.support.repos import commit, init_repo

BUNDLE = FIXTURES / "history" / "appdirs.bundle"
APPNAME_FIX = "c242db5eb01882bea8edb0d1e98b6a39da00e5f1"  # "… Fixes #55."
BASESTRING_FIX = "f6450f3bda3e42cd4c55bd026824c59764ed7d75"  # "… (Fixes #27)."
PEP8 = "ebd443e78d3df99d98d001707786e561fa827b68"  # wrote the line #55 was about
ISINSTANCE = "51757c8a893640e2a9fa3a7b9f8e617b22e6db87"  # wrote the asserts #27 changed


@pytest.fixture
def planted_repo(tmp_path: Path) -> tuple[Repository, dict[str, str]]:
    ids = planted(tmp_path / "r")
    return open_repository(tmp_path / "r"), ids


@pytest.fixture(scope="module")
def appdirs(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    root = tmp_path_factory.mktemp("history") / "appdirs"
    git(root.parent, "clone", "-q", str(BUNDLE), str(root))
    return open_repository(root)


def test_each_planted_bug_is_a_case_labelled_with_its_line(planted_repo):
    repo, ids = planted_repo
    mined = szz.mine(repo, szz.FixRule())
    assert mined.fixes == 4
    assert [c.description for c in mined.cases] == [PARSE.subject, CLAMP.subject,
                                                    AVERAGE.subject]  # newest first
    for case, bug in zip(mined.cases, (PARSE, CLAMP, AVERAGE), strict=True):
        assert case.head == ids[bug.subject]
        assert case.base == git(repo.root, "rev-parse", f"{case.head}^").strip()
        assert [(label.path, label.line) for label in case.labels] == [(bug.path, bug.line)]
    assert mined.skipped == [f"fix {ids['fix adds'][:12]} fix: say what parse_number raises: "
                             "removes or changes no code line (SZZ cannot trace a fix that "
                             "only adds lines)"]


def test_given_fixes_and_linked_issues_select_the_fix_commits(planted_repo):
    repo, ids = planted_repo
    given = szz.mine(repo, szz.FixRule(commits=(ids["fix clamp"][:10],)))
    assert [c.head for c in given.cases] == [ids[CLAMP.subject]]
    linked = szz.mine(repo, szz.FixRule(patterns=(), issues=frozenset({7})))
    assert [c.head for c in linked.cases] == [ids[PARSE.subject]]  # "closes #7"
    none = szz.mine(repo, szz.FixRule(patterns=(r"^revert",)))
    assert none.cases == [] and none.fixes == 0


def test_a_fix_of_comments_and_blank_lines_traces_nothing(tmp_path: Path):
    root = init_repo(tmp_path / "r", {"a.py": "x = 1\n# a comment\n\n"}, message="start")
    (root / "a.py").write_text("x = 1\n# the comment\n")
    git(root, "commit", "-qam", "fix: comment wording")
    mined = szz.mine(open_repository(root), szz.FixRule())
    assert mined.cases == [] and "removes or changes no code line" in mined.skipped[0]


def test_a_fix_of_a_preprocessor_line_or_a_dereference_is_traced(tmp_path: Path):
    """`#define` and `*p = 1;` are C code: a language-blind `#`/`*` prefix took them for
    comments, and each fix for one that "only adds lines" (0 cases)."""
    root = init_repo(tmp_path / "r", {"main.c": "int main(void){return 0;}\n"})
    size = commit(root, {"main.c": "#define BUF_SIZE 10\nint main(void){return 0;}\n"},
                  "add buffer size")
    setter = commit(root, {"set.c": "void set(int *p) {\n    *p = 1;\n}\n"}, "add set")
    commit(root, {"main.c": "#define BUF_SIZE 100\nint main(void){return 0;}\n"},
           "fix: buffer too small")
    commit(root, {"set.c": "void set(int *p) {\n    *p = 0;\n}\n"}, "fix: set writes zero")
    mined = szz.mine(open_repository(root), szz.FixRule())
    assert mined.skipped == []
    assert {c.head: [(lb.path, lb.line) for lb in c.labels] for c in mined.cases} == {
        size: [("main.c", 1)], setter: [("set.c", 2)]}


def test_given_fixes_are_used_even_when_none_and_count_once(planted_repo):
    repo, ids = planted_repo
    none = szz.mine(repo, szz.FixRule(commits=()))
    assert (none.fixes, none.cases) == (0, [])  # not the patterns' fixes
    fix = ids["fix clamp"]
    twice = szz.mine(repo, szz.FixRule(commits=(fix, fix[:10], fix)))
    assert twice.fixes == 1 and [c.head for c in twice.cases] == [ids[CLAMP.subject]]


def test_the_real_history_gives_its_real_cases(appdirs: Repository):
    mined = szz.mine(appdirs, szz.FixRule(commits=(APPNAME_FIX, BASESTRING_FIX)))
    cases = {c.head: c for c in mined.cases}
    assert set(cases) == {PEP8, ISINSTANCE}
    assert [(lb.path, lb.line) for lb in cases[PEP8].labels] == [("appdirs.py", 336),
                                                                ("appdirs.py", 337)]
    assert cases[PEP8].fixes == [APPNAME_FIX]
    assert {lb.path for lb in cases[ISINSTANCE].labels} == {"test/test_api.py"}
    assert cases[ISINSTANCE].fixes == [BASESTRING_FIX]


def test_every_real_label_is_a_line_its_fix_removed(appdirs: Repository):
    """The labels mean what they say: the line at each label, in the introducing commit,
    is (whitespace aside) a line the fix removed or changed."""
    mined = szz.mine(appdirs, szz.FixRule())
    assert mined.fixes >= 30 and len(mined.cases) >= 30
    for case in mined.cases:
        removed = {_bare(r.text) for fix in case.fixes
                   for r in removed_lines(appdirs, f"{fix}^", fix)}
        for label in case.labels:
            text = appdirs.git("show", f"{case.head}:{label.path}").splitlines()[label.line - 1]
            assert _bare(text) in removed, (case.id, label)


def test_an_issue_number_finds_its_real_fix(appdirs: Repository):
    mined = szz.mine(appdirs, szz.FixRule(patterns=(), issues=frozenset({55})))
    assert mined.fixes == 1 and [c.head for c in mined.cases] == [PEP8]


def test_bugs_are_planted_on_the_lines_they_name(planted_repo):
    repo, ids = planted_repo
    for bug in BUGS:
        text = repo.git("show", f"{ids[bug.subject]}:{bug.path}").splitlines()[bug.line - 1]
        assert text.strip() and not text.lstrip().startswith("#")


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_histories_give_back_every_planted_bug(tmp_path_factory, data):
    """Any history of this shape: bugs written on distinct lines, lines inserted above them
    afterwards (the fix sees them moved), then the fixes in any order: each bug is a case
    labelled with its own line, as its commit numbered it."""
    files = data.draw(st.integers(1, 3), label="files")
    lines = 12
    spots = data.draw(st.lists(st.tuples(st.integers(0, files - 1), st.integers(1, lines)),
                               min_size=1, max_size=5, unique=True), label="bugs")
    root = init_repo(tmp_path_factory.mktemp("gen") / "r")
    text = {f"m{i}.py": [f"v{i}_{j} = {j}" for j in range(1, lines + 1)] for i in range(files)}
    _commit_all(root, text, "start")
    planted_at = {}
    for n, (i, j) in enumerate(spots):
        text[f"m{i}.py"][j - 1] = f"v{i}_{j} = {j} + {n + 1}"
        planted_at[_commit_all(root, text, f"change v{i}_{j}")] = (f"m{i}.py", j)
    for name, count in data.draw(st.dictionaries(st.sampled_from(sorted(text)),
                                                 st.integers(1, 4), min_size=1),
                                     label="inserted").items():
        text[name][:0] = [f"top_{k} = {k}" for k in range(count)]
    _commit_all(root, text, "move things down")
    for n in data.draw(st.permutations(range(len(spots))), label="fix order"):
        i, j = spots[n]
        at = next(k for k, line in enumerate(text[f"m{i}.py"]) if line.startswith(f"v{i}_{j} "))
        text[f"m{i}.py"][at] = f"v{i}_{j} = {j} * 1"
        _commit_all(root, text, f"fix: v{i}_{j}")

    mined = szz.mine(open_repository(root), szz.FixRule())

    assert mined.fixes == len(spots) and mined.skipped == []
    assert {c.head: [(lb.path, lb.line) for lb in c.labels] for c in mined.cases} == {
        sha: [spot] for sha, spot in planted_at.items()}


def _commit_all(root: Path, text: dict[str, list[str]], message: str) -> str:
    return commit(root, {name: "\n".join(lines) + "\n" for name, lines in text.items()}, message)


# Names git quotes in `git blame --line-porcelain` (`"`, `\`, a tab, a line break, a
# control character), a byte that is not UTF-8, and names that only look like escapes.
FRAGMENTS = ('"', "\\", "\t", "\n", "\x01", " ", "é", os.fsdecode(b"\xe9"), "\\xe9", "\\\\",
             '"\\"', "\\t")
PLACES = ("{}m.py", "m{}x.py", "m.py{}")
NAMES = [place.format(fragment) for fragment in FRAGMENTS for place in PLACES]


def plain_blame(root: Path, rev: str, name: str, line: int) -> str:
    """The commit plain `git blame -w -M` gives `line` of `name` at `rev` (the oracle)."""
    out = subprocess.run(["git", "blame", "--line-porcelain", "-w", "-M", "-L",
                          f"{line},{line}", rev, "--", name], cwd=root, check=True,
                         capture_output=True).stdout
    return out.split(b" ", 1)[0].decode()


def test_every_name_plain_git_blame_traces_is_traced(tmp_path: Path):
    """A fix of a file of each name: its case is the commit plain git blame names, labelled
    with the file's name in text form (`git.names`: a byte that is not UTF-8 as `\\xNN`)."""
    root = init_repo(tmp_path / "r", {"keep.py": "x = 0\n"}, message="start")
    fixes = {}
    for n, name in enumerate(NAMES):
        commit(root, {name: "def f():\n    return 1\n"}, f"add file {n}")
        commit(root, {name: "def f():\n    return 1 / 0\n"}, f"change file {n}")
        fixes[name] = commit(root, {name: "def f():\n    return 1\n"}, f"fix: crash {n}")

    mined = szz.mine(open_repository(root), szz.FixRule())

    assert mined.skipped == [] and mined.fixes == len(NAMES)
    cases = {case.head: case for case in mined.cases}
    for name, fix in fixes.items():
        case = cases[plain_blame(root, f"{fix}^", name, 2)]
        assert [(lb.path, lb.line) for lb in case.labels] == [
            (from_bytes(os.fsencode(name)), 2)], repr(name)
        assert case.fixes == [fix]


def test_a_fix_that_removes_lines_with_their_file_says_so_and_the_bench_goes_on(
        tmp_path: Path):
    """Fixes git shows removing lines SZZ does not trace here (a deleted file, a file
    turned into another kind of file, a submodule bumped): each is named with why, never as
    a fix that "only adds lines", and a later ordinary fix is still traced."""
    root = init_repo(tmp_path / "r", {"keep.py": "x = 0\n"}, message="start")
    code = "def f():\n    return 1 / 0\n"
    commit(root, dict.fromkeys(("gone.py", "link.py", "dir.py", "sub/m.py", "target.py"), code),
           "add the helpers")
    (root / "was_link.py").symlink_to("target.py")
    (root / "lib").mkdir()  # a submodule that is not checked out
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{_head(root)},lib")
    intro = commit(root, {"ordinary.py": code}, "add ordinary")
    variants = {
        "gone.py": ("deleted", lambda: (root / "gone.py").unlink()),
        "link.py": ("replaced by another kind of file",
                    lambda: ((root / "link.py").unlink(),
                             (root / "link.py").symlink_to("target.py"))),
        "was_link.py": ("replaced by another kind of file",
                        lambda: ((root / "was_link.py").unlink(),
                                 (root / "was_link.py").write_text("x = 2\n"))),
        "dir.py": ("replaced by another kind of file",
                   lambda: ((root / "dir.py").unlink(), (root / "dir.py").mkdir(),
                            (root / "dir.py/m.py").write_text("y = 3\n"))),
        "sub/m.py": ("replaced by another kind of file",
                     lambda: (shutil.rmtree(root / "sub"), (root / "sub").write_text("z = 4\n"))),
        "lib": ("a submodule", lambda: git(root, "update-index", "--cacheinfo",
                                           f"160000,{intro},lib")),
    }
    fixes = {}
    for path, (_, change) in variants.items():
        change()
        fixes[path] = commit(root, message=f"fix: {path}")
        numstat = git(root, "diff", "--numstat", f"{fixes[path]}^", fixes[path])
        assert any(int(row.split("\t")[1]) > 0 for row in numstat.splitlines()), path
    ordinary = commit(root, {"ordinary.py": "def f():\n    return 1\n"}, "fix: ordinary")

    mined = szz.mine(open_repository(root), szz.FixRule())

    assert [c.head for c in mined.cases] == [intro]
    assert mined.cases[0].fixes == [ordinary]
    assert not any("only adds lines" in line for line in mined.skipped)
    for path, (why, _) in variants.items():
        said = [s for s in mined.skipped if s.startswith(f"fix {fixes[path][:12]} ")]
        assert said and all(f": {path}: {why}" in s for s in said), (path, said)


def _head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()
