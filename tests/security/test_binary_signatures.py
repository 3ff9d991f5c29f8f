"""A config file is not a bitmap because its first line is `BM = 1`. A file of no known
language that held one NUL and started with a binary format's signature — some of which
are two to four letters (`BM`, `MZ`, `BZh`, `PAR1`) — was called binary: no
analyzer read it, its secrets passed the gate, and a sensitive one was listed as "may hold
secrets: analysed". Generated: every signature as the start of a config line, each in its
own folder of one change, a NUL anywhere after it, several file names and secrets,
`reviewloop review` as a user runs it."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.languages import TEXTLIKE
from reviewloop.review.readable import SENSITIVE_UNREAD, Readability
from tests.support.repos import feature_branch
from tests.support.review_cli import review

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
SECRETS = st.integers(0, 2**32).map(lambda seed: random.Random(seed)).map(
    lambda rng: f"AKIA{''.join(rng.choices(ALNUM, k=16))}")


NAMES = ("creds.ini", "prod.env", "deploy/settings", "app.conf")
# for every signature, in its own folder of one change: a file name, a secret, the NUL's line
CASES = st.tuples(*(st.tuples(st.sampled_from(NAMES), SECRETS, st.integers(1, 3))
                    for _ in TEXTLIKE))


@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(CASES)
def test_a_config_file_opening_with_a_signature_is_read_for_secrets(
        cases: tuple[tuple[str, str, int], ...]) -> None:
    files: dict[str | bytes, bytes] = {}
    for at, (signature, (name, secret, nul_line)) in enumerate(zip(TEXTLIKE, cases, strict=True)):
        lines = [signature.rstrip(b"\n") + b" = 1", b"region = eu-west-1", b"debug = false",
                 f"aws_access_key_id = {secret}".encode()]
        lines.insert(nul_line, b"# \0")
        files[f"s{at}/{name}"] = b"\n".join(lines) + b"\n"
    with tempfile.TemporaryDirectory() as scratch:
        root = feature_branch(Path(scratch) / "r", files)

        done = review(root, "--base", "main", "--head", "feature", "--json")

        report = json.loads(done.stdout)
        found = {(f["file"], f["source"]) for f in report["findings"]["remaining"]}
        for path in files:
            assert (path, "secrets") in found, (path, report["skipped"])
        assert done.returncode == 1


def test_a_sensitive_binary_file_is_not_said_to_be_analysed(tmp_path: Path) -> None:
    (tmp_path / "keystore.p12").write_bytes(b"\x30\x82\x0a\x00" + bytes(range(256)) * 4)

    reason = Readability.of(tmp_path).skipped("keystore.p12", ("*.p12",))

    assert reason == f"{SENSITIVE_UNREAD} (a binary file)"
