"""YAML values read as YAML reads them (r17): a plain value under a quoted key (`"password":
hunter2Secret9`, `'api_key': …`) or in a flow mapping (`{user: x, password: S3cr3tValue!}`)
was often missed, and a block scalar's header with an indentation indicator (`|2`, `>-2`,
`|+1`) was not read at all.

The oracles: PyYAML says what the generated text holds (the key set to the value), and the
scan reports it exactly as it reports the same value on a line of its own (`key: value`, the
reading every other layout is held to). Generated over quoted-key styles × value styles ×
layouts × the file kinds YAML reads; the clean side: a flow mapping of references and
stand-ins stays quiet, and each reference syntax still counts only in the kinds that read it
(`checks/secrets/references.py`).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.references import Reference, references_of
from reviewloop.checks.secrets.scanner import scan_text

YAML_KINDS = ("values.yaml", "docker-compose.yml", "hiera/common.eyaml")
OTHER_KINDS = ("app.properties", "app.ini", "notes.txt", ".env", "config.toml", "app.py")
KEYS = ("password", "db_password", "adminPassword", "DB_PASS", "client_secret", "api_key",
        "auth_token", "secretKey")
KEY_STYLES = ("{}", '"{}"', "'{}'")
VALUE_STYLES = ("{}", '"{}"', "'{}'")
# passwords people choose (a word, digits, a sign; a lower-case word), keys tools generate,
# and values with the signs a flow mapping's plain value may hold inside (`:`, `#`, `@`, …)
VALUES = st.one_of(
    st.from_regex(r"[A-Z][a-z]{3,8}[0-9]{2,4}[!#%^]?", fullmatch=True),
    st.from_regex(r"[a-z]{6,12}", fullmatch=True),
    st.from_regex(r"[A-Za-z][A-Za-z0-9]{2,6}[@:#$%^&*()!?+=.~/-][A-Za-z0-9]{2,8}[!]?",
                  fullmatch=True),
    st.text("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", min_size=24,
            max_size=40).filter(lambda key: sum(c.isdigit() for c in key) >= 3))
# how YAML writes `key` set to `value`; `{{`/`}}` are a flow mapping's braces
LAYOUTS = (
    "{key}: {value}\n",
    "- {key}: {value}\n",
    "db:\n  {key}: {value}\n",
    "{{{key}: {value}}}\n",
    "db: {{user: admin, {key}: {value}, port: 5432}}\n",
    "- {{name: db, {key}: {value}}}\n",
    "hosts: [{key}: {value}]\n",
    "db: {{user: admin, {key}: {value} # the admin's\n  }}\n",
    "db: {{ {key} : {value} }}\n",
)
SETTINGS = settings(max_examples=400, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _found(text: str, path: str) -> list[str]:
    return [text[hit.start:hit.end] for hit in scan_text(text, path=path)]


def _loaded(text: str) -> Any:
    """What PyYAML reads in `text`; None for a text it refuses (`?` in a flow mapping's plain
    value, which YAML 1.1 takes for a key's indicator)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _set_to(data: Any, key: str) -> list[Any]:
    """Every value `key` is set to anywhere in a loaded YAML document."""
    if isinstance(data, dict):
        return [v for k, v in data.items() if k == key] + [
            found for v in data.values() for found in _set_to(v, key)]
    if isinstance(data, list):
        return [found for item in data for found in _set_to(item, key)]
    return []


@SETTINGS
@given(st.sampled_from(YAML_KINDS), st.sampled_from(KEYS), st.sampled_from(KEY_STYLES),
       st.sampled_from(VALUE_STYLES), st.sampled_from(LAYOUTS), VALUES)
def test_a_value_is_reported_as_on_a_line_of_its_own_in_every_layout(
        kind: str, key: str, key_style: str, value_style: str, layout: str,
        value: str) -> None:
    written = value_style.format(value)
    text = layout.format(key=key_style.format(key), value=written)
    assume(_set_to(_loaded(text), key) == [value])  # what YAML reads: key → value
    own_line = f"{key}: {written}\n"
    assert _found(text, kind) == _found(own_line, kind), text
    assert [(h.start, h.end) for h in scan_text(text, path=kind, prefilter=False)] == \
        [(h.start, h.end) for h in scan_text(text, path=kind)]


@pytest.mark.parametrize(("text", "secret"), [
    ('"password": hunter2Secret9\n', "hunter2Secret9"),
    ("'api_key': Xk9mP2qzL7vR4tW8yB3nQ5\n", "Xk9mP2qzL7vR4tW8yB3nQ5"),
    ('"db_password": whiteduke\n', "whiteduke"),
    ("'password': Dis#PL0Xq9\n", "Dis#PL0Xq9"),
    ("db: {user: x, password: S3cr3tValue!}\n", "S3cr3tValue!"),
    ("{user: x, password: hunter22}\n", "hunter22"),
    ("- {name: db, 'password': p@ss:w0rd!}\n", "p@ss:w0rd!"),
    ('{"password":S3cr3tValue!}\n', "S3cr3tValue!"),
    ("hosts: [password: S3cr3tValue!]\n", "S3cr3tValue!"),
])
def test_the_reported_misses_are_found(text: str, secret: str) -> None:
    for kind in YAML_KINDS:
        assert _found(text, kind) == [secret], (kind, text)


ENV = st.from_regex(r"[A-Z]{2,8}(_[A-Z]{2,8}[0-9]?){0,2}", fullmatch=True)
PROPERTY = st.from_regex(r"[a-z]{2,8}(\.[a-z]{2,8}){1,2}", fullmatch=True)
ANCHOR = st.from_regex(r"[a-z][a-z_]{2,10}", fullmatch=True)
# what stands for the secret in a YAML file, with the reference syntax a kind must read for it
# to be one (None: every YAML kind): a template, a variable, an alias, a tag a loader
# resolves, Maven's and Grafana's references, a stand-in, no value
REFERENCES = st.one_of(
    ENV.map(lambda n: (f"${{{n}}}", None)), ENV.map(lambda n: (f'"${{{n}}}"', None)),
    ENV.map(lambda n: (f"${n}", None)), ANCHOR.map(lambda n: (f"*{n}", None)),
    ANCHOR.map(lambda n: (f"!Ref {n.title()}", None)),
    ANCHOR.map(lambda n: (f"!ImportValue shared-{n.replace('_', '-')}", None)),
    PROPERTY.map(lambda n: (f'"{{{{ .Values.{n} }}}}"', None)),
    ENV.map(lambda n: (f"$__env{{{n}}}", Reference.GRAFANA)),
    ANCHOR.map(lambda n: (f"$__file{{/run/secrets/{n}}}", Reference.GRAFANA)),
    PROPERTY.map(lambda n: (f"@{n}@", Reference.MAVEN)),
    st.sampled_from(("<your-password>", "changeme", "~", "null", '""', "''", "xxxxxxxx",
                     "'********'")).map(lambda stand_in: (stand_in, None)))
FLOW_LAYOUTS = tuple(layout for layout in LAYOUTS if "{{" in layout or "[" in layout)


@SETTINGS
@given(st.sampled_from(YAML_KINDS), st.sampled_from(KEYS), st.sampled_from(KEY_STYLES),
       st.sampled_from(FLOW_LAYOUTS), REFERENCES)
def test_a_flow_mapping_of_references_stays_clean(
        kind: str, key: str, key_style: str, layout: str,
        reference: tuple[str, Reference | None]) -> None:
    written, read_by = reference
    assume(read_by is None or read_by in references_of(kind))
    text = layout.format(key=key_style.format(key), value=written)
    assert _found(text, kind) == [], text


@pytest.mark.parametrize(("key", "value"), [("client_secret", "$__env{CLIENT_SECRET}"),
                                            ("password", "@adminPass99@")])
@pytest.mark.parametrize("layout", ["{{{}: {}}}\n", "{}: {}\n"])
def test_a_reference_counts_only_in_the_kinds_that_read_it(
        layout: str, key: str, value: str) -> None:
    """Grafana and Maven read .yaml and .yml, not hiera-eyaml's files: there the value is
    judged as written, in a flow mapping as on a line of its own."""
    text = layout.format(key, value)
    assert _found(text, "values.yaml") == _found(text, "docker-compose.yml") == []
    assert _found(text, "hiera/common.eyaml") == [value]


# a key or a chosen password inside a reference's signs is still one (`references.py`)
WRAPPERS = ("@{}@", "$__env{{{}}}", "*{}", "!{}")


@SETTINGS
@given(st.sampled_from(YAML_KINDS), st.sampled_from(KEYS), st.sampled_from(KEY_STYLES),
       st.sampled_from(FLOW_LAYOUTS), st.sampled_from(WRAPPERS),
       # no `#`, `(` or `)` inside: on a line of its own a value after `@`, `!` or `*` is
       # read as code's (`_ASSIGN`, which they stop), in a flow mapping as YAML's, to the
       # entry's end
       st.one_of(VALUES.filter(lambda value: not set(value) & set("#()")), ENV, PROPERTY))
def test_a_reference_in_a_flow_mapping_is_judged_as_on_a_line_of_its_own(
        kind: str, key: str, key_style: str, layout: str, wrapper: str, inside: str) -> None:
    value = wrapper.format(inside)
    text = layout.format(key=key_style.format(key), value=value)
    assert _found(text, kind) == _found(f"{key}: {value}\n", kind), text


@pytest.mark.parametrize("kind", OTHER_KINDS)
@pytest.mark.parametrize("text", [
    "{user: x, password: whiteduke}\n",
    '"password": whiteduke\n',
    "- {name: db, 'password': hunter22}\n",
])
def test_yamls_readings_stay_in_the_kinds_that_read_yaml(kind: str, text: str) -> None:
    """A flow mapping and a quoted key are YAML's: elsewhere a chosen word is not read as
    YAML's value (the same lines are reported in a YAML file, above)."""
    assert _found(text, kind) == []
    assert _found(text, "values.yaml") != []


HEADERS = st.tuples(st.sampled_from("|>"), st.sampled_from(("", "-", "+")),
                    st.integers(1, 4), st.booleans(), st.booleans())


@SETTINGS
@given(st.sampled_from((*YAML_KINDS, "notes.txt", "app.properties")), st.sampled_from(KEYS),
       st.sampled_from(KEY_STYLES), HEADERS, st.integers(0, 2), VALUES)
def test_a_block_scalar_with_an_indentation_indicator_is_read(
        kind: str, key: str, key_style: str, header: tuple[str, str, int, bool, bool],
        extra: int, value: str) -> None:
    """`key: |2` (and `>-2`, `|+1`, `|2-`, a comment after it) is read as `key: |` is: its
    text's first line, what YAML holds after the indentation the indicator sets."""
    style, chomping, indent, chomping_first, comment = header
    indicator = f"{chomping}{indent}" if chomping_first else f"{indent}{chomping}"
    note = " # the db's" if comment else ""
    body = " " * (2 + indent + extra) + value + "\n"
    text = f"db:\n  {key_style.format(key)}: {style}{indicator}{note}\n{body}"
    held = _set_to(yaml.safe_load(text), key)
    assert [item.strip() for item in held] == [value]
    plain = f"db:\n  {key_style.format(key)}: {style}\n{body}"
    assert _found(text, kind) == _found(plain, kind), text
    if kind in YAML_KINDS and _found(f"{key}: {value}\n", kind):
        assert _found(text, kind) == [value]
