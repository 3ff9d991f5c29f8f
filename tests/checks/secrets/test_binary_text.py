"""A secret hidden in a binary file the change adds or changes is found: its printable text.

Generated: image formats (a PNG with text after `IEND`, a PNG `tEXt` chunk, a JPEG comment
segment) × secrets (a GitHub token, an AWS key pair, a Slack token) × how far past git's
8,000-byte binary probe the secret sits × a file the change adds or one it changes. The
images are binary to git (the diff says "Binary files differ") and to `looks_binary`; the
gate, on a real branch's diff, fails naming the file, never echoing the value. A secret the
base's image already held is not the change's; an image over the bound is named as not
scanned for secrets.
"""

from __future__ import annotations

import json
import random
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.secrets import binary_text
from reviewloop.checks.secrets.binary_text import printable
from reviewloop.checks.secrets.gate import SecretsGate
from reviewloop.config import Settings
from reviewloop.git.binary_formats import looks_binary
from tests.support.gitutil import git
from tests.support.repos import branch_repo, feature_branch
from tests.support.review_cli import review

# built at run time so this file carries no credential
SECRETS = {
    "github": "token ghp_" + "Zq3X9vB1nK7mP2wR5tY8uL4cD6fH0jA1sE3g",
    "aws": "AWS_ACCESS_KEY_ID=AKIA" + "QX7ZP3LM2KD8RT4W\nAWS_SECRET_ACCESS_KEY="
           + "wJalrXUtnFEMI9K7MDENGbPxRfiCYq3Lz8vN2sQ1",
    "slack": "SLACK=xoxb-" + "2718281828-3141592653-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2",
}


def _noise(size: int, seed: int) -> bytes:
    """Incompressible bytes: an image's compressed data."""
    return random.Random(seed).randbytes(size)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(size: int, seed: int, text: bytes = b"", after: bytes = b"") -> bytes:
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
    texts = _chunk(b"tEXt", b"Comment\0" + text) if text else b""
    return (b"\x89PNG\r\n\x1a\n" + header + _chunk(b"IDAT", _noise(size, seed)) + texts
            + _chunk(b"IEND", b"") + after)


def _jpeg(size: int, seed: int, comment: bytes) -> bytes:
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" \
        + _noise(size, seed) + segment + _SCAN + _noise(512, seed + 1) + b"\xff\xd9"


# the start-of-scan header after the comment, as a JPEG has it (one component): the
# comment's printable run ends there, not in whatever byte the scan data happens to start
# with (a printable one had made the base's and the head's runs differ by that byte)
_SCAN = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"


def _image(form: str, size: int, seed: int, secret: bytes) -> tuple[str, bytes]:
    if form == "png-after-iend":
        return "logo.png", _png(size, seed, after=b"\n" + secret + b"\n")
    if form == "png-text":
        return "logo.png", _png(size, seed, text=secret)
    return "photo.jpg", _jpeg(size, seed, secret)


def _gate(root: Path) -> GateResult:
    diff = git(root, "diff", "main", "feature")
    assert "Binary files" in diff  # the diff shows none of its lines
    return SecretsGate().run(GateContext(
        root=root, settings=Settings(), changed_files=("logo.png", "photo.jpg"),
        diff_text=diff, branch="feature", default_branch="main", phase="implement"))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=12,
          deadline=None)
@given(form=st.sampled_from(["png-after-iend", "png-text", "jpeg-comment"]),
       kind=st.sampled_from(sorted(SECRETS)), size=st.integers(9_000, 60_000),
       seed=st.integers(0, 2**16), changed=st.booleans())
def test_a_secret_past_the_binary_probe_fails_the_gate(
        tmp_path_factory: pytest.TempPathFactory, form: str, kind: str, size: int, seed: int,
        changed: bool) -> None:
    root = tmp_path_factory.mktemp("repo")
    secret = SECRETS[kind]
    name, image = _image(form, size, seed, secret.encode())
    assert looks_binary(image[:8000]) and image.index(secret.encode()[:12]) > 8000
    base = {"README.md": "x\n", **({name: _image(form, size, seed + 7, b"")[1]}
                                   if changed else {})}
    branch_repo(root, base, {name: image})
    result = _gate(root)
    assert not result.passed, result.output_tail
    assert f"{name}:1: " in result.output_tail
    assert "binary file's bytes, at offset" in result.output_tail
    value = secret.split("=")[-1].split(" ")[-1]
    assert value not in result.output_tail and value not in result.summary


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=6,
          deadline=None)
@given(form=st.sampled_from(["png-after-iend", "png-text", "jpeg-comment"]),
       seed=st.integers(0, 2**16))
def test_a_secret_the_base_image_held_is_not_the_changes(
        tmp_path_factory: pytest.TempPathFactory, form: str, seed: int) -> None:
    root = tmp_path_factory.mktemp("repo")
    secret = SECRETS["github"].encode()
    name, before = _image(form, 20_000, seed, secret)
    _, after = _image(form, 30_000, seed + 1, secret)
    branch_repo(root, {name: before}, {name: after})
    assert _gate(root).passed


@given(seed=st.integers(0, 2**16), size=st.integers(1_000, 200_000))
def test_an_image_of_noise_alone_holds_no_secret(seed: int, size: int) -> None:
    text, _ = printable(_png(size, seed))
    from reviewloop.checks.secrets.scanner import scan_text

    assert scan_text(text, path="logo.png") == []


@given(runs=st.lists(st.tuples(st.binary(max_size=20).map(lambda b: b.replace(b"a", b"\0")),
                               st.text("abcdefgh =:", min_size=8, max_size=30)),
                     min_size=1, max_size=8))
def test_each_offset_of_the_text_maps_to_its_byte(runs: list[tuple[bytes, str]]) -> None:
    data = b"\0".join(gap + b"\0" + text.encode() for gap, text in runs)
    text, offsets = printable(data)
    for at, char in enumerate(text):
        if char != "\n":
            assert data[offsets(at)] == ord(char)


def test_an_image_over_the_bound_is_named_as_not_scanned(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(binary_text, "MAX_BYTES", 10_000)
    branch_repo(tmp_path, {"README.md": "x\n"},
                {"logo.png": _png(20_000, 1, after=SECRETS["github"].encode())})
    result = _gate(tmp_path)
    assert result.passed
    assert "not fully scanned: a binary file of" in result.output_tail
    assert "it was not scanned for secrets" in result.output_tail


def test_a_review_counts_the_secret_in_an_image_in_its_verdict(tmp_path: Path) -> None:
    """Through `reviewloop review`: the finding is the change's (no line of the image is in
    the diff to place it on), must-fix, and the review exits 1 (it passed, exit 0, before)."""
    secret = SECRETS["aws"].encode()
    root = feature_branch(tmp_path / "r", {"logo.png": _png(30_000, 3, after=secret)})
    done = review(root, "--base", "main", "--head", "feature", "--json")
    report = json.loads(done.stdout)
    found = [(f["file"], f["start_line"], f["severity"])
             for f in report["findings"]["remaining"]]
    assert ("logo.png", 1, "must_fix") in found, report["verdict"]
    assert done.returncode == 1
    assert secret.split(b"=")[-1].decode() not in done.stdout
