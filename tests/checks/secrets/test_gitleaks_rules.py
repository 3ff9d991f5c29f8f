"""gitleaks' default rules as a layer of the secrets scanner (#39): every rule read, judged as
gitleaks judges it, and reaching the scan for the vendors the rule table has no row for."""

from __future__ import annotations

import random
import re
import string
import tomllib
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.secrets import gitleaks_rules as layer
from reviewloop.checks.secrets.gitleaks import rule_ids
from reviewloop.checks.secrets.scanner import scan_text

RNG = random.Random(39)


def _token(alphabet: str, n: int) -> str:
    """A random token from `alphabet`, with a digit (gitleaks' generic rules want one)."""
    token = "".join(RNG.choices(alphabet, k=n - 1))
    return token + RNG.choice([c for c in alphabet if c.isdigit()])


def _vendored() -> dict:
    text = resources.files(layer.__name__).joinpath("gitleaks.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_every_rule_of_the_vendored_config_is_read() -> None:
    rules = _vendored()["rules"]
    kept = {r["id"] for r in rules if "regex" in r and "path" not in r}
    kept.add("nuget-config-password")  # its regex is the element: a password in any file
    assert len(rules) >= 200 and layer.skipped() == ()
    assert {r.id for r in layer._config().rules} == kept
    licence = resources.files(layer.__name__).joinpath("LICENSE").read_text("utf-8")
    assert licence.startswith("MIT License")


def test_both_tables_come_from_one_read_of_the_vendored_config() -> None:
    """A review asks for the path-only rules (its diff scan) and the regex rules (every
    scan): the 100 kB file is parsed once a process (~10 ms of `tomllib`), not once a table,
    and each table is what the file says."""
    for cached in (layer._vendored, layer.file_rules, layer._config):
        cached.cache_clear()
    rules = _vendored()["rules"]
    path_only = [r["id"] for r in rules if "regex" not in r and r.get("path")]
    assert path_only and [r.id for r in layer.file_rules()] == path_only
    assert len(layer._config().rules) >= 200
    assert layer._vendored.misses == 1


@pytest.mark.parametrize(("go", "python"), [
    (r"a(?i)b", r"a(?i:b)"),
    (r"(x(?i)y)z", r"(x(?i:y))z"),
    (r"[(](?i)b[)]c", r"[(](?i:b[)]c)"),
    (r"end\z", r"end\Z"),
    (r"pat[[:alnum:]]{14}", r"pat[A-Za-z0-9]{14}"),
    (r"(?i)kept", r"(?i)kept"),
])
def test_go_regex_syntax_is_translated(go: str, python: str) -> None:
    assert layer.go_regex(go) == python
    re.compile(layer.go_regex(go))


@pytest.mark.parametrize(("rule", "text"), [
    ("sourcegraph-access-token",
     "token: sgp_fd1b4edb60bf82b8_" + _token("0123456789abcdef", 40)),
    ("twitch-api-token", "twitch_token = " + _token(string.ascii_lowercase + string.digits, 30)),
    ("discord-client-secret", 'discordToken="' + _token(string.digits, 32) + '"'),
])
def test_a_vendor_the_rule_table_lacks_is_found_under_gitleaks_id(rule: str, text: str) -> None:
    """The finding carries gitleaks' own rule id, so a `.gitleaksignore` entry gitleaks
    wrote for it matches here too."""
    assert [h.rule for h in scan_text(text)] == [rule]
    assert rule in rule_ids(rule)


def test_allowlists_drop_what_gitleaks_drops() -> None:
    """gcp-api-key's allowlisted public keys, the global stop words and a rule's own
    allowlist regexes keep a match out, as in gitleaks."""
    listed = "key = AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs"
    fresh = "key = AIza" + _token(string.ascii_letters + string.digits, 35)
    assert [c[2] for c in layer.gitleaks_rules(listed)] == []
    assert [c[2] for c in layer.gitleaks_rules(fresh)] == ["gcp-api-key"]


def test_the_generic_rule_runs_last_and_heeds_the_name() -> None:
    """gitleaks' generic-api-key finds what the keyword layer lets pass (a token in a URL's
    query), but not under a name that says "no secret"."""
    token = _token("0123456789abcdef", 40)
    found = scan_text(f'curl "https://api.particle.io/v1/devices/events?access_token={token}"')
    assert [h.rule for h in found] == ["generic-api-key"]
    for name in ("cache_key", "publicKey", "token_url", "idempotency_key"):
        assert scan_text(f'{name} = "{token}"') == [], name


def test_rules_for_one_kind_of_file_are_left_out() -> None:
    """`hashicorp-tf-password` holds only in `*.tf`: a scanned text may come from any file."""
    assert "hashicorp-tf-password" not in {r.id for r in layer._config().rules}
    assert scan_text('label = "x"\npassword = "Passwort"') == []


# the name finder before this step: a try inside a run of name characters scanned to the
# run's end, so a long run cost its length squared
_NAME_BEFORE = re.compile(r"[\w.-]+(?=[\s'\"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,))")


def _line_start_before(text: str, at: int) -> int:
    line = text.rfind("\n", 0, at) + 1
    names = list(_NAME_BEFORE.finditer(text[line:at]))
    return line + names[-1].start() if names else at


@given(st.text(alphabet="ab_.-=:>|?,'\" \n\t1é", max_size=60), st.data())
def test_the_name_before_a_secret_is_found_where_it_was_found_before(text: str,
                                                                       data: st.DataObject
                                                                       ) -> None:
    at = data.draw(st.integers(0, len(text)))
    assert layer._line_start(text, at) == _line_start_before(text, at)


def test_a_secret_at_the_end_of_a_long_minified_line_is_found() -> None:
    # 400,000 name characters on one line before the assignment: the old name finder took
    # hours on it (the suite's hang guard stops it), this one a moment
    line = "x = \"" + "a" * 400_000 + "\"; AWS_SECRET_ACCESS_KEY = " \
        "\"r8Vq2LxP0sKd9TzW4mYb7NcE1fHj6UaG3oQiXv5S\"; b = 1\n"
    assert any("r8Vq2Lx" not in h.preview and h.line == 1 for h in scan_text(line, path="a.js"))


def _plain_nuget_rule(text: str) -> list[str]:
    """What gitleaks' `nuget-config-password` reports in a `nuget.config` (the path it is
    scoped to): its regex, its entropy floor and its allowlist, from the vendored config."""
    (entry,) = [r for r in _vendored()["rules"] if r["id"] == "nuget-config-password"]
    allowed = [re.compile(x) for a in entry.get("allowlists", []) for x in a["regexes"]]
    return [m.group(1) for m in re.finditer(layer.go_regex(entry["regex"]), text)
            if layer.entropy(m.group(1)) >= entry["entropy"]
            and not any(a.search(m.group(1)) for a in allowed)]


def test_a_nuget_feed_password_is_found_as_gitleaks_finds_it() -> None:
    """gitleaks' path-scoped `nuget-config-password` was left out with the other rules for
    one kind of file, and no other layer reads `<add key="ClearTextPassword" value="…"/>`.
    Generated: the key's spellings, random values with signs, an environment reference
    (allowlisted), the element's spacing, the file's layout."""
    rng = random.Random(11)
    signs = "!#$%&*()[]{}<>;:~@^-_=+.,?|"
    values = ["".join(rng.choices(string.ascii_letters + string.digits + signs,
                                  k=rng.randint(8, 30))) for _ in range(60)]
    values += ["%NUGET_FEED_PASSWORD%", "short"]
    checked = 0
    for i, value in enumerate(values):
        key = ("ClearTextPassword", "Password", "cleartextpassword")[i % 3]
        gap = ("", " ", "  ")[i % 3 // 2 + i % 2]
        element = f'<add key="{key}" value="{value}"{gap}/>'
        text = ("<configuration>\n  <packageSourceCredentials>\n    <corp>\n"
                f'      <add key="Username" value="ci" />\n      {element}\n'
                "    </corp>\n  </packageSourceCredentials>\n</configuration>\n")
        plain = _plain_nuget_rule(text)
        found = [text[h.start:h.end] for h in scan_text(text, path="nuget.config")]
        assert found == plain, (text, found, plain)
        checked += bool(plain)
    assert checked >= 50
