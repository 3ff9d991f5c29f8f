"""Every private key armor detect-secrets knows is a committed key. The `private-key` rule
asked for five dashes, so the SSH.com / RFC 4716 armor PuTTYgen's "export ssh.com key"
writes (`---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`, four dashes and a space) passed the
secrets gate (exit 0) while detect-secrets' PrivateKeyDetector reported it. Generated from
that detector's own denylist: each armor it flags, five dashes or four with spaces, with a
random body, RFC 4716 headers or none, an END line or none, is reported by the scan; a
public key in the same armors is not."""

from __future__ import annotations

import base64
import random

from detect_secrets.plugins.private_key import PrivateKeyDetector
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.scanner import scan_text
from tests.support.review_cli import review_feature

# "BEGIN RSA PRIVATE KEY", …, "PuTTY-User-Key-File-2": what detect-secrets looks for
ARMORS = tuple(pattern.pattern for pattern in PrivateKeyDetector.denylist)


def _body(seed: int) -> list[str]:
    data = base64.b64encode(random.Random(seed).randbytes(random.Random(seed).randint(120, 900)))
    text = data.decode()
    width = random.Random(seed).choice((64, 70, 76))
    return [text[i:i + width] for i in range(0, len(text), width)]


def key_file(armor: str, seed: int, dashes: int, headers: bool, end: bool) -> str:
    """A key file in `armor` (a denylist entry) as tools write it."""
    body = _body(seed)
    if armor.startswith("PuTTY"):
        return (f"{armor}: ssh-rsa\nEncryption: none\nComment: rsa-key-{seed}\n"
                f"Public-Lines: {len(body)}\n" + "\n".join(body) + "\n")
    kind = armor.removeprefix("BEGIN ")
    fence, gap = ("-----", "") if dashes == 5 else ("----", " ")
    lines = [f"{fence}{gap}BEGIN {kind}{gap}{fence}"]
    if headers:
        lines += [f'Comment: "rsa-key-{seed}"', "Proc-Type: 4,ENCRYPTED"]
    lines += body
    if end:
        lines.append(f"{fence}{gap}END {kind}{gap}{fence}")
    return "\n".join(lines) + "\n"


KEY_FILES = st.builds(key_file, st.sampled_from(ARMORS), st.integers(0, 2**32),
                      st.sampled_from((4, 5)), st.booleans(), st.booleans())


def test_the_denylist_is_the_one_these_armors_come_from() -> None:
    assert "BEGIN SSH2 ENCRYPTED PRIVATE KEY" in ARMORS and len(ARMORS) >= 8


@settings(max_examples=150, deadline=None, derandomize=True)
@given(KEY_FILES)
def test_every_armor_detect_secrets_flags_is_reported(text: str) -> None:
    assert any(PrivateKeyDetector().analyze_line(filename="k", line=line)
               for line in text.splitlines())  # the detector flags it
    hits = scan_text(text)
    assert hits and hits[0].line == 1 and hits[0].rule in ("private-key", "putty-private-key"), \
        (text, hits)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(0, 2**32), st.sampled_from((4, 5)), st.sampled_from(("SSH2 ", "RSA ", "")))
def test_a_public_key_in_those_armors_is_not_reported(seed: int, dashes: int, kind: str) -> None:
    fence, gap = ("-----", "") if dashes == 5 else ("----", " ")
    text = (f"{fence}{gap}BEGIN {kind}PUBLIC KEY{gap}{fence}\n" + "\n".join(_body(seed))
            + f"\n{fence}{gap}END {kind}PUBLIC KEY{gap}{fence}\n")
    assert scan_text(text) == [], text


def test_a_review_fails_the_gate_on_an_ssh_com_key() -> None:
    text = key_file("BEGIN SSH2 ENCRYPTED PRIVATE KEY", 7, 4, True, True)
    report = review_feature({"keys/deploy_key": text.encode()})
    assert [g["passed"] for g in report["gates"] if g["name"] == "secrets"] == [False]
    assert [(f["file"], f["start_line"], f["rule"]) for f in report["findings"]["remaining"]
            if f["source"] == "secrets"] == [("keys/deploy_key", 1, "private-key")]
