"""A secret split between a line the change adds and one it leaves is a secret the change
wrote. The scan read each run of added lines alone, so a key body written between a
`BEGIN` and an `END` line the file already had, or a value written under a key already
there (`aws_secret_access_key: >-`), passed the secrets gate ("no secret in added lines",
exit 0) while detect-secrets on the file reports it. Now each run is scanned with the
unchanged lines the diff shows around it. Generated: key blocks and keyed values, the
split anywhere in them, filler around them, LF or CRLF; a secret the change does not
touch (a neighbouring line edited) is still not the change's."""

from __future__ import annotations

import base64
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.diff_scan import scan_changes
from reviewloop.checks.secrets.scanner import scan_text
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import init_repo, write

KEY_KINDS = ("RSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY")
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class Secret:
    lines: list[str]
    kept: frozenset[int]  # indexes of its lines the base already had, in place


@st.composite
def key_blocks(draw: st.DrawFn) -> Secret:
    kind = draw(st.sampled_from(KEY_KINDS))
    rng = random.Random(draw(st.integers(0, 2**32)))
    body = base64.b64encode(rng.randbytes(draw(st.integers(300, 900)))).decode()
    width = draw(st.sampled_from((64, 70)))
    lines = [f"-----BEGIN {kind}-----",
             *(body[i:i + width] for i in range(0, len(body), width)),
             f"-----END {kind}-----"]
    # the base had the block's first and last line (an empty template), or only one of them
    kept = draw(st.sampled_from(({0, len(lines) - 1}, {0}, {len(lines) - 1})))
    return Secret(lines, frozenset(kept))


@st.composite
def keyed_values(draw: st.DrawFn) -> Secret:
    key = draw(st.sampled_from(("aws_secret_access_key", "client_secret", "api_token")))
    value = "".join(random.Random(draw(st.integers(0, 2**32))).choices(ALNUM + "/+", k=40))
    style = draw(st.sampled_from((">-", "|", "")))
    return Secret([f"{key}: {style}".rstrip(), f"  {value}"], frozenset({0}))


fillers = st.lists(st.sampled_from(("# settings", "name: app", "", "debug: false",
                                    "replicas: 3", "region: eu-west-1")), max_size=8)


def _diff(base: list[str], head: list[str], newline: str) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        root = init_repo(Path(scratch), {"conf/deploy.yaml": newline.join(base) + newline})
        write(root, "conf/deploy.yaml", newline.join(head) + newline)
        return git(root, "diff", "HEAD")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.one_of(key_blocks(), keyed_values()), fillers, fillers, st.sampled_from(("\n", "\r\n")))
def test_a_secret_written_beside_lines_the_file_had_is_found_on_its_first_added_line(
        secret: Secret, before: list[str], after: list[str], newline: str) -> None:
    kept = [line for at, line in enumerate(secret.lines) if at in secret.kept]
    head = [*before, *secret.lines, *after]
    assert scan_text("\n".join(head)), "the generated secret is one the scan finds whole"

    hits = scan_changes(parse_diff(_diff([*before, *kept, *after], head, newline)))

    first_added = len(before) + min(set(range(len(secret.lines))) - secret.kept) + 1
    assert [(h.path, h.line) for h in hits] == [("conf/deploy.yaml", first_added)]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.one_of(key_blocks(), keyed_values()), fillers, st.booleans())
def test_a_secret_the_change_does_not_touch_is_not_the_changes(
        secret: Secret, before: list[str], edit_above: bool) -> None:
    """The secret was whole in the base; the change edits the line next to it, so the diff
    shows the secret's lines as context: found, and not reported against the change."""
    base = [*before, "note: old", *secret.lines, "note: old"]
    at = len(before) if edit_above else len(base) - 1
    head = [*base[:at], "note: new", *base[at + 1:]]

    assert scan_changes(parse_diff(_diff(base, head, "\n"))) == []


MARKERS = st.sampled_from((("-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----"),
                           ('BEGIN = "-----BEGIN RSA PRIVATE KEY-----"',
                            'END = "-----END RSA PRIVATE KEY-----"'),
                           ("-----BEGIN OPENSSH PRIVATE KEY-----",
                            "-----END OPENSSH PRIVATE KEY-----")))
CODE = st.lists(st.sampled_from(("    return text.split(BEGIN)[1].strip()", "pass", "x = 1",
                                 "# read the key between the markers", "")), min_size=1,
                max_size=4)
TOKENS = st.integers(0, 2**32).map(random.Random).map(lambda rng: rng.choice((
    "AKIA" + "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", k=16)),
    "ghp_" + "".join(rng.choices(ALNUM, k=36)))))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(MARKERS, CODE)
def test_lines_written_between_unchanged_key_markers_are_no_key(
        markers: tuple[str, str], code: list[str]) -> None:
    """`BEGIN`/`END` constants (or a fixture's marker lines) the file already had, and code
    the change writes between them: no key body, no secret."""
    base = [markers[0], "def body(text):", markers[1]]
    head = [markers[0], *code, markers[1]]

    assert scan_changes(parse_diff(_diff(base, head, "\n"))) == []


@settings(max_examples=30, deadline=None, derandomize=True)
@given(MARKERS, st.lists(st.tuples(TOKENS, CODE), min_size=1, max_size=3))
def test_each_secret_written_between_unchanged_key_markers_is_found_on_its_line(
        markers: tuple[str, str], written: list[tuple[str, list[str]]]) -> None:
    """Tokens written between marker lines the file had are each the change's secret, on
    its own line (the markers' block, which no key body fills, claims none of them)."""
    head = [markers[0]]
    expected = []
    for token, code in written:
        head += [f"TOKEN = {token}", *code]
        expected.append(len(head) - len(code))
    head.append(markers[1])

    hits = scan_changes(parse_diff(_diff([markers[0], markers[1]], head, "\n")))

    assert sorted(h.line for h in hits) == expected
