"""Values a tool writes into a project's files that look like secrets and are none, decided
in one place: the AWS CDK's feature-flag names in `cdk.json` (`@aws-cdk/aws-kms:apply
ImportedAliasPermissionsToPrincipal` is 40 letters after `aws`, the shape of an AWS secret
key) and the content hashes of its built output (asset manifests, `cdk.out/`, integ-test
snapshots: a sha256 per asset, `<hash>.zip` object keys).

Only the exact span is cleared: a real key written as a flag's *value*, or any value in those
files that is not such a name or hash, is still a secret. Like every classification here,
nothing in it lowers a verdict on the strength of what the change says about itself: the
rule is the file format's, not a marker.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from reviewloop.git.names import posix_name, posix_parts
from reviewloop.memo import compiled_on_first_use

CDK_CONFIG = frozenset({"cdk.json", "cdk.context.json"})
# `"@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal":` (and @aws-cdk-containers/…)
_flag_key = compiled_on_first_use(r'"(@aws-cdk[\w-]*/[\w.-]+:[\w.-]+)"\s*:')


def cdk_output(path: str) -> bool:
    """Whether `path` is the CDK's built output: a cloud assembly (`cdk.out/`), an asset
    manifest (`*.assets.json`) or an integ-test snapshot (`integ.x.js.snapshot/`)."""
    if not any(map(path.__contains__, _CDK_OUTPUT_WORDS)):
        return False  # asked of every changed file: most hold none of the words at all
    folders = posix_parts(path)[:-1]  # no PurePosixPath
    return posix_name(path).endswith(".assets.json") or "cdk.out" in folders or \
        any(p.endswith((".js.snapshot", ".ts.snapshot")) for p in folders)


# each of `cdk_output`'s answers needs one of these in the path's text
_CDK_OUTPUT_WORDS = (".assets.json", "cdk.out", ".snapshot")


def machine_value(path: str, line: str, column: int, end_column: int) -> str | None:
    """Why the text at columns `column`..`end_column` (1-based, end exclusive) of `line` in
    `path` is a tool's own value and not a secret; None when it may be one."""
    name = PurePosixPath(path).name
    start, end = column - 1, end_column - 1
    if name in CDK_CONFIG:
        for key in _flag_key().finditer(line):
            if key.start(1) <= start and end <= key.end(1):
                return f"the name of a CDK feature flag ({name})"
    if cdk_output(path) and _asset_hash_place(line, start, end):
        return "a CDK asset's content hash (the CDK's built output)"
    return None


def _asset_hash_place(line: str, start: int, end: int) -> bool:
    """Whether the span is (part of) a JSON string where the CDK writes an asset's hash: an
    asset id as an object key (`"<hash>": {`), an asset's file (`"<hash>.zip"`,
    `"asset.<hash>"`), or the value of a key the CDK keeps a hash under (`"sourceHash"`,
    `"imageTag"`). A hash under any other key (`"FLASK_SECRET_KEY"`) may be a secret:
    64 hex digits is what `openssl rand -hex 32` prints."""
    left = line.rfind('"', 0, start + 1)
    right = line.find('"', end)
    if left < 0 or right < 0:
        return False
    value = line[left + 1:right]
    if _asset_file().fullmatch(value):
        return True
    if not _asset_hash().fullmatch(value):
        return False
    if line[right + 1:].lstrip().startswith(":"):
        return True  # an asset's id, the key of its entry
    key = _json_key().search(line, 0, left + 1)
    return key is not None and key.group(1) in _HASH_KEYS


# `<sha256>`
_asset_hash = compiled_on_first_use(r"[0-9a-f]{64}")
# `<sha256>.zip`, `asset.<sha256>`, `asset.<sha256>.jar`: an asset's object key or folder
_asset_file = compiled_on_first_use(
    r"asset\.[0-9a-f]{64}(?:\.[A-Za-z0-9]+)?|[0-9a-f]{64}\.[A-Za-z0-9]+")
# the key before a value on a JSON line: `"sourceHash": "`
_json_key = compiled_on_first_use(r'"([\w:.-]+)"\s*:\s*"$')
# keys the CDK writes an asset's hash under: asset manifests, the cloud assembly's metadata
# (`aws:cdk:asset`), templates' asset metadata and image tags
_HASH_KEYS = frozenset({"sourceHash", "assetHash", "id", "imageTag", "objectKey", "S3Key",
                        "s3Key", "aws:asset:path", "path", "directory", "fileName"})
