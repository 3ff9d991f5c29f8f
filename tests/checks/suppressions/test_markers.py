"""The suppression markers a review knows: each analyzer's own syntaxes (silencing only its
findings), reviewloop's and other tools', found where each tool reads them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.registry import ANALYZERS
from reviewloop.checks.suppressions.markers import line_markers, markers, table
from reviewloop.policy.markers import FOREIGN, MarkerSyntax, Reach

_EXAMPLES = [
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
]


@pytest.mark.parametrize(("line", "owner"), _EXAMPLES)
def test_every_marker_syntax_is_found(line: str, owner: str) -> None:
    assert owner in [m.owner for m in markers(line)]


def test_a_files_markers_are_each_lines_markers() -> None:
    """`line_markers` finds what `markers` finds line by line, in ASCII and beyond (`(?i)k`
    matches the Kelvin sign), with no marker made of two lines' text."""
    lines = ["x = eval(y)  # NOSEC B307", "", "a = 1  # no", "cover = 2", "f()  # noqa: E501",
             "\0# nosec", "# pragma: no   cover", "ok = 'naïve'  // eslint-disable-line",
             "# checKov:skip=CKV_AWS_20", "# \u212aics-scan ignore-line", "last # noqa"]
    expected = [(n, m) for n, line in enumerate(lines, start=1) for m in markers(line)]
    assert line_markers(lines) == expected
    assert [n for n, _ in expected] == [1, 5, 6, 7, 8, 9, 10, 11]
    ascii_lines = [line for line in lines if line.isascii()]
    assert line_markers(ascii_lines) == [
        (n, m) for n, line in enumerate(ascii_lines, start=1) for m in markers(line)]
    assert line_markers([]) == [] and line_markers(["plain"]) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["x = 1", "# ", "nosec", "NOQA", ": E501", "no",
                                          " cover", "pragma", "é", "\u212a", "c8 ignore next",
                                          "eslint-disable", "\0", "plain"]),
                         max_size=4).map("".join), max_size=12))
def test_a_files_markers_are_each_lines_markers_whatever_its_lines(lines: list[str]) -> None:
    """`line_markers` over generated lines, most of them holding no marker's word (the quick
    answer), some a marker or its parts: always what `markers` finds line by line."""
    expected = [(n, m) for n, line in enumerate(lines, start=1) for m in markers(line)]
    assert line_markers(lines) == expected


@pytest.mark.parametrize("line", ["x = 1", "# nosecurity here", "label = 'noqa'",
                                  "# see docs about suppressions"])
def test_plain_lines_carry_no_marker(line: str) -> None:
    assert [m.owner for m in markers(line) if m.owner in {"bandit", "ruff"}] == []


