"""Reference syntaxes hide only what has their shape, in the kinds that read them (r16 rev D1,
D2, D14, D15).

The oracle is the reading before references existed: `candidates` without `references`
is the scanner of fb43844f (the reference layer is the only change to the secrets package
since; the outside test compared the two trees on these classes). Against it:

* every secret a wrapper (`&`, `!`, `*`, `!!`, `!<…>`, `@…@`, `$__env{…}`, `$__file{…}`,
  `$__vault{…}`) puts around a real password or key, in every file kind, is reported as
  before, except an intended reference: a YAML tag or alias in a YAML file, Maven's
  `@name@` where Maven filters, Grafana's where Grafana reads, each holding a name or a
  path, never a key;
* a literal after YAML node properties is reported as the same literal without them, in
  every layout YAML writes it (same line, next line, block scalar, quoted key, flow);
* a block scalar's text is literal: whatever it starts with, it is judged as before.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.references import Reference, filled_in, references_of
from reviewloop.checks.secrets.scanner import candidates, claim_spans, scan_text
from reviewloop.checks.secrets.syntax import syntax_of
from reviewloop.checks.secrets.yaml_nodes import is_reference

KINDS = ("app.properties", "app.ini", "server.conf", "setup.cfg", "notes.txt", ".env",
         "README.md", "app.py", "config.js", "Dockerfile", "settings.xml", "values.yaml",
         "docker-compose.yml", "grafana.ini", "conf/custom.ini", "config.toml", "app.json")
YAML_KINDS = tuple(kind for kind in KINDS if kind.endswith((".yaml", ".yml")))
KEYS = ("password", "db_password", "adminPassword", "DB_PASS", "client_secret", "api_key",
        "auth_token", "secretKey")
# passwords people choose (a word, digits, a sign) and keys tools generate
PASSWORDS = st.from_regex(r"[A-Z][a-z]{3,8}[0-9]{2,4}[!#%^]?|[a-z]{2,5}[0-9][A-Z][a-z]{2,5}"
                          r"[0-9]{1,3}[A-Z]{1,2}", fullmatch=True)
KEYS_MADE = st.one_of(
    st.text("0123456789abcdef", min_size=32, max_size=40),
    st.text("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", min_size=24,
            max_size=40)).filter(lambda key: sum(c.isdigit() for c in key) >= 3
                                 and len(set(key)) >= 12)
WRAPPERS = ("&{}", "!{}", "*{}", "!!{}", "!<{}>", "@{}@", "$__env{{{}}}", "$__file{{{}}}",
            "$__vault{{{}}}")
SEPARATORS = (": ", ":", "=", " = ", ":\t")
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _as_written(text: str, path: str) -> list[str]:
    """What the scan before references reported in `text` at `path`."""
    return [text[span[0]:span[1]]
            for span in claim_spans(candidates(text, syntax=syntax_of(path)))]


def _found(text: str, path: str) -> list[str]:
    return [text[hit.start:hit.end] for hit in scan_text(text, path=path)]


def _a_reference(path: str, separator: str, value: str) -> bool:
    """Whether `value` is written as a reference `path`'s kind reads: the intended shapes."""
    read = references_of(path)
    yaml_node = (Reference.YAML_NODE in read and separator.startswith(":")
                 and separator != ":" and is_reference(value))
    return yaml_node or filled_in(value, read) is not None


@SETTINGS
@given(st.sampled_from(KINDS), st.sampled_from(KEYS), st.sampled_from(WRAPPERS),
       st.sampled_from(SEPARATORS), st.one_of(PASSWORDS.map(lambda p: (p, False)),
                                              KEYS_MADE.map(lambda k: (k, True))))
def test_a_wrapped_secret_is_reported_as_before_but_for_the_intended_references(
        kind: str, key: str, wrapper: str, separator: str, secret: tuple[str, bool]) -> None:
    value, generated = secret
    wrapped = wrapper.format(value)
    text = f"{key}{separator}{wrapped}\n"
    found, before = _found(text, kind), _as_written(text, kind)
    if generated or not _a_reference(kind, separator, wrapped):
        assert found == before, text  # outside its kind, or a key inside: judged as written
    else:
        assert found in (before, []), text


@st.composite
def properties(draw: st.DrawFn) -> str:
    """YAML node properties after which the scalar is a literal string."""
    tags = ("!!str", "!", "!<!>", "!!python/str", "!<tag:yaml.org,2002:str>", "!!binary")
    chosen = draw(st.lists(st.one_of(st.sampled_from(tags),
                                     st.from_regex(r"&[a-z][a-z0-9_]{0,8}", fullmatch=True)),
                           min_size=1, max_size=2))
    return " ".join(chosen)


