"""Path globs mean what they mean in a `.gitignore`: checked against `pathspec` and against
git itself (`git check-ignore` on real files), over a grid of patterns and paths that holds
the cases a hand-written matcher got wrong — escapes, a trailing `/`, `**/`, an unclosed `[`."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

import pathspec
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from reviewloop.policy import globs

PATTERNS = [
    "*.py", "*.PY", "top.py", "/top.py", "x.py", "dir", "dir/", "/dir", "/dir/", "dir/*",
    "dir/**", "dir/**/", "**/", "*/**/", "src/**/", "**/dir", "**/dir/", "**/x.py", "**/*.py",
    "**", "sub", "sub/",
    "dir/sub", "dir/sub/", "*/sub", "src/**/*.py", "src/**/b.py", "src/*/b.py", "src/*.py",
    "a/**/b.py", "**/a/**", "?op.py", "t?p.py", "[st]op.py", "[!t]op.py", "[a-z]*.py",
    "\\*.py", "star\\*.py", "q\\?.py", "br\\[x].py", "[abc", "dir/[", "sp ace.py",
    "trail.py ", "*.txt", "**/sub/*.txt", "dir/sub/*", "dir/*/y.txt", "d*r/", "*/", "*/*",
    "src/a/", "src/a", "a/", "deep/**/z.md", "deep/**", "**/z.md", "deep/a/b/", "*.md",
    ".env", ".env*", "*.env", ".*", "*.min.js", "min.js",
]
FILES = [
    "top.py", "x.py", "dir/x.py", "dir/sub/y.txt", "dir/sub/x.py", "src/a/b.py", "src/b.py",
    "src/a/c/b.py", "a/b.py", "sub/readme.txt", "other/dir/file.txt", "star*.py", "*.py",
    "q?.py", "br[x].py", "brx.py", "sp ace.py", "trail.py", "deep/z.md", "deep/a/b/z.md",
    ".env", ".env.local", "prod.env", "app.min.js", "lib/min.js", "TOP.PY",
]
# Taken literally here (one pattern is one rule): not a negation, not a comment.
LITERAL_FIRST = ["!x.py", "#x.py"]


def git_ignored(root: Path, pattern: str) -> set[str]:
    (root / ".gitignore").write_text(pattern + "\n", encoding="utf-8")
    done = subprocess.run(["git", "-c", "core.ignorecase=false", "check-ignore", "--stdin",
                           "-z"], cwd=root, input="\0".join(FILES) + "\0", capture_output=True,
                          text=True, check=False)
    assert done.returncode in (0, 1), done.stderr  # 1: nothing ignored
    return {p for p in done.stdout.split("\0") if p}


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("globs")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n", encoding="utf-8")
    return root


def test_every_pattern_matches_what_git_ignores(tree: Path):
    """1,500 pattern/path cases against git's own matcher."""
    wrong = [(pattern, path, not hit) for pattern in PATTERNS
             for hit in [git_ignored(tree, pattern)]
             for path in FILES if globs.matches(pattern, path) != (path in hit)]
    assert wrong == [], f"{len(wrong)} disagreements with git (pattern, path, git says): {wrong}"


def test_every_pattern_agrees_with_pathspec_but_where_pathspec_disagrees_with_git():
    wrong = [(pattern, path) for pattern in PATTERNS for path in FILES
             if globs.matches(pattern, path)
             != pathspec.GitIgnoreSpec.from_lines([pattern]).match_file(path)]
    # pathspec 1.1 reads `dir/**/` as `dir/**`: git (above) leaves the files directly in dir
    # alone, and so do we — the only class where we follow git rather than pathspec
    assert wrong and all(pattern.endswith("**/") for pattern, _ in wrong), wrong
    assert ("dir/**/", "dir/x.py") in wrong


def test_a_leading_bang_or_hash_is_part_of_the_name():
    for pattern in LITERAL_FIRST:
        assert globs.matches(pattern, pattern) and globs.matches(pattern, f"deep/{pattern}")
        assert not globs.matches(pattern, "x.py")


def test_case_folding_is_asked_for_not_assumed():
    assert not globs.matches("DB/Migrations/**", "db/migrations/001.sql")
    assert globs.matches("DB/Migrations/**", "db/migrations/001.sql", ignore_case=True)
    assert globs.matches("[A-C]*.sql", "b.sql", ignore_case=True)


@pytest.mark.parametrize("pattern", ["", "   ", "[abc", "src/[", "[!"])
def test_a_pattern_that_can_never_match_is_refused_with_the_reason(pattern: str):
    with pytest.raises(globs.BadGlob):
        globs.check(pattern)


_PARTS = ["a", "b", "ab", ".", "x.py", "*", "?", "**", "/", "-", "sub"]


