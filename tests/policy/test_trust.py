"""The levers that can lower a verdict and the suppression markers, decided in one place."""

from __future__ import annotations

import pytest

from reviewloop.git.diff import ChangeSet, parse_diff
from reviewloop.policy.trust import Lever, LeverKind, Reach, Trust, lever, line_markers, markers
from tests.support.analyzers import Repo


@pytest.mark.parametrize(("path", "kind", "owner"), [
    (".reviewloop.toml", LeverKind.CONFIG, "reviewloop"),
    ("pyproject.toml", LeverKind.CONFIG, "reviewloop"),
    (".kiro/agents/review-security.json", LeverKind.CONFIG, "kiro"),
    (".kiro/steering/tech.md", LeverKind.CONFIG, "kiro"),
    (".kiro/governance.yaml", LeverKind.CONFIG, "kiro"),
    (".reviewloop-baseline.json", LeverKind.SUPPRESSION, "reviewloop"),
    (".gitleaksignore", LeverKind.SUPPRESSION, "gitleaks"),
    ("svc/.gitleaksignore", LeverKind.SUPPRESSION, "gitleaks"),
    (".secrets.baseline", LeverKind.SUPPRESSION, "detect-secrets"),
    ("infra/.checkov.yaml", LeverKind.SUPPRESSION, "checkov"),
    (".hadolint.yaml", LeverKind.SUPPRESSION, "hadolint"),
    (".github/zizmor.yml", LeverKind.SUPPRESSION, "zizmor"),
    ("ruff.toml", LeverKind.SUPPRESSION, "ruff"),
    (".bandit", LeverKind.SUPPRESSION, "bandit"),
    ("src/.gitattributes", LeverKind.CLASSIFICATION, "git"),
    (".githooks/pre-commit", LeverKind.HOOK, "git"),
    (".husky/pre-commit", LeverKind.HOOK, "husky"),
    (".pre-commit-config.yaml", LeverKind.HOOK, "pre-commit"),
    ("lefthook.yml", LeverKind.HOOK, "lefthook"),
    (".overcommit.yml", LeverKind.HOOK, "overcommit"),
    ("web/eslint.config.mjs", LeverKind.SUPPRESSION, "eslint"),
    (".eslintrc.json", LeverKind.SUPPRESSION, "eslint"),
    (".eslintignore", LeverKind.SUPPRESSION, "eslint"),
    (".shellcheckrc", LeverKind.SUPPRESSION, "shellcheck"),
    ("tox.ini", LeverKind.SUPPRESSION, "flake8, pytest, coverage.py, mypy"),  # not ruff's
    (".vscode/tasks.json", LeverKind.EXECUTED, "editors"),
    ("app.code-workspace", LeverKind.EXECUTED, "editors"),
    (".devcontainer/devcontainer.json", LeverKind.EXECUTED, "dev containers"),
    (".envrc", LeverKind.EXECUTED, "direnv, dotenv"),
    ("svc/.env.local", LeverKind.EXECUTED, "direnv, dotenv"),
    (".python-version", LeverKind.EXECUTED, "version managers"),
    (".nvmrc", LeverKind.EXECUTED, "version managers"),
    (".tool-versions", LeverKind.EXECUTED, "version managers"),
    (".npmrc", LeverKind.EXECUTED, "package managers"),
    (".pnpmfile.cjs", LeverKind.EXECUTED, "package managers"),
    (".gitmodules", LeverKind.EXECUTED, "package managers"),
    ("src/sitecustomize.py", LeverKind.EXECUTED, "debuggers, Python's start-up"),
    (".github/workflows/ci.yml", LeverKind.EXECUTED, "CI"),
    (".gitlab-ci.yml", LeverKind.EXECUTED, "CI"),
    (".coveragerc", LeverKind.EXECUTED, "coverage and test settings"),
    ("web/.nycrc.json", LeverKind.EXECUTED, "coverage and test settings"),
    (".c8rc", LeverKind.EXECUTED, "coverage and test settings"),
    ("jest.config.ts", LeverKind.EXECUTED, "coverage and test settings"),
])
def test_a_lever_is_named_with_its_kind_and_owner(path: str, kind: LeverKind, owner: str) -> None:
    found = lever(path)
    assert found is not None and (found.kind, found.owner) == (kind, owner)


@pytest.mark.parametrize("path", ["app.py", "docs/pyproject.toml.md", "src/hooks.py",
                                  "kiro/agents/x.json", "tests/test_app.py"])
def test_ordinary_files_are_no_lever(path: str) -> None:
    assert lever(path) is None


def test_a_repository_lever_comes_first() -> None:
    hooks = Lever("/tools/git-hooks/**", LeverKind.HOOK, "git (core.hooksPath)")
    assert lever("tools/git-hooks/pre-push", [hooks]) == hooks
    assert lever("tools/git-hooks/pre-push") is None