# how YAML writes `key` set to `value`, `{props}` where node properties go; and the same
# value on a line of its own where the layout is one the scan reads only as code's (a quoted
# key, a flow mapping: without properties, `_ASSIGN`'s bare reading)
BLOCK = "db:\n  {key}: {value}\n"
LAYOUTS = (
    ("db:\n  {key}:{props} {value}\n", None),
    ("db:\n  {key}:{props}\n    {value}\n", None),
    ("db:\n  {key}:{props} |\n    {value}\n", None),
    ("db:\n  {key}:{props} >-\n    {value}\n", None),
    ("db:\n  \"{key}\":{props} {value}\n", BLOCK),
    ("db:\n  '{key}':{props} {value}\n", BLOCK),
    ("db: {{{key}:{props} {value}}}\n", BLOCK),
    ("db: {{user: admin, {key}:{props} {value}}}\n", BLOCK),
    ("- {key}:{props} {value}\n", None),
    ("db:\n  {key}:{props}\t{value}\r\n", None),
)


@SETTINGS
@given(st.sampled_from(YAML_KINDS), st.sampled_from(KEYS), st.sampled_from(LAYOUTS),
       properties(), st.one_of(PASSWORDS, KEYS_MADE))
def test_a_literal_after_node_properties_is_reported_as_without_them(
        kind: str, key: str, layout: tuple[str, str | None], props: str, value: str) -> None:
    tagged_layout, plain_layout = layout
    plain = (plain_layout or tagged_layout).format(key=key, props="", value=value)
    tagged = tagged_layout.format(key=key, props=f" {props}", value=value)
    assert _found(tagged, kind) == _found(plain, kind), tagged


BLOCKS = ("|", "|-", "|+", ">", ">-", ">+")


@SETTINGS
@given(st.sampled_from(YAML_KINDS), st.sampled_from(KEYS), st.sampled_from(BLOCKS),
       st.sampled_from(("", "!", "*", "&", "!!", "!<")), st.one_of(PASSWORDS, KEYS_MADE),
       st.sampled_from(("", " &pw", " !!str", " &pw !!str")))
def test_a_block_scalars_text_is_literal(kind: str, key: str, block: str, sign: str,
                                         value: str, props: str) -> None:
    text = f"db:\n  {key}: {block}\n    {sign}{value}{'>' if sign == '!<' else ''}\n"
    found = _found(text, kind)
    assert found == _as_written(text, kind), text
    # with node properties before the indicator, what is reported without them is at least
    # (the old reading stops a bare value at `<` or `#`, a block's text runs to its line's end)
    tagged = text.replace(f": {block}", f":{props} {block}")
    with_props = _found(tagged, kind)
    assert all(any(part in whole for whole in with_props) for part in found), tagged


@pytest.mark.parametrize(("path", "text", "secret"), [
    # D1: `!`, `*`, `&` are a value's characters outside YAML
    ("app.properties", "password: &s3cr3tP4ss\n", "&s3cr3tP4ss"),
    ("app.ini", "[db]\npassword: !Welcome1\n", "!Welcome1"),
    ("server.conf", "password:!!s3cr3tP4ss\n", "!!s3cr3tP4ss"),
    ("README.md", "password: *Hk4rT9vQz2\n", "*Hk4rT9vQz2"),
    # D2: the literal after node properties, in the layouts YAML writes it
    ("values.yaml", "db:\n  password: &pw\n    s3cr3tP4ss\n", "s3cr3tP4ss"),
    ("values.yaml", "db:\n  password: !!str |-\n    s3cr3tP4ss\n", "s3cr3tP4ss"),
    ("values.yaml", "db:\n  'password': !!str s3cr3tP4ss\n", "s3cr3tP4ss"),
    ("values.yaml", "db: {password: &pw s3cr3tP4ss}\n", "s3cr3tP4ss"),
    ("values.yaml", "db:\n  password: !<!> s3cr3tP4ss\n", "s3cr3tP4ss"),
    ("values.yaml", "db:\n  password: !!python/str s3cr3tP4ss\n", "s3cr3tP4ss"),
    # D14: a block scalar's text
    ("values.yaml", "db:\n  password: >-\n    !Welcome1\n", "!Welcome1"),
    ("values.yaml", "db:\n  db_password: |\n    &Xk9mP2qzT7\n", "&Xk9mP2qzT7"),
    # D15: a key between the signs, a password where a name goes, a kind that reads neither
    ("app.properties", "api_key=@a8f3c9e1b2d74f6a9c0e5b7d1f2a4c6e@\n",
     "@a8f3c9e1b2d74f6a9c0e5b7d1f2a4c6e@"),
    ("grafana.ini", "client_secret = $__env{aK9mP2qzT7vLq2mZpX9rW4sB}\n",
     "$__env{aK9mP2qzT7vLq2mZpX9rW4sB}"),
    ("grafana.ini", "client_secret = $__file{/K7MDENGbPxRfiCYzT4q9/wJalrXUtnFEMI}\n",
     "$__file{/K7MDENGbPxRfiCYzT4q9/wJalrXUtnFEMI}"),
    ("app.properties", "db.password=@s3cr3tP4ss@\n", "@s3cr3tP4ss@"),
    ("values.yaml", "db:\n  password: *s3cr3tP4ss\n", "*s3cr3tP4ss"),
    ("config.toml", 'client_secret = "$__env{CLIENT_SECRET_VALUE}"\n',
     "$__env{CLIENT_SECRET_VALUE}"),
])
def test_the_reported_misses_are_found(path: str, text: str, secret: str) -> None:
    """The lines of the outside test's report (r16 rev D1, D2, D14, D15)."""
    assert _found(text, path) == [secret]
