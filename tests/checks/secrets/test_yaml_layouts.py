"""YAML values over lines, read as a YAML parser reads them (r18, after r17's quoted keys and
one-line flow mappings): a plain value on the line after its key (`password:` and
`hunter2#x(y)` below it) was cut at `#` or `(` — YAML starts a comment only after a blank,
and a plain scalar is a string whatever it holds — and a flow mapping spread over lines
(`{user: a,` and `password: S3cr3t!}` on the next, or the key's value on the line after
it) was not read.

The oracles: PyYAML says what the generated text holds (the key set to the value), and the
scan reports it exactly as it reports the same value written `key: value` on a line of its
own; the chosen passwords with `#` and `(` in them are reported there. The clean side: the
same layouts holding references and stand-ins stay quiet.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.scanner import scan_text

KINDS = ("values.yaml", "docker-compose.yml", "hiera/common.eyaml")
KEYS = ("password", "db_password", "adminPassword", "client_secret", "api_key", "secretKey")
VALUE_STYLES = ("{}", '"{}"', "'{}'")
# passwords people choose, with the signs YAML keeps inside a plain value (`#` after no
# blank, parentheses, `&`, `:`), and keys tools generate
VALUES = st.one_of(
    st.from_regex(r"[A-Z][a-z]{3,8}[0-9]{2,4}[!#%^]?", fullmatch=True),
    st.from_regex(r"[a-z]{3,8}[0-9]{1,3}#[a-z]{1,3}\([a-z]{1,3}\)", fullmatch=True),
    st.from_regex(r"[A-Za-z][A-Za-z0-9]{2,6}[@:#$%^&*()!?+=.~/-][A-Za-z0-9]{2,8}[!)]?",
                  fullmatch=True),
    st.text("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", min_size=24,
            max_size=40).filter(lambda key: sum(c.isdigit() for c in key) >= 3))
# `key` set to `value` over two lines or more; `{{`/`}}` are a flow mapping's braces
LAYOUTS = (
    "{key}:\n  {value}\n",
    "db:\n  {key}:\n    {value}\n",
    "- {key}:\n    {value}\n",
    "{key}:   # the admin's\n  {value}\n",
    "db: {{user: admin,\n  {key}: {value}}}\n",
    "db: {{user: admin, {key}:\n    {value}}}\n",
    "db: {{\n  user: admin,\n  {key}: {value}\n}}\n",
    "- {{name: db,\n   {key}: {value},\n   port: 5432}}\n",
    "db: {{user: admin, # the admin\n  {key}: {value}}}\n",
    "hosts: [a,\n  {{{key}: {value}}}]\n",
    "db: {{user: \"{{x\",\n  {key}: {value}}}\n",
)
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _found(text: str, path: str) -> list[str]:
    return [text[hit.start:hit.end] for hit in scan_text(text, path=path)]


def _set_to(data: Any, key: str) -> list[Any]:
    """Every value `key` is set to anywhere in a loaded YAML document."""
    if isinstance(data, dict):
        return [v for k, v in data.items() if k == key] + [
            found for v in data.values() for found in _set_to(v, key)]
    if isinstance(data, list):
        return [found for item in data for found in _set_to(item, key)]
    return []


def _loaded(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


@SETTINGS
@given(st.sampled_from(KINDS), st.sampled_from(KEYS), st.sampled_from(VALUE_STYLES),
       st.sampled_from(LAYOUTS), VALUES)
def test_a_value_over_lines_is_reported_as_on_a_line_of_its_own(
        kind: str, key: str, value_style: str, layout: str, value: str) -> None:
    written = value_style.format(value)
    text = layout.format(key=key, value=written)
    assume(_set_to(_loaded(text), key) == [value])  # what YAML reads: key → value
    assert _found(text, kind) == _found(f"{key}: {written}\n", kind), text
    assert [(h.start, h.end) for h in scan_text(text, path=kind, prefilter=False)] == \
        [(h.start, h.end) for h in scan_text(text, path=kind)]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("secret", ["hunter2#x(y)", "Tr0ub4dor&3(x)", "Xk9#mP2q(z)",
                                    "S3cr3tValue!", "s3cr3t#P4ss(w0rd)"])
def test_the_reported_misses_are_found(layout: str, secret: str) -> None:
    text = layout.format(key="password", value=secret)
    assert _set_to(_loaded(text), "password") == [secret]
    for kind in KINDS:
        assert _found(text, kind) == [secret], (kind, text)
        assert _found(f"password: {secret}\n", kind) == [secret]


ENV = st.from_regex(r"[A-Z]{2,8}(_[A-Z]{2,8}[0-9]?){0,2}", fullmatch=True)
NAME = st.from_regex(r"[a-z][a-z_]{2,10}", fullmatch=True)
# what stands for a secret: a template, a variable, an alias, a tag a loader resolves, a
# call or a subscript (code a tool fills in), a stand-in, no value
STAND_INS = st.one_of(
    ENV.map(lambda n: f"${{{n}}}"), ENV.map(lambda n: f'"${{{n}}}"'), NAME.map("*{}".format),
    NAME.map(lambda n: f"!Ref {n.title()}"), NAME.map(lambda n: f"lookup({n})"),
    ENV.map(lambda n: f"env[{n}]"), NAME.map(lambda n: f'"{{{{ .Values.{n} }}}}"'),
    st.sampled_from(("<your-password>", "changeme", "~", "null", '""', "xxxxxxxx")))


@SETTINGS
@given(st.sampled_from(KINDS), st.sampled_from(KEYS), st.sampled_from(LAYOUTS), STAND_INS)
def test_stand_ins_over_lines_stay_clean(kind: str, key: str, layout: str,
                                         stand_in: str) -> None:
    assert _found(layout.format(key=key, value=stand_in), kind) == []
