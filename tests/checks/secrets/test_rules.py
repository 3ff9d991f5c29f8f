"""Rows of the rule table added from the public rule suites, each with the look-alikes it must
leave alone. Tokens are assembled at run time, as in test_scanner.py."""

from __future__ import annotations

import random
import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.rules import RULES
from reviewloop.checks.secrets.scanner import looks_fake, scan_text

_R = random.Random(11)
ALNUM = string.ascii_letters + string.digits


def body(alphabet: str, n: int) -> str:
    return "".join(_R.choice(alphabet) for _ in range(n))


def k8s_secret(value: str, *, data_first: bool = False) -> str:
    head = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
    data = f"data:\n  password: {value}\n"
    return data + head if data_first else head + data


FOUND = [
    ("curl -u", f"curl -u deploy:{body(ALNUM, 14)} https://api.acme.io/v1", "curl-credentials"),
    ("curl --user quoted", f"curl -s --user 'api:{body(ALNUM, 12)}!' \\\n  https://x.io/m",
     "curl-credentials"),
    ("curl header, no scheme", f"curl -H 'Authorization: {body('0123456789abcdef', 32)}'",
     "http-auth-header"),
    ("api key header", f'curl -H "X-Acme-ApiKey: {body(ALNUM, 24)}" https://x.io',
     "http-auth-header"),
    ("k8s secret", k8s_secret(body(ALNUM + "+/", 24) + "=="), "kubernetes-secret"),
    ("k8s secret, data first", k8s_secret(body(ALNUM, 20) + "=", data_first=True),
     "kubernetes-secret"),
    ("gitlab session", f"Cookie: _gitlab_session={body('abcdef0123456789', 32)}",
     "gitlab-session-cookie"),
    ("vault legacy", f"token: s.Z{body(ALNUM, 20)}9aQ", "hashicorp-vault-token"),
    ("slack legacy workspace", f'"refresh": "xoxr-{body("abcdefgh", 6)}{body(ALNUM, 6)}7"',
     "slack-token"),
    ("slack configuration", f"xoxe.xoxp-1-{body(ALNUM, 150)}", "slack-token"),
    ("facebook app token", f"facebook 1308742762612587|{body(ALNUM + '_-', 27)}",
     "facebook-access-token"),
    ("artifactory call", f'login("artifactory", "{body(ALNUM, 64)}")', "jfrog-token"),
    ("telegram, one A", f'bot = "7213808860:A{body(ALNUM + "_-", 34)}"', "telegram-bot-token"),
    ("unsigned jwt", "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJ1c2VyIjoiYm9iIiwicm9sZSI6ImFkbWluIn0",
     "jwt"),
]

LEFT_ALONE = [
    "curl -u username:password https://x.io", 'curl -u "$USER:$PASS" https://x.io',
    "curl -u <user:password> https://x.io", 'curl -u "myusername" https://x.io',
    'curl --user "$(cat ./login):$(cat ./pass)"', "curl -i -u 'test:test'",
    'curl -H "Authorization: Bearer $API_KEY"', 'curl -H "Authorization: Basic ..."',
    '- "key: some-setting-name"',
    k8s_secret("{{ .Values.password }}"), k8s_secret("''"),
    "apiVersion: v1\nkind: Secret\ndata:\n  extra: YmFyCg==\n",
    ("kind: ExternalSecret\nspec:\n  data:\n    - secretKey: api-key\n      remoteRef:\n"
     "        key: my-secrets-manager-secret-value\n"),
    ("kind: Secret\nmetadata:\n  name: a\n---\n"
     "kind: ConfigMap\ndata:\n  key: c2VjcmV0L215c2VjcmV0\n"),
    "s.AcceptanceTimeoutSeconds = 5", "s.makeKubeConfigController = args",
    "xoxb-12345-abcd234", "xoxb-xoxb-my-bot-token", "xoxb-abcdef-abcdef",
    '"token": "xoxp-572370529330-573807301142-572331691188-####################"',
    "https://indieweb.org/images/3/35/2018-250-xoxo-indieweb-1.jpg",
    "TODAYINASIAASACKOFRICEFELLOVER", "GR134894112312312312312312312",
    "key_down_event=b48bzxaIMe4cQUd8CvcrVFdls7gXj8",
    "  keyVaultToStoreSecrets: cmp2-qat-1208358310",
    'pub const SN_id_Gost28147_89_None_KeyMeshing = "id-Gost28147-89-None-KeyMeshing"',
    'telegram_api_token = "<xsd:element name="Code" type="clm21122:CodeContentType"/>"',
    "https://httpwatch::%2A%2A%2A%2A%2A%2A@www.httpwatch.com/default.aspx",
]


