"""A secret stored as UTF-16 text inside a binary file — as Windows resources, .NET assemblies
and many document formats store strings, a NUL beside each character — is found, as
`strings -e l` / `-e b` print it: the scan read printable ASCII runs only, and a key in
UTF-16LE had no two printable bytes in a row.

Generated: random bytes × secrets (a GitHub token, an AWS key pair, a Slack token) × UTF-16LE
or BE × the offset it sits at × a file the change adds or changes. The gate fails on the
change naming the byte offset where the key lies; the same key held by the base's file (in
either byte order or as ASCII) is not the change's; noise alone holds none; each offset of
the text maps back to its character's byte."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.secrets.binary_text import printable
from reviewloop.checks.secrets.gate import SecretsGate
from reviewloop.checks.secrets.scanner import scan_text
from reviewloop.config import Settings
from tests.support.gitutil import git
from tests.support.repos import branch_repo

# built at run time so this file carries no credential
SECRETS = {
    "github": "token ghp_" + "Zq3X9vB1nK7mP2wR5tY8uL4cD6fH0jA1sE3g",
    "aws": "AWS_ACCESS_KEY_ID=AKIA" + "QX7ZP3LM2KD8RT4W\nAWS_SECRET_ACCESS_KEY="
           + "wJalrXUtnFEMI9K7MDENGbPxRfiCYq3Lz8vN2sQ1",
    "slack": "SLACK=xoxb-" + "2718281828-3141592653-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2",
}
ENCODINGS = ("utf-16-le", "utf-16-be")
NAME = "app.dll"


def _binary(size: int, seed: int, secret: str = "", encoding: str = "utf-16-le",
            at: float = 0.5) -> tuple[bytes, int]:
    """`size` random bytes with `secret` encoded (each of its lines a string of its own,
    ended by a NUL character as a resource table or string heap ends it, after another's
    end) placed at fraction `at` of them; and where it starts."""
    noise = random.Random(seed).randbytes(size)
    where = int(size * at)
    end = "\0".encode(encoding)
    stored = end + b"".join(line.encode(encoding) + end for line in secret.split("\n"))
    return noise[:where] + stored + noise[where:], where


def _gate(root: Path) -> GateResult:
    diff = git(root, "diff", "main", "feature")
    assert "Binary files" in diff  # the diff shows none of its lines
    return SecretsGate().run(GateContext(
        root=root, settings=Settings(), changed_files=(NAME,), diff_text=diff,
        branch="feature", default_branch="main", phase="implement"))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=16,
          deadline=None)
@given(kind=st.sampled_from(sorted(SECRETS)), encoding=st.sampled_from(ENCODINGS),
       size=st.integers(9_000, 60_000), seed=st.integers(0, 2**16),
       at=st.floats(0.0, 1.0), changed=st.booleans())
def test_a_utf16_secret_in_a_binary_fails_the_gate_at_its_offset(
        tmp_path_factory: pytest.TempPathFactory, kind: str, encoding: str, size: int,
        seed: int, at: float, changed: bool) -> None:
    root = tmp_path_factory.mktemp("repo")
    secret = SECRETS[kind]
    data, where = _binary(size, seed, secret, encoding, at)
    assert secret.encode() not in data  # no ASCII copy: only the UTF-16 view holds it
    base = {"README.md": "x\n", **({NAME: _binary(size, seed + 7)[0]} if changed else {})}
    branch_repo(root, base, {NAME: data})
    result = _gate(root)
    assert not result.passed, result.output_tail
    offsets = [int(o.replace(",", "")) for o in re.findall(r"at offset ([\d,]+)",
                                                           result.output_tail)]
    assert offsets and all(where <= o < where + 2 * len(secret) for o in offsets), offsets
    assert len(offsets) == len(set(offsets))  # one finding a key, not one a byte order
    value = secret.split("=")[-1].split(" ")[-1]
    assert value not in result.output_tail and value not in result.summary


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=8,
          deadline=None)
@given(encoding=st.sampled_from(ENCODINGS), held=st.sampled_from((*ENCODINGS, "ascii")),
       seed=st.integers(0, 2**16), at=st.floats(0.0, 1.0))
def test_a_utf16_secret_the_base_held_is_not_the_changes(
        tmp_path_factory: pytest.TempPathFactory, encoding: str, held: str, seed: int,
        at: float) -> None:
    root = tmp_path_factory.mktemp("repo")
    secret = SECRETS["github"]
    before, _ = _binary(20_000, seed, secret, held, at)
    after, _ = _binary(30_000, seed + 1, secret, encoding, 1 - at)
    branch_repo(root, {NAME: before}, {NAME: after})
    assert _gate(root).passed


@settings(max_examples=30)
@given(seed=st.integers(0, 2**16), size=st.integers(1_000, 200_000),
       wide=st.sampled_from(ENCODINGS))
def test_noise_with_utf16_words_holds_no_secret(seed: int, size: int, wide: str) -> None:
    data, _ = _binary(size, seed, "Copyright Example Corp. All rights reserved.", wide)
    text, _ = printable(data)
    assert "Copyright Example Corp. All rights reserved." in text.split("\n")
    assert scan_text(text, path=NAME) == []


@given(runs=st.lists(st.tuples(st.binary(max_size=20),
                               st.text("abcdefgh =:", min_size=8, max_size=30),
                               st.sampled_from(("ascii", *ENCODINGS))),
                     min_size=1, max_size=8))
def test_each_offset_of_the_text_maps_to_its_byte(
        runs: list[tuple[bytes, str, str]]) -> None:
    data = b"\x01".join(gap + b"\x01" + text.encode(encoding) for gap, text, encoding in runs)
    text, offsets = printable(data)
    for at, char in enumerate(text):
        if char != "\n":
            assert data[offsets(at)] == ord(char), (at, text)
    for _, words, encoding in runs:  # each run read whole, whatever its neighbours
        assert any(words in line for line in text.split("\n")), (words, encoding, text)
