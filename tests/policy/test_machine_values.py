"""A CDK project's own values that look like secrets are none: its feature-flag names in
cdk.json, the content hashes of its built output. Only that span is cleared."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


# Where the CDK writes an asset's hash (asset manifests, the cloud assembly's manifest and
# templates, integ snapshots), and where a change may put a 64-hex secret in the same files.
_CDK_PLACES = ('    "{h}": {{', '        "path": "asset.{h}",', '          "objectKey": "{h}.zip",',
               '    "sourceHash": "{h}",', '          "imageTag": "{h}",',
               '        "id": "{h}",', '      "S3Key": "{h}.zip"', '"aws:asset:path": "asset.{h}"')
_SECRET_PLACES = ('  "FLASK_SECRET_KEY": "{h}",', '  "webhook_signing_secret": "{h}"',
                  "SECRET_KEY={h}", '    "apiToken": "{h}",', "secret_key: {h}",
                  '  "signingKey": "{h}",')
_CDK_PATHS = ("cdk.out/AppStack.assets.json", "config/prod.assets.json", "app/cdk.out/.env",
              "test/integ.api.ts.snapshot/env.json", "x/integ.y.js.snapshot/Stack.template.json")


def _hex64s(count: int) -> list[str]:
    import random
    rng = random.Random(6)
    return ["".join(rng.choices("0123456789abcdef", k=64)) for _ in range(count)]


def test_a_64_hex_secret_under_its_own_key_in_cdk_output_is_still_one():
    """`openssl rand -hex 32` in `config/prod.assets.json` or `cdk.out/.env`: the path is what
    the change says about itself, the key decides. Plain detect-secrets reports each line;
    the review's scan finds it and nothing clears it."""
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings

    from reviewloop.checks.secrets.scanner import scan_text

    cleared = []
    for (path, shape), value in zip(
            ((p, s) for p in _CDK_PATHS for s in _SECRET_PLACES), _hex64s(30), strict=True):
        line = shape.format(h=value)
        with default_settings():
            assert list(scan_line(line)), line  # the plain tool's verdict
        hits = scan_text(line)
        assert hits, line
        cleared += [(path, line) for hit in hits
                    if machine_value(path, line, hit.column, hit.end_column) is not None]
    assert cleared == []


def test_every_place_the_cdk_writes_an_asset_hash_is_cleared_in_its_output_only():
    for (path, shape), value in zip(
            ((p, s) for p in _CDK_PATHS for s in _CDK_PLACES), _hex64s(40), strict=True):
        line = shape.format(h=value)
        span = _span(line, value)
        assert machine_value(path, line, *span) is not None, (path, line)
        assert machine_value(path, line, span[0], span[1] - 20) is not None  # part of it
        assert machine_value("src/settings.json", line, *span) is None


# names and folders around every one of `cdk_output`'s rules, and their near misses
_NAMED_PATHS = st.lists(st.sampled_from([
    "cdk.out", "cdk.outs", "x.cdk.out", "a.assets.json", "assets.json", ".assets.json",
    "integ.x.js.snapshot", "y.ts.snapshot", ".snapshot", "snapshot", "a.js", "", ".", "/",
    "stack.template.json", "vendor"]), max_size=5).map("/".join) | st.text(
    alphabet="cdk.outasejsnph/", max_size=16)


def _cdk_output_by_parts(path: str) -> bool:
    """`cdk_output` as it was before its words were looked for first: the parts alone."""
    folders = PurePosixPath(path).parts[:-1]
    return PurePosixPath(path).name.endswith(".assets.json") or "cdk.out" in folders or \
        any(p.endswith((".js.snapshot", ".ts.snapshot")) for p in folders)


@given(path=_NAMED_PATHS)
def test_cdk_output_answers_as_the_paths_parts_do(path):
    assert cdk_output(path) is _cdk_output_by_parts(path)
