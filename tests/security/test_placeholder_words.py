"""A chosen password that holds a placeholder word is still a password. The placeholder test
matched `mock`, `todo`, `insert`, `example`… anywhere in a value, so `Mockingjay!88qz`,
`Insertcoin#2024zq` and `9fTodo3kQ7xLm2Pz8Vw4` were dropped and the secrets gate passed
(exit 0) while detect-secrets' KeywordDetector reported them. Now such a word stands for a
secret only as a word of its own (`mock-token`, `exampleKey`, `TODO`) or glued to what it
stands for (`fakesecret`). Generated: strong passwords with a placeholder word inside a
longer word, under a password's or a key's name in a dotenv, YAML and Python file, are
reported as the same password without the word is; placeholders (`<your-…>`,
`your-…-here`, `changeme`, `example-…`, a word of its own) still are not."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.scanner import scan_text
from reviewloop.checks.secrets.values import looks_placeholder
from tests.support.review_cli import review_feature

WORDS = ("example", "sample", "dummy", "fake", "mock", "redacted", "todo", "fixme", "insert")
LOWER = "abcdefghijklmnopqrstuvwxyz"
STRONG = LOWER + LOWER.upper() + "0123456789" + "!%+@"
CARRIERS = {"env": "DB_PASSWORD={}\n", "yml": 'smtp:\n  password: "{}"\n',
            "py": 'API_KEY = "{}"\n'}


def _random(size: int, alphabet: str) -> st.SearchStrategy[str]:
    return st.integers(0, 2**32).map(
        lambda seed: "".join(random.Random(seed).choices(alphabet, k=size)))


@st.composite
def embedded(draw: st.DrawFn) -> tuple[str, str]:
    """(a strong password holding a placeholder word between letters, the same password
    with the word's letters replaced by others)."""
    word = draw(st.sampled_from(WORDS))
    # (`EXAMPLE` in capitals marks AWS's documented keys wherever it is: not drawn here)
    word = draw(st.sampled_from((word, word.capitalize())
                                + ((word.upper(),) if word != "example" else ())))
    left = draw(_random(draw(st.integers(1, 3)), LOWER + LOWER.upper()))
    right = draw(_random(1, LOWER))  # a lower-case letter: the word goes on
    tail = draw(_random(9, STRONG)) + draw(_random(1, "0123456789")) + draw(_random(1, "!%+@"))
    other = "".join("q" if c.islower() else "Q" for c in word)
    return f"{left}{word}{right}{tail}", f"{left}{other}{right}{tail}"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(embedded(), st.sampled_from(tuple(CARRIERS)))
def test_a_password_holding_a_placeholder_word_is_reported(
        passwords: tuple[str, str], carrier: str) -> None:
    password, control = passwords
    assert not looks_placeholder(password), password
    if not scan_text(CARRIERS[carrier].format(control)):
        return  # too weak a password without the word: not what this test is about
    hits = scan_text(CARRIERS[carrier].format(password))
    assert [h.rule for h in hits] in (["generic-password"], ["generic-secret"]), \
        (password, hits)


KNOWN = ("dummy-api-key", "example-secret-key", "fakesecret", "mock_token", "exampleKey",
         "TODO", "FIXME", "<insert-password>", "REDACTED", "sample_password", "my-fake-pw",
         "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "mydummypassword", "Todo",
         # a camelCase word of its own
         "secretExample", "apiKeyExample", "DemoTokenExample", "someDummyValue",
         "xyzFakeKey123", "aSampleApiKey", "notARealSecretJustAMock")
PLACEHOLDERS = st.one_of(
    st.sampled_from(KNOWN),
    _random(8, LOWER).map(lambda w: f"<your-{w}>"),
    _random(6, LOWER).map(lambda w: f"your-{w}-here"),
    st.sampled_from(("changeme", "CHANGEME", "change_me", "changeit")),
    st.tuples(_random(6, LOWER), st.sampled_from(WORDS), st.sampled_from(("", "Key", "Value",
                                                                        "-x", ".1"))).map(
        lambda p: f"{p[0]}{p[1].capitalize()}{p[2]}"),
    st.tuples(st.sampled_from(WORDS), _random(6, LOWER), st.sampled_from("-_."),
              st.booleans()).map(
        lambda p: f"{p[0]}{p[2]}{p[1]}" if p[3] else f"{p[1]}{p[2]}{p[0].upper()}"),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(PLACEHOLDERS, st.sampled_from(tuple(CARRIERS)))
def test_a_placeholder_is_still_not_reported(value: str, carrier: str) -> None:
    assert looks_placeholder(value), value
    assert scan_text(CARRIERS[carrier].format(value)) == [], value


def test_a_review_fails_the_gate_on_passwords_holding_placeholder_words() -> None:
    report = review_feature({
        "cfg/prod.env": b"DB_PASSWORD=Mockingjay!88qz\n",
        "cfg/mail.yml": b'smtp:\n  password: "Insertcoin#2024zq"\n',
        "cfg/settings.py": b'API_KEY = "9fTodo3kQ7xLm2Pz8Vw4"\n',
        "cfg/dev.env": b"DB_PASSWORD=changeme\nAPI_TOKEN=<your-token>\n"})
    assert [g["passed"] for g in report["gates"] if g["name"] == "secrets"] == [False]
    assert sorted((f["file"], f["start_line"]) for f in report["findings"]["remaining"]
                  if f["source"] == "secrets") == [
        ("cfg/mail.yml", 2), ("cfg/prod.env", 1), ("cfg/settings.py", 1)]
