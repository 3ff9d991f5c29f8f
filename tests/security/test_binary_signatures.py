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

from reviewloop.git.languages import SIGNATURES, TEXTLIKE
from reviewloop.review.readable import SENSITIVE_UNREAD, Readability
from tests.support.gitutil import git
from tests.support.repos import feature_branch, init_repo, write
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


CONFIGS = (".env", "config.env", "secrets.yaml", ".npmrc", "deploy/app.conf")
# a format's signature and one NUL on the file's first line(s), written by the change itself:
# every signature, each file in its own folder, a secret on a later line
HEADERS = st.tuples(*(st.tuples(st.sampled_from(CONFIGS), SECRETS, st.booleans())
                      for _ in SIGNATURES))


@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(HEADERS, st.sampled_from(("head", "staged")))
def test_a_binary_header_the_change_writes_hides_no_secret_below_it(
        cases: tuple[tuple[str, str, bool], ...], mode: str) -> None:
    """fz1 D3: a `.env` starting `\\x89PNG\\r\\n\\x1a\\n\\0` (ZIP's, ELF's, SQLite's header…)
    and a token on its next line was binary by the change's own bytes: nothing read it, the
    secrets gate passed, the review was complete. The change's text lines are read."""
    with tempfile.TemporaryDirectory() as scratch:
        root = init_repo(Path(scratch) / "r", {"README.md": "x\n"})
        git(root, "checkout", "-qb", "feature")
        paths = []
        for at, (signature, (name, secret, newline)) in enumerate(
                zip(SIGNATURES, cases, strict=True)):
            paths.append(f"s{at}/{name}")
            body = f"\nregion = eu-west-1\ndebug = false\nAWS_ACCESS_KEY_ID={secret}\n"
            write(root, paths[-1], signature + b"\0" + b"\n" * newline + body.encode())
        git(root, "add", "-A")
        args: tuple[str, ...] = ("--staged",)
        if mode == "head":
            git(root, "commit", "-qm", "head")
            args = ("--base", "main", "--head", "feature")

        done = review(root, *args, "--json")

        report = json.loads(done.stdout)
        found = {(f["file"], f["source"]) for f in report["findings"]["remaining"]}
        for path in paths:
            assert (path, "secrets") in found, (path, report["health"]["files"])
        assert done.returncode == 1
