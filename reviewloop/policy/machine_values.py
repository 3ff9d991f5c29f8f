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
# `<sha256>` or `<sha256>.zip`
_asset_hash = compiled_on_first_use(r"[0-9a-f]{64}(?:\.[A-Za-z0-9]+)?")


def cdk_output(path: str) -> bool:
    """Whether `path` is the CDK's built output: a cloud assembly (`cdk.out/`), an asset
    manifest (`*.assets.json`) or an integ-test snapshot (`integ.x.js.snapshot/`)."""
    folders = posix_parts(path)[:-1]  # asked of every changed file: no PurePosixPath
    return posix_name(path).endswith(".assets.json") or "cdk.out" in folders or \
        any(p.endswith((".js.snapshot", ".ts.snapshot")) for p in folders)


def machine_value(path: str, line: str, column: int, end_column: int) -> str | None:
    """Why the text at columns `column`..`end_column` (1-based, end exclusive) of `line` in
    `path` is a tool's own value and not a secret; None when it may be one."""
    name = PurePosixPath(path).name
    start, end = column - 1, end_column - 1
    if name in CDK_CONFIG:
        for key in _flag_key().finditer(line):
            if key.start(1) <= start and end <= key.end(1):
                return f"the name of a CDK feature flag ({name})"
    if cdk_output(path):
        value = line[start:end].strip("\"' ")
        if _asset_hash().fullmatch(value) or _asset_hash().fullmatch(_hash_part(line, start, end)):
            return "a CDK asset's content hash (the CDK's built output)"
    return None


def _hash_part(line: str, start: int, end: int) -> str:
    """The quoted string around the span (a detector may have matched part of a hash)."""
    left = max(line.rfind('"', 0, start + 1), line.rfind("'", 0, start + 1))
    right = min((i for i in (line.find('"', end), line.find("'", end)) if i >= 0),
                default=len(line))
    return line[left + 1:right] if left >= 0 else line[start:end]