@pytest.mark.parametrize(("case", "text", "rule"), FOUND, ids=[c[0] for c in FOUND])
def test_found(case: str, text: str, rule: str) -> None:
    assert rule in [h.rule for h in scan_text(text)], case


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_left_alone(text: str) -> None:
    assert scan_text(text) == []


def test_a_template_brace_is_a_placeholder_but_a_brace_in_a_key_is_not() -> None:
    value = f"m{{{{h}}o)p${{e]nob(ody[{body(ALNUM, 10)}>-_$#thisone}}}}"
    assert [h.rule for h in scan_text(f'apikey := "{value}"')] == ["generic-secret"]
    assert scan_text('apikey := "${API_KEY}"') == []
    assert scan_text('apikey := "{{ .Values.apiKey }}"') == []


def test_a_short_unit_repeated_is_a_fixture() -> None:
    assert looks_fake("12312312312312312312")
    assert looks_fake("abababababab")
    assert not looks_fake(body(ALNUM, 40))


def test_the_prefilters_change_speed_not_results() -> None:
    """The keyword prefilter of the rule table, its rules' hints and the secret-word line
    filter of the keyword layer skip work only: every text of both labelled sets gets the
    same hits without them."""
    import json

    from tests.support.paths import ROOT

    texts = [json.loads(line)["text"]
             for name in ("secrets_public.jsonl", "secrets_labelled.jsonl")
             for line in (ROOT / "benchmarks" / "data" / name).read_text("utf-8").splitlines()]
    texts.append("\n".join(texts))  # and all of them at once: many hits in one text
    filtered = [scan_text(t) for t in texts]
    assert [scan_text(t, prefilter=False) for t in texts] == filtered
    assert sum(map(len, filtered)) > 400


def test_exact_literals_come_only_from_the_case_sensitive_parts() -> None:
    """A token's prefix is looked for as written (`EAA`, not `eaa`, which most code holds);
    a case-insensitive group gives none, a case-insensitive pattern none at all."""
    import re

    from reviewloop.checks.secrets.keywords import exact_literals, required_literals

    assert exact_literals(r"(?i:password)\s*=\s*EAA[CDM][A-Za-z0-9]{60,}") == ("EAA",)
    assert required_literals(r"(?i:password)\s*=\s*EAA[CDM][A-Za-z0-9]{60,}") == ("password",)
    assert exact_literals(r"(?i:api|token)_[a-z]{20}") is None
    assert exact_literals(r"(?i)ghp_[A-Za-z0-9]{36}") is None
    assert exact_literals(r"ghp_[A-Za-z0-9]{36}", re.IGNORECASE) is None
    assert exact_literals(r"(?:sk|rk)_live_[A-Za-z0-9]{20}") == ("_live_",)


def test_the_literal_filter_passes_a_rule_when_its_literals_are_in_the_text() -> None:
    """`LiteralFilter` answers for all rules at once what `any(literal in text)` answers for
    each: the lower-case literals in the lower-cased text, the exact ones as written."""
    import random

    from reviewloop.checks.secrets.keywords import LiteralFilter
    from reviewloop.checks.secrets.rules import RULES

    def holds(literals: tuple[str, ...] | None, text: str) -> bool:
        return literals is None or any(literal in text for literal in literals)

    rng = random.Random(5)
    pieces = [lit for rule in RULES for lit in (*(rule.literals or ()), *(rule.exact or ()))]
    pieces += ["AT", "Ghp_", "SK_LIVE_", "x", "\n", " ", "ſ", "İ", "\udcff", "é"]
    literal_filter = LiteralFilter([(rule.literals, rule.exact) for rule in RULES])
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
        expected = [holds(r.exact, text) and holds(r.literals, text.lower()) for r in RULES]
        passing = literal_filter.passing(text)
        assert [bool(passing >> bit & 1) for bit in range(len(RULES))] == expected, text