@pytest.mark.parametrize(("line", "owner"), [
    ("subprocess.run(cmd, shell=True)  # nosec B602", "bandit"),
    ("x = 1  # NOSEC", "bandit"),
    ("import os  # noqa: F401", "ruff"),
    ("# ruff: noqa", "ruff"),
    ("# flake8: noqa", "flake8"),
    ("x = eval(y)  # pylint: disable=eval-used", "pylint"),
    ('  #checkov:skip=CKV_AWS_20:public site', "checkov"),
    ("# hadolint ignore=DL3008", "hadolint"),
    ("# hadolint global ignore=DL3008", "hadolint"),
    ("    uses: actions/checkout@v4  # zizmor: ignore[unpinned-uses]", "zizmor"),
    ('token = "abc"  # gitleaks:allow', "gitleaks"),
    ('key = "abc"  # pragma: allowlist secret', "detect-secrets"),
    ("# pragma: allowlist nextline secret", "detect-secrets"),
    ("run(x)  # nosemgrep: python.lang.security", "semgrep"),
    ("# tfsec:ignore:aws-s3-enable-bucket-logging", "tfsec"),
    ("# trivy:ignore:AVD-AWS-0086", "trivy"),
    ("# kics-scan ignore-line", "kics"),
    ("exec(x); // NOSONAR", "sonar"),
    ("// eslint-disable-next-line no-eval", "eslint"),
    ("// @ts-ignore", "typescript"),
    ("def f():  # pragma: no cover", "coverage"),
    ("/* istanbul ignore next */", "istanbul"),
    ("// istanbul ignore file", "istanbul"),
    ("/* c8 ignore next 3 */", "c8"),
    ("/* c8 ignore start */", "c8"),
    ("/* v8 ignore next */", "c8"),
    ("run(x)  # reviewloop: ignore[B602] reviewed", "reviewloop"),
    ("<!-- reviewloop: ignore[*] -->", "reviewloop"),
])
def test_every_marker_syntax_is_found(line: str, owner: str) -> None:
    assert owner in [m.owner for m in markers(line)]


def test_a_files_markers_are_each_lines_markers() -> None:
    """`line_markers` finds what `markers` finds line by line, in ASCII and beyond (`(?i)k`
    matches the Kelvin sign), with no marker made of two lines' text."""
    lines = ["x = eval(y)  # NOSEC B307", "", "a = 1  # no", "cover = 2", "f()  # noqa: E501",
             "\0# nosec", "# pragma: no   cover", "ok = 'naïve'  # eslint-disable-line",
             "# checKov:skip=CKV_AWS_20", "# \u212aics-scan ignore-line", "last # noqa"]
    expected = [(n, m) for n, line in enumerate(lines, start=1) for m in markers(line)]
    assert line_markers(lines) == expected
    assert [n for n, _ in expected] == [1, 5, 6, 7, 8, 9, 10, 11]
    ascii_lines = [line for line in lines if line.isascii()]
    assert line_markers(ascii_lines) == [
        (n, m) for n, line in enumerate(ascii_lines, start=1) for m in markers(line)]
    assert line_markers([]) == [] and line_markers(["plain"]) == []


@pytest.mark.parametrize("line", ["x = 1", "# nosecurity here", "label = 'noqa'",
                                  "# see docs about suppressions"])
def test_plain_lines_carry_no_marker(line: str) -> None:
    assert [m.owner for m in markers(line) if m.owner in {"bandit", "ruff"}] == []


def test_trust_says_whose_a_line_and_a_file_are() -> None:
    trust = Trust(added={"app.py": frozenset({3})}, touched=frozenset({"app.py"}))
    assert trust.line("app.py", 2) and not trust.line("app.py", 3)
    assert trust.line("other.py", 3)
    assert not trust.file("app.py") and trust.file("other.py")
    everything = Trust.everything()
    assert everything.line("app.py", 3) and everything.file("app.py")


def test_trust_from_a_change_holds_its_added_lines_and_paths(tmp_path) -> None:
    repo = Repo(tmp_path, {"app.py": "a = 1\nb = 2\n"})
    diff = repo.change({"app.py": "a = 1\nb = 3\nc = 4\n", "new.py": "x = 1\n"})

    trust = Trust.from_changes(parse_diff(diff))

    assert not trust.line("app.py", 2) and not trust.line("app.py", 3)
    assert trust.line("app.py", 1) and not trust.line("new.py", 1)
    assert trust.touched == {"app.py", "new.py"} and not trust.file("new.py")
    assert not trust.trusted_all


