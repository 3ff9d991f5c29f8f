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
from reviewloop.checks.secrets.scanner import scan_text

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