@settings(max_examples=400, deadline=None)
@given(pattern=st.lists(st.sampled_from(_PARTS), min_size=1, max_size=6).map("".join),
       path=st.lists(st.sampled_from(["a", "b", "ab", "x.py", "sub", ".ab", "a-b"]),
                     min_size=1, max_size=4).map("/".join),
       ignore_case=st.booleans())
def test_the_literal_prefilter_never_changes_an_answer(pattern, path, ignore_case):
    """`matches` skips pathspec when a literal part of the pattern is missing from the path:
    an answer of pathspec's own, for generated patterns and paths, is never changed by it."""
    text = pattern.strip()
    assume(text and not text.endswith("**/") and not text.startswith(("!", "#", "./")))
    spec = pathspec.GitIgnoreSpec.from_lines([text.lower() if ignore_case else text])
    expected = spec.match_file(path.lower() if ignore_case else path)
    assert globs.matches(pattern, path, ignore_case=ignore_case) == expected


@settings(max_examples=400, deadline=None)
@given(patterns=st.lists(st.lists(st.sampled_from([*_PARTS, "[ab]", "\\*", "!a", "#b"]),
                                  min_size=1, max_size=6).map("".join), min_size=1,
                         max_size=12),
       path=st.lists(st.sampled_from(["a", "b", "ab", "x.py", "sub", ".ab", "a-b", "**"]),
                     min_size=1, max_size=4).map("/".join))
def test_the_index_names_every_pattern_a_path_matches(patterns, path):
    """`GlobIndex` narrows the patterns a path is tried against by its names: every pattern
    it leaves out would not have matched."""
    patterns = [p for p in patterns if p.strip()]
    matching = [at for at, p in enumerate(patterns) if globs.matches(p, path)]
    candidates = globs.GlobIndex(patterns).candidates(path)
    assert candidates == sorted(candidates)
    assert set(matching) <= set(candidates)


def test_the_index_tries_only_the_patterns_naming_one_of_the_paths_names():
    index = globs.GlobIndex(["/.vscode/tasks.json", "*.code-workspace", "/.kiro/agents/**",
                             ".envrc", "jest.config.*"])
    # the wildcards are tried for every path, at once: all of them when one matches
    assert index.candidates("src/app.py") == []
    assert index.candidates(".kiro/agents/a.json") == [2]
    assert index.candidates("deploy/.envrc/x") == [3]
    assert index.candidates("web/jest.config.ts") == [1, 4]


@settings(max_examples=400, deadline=None)
@given(patterns=st.lists(st.lists(st.sampled_from([*_PARTS, "[ab]", "\\*", "!a", "#b", "[",
                                                   " ", "A"]),
                                  min_size=1, max_size=6).map("".join), max_size=8),
       path=st.lists(st.sampled_from(["a", "b", "ab", "x.py", "sub", ".ab", "a-b", "**", "A",
                                      ".", "[ab]"]),
                     min_size=1, max_size=4).map("/".join),
       prefix=st.sampled_from(["", "./", "/"]), ignore_case=st.booleans())
def test_any_of_many_patterns_is_each_pattern_asked_in_turn(patterns, path, prefix,
                                                            ignore_case):
    """A reviewer's scope asks all its globs at once (`matches_any`): the answer is always
    whether one of them, asked alone, matches."""
    patterns = tuple(p for p in patterns if p.strip())
    expected = any(globs.matches(p, prefix + path, ignore_case=ignore_case) for p in patterns)
    assert globs.matches_any(patterns, prefix + path, ignore_case=ignore_case) == expected


@settings(max_examples=400, deadline=None)
@given(patterns=st.lists(st.lists(st.sampled_from([*_PARTS, "[ab]", "\\*", "!a", "#b", "[",
                                                   " ", "A"]),
                                  min_size=1, max_size=6).map("".join), max_size=8),
       path=st.lists(st.sampled_from(["a", "b", "ab", "x.py", "sub", ".ab", "a-b", "**", "A",
                                      ".", "[ab]", ""]),
                     min_size=1, max_size=4).map("/".join),
       prefix=st.sampled_from(["", "./", "/"]), ignore_case=st.booleans(),
       as_path=st.booleans())
def test_a_matcher_answers_as_its_patterns_asked_at_once(patterns, path, prefix, ignore_case,
                                                         as_path):
    """`matcher` (a reviewer's scope, looked up once) gives `matches_any`'s answer for every
    path, as text or as a `PurePath`."""
    patterns = tuple(p for p in patterns if p.strip())
    asked = PurePosixPath(prefix + path) if as_path else prefix + path
    expected = globs.matches_any(patterns, asked, ignore_case=ignore_case)
    assert globs.matcher(patterns, ignore_case=ignore_case)(asked) == expected


@settings(max_examples=300, deadline=None)
@given(pattern=st.lists(st.sampled_from([*_PARTS, "[", "]", "[!", "\\", "Z", "A", "z"]),
                        min_size=1, max_size=8).map("".join),
       path=st.sampled_from(["a", "z", "Z", "a-b", "sub/x.py", "[", "-"]),
       ignore_case=st.booleans())