@pytest.mark.parametrize(("line", "owner", "rules", "reach"), [
    ("run(x)  # nosec", "bandit", None, Reach.LINES),
    ("run(x)  # nosec B602, B607 reviewed", "bandit", {"B602", "B607"}, Reach.LINES),
    ("run(x)  #NOSEC", "bandit", set(), Reach.LINES),  # bandit reads lower case only
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
    ("/* eslint-disable no-eval */", "eslint", {"no-eval"}, Reach.BLOCK),  # a block comment
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


@pytest.mark.parametrize(("path", "line", "first", "owners"), [
    # read where each tool reads it: bandit and ruff in Python, ESLint in JS/TS, hadolint in
    # Dockerfiles, shellcheck in shell scripts (by name or by `#!`) ...
    ("app.py", "run(x)  # nosec", None, {"bandit"}),
    ("bin/deploy", "run(x)  # nosec", "#!/usr/bin/env python3", {"bandit"}),
    ("README.md", "run(x)  # nosec  # noqa", None, set()),
    ("app.js", "run(x)  # nosec", None, set()),
    # markers of tools reviewloop does not run count anywhere: they read more kinds of file
    ("src/App.vue", "// @ts-ignore", None, {"typescript"}),
    ("ext/fast.pyx", "def f():  # pragma: no cover", None, {"coverage"}),
    ("app.ts", "x(); // eslint-disable-line", None, {"eslint"}),
    ("app.py", "x()  # eslint-disable-line", None, set()),
    ("Dockerfile", "# hadolint ignore=DL3008", None, {"hadolint"}),
    ("notes.txt", "# hadolint ignore=DL3008", None, set()),
    ("tools/run", "# shellcheck disable=SC2086", "#!/bin/bash", {"shellcheck"}),
    # ... and those of tools that read every kind of file, anywhere
    ("main.tf", "#checkov:skip=CKV_AWS_20", None, {"checkov"}),
    ("config.yml", "token: x  # gitleaks:allow", None, {"gitleaks"}),
    ("docs/x.md", "<!-- reviewloop: ignore[*] -->", None, {"reviewloop"}),
])
def test_a_marker_counts_in_the_files_its_tool_reads(path: str, line: str, first: str | None,
                                                    owners: set[str]) -> None:
    lines = [first, line] if first else [line]
    assert {m.owner for m in markers(line, path, lines)} == owners
    assert {m.owner for _, m in line_markers(lines, path)} == owners


def test_every_analyzer_declares_the_markers_its_tool_honours() -> None:
    """A registered analyzer says which syntaxes its tool reads (possibly none); each of them
    silences the findings of the analyzers that declared it and of no other."""
    for name, analyzer in ANALYZERS.items():
        assert isinstance(analyzer.markers, tuple), name
        assert all(isinstance(s, MarkerSyntax) for s in analyzer.markers), name
    declared = {s: {n for n, a in ANALYZERS.items() if s in a.markers}
                for s, _ in table().syntaxes}
    for syntax, sources in table().syntaxes:
        assert sources == declared[syntax]
        assert syntax in FOREIGN or syntax.owner == "reviewloop" or sources
    assert {"bandit", "ruff-maintainability", "eslint-security", "shellcheck", "checkov",
            "hadolint", "zizmor", "secrets", "cdk-nag"} <= {
        n for _, sources in table().syntaxes for n in sources}


def test_every_match_of_a_syntax_holds_its_word() -> None:
    """The prefilter word of each syntax is in every example line the syntax matches, so a
    line holding no word is rightly skipped."""
    for syntax, _ in table().syntaxes:
        for line, _owner in _EXAMPLES:
            if syntax.compiled.search(line):
                assert re.search(syntax.word, line, re.IGNORECASE), (syntax.owner, line)


def test_a_files_lines_are_numbered_as_git_numbers_them() -> None:
    """A form feed or U+2028 is no line end for git, the diff or the tools: a marker after
    one stays on the line the tool's finding names."""
    from reviewloop.checks.suppressions.files import git_lines

    text = "a = 1\x0c\nb = 2\u2028c\r\nrun(x)  # nosec\n"
    assert git_lines(text) == ["a = 1\x0c", "b = 2\u2028c", "run(x)  # nosec"]
    assert [n for n, _ in line_markers(git_lines(text), "app.py")] == [3]
    assert git_lines("") == [] and git_lines("x") == ["x"]


def test_a_cdk_nag_acknowledgement_of_a_rule_covers_its_granular_findings():
    # `acknowledge({ id: 'AwsSolutions-IAM4' })` covers every IAM4[…]; a granular one only its own
    rule = "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/X]"
    other = "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/Y]"
    whole = markers("Validations.of(r).acknowledge({ id: 'AwsSolutions-IAM4', reason: 'ok' })")
    one = markers(f"Validations.of(r).acknowledge({{ id: '{rule}', reason: 'ok' }})")

    assert [m.rules for m in whole if m.owner == "cdk-nag"] == [frozenset({"AwsSolutions-IAM4"})]
    assert [m.names(rule) for m in whole if m.owner == "cdk-nag"] == [True]
    assert [(m.names(rule), m.names(other)) for m in one if m.owner == "cdk-nag"] == \
        [(True, False)]


_LINE_PARTS = st.sampled_from(["x = 1", "  # nosec", "# noqa: E501", " NOSEC B307", "\u212a",
                               "# pragma: no cover", "é", "", " ", "\r", "\x0c", "\0",
                               "# eslint-disable-line", "run(x)", "\u2028"])
_FILE_LINES = st.lists(st.lists(_LINE_PARTS, max_size=4).map("".join), max_size=12)


@settings(max_examples=300, deadline=None)
@given(_FILE_LINES)
def test_generated_files_markers_are_each_lines_markers(lines: list[str]) -> None:
    assert line_markers(lines) == [
        (n, m) for n, line in enumerate(lines, start=1) for m in markers(line)]


@settings(max_examples=300, deadline=None)
@given(_FILE_LINES.map("\n".join))
def test_generated_texts_lines_are_split_at_line_feeds_with_a_crs_dropped(text: str) -> None:
    from reviewloop.checks.suppressions.files import git_lines

    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    assert git_lines(text) == [line.removesuffix("\r") for line in lines]


@pytest.mark.parametrize("path", ["app.py", "web/app.ts", "run.sh"])
def test_a_files_markers_are_read_without_building_a_function_wrapper(
        path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review reads the markers of each file a marker's word is in (216 files of a change
    with 1,500 findings): its comments are read once, lazily, without a `functools.cache`
    wrapper built for the file (~20 µs each, twice a file). The markers are those of each
    comment line (`test_a_marker_counts_in_the_files_its_tool_reads`)."""
    import functools

    lines = ["x = 1", "y = f(x)  # nosec B602", "s = '# noqa'", "// eslint-disable-line",
             "# shellcheck disable=SC2086"]
    expected = line_markers(lines, path)
    assert expected  # a marker of each language's tool is on one of the lines
    wrapped: list[object] = []
    original = functools.update_wrapper

    def counted(wrapper: object, *args: object, **kwargs: object) -> object:
        wrapped.append(wrapper)
        return original(wrapper, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(functools, "update_wrapper", counted)
    for _ in range(3):
        assert line_markers(lines, path) == expected
    assert wrapped == []
