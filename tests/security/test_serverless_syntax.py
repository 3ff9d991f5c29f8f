"""A Serverless service with its own variable syntax (`provider.variableSyntax`, Serverless v1
and v2) reads its `${{file(./iam.yml)}}` references as checkov's parser does: with that
syntax in place of the default. Before, only `${file(…)}` was followed, so widening a
statement in `iam.yml` to `"*"` passed while plain `checkov -d .` reported CKV_AWS_1 and
CKV_AWS_49 on the unchanged `serverless.yml`.

Generated (hypothesis, `serverless_files.related` on a real tree, no checkov): the syntax (the
`${{…}}` form Serverless documented, a `#{…}` one, the default spelled out), how the YAML
quotes it, and where the reference sits (the provider's statements, a function's, a file
another referenced file reads). A reference in the custom syntax relates the service to the
changed file; one in the default syntax under a custom one does not (checkov leaves it as
text). One real review, checkov run, reports the widened statement on the changed file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.serverless_files import related
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review
from tests.support.serverless_text import NARROW, RULES, WIDE, service, statements

BODY = r"""[ ~:a-zA-Z0-9._@'",\-\/\(\)*?]+?"""
# syntax regex → how a reference is written in it
SYNTAXES = {
    r"\${{(" + BODY + r")}}": "${{{{{}}}}}",
    r"\#{(" + BODY + r")}": "#{{{}}}",
    r"\${([^{}]+?)}": "${{{}}}",
}


def _quoted(regex: str, style: str) -> str:
    if style == "single":
        return "'" + regex.replace("'", "''") + "'"
    return json.dumps(regex)  # a double-quoted YAML scalar reads JSON's escapes


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(syntax=st.sampled_from(sorted(SYNTAXES)), style=st.sampled_from(("single", "double")),
       where=st.sampled_from(("provider", "function", "nested")), default_too=st.booleans(),
       layout=st.sampled_from(("inline", "next line", "decoy")))
def test_a_reference_in_the_services_own_syntax_relates_it(
        tmp_path_factory: pytest.TempPathFactory, syntax: str, style: str, where: str,
        default_too: bool, layout: str) -> None:
    written = SYNTAXES[syntax]
    first = "file(./conf/outer.yml):s" if where == "nested" else "file(./iam.yml)"
    ref = written.format(first)
    text = service("svc", provider=ref if where != "function" else "",
                   function=ref if where == "function" else "")
    value = _quoted(syntax, style)
    text = text.replace("  name: aws\n", f"  name: aws\n  variableSyntax:\n    {value}\n"
                        if layout == "next line" else f"  name: aws\n  variableSyntax: {value}\n")
    if layout == "decoy":  # not where checkov reads it: must change nothing
        text += "custom:\n  variableSyntax: '(\\w+)'\n"
    files = {"serverless.yml": text, "iam.yml": statements("iam.yml", NARROW),
             "conf/outer.yml": "s: " + written.format("file(./iam.yml)") + "\n"}
    if default_too:  # a default-syntax reference checkov does not resolve under a custom one
        files["serverless.yml"] += "custom:\n  other: ${file(./other.yml)}\n"
        files["other.yml"] = "x: 1\n"
    root = init_repo(tmp_path_factory.mktemp("sls") / "r", files)
    git(root, "checkout", "-qb", "feature")
    changed = {"iam.yml": statements("iam.yml", WIDE)} | ({"other.yml": "x: 2\n"}
                                                         if default_too else {})
    commit(root, changed, "the change")
    found = related(root, parse_diff(git(root, "diff", "main", "feature")), list(changed))
    sources = {s.path for reached in found.reached.values() for s in reached}
    assert "serverless.yml" in found.files, (syntax, style, where)
    assert "iam.yml" in sources
    custom = written != "${{{}}}"
    assert ("other.yml" in sources) == (default_too and not custom), (syntax, sources)


@pytest.mark.pypi
def test_the_review_reports_a_statement_widened_through_the_services_syntax(
        tmp_path: Path, iac_env: Path) -> None:
    syntax = r"\${{(" + BODY + r")}}"
    text = service("svc", provider="${{file(./iam.yml)}}").replace(
        "  name: aws\n", f"  name: aws\n  variableSyntax: {_quoted(syntax, 'double')}\n")
    root = init_repo(tmp_path / "r", {"serverless.yml": text,
                                      "iam.yml": statements("iam.yml", NARROW)})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"iam.yml": statements("iam.yml", WIDE)}, "the change")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(f["rule"], f["file"]) for f in report["findings"]["remaining"]}
    assert {(rule, "iam.yml") for rule in RULES} <= found, found


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(syntax=st.sampled_from((r"(a+)+$", r"(.+)", r"\${(?:file)(.*)}", r"[a-z]+(\w+)}",
                               r"\${(x)", r"(\w+)}", r"\${(a)|(b)}")),
       changed=st.sampled_from(("serverless.yml", "iam.yml")))
def test_a_syntax_reviewloop_cannot_follow_names_what_it_may_read(
        tmp_path_factory: pytest.TempPathFactory, syntax: str, changed: str) -> None:
    """The change's own expression is never run in the review's process (an expression
    written to backtrack for hours, `(a+)+$`, would stop it): any syntax but a literal
    prefix, one group and a literal suffix is refused, and what it may read is named."""
    text = service("svc", provider="${{file(./iam.yml)}}").replace(
        "  name: aws\n", f"  name: aws\n  variableSyntax: {_quoted(syntax, 'single')}\n")
    text += "# file(./x.yml) " + "a" * 40 + "!\n"
    files = {"serverless.yml": text, "iam.yml": statements("iam.yml", NARROW)}
    root = init_repo(tmp_path_factory.mktemp("bad") / "r", files)
    git(root, "checkout", "-qb", "feature")
    commit(root, {changed: files[changed] + "# changed\n"}, "the change")
    found = related(root, parse_diff(git(root, "diff", "main", "feature")), [changed])
    assert "is not a literal prefix, one group and a literal suffix" in found.partial[changed]
