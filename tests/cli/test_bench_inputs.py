"""`reviewloop bench`'s inputs: what it would refuse is refused before anything runs, never
silently taken (an empty cases file, history options beside --cases, a name only the real
run checked, an empty --model, a --fixes file with a BOM or with no commit, a fix named twice,
a pattern Python cannot compile, a pattern that matches every commit, a blank --rev, --fix,
--fixes or --cases)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.bench.cases import load_cases
from reviewloop.cli import bench
from reviewloop.config import Settings
from reviewloop.errors import UserInputError
from reviewloop.git.repository import open_repository
from tests.support.bench_repo import planted
from tests.support.cli_main import run_cli
from tests.support.gitutil import git


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    planted(tmp_path / "r")
    monkeypatch.chdir(tmp_path / "r")
    return tmp_path / "r"


@pytest.mark.parametrize("text", ["", "\n", "  \n\n"])
def test_an_empty_cases_file_is_refused_naming_it(repo, tmp_path, text):
    path = tmp_path / "empty.jsonl"
    path.write_text(text)
    with pytest.raises(UserInputError, match="the cases file holds no case") as raised:
        load_cases(path, open_repository(repo))
    assert raised.value.where == str(path) and raised.value.exit_code == 2


@pytest.mark.parametrize("history", [["--fix", "HEAD"], ["--rev", "HEAD~1"],
                                     ["--pattern", "bug"], ["--issue", "3"],
                                     ["--fix", "HEAD", "--issue", "3"]])
def test_history_options_beside_cases_are_a_usage_error(repo, tmp_path, capsys, history):
    head = git(repo, "rev-parse", "HEAD").strip()
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps({"base": f"{head}~1", "head": head,
                                "labels": [{"path": "bounds.py", "line": 1}]}) + "\n")
    code, _, err = run_cli(capsys, "bench", "--dry-run", "--cases", str(path), *history)
    assert code == 2
    said = " ".join(err.split())
    assert "--cases cannot be combined with " in said
    assert all(flag in said for flag in history if flag.startswith("--"))


@pytest.mark.parametrize("name", ["../../escape", "", "a/b", ".hidden"])
def test_a_dry_run_refuses_the_name_the_run_would(repo, name):
    options = bench.BenchOptions(name=name, dry_run=True, format="json")
    with pytest.raises(UserInputError, match="is not a plain name"):
        bench.run(lambda _root, _config: Settings(model="scripted"), repo, options)


def test_an_empty_model_says_so_not_require_llm(repo, capsys):
    code, _, err = run_cli(capsys, "bench", "--model", "", "--limit", "1")
    assert code == 2
    assert "--model needs a model id (one was empty)" in err and "require-llm" not in err


def test_a_fixes_file_with_a_bom_reads_its_first_commit(repo, tmp_path, capsys):
    fix = git(repo, "log", "-1", "--format=%H", "--grep=fix").strip()
    path = tmp_path / "fixes.txt"
    path.write_bytes(b"\xef\xbb\xbf" + f"{fix}\r\n# a comment\r\n".encode())
    code, out, err = run_cli(capsys, "bench", "--dry-run", "--json", "--fixes", str(path))
    assert code == 0, err
    assert json.loads(out)["fixes"] == 1


@pytest.mark.parametrize("text", ["", "\n", "# curated list: none yet\n\n", "  # a\r\n"])
def test_a_fixes_file_naming_no_commit_is_refused_not_the_patterns(repo, tmp_path, capsys,
                                                                    text):
    """An empty list of fixes mined the whole history by the message patterns: cases the
    user did not choose, reviewed (and paid for) without a --dry-run."""
    path = tmp_path / "fixes.txt"
    path.write_text(text)
    code, out, err = run_cli(capsys, "bench", "--dry-run", "--json", "--fixes", str(path))
    assert code == 2 and out == ""
    assert "the fixes file holds no commit" in err and str(path) in " ".join(err.split())


def test_a_fix_named_twice_is_one_fix(repo, tmp_path, capsys):
    fix = git(repo, "log", "-1", "--format=%H", "--grep=fix").strip()
    path = tmp_path / "fixes.txt"
    path.write_text(f"{fix}\n{fix[:12]}\n")
    code, out, err = run_cli(capsys, "bench", "--dry-run", "--json", "--fixes", str(path),
                             "--fix", fix, "--fix", "HEAD")
    assert code == 0, err
    said = json.loads(out)
    assert said["fixes"] == 1 + (fix != git(repo, "rev-parse", "HEAD").strip())


@pytest.mark.parametrize("pattern", ["x{99999999999}", "(" * 5000 + ")" * 5000, "("],
                         ids=["overflow", "nested too deep", "unclosed"])
def test_a_pattern_python_cannot_compile_is_a_usage_error(repo, capsys, pattern):
    code, _, err = run_cli(capsys, "bench", "--dry-run", "--pattern", pattern)
    assert code == 2 and "is not a regular expression" in err
    assert "internal error" not in err


# patterns that match every message: an empty one, one of blanks, one that matches nothing
# at all (an optional, a star), in any of the forms regular expressions give them
EVERYTHING = st.one_of(
    st.sampled_from(["", " ", "\t", "  ", "^", "$", "(?i)", ".*", "(fix)?"]),
    st.builds(lambda word, quantifier: f"({re.escape(word)}){quantifier}",
              st.text(alphabet="abcfix:#", min_size=1, max_size=6),
              st.sampled_from(["?", "*", "{0,3}", "??", "*?"])))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pattern=EVERYTHING)
def test_a_pattern_that_matches_every_commit_is_refused_not_all(repo, capsys, pattern):
    code, out, err = run_cli(capsys, "bench", "--dry-run", "--json", "--pattern", "fix",
                             "--pattern", pattern)
    assert code == 2 and out == ""
    said = " ".join(err.split())
    assert "matches an empty or blank message, so every commit would be a fix" in said


@pytest.mark.parametrize("option", ["--rev", "--fix", "--fixes", "--cases"])
@pytest.mark.parametrize("value", ["", "  "])
def test_a_blank_option_value_is_refused_naming_the_option(repo, capsys, option, value):
    """`--rev "$REV"` with REV unset: git read '' as no revision, `--fixes ''` as the
    current folder; each is an option given nothing, said as such."""
    code, out, err = run_cli(capsys, "bench", "--dry-run", "--json", option, value)
    assert code == 2 and out == ""
    said = " ".join(err.split())
    assert f"{option} was given an empty value; give one, or leave {option} out" in said


def test_a_pattern_that_needs_a_word_still_finds_the_fixes(repo, capsys):
    code, out, err = run_cli(capsys, "bench", "--dry-run", "--json", "--pattern", "(fix)+")
    assert code == 0, err
    assert json.loads(out)["fixes"] >= 1
