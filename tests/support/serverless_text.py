"""Serverless service files and IAM statements for the tests of `${file(…)}` references
(`tests/security/test_serverless_*.py`): a service reading its statements from another file,
and the statements as a referenced file's kind writes them."""

from __future__ import annotations

import json

WIDE = {"Effect": "Allow", "Action": ["*"], "Resource": "*"}
NARROW = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/k"}
RULES = ("CKV_AWS_1", "CKV_AWS_49")  # both fail a statement allowing "*" on "*"


def service(name: str, provider: str = "", function: str = "") -> str:
    provider = f"  iamRoleStatements: {provider}\n" if provider else ""
    function = f"    iamRoleStatements: {function}\n" if function else ""
    return f"service: {name}\nprovider:\n  name: aws\n  runtime: python3.11\n{provider}" \
           f"functions:\n  {name}:\n    handler: handler.main\n{function}"


def statements(path: str, *items: dict[str, object], key: str = "") -> str:
    """The statements as `path`'s kind writes them, under `key` when given."""
    data: object = {key: list(items)} if key else list(items)
    if path.endswith(".json"):
        return json.dumps(data, indent=2) + "\n"
    import yaml

    return yaml.safe_dump(data, sort_keys=False)
