"""`review --fix`: a fix round judges the whole change as reviewed (its base to the tree as
the fix left it), as `run` judges its baseline to it. Before, the round after a safe fix
read the fix's diff alone, so a fix touching only code looked untested: a false `Production
code changed with no test change` was escalated though the change edits its tests.
Generated: what ruff fixes x where the project keeps its test x with or without a test
change (without one, the finding is due, from round 1)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.repos import init_repo, write_files
from tests.support.review_cli import review

# a comparison ruff's safe fix rewrites (F632: `is` with a literal becomes `==`), none true
# for the tests' values (the project's tests pass before and after the fix)
COMPARISONS = ("x is 7", "x is 1.5", 'x is "a"', "x is b''", "x is ()")
TESTS = ("tests/test_a.py", "test_a.py", "a_test.py")


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(comparison=st.sampled_from(COMPARISONS), test=st.sampled_from(TESTS),
       with_test=st.booleans())
def test_a_fix_round_judges_the_whole_change(tmp_path_factory, comparison: str,
                                             test: str, with_test: bool) -> None:
    root = init_repo(tmp_path_factory.mktemp("r") / "r", {
        "a.py": "def f(x):\n    return x\n",
        test: "from a import f\n\n\ndef test_f():\n    assert f(1) == 1\n"})
    write_files(root, {"a.py": f"def f(x):\n    if {comparison}:\n        return -x\n"
                                "    return x\n"})
    if with_test:
        write_files(root, {test: "from a import f\n\n\ndef test_f():\n    assert f(1) == 1\n"
                                 "\n\ndef test_g():\n    assert f(0) == 0\n"})
    done = review(root, "--fix", "--format", "json", "--fail-on", "should_fix")
    report = json.loads(done.stdout)
    status = {e["finding"]["rule"]: e["status"] for e in report["ledger"]["entries"]}
    assert status.get("F632") == "fixed", (status, done.stderr[-2000:])
    if with_test:
        assert "no-test-change" not in status, report["ledger"]["entries"]
        assert done.returncode == 0, (status, done.stderr[-2000:])
    else:  # due from round 1, on the change as the user wrote it
        [entry] = [e for e in report["ledger"]["entries"]
                   if e["finding"]["rule"] == "no-test-change"]
        assert entry["history"][0]["reason"].endswith("in round 1"), entry["history"]
        assert done.returncode == 1
