"""A CDK project's own values that look like secrets are none: its feature-flag names in
cdk.json, the content hashes of its built output. Only that span is cleared."""

from __future__ import annotations

import pytest

from reviewloop.policy.machine_values import cdk_output, machine_value

FLAG = '    "@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal": true,'
HASH = "9f3c1e5b8a7d6c4e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e"


def _span(line: str, text: str) -> tuple[int, int]:
    start = line.index(text) + 1
    return start, start + len(text)


def test_a_feature_flags_name_in_cdk_json_is_not_a_secret():
    name = "applyImportedAliasPermissionsToPrincipal"

    assert machine_value("infra/cdk.json", FLAG, *_span(FLAG, name)) is not None
    assert machine_value("src/config.json", FLAG, *_span(FLAG, name)) is None  # not cdk.json


def test_a_real_key_as_a_flags_value_or_under_another_key_still_is():
    key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    as_value = f'    "@aws-cdk/core:stackRelativeExports": "{key}",'
    own_key = f'    "awsSecretAccessKey": "{key}",'

    assert machine_value("cdk.json", as_value, *_span(as_value, key)) is None
    assert machine_value("cdk.json", own_key, *_span(own_key, key)) is None


@pytest.mark.parametrize("path", ["cdk.out/AppStack.assets.json", "AppStack.assets.json",
                                  "test/integ.x.js.snapshot/Stack.template.json"])
def test_an_asset_hash_in_the_cdks_built_output_is_not_a_secret(path):
    line = f'      "objectKey": "{HASH}.json",'

    assert cdk_output(path)
    assert machine_value(path, line, *_span(line, HASH)) is not None
    assert machine_value(path, line, *_span(line, HASH[:40])) is not None  # part of it
    assert machine_value("src/assets.json", line, *_span(line, HASH)) is None


def test_a_real_secret_in_an_asset_manifest_still_is():
    line = '      "assumeRoleExternalId": "ghp_0123456789abcdefghijABCDEFGHIJ012345",'
    secret = "ghp_0123456789abcdefghijABCDEFGHIJ012345"

    assert machine_value("cdk.out/AppStack.assets.json", line, *_span(line, secret)) is None
