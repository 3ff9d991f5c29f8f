"""Which suppressions count, on real repositories: inline markers judged by trust, the
baseline and `.gitleaksignore` read from the trusted side, gitleaks' commit-scoped entries
judged by `git blame`, the tools' config skips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.checks.suppressions.scope import pr_trust, suppressions_for
from reviewloop.checks.suppressions.suppressor import Suppressor, covers
from reviewloop.checks.suppressions.tool_config import ConfigSkip
from reviewloop.errors import UserInputError
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.repository import Repository, open_repository
from reviewloop.policy.trust import Trust
from tests.support.gitutil import git
from tests.support.repos import commit
from tests.support.suppression_trust import AWS_KEY, pr_repo

APP = ("import subprocess\n"                                   # 1
       "# reviewloop: ignore[B602] audited by alice\n"          # 2
       "subprocess.call(a, shell=True)\n"                       # 3
       "subprocess.call(b, shell=True)  # nosec B602\n"         # 4
       "subprocess.call(c, shell=True)  # nosec B605\n"         # 5
       "\n"                                                     # 6
       "subprocess.call(d, shell=True)  # noqa\n")              # 7


def finding(line: int, rule: str = "B602", source: str = "bandit", file: str = "app.py",
            agent: str = "review-security") -> Finding:
    return Finding(severity=Severity.MUST_FIX, file=file, start_line=line, end_line=line,
                   title="shell=True", rationale="r", confidence=0.9, agent=agent,
                   source=source, rule=rule)


def _tree(tmp_path: Path, files: dict[str, str]) -> Repository:
    root = tmp_path / "tree"
    pr_repo(root, files)
    return open_repository(root)


def _suppressor(repo: Repository, trust: Trust, **kw) -> Suppressor:
    return Suppressor(TrustedFiles(repo, repo.root, trust), **kw)


def test_trusted_markers_cover_their_tools_findings_on_the_lines_they_reach(
        tmp_path: Path) -> None:
    suppress = _suppressor(_tree(tmp_path, {"app.py": APP}), Trust.everything())

    above = suppress(finding(3))
    assert above is not None and above.where == "app.py:2"
    assert above.reason == "audited by alice"
    assert suppress(finding(4)).where == "app.py:4"  # type: ignore[union-attr]
    assert suppress(finding(5)) is None  # `# nosec B605` names another test
    assert suppress(finding(7)) is None  # ruff's noqa: bandit does not read it
    assert suppress(finding(7, "F821", "ruff-maintainability")).where == "app.py:7"  # type: ignore[union-attr]
    assert suppress(finding(4, "F821", "ruff-maintainability")) is None


@pytest.mark.parametrize("name", ["app\x00.py", "missing.py", "link.py", "folder"])
def test_a_file_that_cannot_be_read_as_text_suppresses_nothing(tmp_path: Path, name: str
                                                              ) -> None:
    """A model may name any path, a NUL byte in it included: no marker, and no crash."""
    repo = _tree(tmp_path, {"app.py": APP})
    (repo.root / "link.py").symlink_to("app.py")
    (repo.root / "folder").mkdir()
    assert _suppressor(repo, Trust.everything())(finding(3, file=name)) is None


def test_a_marker_the_untrusted_change_wrote_covers_nothing(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {"app.py": APP})
    marker_added = Trust(added={"app.py": frozenset({2, 4})}, touched=frozenset({"app.py"}))
    code_added = Trust(added={"app.py": frozenset({3})}, touched=frozenset({"app.py"}))

    assert _suppressor(repo, marker_added)(finding(3)) is None
    assert _suppressor(repo, marker_added)(finding(4)) is None
    assert _suppressor(repo, code_added)(finding(3)) is None  # new code under a base marker
    assert _suppressor(repo, code_added)(finding(4)) is not None  # the base's own line


def test_file_wide_and_next_line_markers(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {
        "lib.py": "# ruff: noqa: F401\nimport os\nimport sys\nx = undefined\n",
        "Dockerfile": "FROM python:3.12\n# hadolint ignore=DL3020\nADD a /a\nADD b /b\n"})
    suppress = _suppressor(repo, Trust.everything())

    assert suppress(finding(3, "F401", "ruff-maintainability", "lib.py")) is not None
    assert suppress(finding(4, "F821", "ruff-maintainability", "lib.py")) is None
    assert suppress(finding(3, "DL3020", "hadolint", "Dockerfile")) is not None
    assert suppress(finding(4, "DL3020", "hadolint", "Dockerfile")) is None


def test_a_baseline_entry_by_fingerprint_or_by_rule_and_file(tmp_path: Path) -> None:
    printed = finding(3, file="a.py")
    entries = [{"fingerprint": printed.fingerprint, "by": "alice", "reason": "audited"},
               {"rule": "B602", "file": "b.py"}, {"rule": "B602", "file": "c.py", "line": 9}]
    repo = _tree(tmp_path, {".reviewloop-baseline.json": json.dumps({"findings": entries})})
    found = suppressions_for(repo, repo.root, Trust.everything()).suppress

    by_print = found(printed)
    assert by_print is not None and (by_print.by, by_print.reason) == ("alice", "audited")
    assert found(finding(3, file="b.py")) is not None
    assert found(finding(9, file="c.py")) is not None and found(finding(8, file="c.py")) is None
    assert found(finding(3, file="d.py")) is None


@pytest.mark.parametrize("spelled", ["B602", "bandit/B602", "bandit:B602"])
def test_a_baseline_rule_may_be_spelled_as_sarif_shows_it(tmp_path: Path, spelled: str
                                                          ) -> None:
    """The rule id SARIF and code scanning show (`bandit/B602`), which an inline marker
    takes, suppressed nothing in a baseline entry: only `B602` did. Either spelling now
    covers that analyzer's rule, and only it (not another tool's `B602`, not another rule)."""
    entries = [{"rule": spelled, "file": "s.py", "by": "alice", "reason": "trusted"}]
    repo = _tree(tmp_path, {".reviewloop-baseline.json": json.dumps({"findings": entries})})
    found = suppressions_for(repo, repo.root, Trust.everything()).suppress
    kept = found(finding(3, file="s.py"))
    assert kept is not None and (kept.by, kept.reason) == ("alice", "trusted")
    assert found(finding(3, file="s.py", rule="B605")) is None
    assert found(finding(3, file="other.py")) is None
    other_tool = found(finding(3, file="s.py", source="ruff"))
    assert (other_tool is None) == (spelled != "B602")


@pytest.mark.parametrize(("named", "covered"), [
    ("B602", True), ("bandit/B602", True), ("bandit:B602", True), ("review-security", True),
    ("*", True), ("ruff:B602", False), ("ruff/B602", False), ("bandit:B605", False),
    ("b602", False), ("bandit", False)])
def test_an_inline_marker_names_a_rule_as_the_tool_sarif_or_stats_spells_it(
        named: str, covered: bool) -> None:
    """`stats` names a rule `bandit:B602`; `ignore[bandit:B602]` copied from it suppressed
    nothing (only `B602` and `bandit/B602` did). Each spelling covers that tool's rule only."""
    assert covers([named], finding(3)) is covered


