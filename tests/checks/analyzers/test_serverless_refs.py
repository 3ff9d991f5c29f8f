"""`serverless_files`: a service file whose `${file(…)}` path names a variable
(`./config/${self:provider.stage}.yml`, Serverless's per-stage idiom) reaches every file of
the tree the path may name — checkov resolves the stage, and any stage's file may be the
one it reads — so a change to `config/dev.yml` alone is read with the service. The review
through checkov is `tests/security/test_serverless_files.py`."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.checks.analyzers.serverless_files import related
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import init_repo

SERVICE = ("service: svc\nprovider:\n  name: aws\n  stage: ${opt:stage, 'dev'}\n"
           "  iamRoleStatements: ${file(REF)}\nfunctions:\n  f:\n    handler: h.f\n")
STATEMENTS = "- Effect: Allow\n  Action: s3:GetObject\n  Resource: arn:aws:s3:::b/*\n"


@pytest.mark.parametrize(("ref", "changed", "reached"), [
    ("./config/${self:provider.stage}.yml", "config/dev.yml", True),
    ("./config/${opt:stage, 'dev'}.yml", "config/prod.yml", True),
    ("./${self:provider.stage}/iam.yml", "dev/iam.yml", True),
    ("./config/${self:provider.stage}.yml", "other/dev.yml", False),
    ("./config/${self:provider.stage}.yml", "config/dev.txt", False),  # not loaded
    ("../outside/${self:provider.stage}.yml", "config/dev.yml", False),
])
def test_a_path_naming_a_variable_reaches_the_files_it_may_name(
        tmp_path: Path, ref: str, changed: str, reached: bool) -> None:
    files = {"svc/serverless.yml": SERVICE.replace("REF", ref), f"svc/{changed}": STATEMENTS}
    root = init_repo(tmp_path / "r", files)
    (root / "svc" / changed).write_text(STATEMENTS.replace("s3:GetObject", '"*"'))
    diff = git(root, "diff", "HEAD")
    found = related(root, parse_diff(diff), [f"svc/{changed}"])
    assert ("svc/serverless.yml" in found.files) is reached, found