@pytest.mark.parametrize(("line", "owner", "rules", "reach"), [
    ("run(x)  # nosec", "bandit", None, Reach.LINES),
    ("run(x)  # nosec B602, B607 reviewed", "bandit", {"B602", "B607"}, Reach.LINES),
    ("run(x)  #NOSEC", "bandit", None, Reach.LINES),
    ("import os  # noqa", "ruff", None, Reach.LINES),
    ("import os  # noqa: F401, E501", "ruff", {"F401", "E501"}, Reach.LINES),
    ("# ruff: noqa", "ruff", None, Reach.FILE),
    ("# ruff: noqa: F821", "ruff", {"F821"}, Reach.FILE),
    ("# flake8: noqa", "flake8", None, Reach.FILE),
    ("  #checkov:skip=CKV_AWS_20:public site", "checkov", {"CKV_AWS_20"}, Reach.LINES),
    ("          - id: CKV_AWS_20", "checkov", {"CKV_AWS_20"}, Reach.LINES),
    ('    checkov.io/skip1: CKV_K8S_20=needed', "checkov", {"CKV_K8S_20"}, Reach.LINES),
    ("# hadolint ignore=DL3008,DL3009", "hadolint", {"DL3008", "DL3009"}, Reach.ABOVE),
    ("# hadolint global ignore=DL3008", "hadolint", {"DL3008"}, Reach.FILE),
    ("- run: x  # zizmor: ignore[template-injection]", "zizmor", {"template-injection"},
     Reach.LINES),
    ('k = "v"  # gitleaks:allow', "gitleaks", None, Reach.LINES),
    ("# pragma: allowlist nextline secret", "detect-secrets", None, Reach.ABOVE),
    ("# reviewloop: ignore[B602, review-security] audited", "reviewloop",
     {"B602", "review-security"}, Reach.LINES_OR_ABOVE),
    ("# reviewloop: ignore", "reviewloop", set(), Reach.LINES_OR_ABOVE),
    ("x(); // eslint-disable-line", "eslint", None, Reach.LINES),
    ("x(); /* eslint-disable-line no-eval */", "eslint", {"no-eval"}, Reach.LINES),
    ("// eslint-disable-next-line no-eval, @typescript-eslint/no-explicit-any -- ok",
     "eslint", {"no-eval", "@typescript-eslint/no-explicit-any"}, Reach.ABOVE),
    ("/* eslint-disable-next-line */", "eslint", None, Reach.ABOVE),
    ("/* eslint-disable */", "eslint", None, Reach.BLOCK),
    ("/* eslint-disable security/detect-object-injection */", "eslint",
     {"security/detect-object-injection"}, Reach.BLOCK),
    ("// eslint-disable no-eval", "eslint", {"no-eval"}, Reach.BLOCK),
    ('/* eslint no-eval: "off", eqeqeq: 0 */', "eslint", {"no-eval", "eqeqeq"}, Reach.FILE),
    ("// @ts-ignore", "typescript", None, Reach.LINES),
    ("# shellcheck disable=SC2086", "shellcheck", {"SC2086"}, Reach.ABOVE),
    ("# shellcheck shell=bash disable=2086,SC2046", "shellcheck", {"SC2086", "SC2046"},
     Reach.ABOVE),
    ("# shellcheck disable=all", "shellcheck", None, Reach.ABOVE),
])
def test_a_marker_says_what_it_names_and_which_lines_it_reaches(
        line: str, owner: str, rules: set[str] | None, reach: Reach) -> None:
    (found,) = [m for m in markers(line) if m.owner == owner]
    assert found.rules == (None if rules is None else frozenset(rules))
    assert found.reach is reach


def test_a_tool_marker_silences_only_that_tools_findings() -> None:
    (nosec,) = markers("run(x)  # nosec B602")
    (noqa,) = markers("x  # noqa: F821")
    (allow,) = markers('k = "v"  # gitleaks:allow')
    (star,) = markers("# reviewloop: ignore[*]")
    (eslint,) = markers("// eslint-disable-line")
    assert nosec.silences("bandit") and nosec.names("B602") and not nosec.names("B605")
    assert not nosec.silences("ruff-maintainability") and not nosec.silences("secrets")
    assert noqa.silences("ruff-maintainability") and noqa.silences("ruff-performance")
    assert allow.silences("secrets") and not allow.silences("bandit")
    assert star.silences("checkov") and star.silences("llm")
    (ts,) = markers("// @ts-expect-error")
    assert eslint.silences("eslint-security") and not eslint.silences("bandit")
    assert not any(ts.silences(s) for s in ("eslint-security", "eslint-maintainability"))


def _changes() -> ChangeSet:
    return parse_diff(
        "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,3 @@\n"
        " a = 1\n+b = 2  # nosec\n c = 3\n"
        "diff --git a/old.py b/new.py\nsimilarity index 100%\nrename from old.py\n"
        "rename to new.py\n"
        "diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n"
        "+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n")


def test_trust_from_a_change_distrusts_its_added_lines_and_every_path_it_touches() -> None:
    trust = Trust.from_changes(_changes(), base="abc", head="def")
    assert dict(trust.added) == {"app.py": frozenset({2})}
    assert trust.touched == {"app.py", "old.py", "new.py", "gone.py"}
    assert (trust.base, trust.head) == ("abc", "def")
    assert not trust.line("app.py", 2) and trust.line("app.py", 1)
    assert not any(trust.file(p) for p in ("app.py", "old.py", "new.py", "gone.py"))
    assert trust.file("other.py")


def test_a_trusted_marker_vouches_only_for_trusted_code() -> None:
    trust = Trust(added={"app.py": frozenset({6, 9})}, touched=frozenset({"app.py"}))
    assert trust.vouches(5, "app.py", 5)  # a base marker on base code
    assert not trust.vouches(5, "app.py", 6)  # a base marker above code the change wrote
    assert not trust.vouches(9, "app.py", 9)  # a marker the change wrote
    assert Trust.everything().vouches(9, "app.py", 9)