def test_a_baseline_the_change_touches_is_read_from_the_base(tmp_path: Path) -> None:
    base = {".reviewloop-baseline.json": json.dumps({"findings": [
        {"rule": "B602", "file": "old.py"}]})}
    root = pr_repo(tmp_path / "repo", base, {".reviewloop-baseline.json": json.dumps(
        {"findings": [{"rule": "B602", "file": "old.py"}, {"rule": "B602", "file": "new.py"}]})})
    repo = open_repository(root)

    found = suppressions_for(repo, root, pr_trust(repo, "main", "feature")).suppress

    assert found(finding(1, file="new.py")) is None
    kept = found(finding(1, file="old.py"))
    assert kept is not None and kept.where.startswith(".reviewloop-baseline.json (at ")


def test_a_broken_baseline_is_an_error_only_when_it_is_trusted(tmp_path: Path) -> None:
    root = pr_repo(tmp_path / "repo", {}, {".reviewloop-baseline.json": "{not json"})
    repo = open_repository(root)

    suppressions_for(repo, root, pr_trust(repo, "main", "feature"))  # the PR's: not read
    with pytest.raises(UserInputError, match="not a baseline file") as raised:
        suppressions_for(repo, root, Trust.everything())  # your own: say so
    assert "fingerprint" in (raised.value.fix or "")


