"""`--cases FILE.jsonl`: labelled cases given as a diff on a base commit or as two commits,
each bad line named by its number; and a bench over such a file, end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.bench.cases import load_cases
from reviewloop.cli import bench
from reviewloop.config import Settings
from reviewloop.errors import UserInputError
from reviewloop.git.repository import Repository, open_repository
from tests.support.bench_repo import CLAMP, planted
from tests.support.chat import ScriptedChatModel
from tests.support.gitutil import git
from tests.support.paths import ROOT
from tests.support.runner import round_one

DIFF = """diff --git a/greet.py b/greet.py
new file mode 100644
--- /dev/null
+++ b/greet.py
@@ -0,0 +1,3 @@
+def greet(name):
+    \"\"\"Hello to name.\"\"\"
+    return "Hello, " + nam
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repository:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    planted(tmp_path / "r")
    return open_repository(tmp_path / "r")


def write(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join((json.dumps(x) if not isinstance(x, str) else x) + "\n"
                            for x in lines))
    return path


def test_a_diff_case_becomes_a_commit_on_its_base_the_same_every_time(repo, tmp_path):
    path = write(tmp_path, {"id": "typo", "diff": DIFF, "labels": [{"path": "greet.py",
                                                                     "line": 3}],
                            "description": "a NameError"})
    [case] = load_cases(path, repo)
    assert case.base == git(repo.root, "rev-parse", "HEAD").strip()
    assert git(repo.root, "show", f"{case.head}:greet.py").endswith("+ nam\n")
    assert git(repo.root, "rev-parse", f"{case.head}^").strip() == case.base
    assert git(repo.root, "status", "--porcelain") == ""  # no ref, index or file touched
    assert load_cases(path, repo)[0].head == case.head  # a resumed bench finds it again
    assert (case.id, case.description) == ("typo", "a NameError")


def test_a_commit_case_and_a_default_id(repo, tmp_path):
    head = git(repo.root, "log", "-1", "--format=%H", f"--grep={CLAMP.subject}").strip()
    path = write(tmp_path, {"base": f"{head}^", "head": head,
                            "labels": [{"path": "./bounds.py", "line": 6}]})
    [case] = load_cases(path, repo)
    assert case.head == head and case.labels[0].path == "bounds.py"
    assert len(case.id) == 16


@pytest.mark.parametrize("line, message", [
    ("{not json", "cases.jsonl:2: not a bench case"),
    ({"labels": [{"path": "a.py", "line": 1}]}, "give either `head`"),
    ({"diff": DIFF, "labels": []}, "labels"),
    ({"diff": DIFF, "labels": [{"path": "a.py", "line": 0}]}, "labels.0.line"),
    ({"diff": DIFF, "labels": [{"path": "/etc/passwd", "line": 1}]}, "relative"),
    ({"head": "HEAD", "labels": [{"path": "a.py", "line": 1}]}, "needs `base`"),
    ({"diff": DIFF, "labels": [{"path": "a.py", "line": 1}], "colour": 1}, "colour"),
    ({"diff": "--- a/none.py\n+++ b/none.py\n@@ -1 +1 @@\n-a\n+b\n",
      "labels": [{"path": "none.py", "line": 1}]}, "does not apply"),
    ({"base": "no-such-ref", "diff": DIFF, "labels": [{"path": "a.py", "line": 1}]},
     "unknown commit"),
    # a NUL reached `git cat-file` and crashed (exit 3); JSON's true and "2" are no integers
    ({"diff": DIFF, "labels": [{"path": "greet.py\0x", "line": 1}]}, "NUL"),
    ({"diff": DIFF, "labels": [{"path": "greet.py", "line": True}]}, "labels.0.line"),
    ({"diff": DIFF, "labels": [{"path": "greet.py", "line": "2"}]}, "labels.0.line"),
    # a commit that looks like an option: `git log --output=FILE` wrote FILE
    ({"base": "--output=written", "diff": DIFF, "labels": [{"path": "a.py", "line": 1}]},
     "unknown commit"),
    ({"base": "HEAD", "head": "--output=written", "labels": [{"path": "a.py", "line": 1}]},
     "unknown commit"),
])
def test_a_bad_line_is_named_with_its_number(repo, tmp_path, line, message):
    path = write(tmp_path, {"diff": DIFF, "labels": [{"path": "greet.py", "line": 3}]}, line)
    with pytest.raises(UserInputError, match=message) as raised:
        load_cases(path, repo)
    assert f"{path}:2" in str(raised.value)
    assert raised.value.exit_code == 2
    assert not (repo.root / "written").exists() and not (tmp_path / "written").exists()


# greet.py has 3 lines in DIFF's head; each a label that can never be a hit there: git
# diff's prefixes, another case, a file the head lacks, a folder, a line past the end
NOT_THERE = st.sampled_from(["a/greet.py", "b/greet.py", "GREET.py", "Greet.py", "greet.PY",
                             "greet.py.orig", "nosuch.py", "src/greet.py", "greet",
                             "bounds.py/greet.py"])