@given(st.integers(min_value=0, max_value=(1 << 600) - 1))
def test_the_rules_a_text_passed_are_its_filters_set_bits_in_order(mask: int) -> None:
    """The scanner runs only the rules whose bit `passing` set, in the rules' order (the
    first layer to claim a span keeps it): the same rules a look at every bit runs."""
    from reviewloop.checks.secrets.keywords import set_bits

    assert list(set_bits(mask)) == [bit for bit in range(mask.bit_length()) if mask >> bit & 1]


def test_a_secret_word_is_found_in_any_case_and_beyond_ascii() -> None:
    """The line filter of the keyword layer lower-cases an ASCII text; elsewhere it keeps
    the case-insensitive regex, whose `s` also matches `ſ` (lower() keeps `ſ`)."""
    from reviewloop.checks.secrets.assignments import _lines_naming_a_secret

    text = "x = 1\nDB_PASSWORD = 1\ny = 2\nmy_paſs = 3\nz = 4 # é\nToKeN token TOKEN\n"
    lines = [text[start:end] for start, end in _lines_naming_a_secret(text)]
    assert lines == ["DB_PASSWORD = 1", "my_paſs = 3", "ToKeN token TOKEN"]
    ascii_text = text.replace("ſ", "s").replace("é", "e")
    assert [ascii_text[s:e] for s, e in _lines_naming_a_secret(ascii_text)] == [
        "DB_PASSWORD = 1", "my_pass = 3", "ToKeN token TOKEN"]


def test_a_rules_hint_is_part_of_every_match() -> None:
    """A hint is searched before the rule's regex, which then runs only where it is found:
    each is part of every match of its rule, shown here on tokens of each shape."""
    from reviewloop.checks.secrets.rules import RULES

    # built here: no token in the file
    tokens = {"discord-bot-token": "MTk4NjIy" + "NDgzNDcxOTI1MjQ4" + ".Cl2FMQ." + "Zn" * 14,
              "mailgun-api-key": "9f3a" * 8 + "-a1b2c3d4-e5f6a7b8",
              "facebook-access-token": "1234567890" + "12345|" + "aBcD" * 8}
    hinted = [rule for rule in RULES if rule.hint is not None]
    assert {rule.id for rule in hinted} == set(tokens)
    for rule in hinted:
        text = f"value = {tokens[rule.id]}\n"
        matches = list(rule.pattern.finditer(text))
        assert matches, rule.id
        assert rule.hint is not None
        assert all(rule.hint.search(m.group(0)) for m in matches), rule.id


def test_the_flag_regex_matches_as_its_look_behind_first_form() -> None:
    """`--api-key=…` is searched `-` first with the look-behind after it: the same matches,
    groups included, as the form that opens with the look-behind."""
    import random
    import re

    from reviewloop.checks.secrets.assignments import _FLAG

    assert _FLAG.pattern.startswith(r"(?i)-(?<![\w-]-)-?")
    before = re.compile(r"(?i)(?<![\w-])--?" + _FLAG.pattern[len(r"(?i)-(?<![\w-]-)-?"):])
    rng = random.Random(2)
    pieces = ["-", "--", "a", "_", " ", "=", "password", "TOKEN", "api-key", "x9Yz12AbCd", "'",
              '"', "$", "\n", "é", "\u212a"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 14)))
        assert [(m.span(), m.groupdict()) for m in _FLAG.finditer(text)] == [
            (m.span(), m.groupdict()) for m in before.finditer(text)], text