def test_a_commit_scoped_gitleaks_entry_matches_only_what_that_commit_wrote(
        tmp_path: Path) -> None:
    secret = f'KEY = "{AWS_KEY}"\n'
    root = pr_repo(tmp_path / "repo", {"a.py": secret})
    wrote = git(root, "rev-parse", "HEAD").strip()
    commit(root, {"a.py": "# moved down\n" + secret, "b.py": secret})
    commit(root, {".gitleaksignore": f"{wrote}:a.py:aws-access-token:1\n"
                                     f"{wrote}:b.py:aws-access-token:1\n"
                                     "c.py:aws-access-key-id:1\n"})
    repo = open_repository(root)
    found = suppressions_for(repo, root, Trust.everything()).suppress

    moved = found(finding(2, "aws-access-key-id", "secrets", "a.py"))
    assert moved is not None and moved.where == ".gitleaksignore:1"
    assert found(finding(1, "aws-access-key-id", "secrets", "b.py")) is None  # another commit
    assert found(finding(1, "aws-access-key-id", "secrets", "c.py")) is not None  # dir mode
    assert found(finding(1, "aws-access-key-id", "bandit", "c.py")) is None


def test_a_tool_config_skip_covers_its_tools_findings(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {})
    skips = [ConfigSkip("checkov", "CKV_AWS_*", ".checkov.yaml"),
             ConfigSkip("zizmor", "template-injection", "zizmor.yml", file="ci.yml", line=7)]
    suppress = _suppressor(repo, Trust.everything(), config=skips)

    assert suppress(finding(1, "CKV_AWS_20", "checkov", "main.tf")).where == ".checkov.yaml"  # type: ignore[union-attr]
    assert suppress(finding(1, "CKV_K8S_20", "checkov", "k8s.yaml")) is None
    wf = ".github/workflows/ci.yml"
    assert suppress(finding(7, "template-injection", "zizmor", wf)) is not None
    assert suppress(finding(8, "template-injection", "zizmor", wf)) is None


JS = ("const a = eval(x); // eslint-disable-line\n"                          # 1
      "// eslint-disable-next-line security/detect-eval-with-expression -- ok\n"  # 2
      "const b = eval(x);\n"                                                  # 3
      "const c = eval(x); // @ts-ignore\n"                                    # 4
      "/* eslint-disable security/detect-eval-with-expression, no-new-func */\n"  # 5
      "const d = eval(x);\n"                                                  # 6
      "/* eslint-enable no-new-func */\n"                                     # 7
      "const e = eval(x);\n"                                                  # 8
      "/* eslint-enable */\n"                                                 # 9
      "const f = eval(x);\n"                                                  # 10
      "// eslint-disable-next-line no-implied-eval\n"                         # 11
      "const g = eval(x);\n")                                                 # 12
EVAL = "security/detect-eval-with-expression"


def test_eslint_markers_reach_their_line_the_next_one_or_down_to_their_enable(
        tmp_path: Path) -> None:
    suppress = _suppressor(_tree(tmp_path, {"a.js": JS}), Trust.everything())

    def hidden(line: int, rule: str = EVAL, source: str = "eslint-security") -> bool:
        return suppress(finding(line, rule, source, "a.js")) is not None

    assert hidden(1) and hidden(3)  # -line, -next-line naming the rule
    assert not hidden(4)  # @ts-ignore is TypeScript's, not ESLint's
    assert hidden(6) and hidden(8)  # the block; `eslint-enable no-new-func` leaves eval off
    assert not hidden(10)  # after the bare `eslint-enable`
    assert not hidden(12)  # next-line naming another rule
    assert hidden(8, "no-new-func") is False  # re-enabled on line 7
    assert not hidden(3, EVAL, "bandit")  # an ESLint marker hides ESLint's findings only