MISSED = st.one_of(
    st.tuples(NOT_THERE, st.integers(1, 3)),
    st.tuples(st.just("greet.py"), st.integers(4, 10_000)))


@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=MISSED, good=st.integers(1, 3))
def test_a_label_on_no_line_of_the_head_is_refused_with_its_file_and_line(
        repo, tmp_path, label, good):
    """A label on no file or line of the case's head could never be a hit: it was kept and
    scored as a miss, silently lowering the hit rate (a set converted with `b/` prefixes
    scored 0 %)."""
    path, line = label
    ok = {"diff": DIFF, "labels": [{"path": "greet.py", "line": good}]}
    bad = {"diff": DIFF, "labels": [{"path": "greet.py", "line": good},
                                    {"path": path, "line": line}]}
    with pytest.raises(UserInputError, match=re.escape(f"label {path}:{line}: ")) as raised:
        load_cases(write(tmp_path, ok, bad), repo)
    assert f"{write(tmp_path)}:2" in str(raised.value)
    assert raised.value.exit_code == 2
    [case] = load_cases(write(tmp_path, ok), repo)
    assert case.labelled() == {"greet.py": {good}}


def test_a_label_with_git_diff_s_prefix_is_named_as_such(repo, tmp_path):
    case = {"diff": DIFF, "labels": [{"path": "b/greet.py", "line": 3}]}
    with pytest.raises(UserInputError, match="`b/` is git diff's prefix") as raised:
        load_cases(write(tmp_path, case), repo)
    assert "names are case-sensitive" in (raised.value.fix or "")
    case = {"diff": DIFF, "labels": [{"path": "greet.py", "line": 4}]}
    with pytest.raises(UserInputError, match=r"greet\.py has 3 line"):
        load_cases(write(tmp_path, case), repo)


def test_two_cases_with_one_id_are_refused(repo, tmp_path):
    case = {"id": "same", "diff": DIFF, "labels": [{"path": "greet.py", "line": 3}]}
    with pytest.raises(UserInputError, match="two cases have the id 'same'"):
        load_cases(write(tmp_path, case, case), repo)


def test_the_schema_accepts_what_the_loader_accepts(tmp_path):
    schema = json.loads((ROOT / "docs/schemas/bench-case.schema.json").read_text())
    good = {"id": "x", "base": "HEAD", "diff": DIFF, "labels": [{"path": "greet.py",
                                                                 "line": 3}]}
    jsonschema.validate(good, schema, cls=jsonschema.Draft202012Validator)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**good, "labels": [{"path": "greet.py"}]}, schema,
                            cls=jsonschema.Draft202012Validator)


def test_a_bench_over_a_cases_file_scores_the_labels(repo, tmp_path, capsys):
    finding = {"severity": "must_fix", "file": "greet.py", "start_line": 3, "end_line": 3,
               "title": "Undefined name nam", "rationale": "NameError at call time.",
               "confidence": 0.9}
    model = ScriptedChatModel()
    round_one(model, {"review-security": [finding]})
    path = write(tmp_path, {"id": "typo", "diff": DIFF, "labels": [{"path": "greet.py",
                                                                     "line": 3}]})
    code = bench.run(lambda _root, _config: Settings(model="scripted"), repo.root,
                     bench.BenchOptions(cases_file=path, format="json"),
                     model_factory=lambda name: model)
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["fixes"] == 0 and report["cases"] == 1
    rows = {r["reviewer"]: r for r in report["models"][0]["reviewers"]}
    assert rows["review-security"]["hits"] == 1 and rows["review-security"]["must_fix_share"] == 1
    assert report["case_results"][0]["source"] == "jsonl"


@pytest.mark.parametrize("how", ("same commit", "same commit by two names", "empty commit"))
def test_a_case_whose_head_changes_nothing_of_its_base_is_refused(repo, tmp_path, how):
    """A case with `head` == `base` was replayed as 0 findings and scored a miss, halving
    the hit rate without a word; one whose head changes nothing (an empty commit) likewise."""
    head = git(repo.root, "log", "-1", "--format=%H", f"--grep={CLAMP.subject}").strip()
    base = {"same commit": head, "same commit by two names": "HEAD"}.get(how)
    if how == "same commit by two names":
        head = git(repo.root, "rev-parse", "HEAD").strip()
    if base is None:
        git(repo.root, "commit", "-q", "--allow-empty", "-m", "nothing")
        head = git(repo.root, "rev-parse", "HEAD").strip()
        base = f"{head}^"
    ok = {"diff": DIFF, "labels": [{"path": "greet.py", "line": 3}]}
    bad = {"base": base, "head": head, "labels": [{"path": "bounds.py", "line": 6}]}
    with pytest.raises(UserInputError, match="no change to review") as raised:
        load_cases(write(tmp_path, ok, bad), repo)
    assert f"{tmp_path / 'cases.jsonl'}:2" in str(raised.value)
    assert "`base` the commit before it" in str(raised.value)
    assert raised.value.exit_code == 2
    assert ("is its base" in str(raised.value)) == (how != "empty commit")
