"""A service whose `provider.variableSyntax` is not a string (`42`, a list, a mapping) names what
it may read. checkov's parser compiles the value as it is (`re.compile(42)`: TypeError) and
stops its whole run; the review took such a value for no syntax at all, followed the
default `${…}` references, found no `${{file(./iam.yml)}}`, and said complete while the
changed `iam.yml` the service reads went unread with it.

Generated (hypothesis, `serverless_files.related` on a real tree): the value, how the file
spells it, the service changed or not; plain checkov on one such service is the oracle that
it stops."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.checkov import QUIET_ENV
from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.analyzers.serverless_files import related
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo

VALUES = ("42", "4.5", "[a, b]", "\n    - '\\${{(.+?)}}'", "{a: 1}", "\n    a: 1")
NARROW = "- Effect: Allow\n  Action: s3:GetObject\n  Resource: arn:aws:s3:::b/k\n"
WIDE = '- Effect: Allow\n  Action: "*"\n  Resource: "*"\n'


def service(value: str) -> str:
    return (f"service: svc\nprovider:\n  name: aws\n  runtime: python3.11\n"
            f"  variableSyntax: {value}\n  iamRoleStatements: ${{{{file(./iam.yml)}}}}\n"
            "functions:\n  f:\n    handler: h.main\n")


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.sampled_from(VALUES), changed=st.sampled_from(("iam.yml", "serverless.yml")))
def test_a_syntax_that_is_not_a_string_names_what_the_service_may_read(
        tmp_path_factory: pytest.TempPathFactory, value: str, changed: str) -> None:
    files = {"serverless.yml": service(value), "iam.yml": NARROW}
    root = init_repo(tmp_path_factory.mktemp("sls") / "r", files)
    git(root, "checkout", "-qb", "feature")
    commit(root, {changed: WIDE if changed == "iam.yml" else files[changed] + "# edited\n"},
           "the change")
    found = related(root, parse_diff(git(root, "diff", "main", "feature")), [changed])
    assert "is not a string, on which checkov's parser stops" in found.partial.get(changed, ""), \
        (value, changed, found.partial)


@pytest.mark.pypi
def test_checkov_stops_on_such_a_syntax(tmp_path: Path, iac_env: Path) -> None:
    root = init_repo(tmp_path / "r", {"serverless.yml": service("42"), "iam.yml": WIDE})
    done = subprocess.run(
        [str(TOOLS["checkov"].command_in(iac_env / TOOLS["checkov"].folder)), "-d", ".",
         "--framework", "serverless", "--skip-download", "-o", "json"],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **QUIET_ENV})
    assert "TypeError: first argument must be string or compiled pattern" in done.stderr, \
        (done.returncode, done.stdout[-500:], done.stderr[-1000:])
