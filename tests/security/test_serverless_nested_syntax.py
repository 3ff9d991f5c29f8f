"""Under a service's own `provider.variableSyntax`, a `file(…)` path naming another variable
is followed as in the default syntax. checkov's parser resolves the innermost variable first
(`${{self:provider.stage}}`, then `${{file(./config/dev.yml)}}`), so with the `${{…}}` syntax
Serverless documented, `iamRoleStatements: ${{file(./config/${{self:provider.stage}}.yml)}}`
reads `config/dev.yml`; the review looked for the shortest `${{…}}` from the first `${{`,
found `file(./config/${{self:provider.stage` with no closing parenthesis, and followed
nothing: widening `config/dev.yml` to `"*"` passed, named nowhere, while plain `checkov -d .`
reported CKV_AWS_1 and CKV_AWS_49 on the unchanged `serverless.yml`.

Generated (hypothesis, `serverless_files.related` on a real tree, no checkov): the syntax
(`${{…}}`, `#{…}`, `$[…]`), the inner variable (`self:`, `opt:` with a fallback, `sls:`),
where it sits in the path (the folder, the name, both), one or two levels of nesting, and the
reference in the service file or in a file it reads. A changed file the path may name relates
the service; one it cannot name does not. One real review, checkov run, reports the widened
statement on the changed file."""

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

BODY = r"""[ ~:a-zA-Z0-9._@'",\-\/\(\)*?]+?"""
# the syntax (a YAML double-quoted scalar) → its prefix and suffix
SYNTAXES = {json.dumps(r"\${{(" + BODY + r")}}"): ("${{", "}}"),
            json.dumps(r"\#{(" + BODY + r")}"): ("#{", "}"),
            json.dumps(r"\$\[(" + BODY + r")\]"): ("$[", "]")}
INNER = ("self:provider.stage", "opt:stage, 'dev'", "sls:stage")
NARROW = "- Effect: Allow\n  Action: s3:GetObject\n  Resource: arn:aws:s3:::b/k\n"
WIDE = '- Effect: Allow\n  Action: "*"\n  Resource: "*"\n'


def service(syntax: str, statements: str) -> str:
    return (f"service: svc\nprovider:\n  name: aws\n  runtime: python3.11\n  stage: dev\n"
            f"  variableSyntax: {syntax}\n  iamRoleStatements: {statements}\n"
            "functions:\n  f:\n    handler: h.main\n")


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(syntax=st.sampled_from(sorted(SYNTAXES)), inner=st.sampled_from(INNER),
       shape=st.sampled_from(("config/{v}.yml", "{v}/iam.yml", "{v}/{v}.yml",
                              "config/{v}-{v}.yml")),
       twice=st.booleans(), through=st.booleans(), reached=st.booleans())
def test_a_path_naming_a_variable_in_the_services_syntax_reaches_what_it_may_name(
        tmp_path_factory: pytest.TempPathFactory, syntax: str, inner: str, shape: str,
        twice: bool, through: bool, reached: bool) -> None:
    start, end = SYNTAXES[syntax]
    variable = f"{start}{inner}{end}"
    if twice:  # a variable naming another: `${{self:custom.${{opt:stage}}}}`
        variable = f"{start}self:custom.{start}{inner}{end}{end}"
    ref = f"{start}file(./{shape.format(v=variable)}){end}"
    target = shape.format(v="dev") if reached else "other/dev.txt"
    files = {"serverless.yml": service(syntax, f"{start}file(./outer.yml):s{end}" if through
                                       else ref),
             "outer.yml": f"s: {ref}\n", target: NARROW}
    root = init_repo(tmp_path_factory.mktemp("sls") / "r", files)
    git(root, "checkout", "-qb", "feature")
    commit(root, {target: WIDE}, "the change")
    found = related(root, parse_diff(git(root, "diff", "main", "feature")), [target])
    assert ("serverless.yml" in found.files) is reached, (ref, target, found.files)
    assert not found.partial, found.partial


@pytest.mark.pypi
def test_the_review_reports_a_statement_widened_through_a_nested_reference(
        tmp_path: Path, iac_env: Path) -> None:
    syntax = next(iter(SYNTAXES))
    text = service(syntax, "${{file(./config/${{self:provider.stage}}.yml)}}")
    root = init_repo(tmp_path / "r", {"serverless.yml": text, "config/dev.yml": NARROW,
                                      "config/prod.yml": NARROW})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"config/dev.yml": WIDE}, "the change")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(f["rule"], f["file"]) for group in ("remaining", "nits")
             for f in report["findings"][group] if f["source"] == "checkov"}
    assert found == {("CKV_AWS_1", "config/dev.yml"), ("CKV_AWS_49", "config/dev.yml")}, found
    assert report["health"]["complete"], report["health"]