@example(pattern="./", path="a", ignore_case=False)  # nothing left after `./`: no rule
@example(pattern="/", path="a", ignore_case=False)
def test_any_pattern_is_refused_with_a_reason_or_answers(pattern, path, ignore_case):
    """No pattern makes the matcher raise: `check` refuses it (a reversed range `[z-a]`,
    which no regular expression can hold, `[Z-a]`, which folds to one, a trailing `\\`),
    and then it matches nothing, alone or among others."""
    try:
        globs.check(pattern)
    except globs.BadGlob as refused:
        assert str(refused)
        assert not globs.matches(pattern, path, ignore_case=ignore_case)
    assert globs.matches_any((pattern, "nothing-here"), path, ignore_case=ignore_case) \
        == globs.matches(pattern, path, ignore_case=ignore_case)


@pytest.mark.parametrize("pattern", ["src/[z-a].py", "[a-[ab]", "[Z-a]*.py"])
def test_a_reversed_range_is_refused_naming_the_fix(pattern: str):
    with pytest.raises(globs.BadGlob, match=r"write a range low to high, as in \[a-z\]"):
        globs.check(pattern)


@pytest.mark.parametrize("pattern", ["./", "/", " ./ ", ".//"])
def test_a_pattern_of_only_a_slash_or_dot_slash_is_refused_naming_the_fix(pattern: str):
    with pytest.raises(globs.BadGlob, match=r"write a path after them, as in \./src/"):
        globs.check(pattern)
    assert not globs.matches(pattern, "src/app.py")
    assert not globs.matches_any((pattern, "nothing-here"), "src/app.py")


@pytest.mark.parametrize("pattern", ["\\", "src/x\\"])
def test_a_trailing_backslash_is_refused_naming_the_fix(pattern: str):
    with pytest.raises(globs.BadGlob, match=r"write \\\\ for a backslash"):
        globs.check(pattern)


# A reviewer's scope as shipped: literals that hold one another (`deploy/`, `deployment/`;
# `Dockerfile*`, `*.Dockerfile`), a wildcard on both sides (`*stack*.py`), folders.
_SCOPE = ["*.tf", "*.yaml", "Dockerfile*", "dockerfile.*", "*.Dockerfile", "*stack*.py",
          "cdk/", "deploy/", "deployment/", "infra/", "infrastructure/", ".github/"]
_NAMES = ["deploy", "deployment", "Dockerfile", "dockerfile.x", "a.Dockerfile", "mystack.py",
          "stack", "cdk", "x.tf", "x.tfvars", "infra", ".github", "a.yaml", "x.py", "DEPLOY"]


@settings(max_examples=400, deadline=None)
@given(patterns=st.lists(st.sampled_from([*PATTERNS, *_SCOPE, *LITERAL_FIRST]), max_size=10),
       path=st.lists(st.sampled_from([*_NAMES, *FILES]), min_size=1, max_size=4)
       .map("/".join),
       prefix=st.sampled_from(["", "./", "/"]), ignore_case=st.booleans())
@example(patterns=_SCOPE, path="pkg/part_00/mod_00000.py", prefix="", ignore_case=False)
@example(patterns=_SCOPE, path="web/deployment/x.py", prefix="", ignore_case=False)
@example(patterns=_SCOPE, path="DEPLOY/x.py", prefix="", ignore_case=True)
@example(patterns=_SCOPE, path="src/DOCKERFILE", prefix="", ignore_case=True)
def test_a_matcher_skips_a_path_holding_no_patterns_literal_only_where_none_matches(
        patterns, path, prefix, ignore_case):
    """`matcher` answers a path holding no literal part of any pattern (most changed files,
    for a scope of suffixes and folder names) without the patterns' expression: the answer
    is still `matches_any`'s (its one expression, asked in full)."""
    patterns = tuple(patterns)
    expected = globs.matches_any(patterns, prefix + path, ignore_case=ignore_case)
    assert globs.matcher(patterns, ignore_case=ignore_case)(prefix + path) == expected


@settings(max_examples=50, deadline=None)
@given(alternatives=st.lists(st.sampled_from(["py", "js", "ts", "", "src", "*.md"]),
                             min_size=2, max_size=4),
       before=st.sampled_from(["", "*.", "src/", "**/*."]),
       after=st.sampled_from(["", "/**", ".bak"]))
def test_brace_alternatives_are_refused_naming_the_fix(alternatives, before, after):
    """`*.{py,js}` (a shell's, minimatch's) is read by git as the characters { , }: a
    reviewer's include of it matched nothing and the reviewer said "no file in scope"."""
    pattern = before + "{" + ",".join(alternatives) + "}" + after
    with pytest.raises(globs.BadGlob, match=r'write one pattern for each, as in "\*\.py"'):
        globs.check(pattern)
    globs.check(before + "\\{" + ",".join(alternatives) + "}" + after)  # escaped: literal