def test_eslint_file_wide_comment_config_and_a_top_disable(tmp_path: Path) -> None:
    repo = _tree(tmp_path, {
        "b.js": '/* eslint no-new-func: "off" */\nnew Function(s);\neval(s);\n',
        "c.ts": "/* eslint-disable */\nnew Function(s);\neval(s);\n"})
    suppress = _suppressor(repo, Trust.everything())
    assert suppress(finding(2, "no-new-func", "eslint-security", "b.js")) is not None
    assert suppress(finding(3, EVAL, "eslint-security", "b.js")) is None
    assert suppress(finding(3, EVAL, "eslint-security", "c.ts")) is not None


def test_a_shellcheck_directive_reaches_the_next_command(tmp_path: Path) -> None:
    # after a first command (before it, a directive covers the whole script: shell_scopes)
    script = "#!/bin/sh\n: start\n# shellcheck disable=SC2086,2046\necho $1\necho $2\n"
    suppress = _suppressor(_tree(tmp_path, {"run.sh": script}), Trust.everything())
    assert suppress(finding(4, "SC2086", "shellcheck-security", "run.sh")) is not None
    assert suppress(finding(4, "SC2046", "shellcheck-security", "run.sh")) is not None
    assert suppress(finding(5, "SC2086", "shellcheck-security", "run.sh")) is None
    assert suppress(finding(4, "SC2164", "shellcheck", "run.sh")) is None


@pytest.mark.parametrize("reviewed", [
    "// eslint-disable-next-line\neval(x);\n",  # was: the marker, `safe();`, eval(x)
    "/* eslint-disable */\neval(a);\neval(x);\n",  # was: …, `/* eslint-enable */`, eval(x)
], ids=["the line under a next-line marker", "a block's eslint-enable"])
def test_a_base_marker_does_not_stretch_over_a_removal(tmp_path: Path, reviewed: str) -> None:
    """The change deleted what stood between a base marker and a base line (the line under
    `disable-next-line`, or the `eslint-enable` closing a block): the marker is the base's,
    the flagged line too, but the marker never covered that line before."""
    repo = _tree(tmp_path, {"a.js": reviewed})
    flagged = reviewed.count("\n")
    removed = Trust(removals={"a.js": frozenset({flagged - 1})}, touched=frozenset({"a.js"}))
    elsewhere = Trust(removals={"a.js": frozenset({flagged})}, touched=frozenset({"a.js"}))
    assert _suppressor(repo, removed)(finding(flagged, EVAL, "eslint-security", "a.js")) \
        is None
    assert _suppressor(repo, elsewhere)(finding(flagged, EVAL, "eslint-security", "a.js")) \
        is not None


SPANNING = ("/* eslint-disable no-eval,\n   no-undef */\n",
            "/* eslint-disable\n   no-undef\n   -- why */\n",
            '/* eslint no-eval: "off",\n   no-undef: "off" */\n')


@pytest.mark.parametrize("comment", SPANNING)
def test_a_spanning_directive_counts_only_when_each_of_its_lines_is_trusted(
        tmp_path: Path, comment: str) -> None:
    """A `/* */` directive spanning lines is read whole (as ESLint reads it), from its first
    line: a change that wrote any one of its lines (a rule added to a base comment's list)
    wrote the suppression, and it silences nothing."""
    repo = _tree(tmp_path, {"a.js": comment + "compute();\n"})
    flagged = comment.count("\n") + 1
    undefined = finding(flagged, "no-undef", "eslint-maintainability", "a.js")
    assert _suppressor(repo, Trust.everything())(undefined) is not None
    for written in range(1, flagged):
        trust = Trust(added={"a.js": frozenset({written})}, touched=frozenset({"a.js"}))
        assert _suppressor(repo, trust)(undefined) is None, written