def test_a_token_rule_opening_with_a_literal_matches_as_its_look_behind_first_form() -> None:
    """`_L(?P<secret>g…` is compiled as `(?P<secret>g(?<![A-Za-z0-9_]g)…` (a literal first):
    on token-like texts, with and without a word character before them, each such rule
    finds exactly what its look-behind-first form finds."""
    import json
    import random
    import re

    from reviewloop.checks.secrets.rules import RULES
    from tests.support.paths import ROOT

    opened = re.compile(r"\(\?P<secret>([A-Za-z0-9_])\(\?<!\[A-Za-z0-9_\]\1\)")
    rewritten = [(rule, opened.match(rule.pattern.pattern)) for rule in RULES]
    rewritten = [(rule, m) for rule, m in rewritten if m]
    assert len(rewritten) > 30
    texts = [json.loads(line)["text"]
             for name in ("secrets_public.jsonl", "secrets_labelled.jsonl")
             for line in (ROOT / "benchmarks" / "data" / name).read_text("utf-8").splitlines()]
    rng = random.Random(4)
    for rule, m in rewritten:
        before = re.compile(r"(?<![A-Za-z0-9_])(?P<secret>" + m.group(1)
                            + rule.pattern.pattern[m.end():], rule.pattern.flags)
        tokens = [t for t in texts if before.search(t)] or texts[:50]
        for token in tokens:
            for lead in ("", "x", "_", "-", " ", "\n", "9", "é"):
                text = lead + token + rng.choice(("", "x", " "))
                assert [(h.span(), h.groupdict()) for h in rule.pattern.finditer(text)] == [
                    (h.span(), h.groupdict()) for h in before.finditer(text)], (rule.id, text)


# The JDBC / ADO.NET connection-string rule as it was written: every start re-read the rest of
# its line (`jdbc:x;` 7,000 times took 18 s). Its matches are the oracle for the linear one.
_CONNECTION_STRING_BEFORE = re.compile(
    r"(?i:(?:jdbc:[^\s\"']*?[;?&:]|(?:server|data source|host|uid|user id|"
    r"initial catalog|database)\s*=[^\"'\n]*?;\s*)(?:password|pwd)\s*=\s*)"
    r"(?P<secret>[^;&\s\"'`]{3,128})")
_COMMON = ("x", ";", "?", "&", ":", "password", "pwd", "=", " = ", "abcd", "ab", " ", "\n", '"',
           "'", "\t", ";pwd=", "PASSWORD=")
_GRAMMARS = {
    "jdbc": (*_COMMON, "jdbc:", "JDBC:", "jdbc", ":password=", "jdbc:x;", "jdbc:mysql://h/db?"),
    "ado.net": (*_COMMON, "server", "Server", "host", "data source", "user id", "uid",
                "database", "initial catalog", "hostname", "myserver=", "server=", "Host = "),
}


def _connection_string_rule() -> re.Pattern[str]:
    (rule,) = [r for r in RULES if r.description == "JDBC / ADO.NET connection string password"]
    return rule.pattern


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(grammar=st.sampled_from(sorted(_GRAMMARS)), data=st.data())
def test_the_connection_string_rule_finds_what_it_found(grammar: str, data: st.DataObject) -> None:
    pieces = data.draw(st.lists(st.sampled_from(_GRAMMARS[grammar]), max_size=16))
    text = "".join(pieces)
    assert ([m.span("secret") for m in _connection_string_rule().finditer(text)]
            == [m.span("secret") for m in _CONNECTION_STRING_BEFORE.finditer(text)])


@pytest.mark.parametrize(("unit", "start"), [("jdbc:x;", "jdbc:"), ("server=a;", "server=")])
def test_an_attempt_at_the_connection_string_rule_reads_only_its_own_part(unit: str,
                                                                          start: str) -> None:
    """Linear: the attempt from one `jdbc:` (or `server=`) stops where the next begins, the
    attempt from there goes on; each character is read by one attempt, not by every one
    before it. The secret found is the same (the attempt from the last start finds it)."""
    text = unit * 50 + "password=Xk29vLq8Wz"
    pattern = _connection_string_rule()
    assert pattern.match(text) is None
    assert _CONNECTION_STRING_BEFORE.match(text) is not None  # read the whole line
    assert [m.group("secret") for m in pattern.finditer(text)] == ["Xk29vLq8Wz"]
    assert text.rfind(start) == next(m.start() for m in pattern.finditer(text))
