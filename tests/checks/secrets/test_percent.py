"""Percent-encoded (URL-encoded) credentials. gitleaks decodes `%XX` runs by default (with
base64 and hex, `--max-decode-depth 5`) and reported a GitHub, AWS, Slack or GitLab token in
`?state=ghp%5FAbc…`, in `%67%68%70%5F…` (every byte), in lowercase hex or encoded twice
(`%2567…`); the review decoded base64 and hex only and passed the gate. Generated: tokens the
scan finds written plainly, percent-encoded as gitleaks decodes them (every byte, lowercase,
only the bytes a URL must quote, twice, base64 of it), in a URL query, an env value or a JSON
field: found under the plain token's rule, on the characters it is written with, redacted;
and two in one URL are two findings. Percent runs that hide nothing (`%20` words, printf
`%2d`, bytes that are not printable ASCII, as gitleaks leaves them) are never reported."""

from __future__ import annotations

import base64
import random
import string

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.percent import percent_decoded
from reviewloop.checks.secrets.scanner import redact, scan_text

ALNUM = string.ascii_letters + string.digits


def _random(size: int, alphabet: str = ALNUM) -> st.SearchStrategy[str]:
    return st.integers(0, 2**32).map(
        lambda seed: "".join(random.Random(seed).choices(alphabet, k=size)))


TOKENS = st.one_of(
    _random(36).map(lambda t: f"ghp_{t}"),
    _random(16, string.ascii_uppercase + "234567").map(lambda t: f"AKIA{t}"),
    st.tuples(_random(11, string.digits), _random(12, string.digits), _random(24)).map(
        lambda p: f"xoxb-{p[0]}-{p[1]}-{p[2]}"),
    _random(20).map(lambda t: f"glpat-{t}"),
    _random(36).map(lambda t: f"npm_{t}"),
)


def _every(value: str) -> str:
    return "".join(f"%{ord(c):02X}" for c in value)


ENCODINGS = {
    "every": _every,
    "lower": lambda value: _every(value).lower(),
    "special": lambda value: "".join(c if c.isalnum() else f"%{ord(c):02X}" for c in value),
    "twice": lambda value: _every(value).replace("%", "%25"),
    "special_twice": lambda value: "".join(
        c if c.isalnum() else f"%25{ord(c):02X}" for c in value),
}
CARRIERS = {
    "query": "callback=https://hooks.example.io/cb?state={}&x=1\n",
    "env": "REDIRECT_STATE={}\n",
    "json": '{{"next": "/login?token={}", "version": 2}}\n',
}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(TOKENS, st.sampled_from(sorted(ENCODINGS)), st.sampled_from(sorted(CARRIERS)))
def test_a_percent_encoded_token_is_found_under_its_rule_and_redacted(
        token: str, encoding: str, carrier: str) -> None:
    coded = ENCODINGS[encoding](token)
    assume(coded != token)  # an AWS key id has no character a URL quotes
    text = CARRIERS[carrier].format(coded)
    plain = [hit.rule for hit in scan_text(CARRIERS[carrier].format(token))]
    hits = scan_text(text)
    assert [hit.rule for hit in hits] == plain and len(plain) == 1, (text, hits)
    assert text[hits[0].start:hits[0].end] == coded, (text, hits)
    assert "percent-encoded" in hits[0].description
    assert coded not in redact(text)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(TOKENS, TOKENS)
def test_two_tokens_in_one_url_are_two_findings(first: str, second: str) -> None:
    text = f"https://x.example.io/cb?a={_every(first)}&b={ENCODINGS['special'](second)}\n"
    plain = [hit.rule for hit in scan_text(f"https://x.example.io/cb?a={first}&b={second}\n")]
    assert [hit.rule for hit in scan_text(text)] == plain, text


@settings(max_examples=50, deadline=None, derandomize=True)
@given(TOKENS)
def test_base64_of_a_percent_encoded_token_is_found(token: str) -> None:
    coded = base64.b64encode(f"state={_every(token)}".encode()).decode()
    hits = scan_text(f'export const blob = "{coded}";\n')
    assert len(hits) == 1 and "percent-encoded, in base64" in hits[0].description, hits


BENIGN = st.one_of(
    st.text(st.sampled_from(string.ascii_letters + " "), min_size=1, max_size=40).map(
        lambda words: "https://example.org/search?q=" + words.replace(" ", "%20")),
    st.sampled_from(("printf(\"%2d items, %02x, %5s\\n\", n, m, s);",
                     "width: calc(100% - 2em);", "SELECT * FROM t WHERE a LIKE '%AB%';")),
    st.binary(min_size=16, max_size=40).map(
        lambda raw: "blob=" + "".join(f"%{b | 0x80:02X}" for b in raw)),
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(BENIGN)
def test_percent_runs_that_hide_nothing_are_not_reported(text: str) -> None:
    assert scan_text(text) == [], text


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.text(st.sampled_from("ab%2F5Z\n -"), max_size=60))
def test_the_decoded_lines_map_back_to_the_text(text: str) -> None:
    """Each decoded character comes from the `%XX` or the character of `text` it says."""
    decoded = percent_decoded(text)
    if decoded is None:
        return
    plain, origin, hidden = decoded
    assert len(origin) == len(plain) + 1
    for start, end in hidden:
        for at in range(start, end):
            assert bytes.fromhex(text[origin[at] + 1:origin[at] + 3]).decode() == plain[at]
    shown = {at for start, end in hidden for at in range(start, end)}
    # the rest is copied, and the blank line between two lines stands on the first's end
    assert all(text[origin[at]] == char for at, char in enumerate(plain) if at not in shown)
