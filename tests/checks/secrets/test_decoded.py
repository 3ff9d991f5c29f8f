"""The decoding layer's depth and cost. gitleaks decodes down to `--max-decode-depth 5`; the
review stopped at 2 and passed a token base64-encoded three times or more (a Helm value holding
a base64 Secret whose `.dockerconfigjson` has an `auth`). Generated: tokens the scan finds
plainly, encoded 1 to 5 times in any order of base64, URL-safe base64, hex and percent: found
under the plain token's rule. And 48-character lines of base64's alphabet that do not end a
wrap were each read as the first line of a wrapped run reaching to the end of the text
(quadratic: 12.7 s for 49 kB); the characters decoded are now linear in the text
(benchmarks/secrets_shapes.py prints the time's exponent)."""

from __future__ import annotations

import base64
import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.decoded import encoded_runs
from reviewloop.checks.secrets.scanner import redact, scan_text

ALNUM = string.ascii_letters + string.digits
TOKENS = st.one_of(
    st.integers(0, 2**32).map(
        lambda seed: "GITHUB_TOKEN=ghp_" + "".join(random.Random(seed).choices(ALNUM, k=36))),
    st.integers(0, 2**32).map(
        lambda seed: "token: glpat-" + "".join(random.Random(seed).choices(ALNUM, k=20))),
)
ENCODERS = {
    "base64": lambda text: base64.b64encode(text.encode()).decode(),
    "base64url": lambda text: base64.urlsafe_b64encode(text.encode()).decode().rstrip("="),
    "hex": lambda text: text.encode().hex(),
    "percent": lambda text: "".join(f"%{byte:02X}" for byte in text.encode()),
}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(TOKENS, st.lists(st.sampled_from(sorted(ENCODERS)), min_size=1, max_size=5))
def test_a_token_encoded_up_to_five_times_is_found(token: str, encodings: list[str]) -> None:
    coded = token
    for kind in encodings:
        coded = ENCODERS[kind](coded)
    plain = [hit.rule for hit in scan_text(token)]
    hits = scan_text(f'blob = "{coded}"\n')
    assert [hit.rule for hit in hits] == plain and len(plain) == 1, (encodings, hits)
    assert hits[0].description.count("encoded") == 1 \
        and hits[0].description.count(", in ") == len(encodings) - 1, hits[0].description


@pytest.mark.parametrize("line", ["A" * 47 + "a", "  " + "Ab" * 24, "Ab" * 30 + "-_+/"])
def test_lines_that_end_no_wrap_are_decoded_a_bounded_number_of_times(
        monkeypatch: pytest.MonkeyPatch, line: str) -> None:
    decoded: list[int] = []
    b64decode = base64.b64decode

    def counted(data: str | bytes, *args: object, **kwargs: object) -> bytes:
        decoded.append(len(data))
        return b64decode(data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(base64, "b64decode", counted)
    text = (line + "\n") * 300
    list(encoded_runs(text))
    assert sum(decoded) <= 3 * len(text), (len(decoded), sum(decoded))


CREDENTIALS = {
    "github": lambda rng: "GITHUB_TOKEN=ghp_" + "".join(rng.choices(ALNUM, k=36)),
    "aws": lambda rng: "AWS_ACCESS_KEY_ID=AKIA" + "".join(
        rng.choices(string.ascii_uppercase + "234567", k=16)),
    "slack": lambda rng: "SLACK=xoxb-" + "".join(rng.choices(string.digits, k=11)) + "-"
    + "".join(rng.choices(string.digits, k=12)) + "-" + "".join(rng.choices(ALNUM, k=24)),
    "gitlab": lambda rng: "GL=glpat-" + "".join(rng.choices(ALNUM, k=20)),
}


def _wrapped(text: str) -> str:
    coded = base64.b64encode(text.encode()).decode()
    return "data:\n  env: |\n" + "".join(f"    {coded[i:i + 76]}\n"
                                         for i in range(0, len(coded), 76))


CONTAINERS = {
    "base64": lambda env: f'blob = "{ENCODERS["base64"](env)}"\n',
    "base64url": lambda env: f'blob = "{ENCODERS["base64url"](env)}"\n',
    "hex": lambda env: f'blob = "{ENCODERS["hex"](env)}"\n',
    "k8s": lambda env: f"kind: Secret\ndata:\n  .env: {ENCODERS['base64'](env)}\n",
    "wrapped": _wrapped,
    "escaped": lambda env: 'blob = "' + "".join(f"\\x{byte:02x}" for byte in env.encode())
    + '"\n',
}


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.integers(0, 2**32), st.lists(st.sampled_from(sorted(CREDENTIALS)), min_size=2,
                                       max_size=4, unique=True),
       st.sampled_from(sorted(CONTAINERS)))
def test_each_credential_in_an_encoded_container_is_a_finding(
        seed: int, kinds: list[str], container: str) -> None:
    """gitleaks reports each credential of an `.env` base64-, hex- or `\\x`-encoded; the
    review reported the strongest one. Each is reported, on the container's first line, and
    the container is redacted whole."""
    rng = random.Random(seed)
    env = "".join(CREDENTIALS[kind](rng) + "\n" for kind in kinds)
    text = CONTAINERS[container](env)
    plain = sorted(hit.rule for hit in scan_text(env))
    hits = scan_text(text)
    assert len(plain) == len(kinds) and sorted(hit.rule for hit in hits) == plain, (text, hits)
    assert len({hit.line for hit in hits}) == 1, hits
    assert "[REDACTED:" in (clean := redact(text)) and not any(
        len(word) >= 16 and word in text for word in clean.split()), clean
