"""A reference under a secret-named key is no hard-coded secret; a literal beside it still is.

Before, the keyword layer took a CloudFormation `!ImportValue shared-db-password` (and any
YAML tag but `!Ref`, `!GetAtt`), a YAML alias `*db_password`, Maven's resource filtering
`@db.password@` and Grafana's `$__env{X}`, `$__file{/run/secrets/x}`, `$__vault{…}` for a
chosen password: a false must-fix on the way a project avoids hard-coding. And a literal after
YAML node properties (`!!str hunter2Secret`, `&pw s3cr3tP4ss`) went unreported.

Generated (hypothesis, derandomize=True): reference forms (tags drawn as CloudFormation,
Ansible and custom ones are named, aliases, Maven tokens, Grafana providers) × secret-named
keys × the file kinds that write them, each file holding a real password on a second key as
well: the reference is quiet and the password found. And the metamorphic half: a value the
scan reports as `name: v` is reported, the same characters, under an anchor and a string tag
in any order and quoting.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.diff_scan import scan_added_lines
from reviewloop.checks.secrets.scanner import scan_text
from tests.support.analyzers import Repo

KEYS = ("password", "db_password", "MasterUserPassword", "client_secret", "api_key",
        "auth_token", "secretKey", "DB_PASS", "adminPassword")
PASSWORD_KEYS = tuple(key for key in KEYS if key.lower().endswith(("password", "pass")))
PASSWORDS = ("s3cr3tP4ss", "Qw3rty!Zx9", "hunter2Secret", "letMeIn99", "Tr0ub4dor&3",
             "kR7#vLq2!mZp")
YAML_KINDS = ("values.yaml", "template.yml", "ops/stack.yaml", "group_vars/all.yml")
# the kinds Maven filters and those Grafana reads (`references._KINDS`)
MAVEN_KINDS = (*YAML_KINDS, "app.properties", "src/main/resources/application.properties")
GRAFANA_KINDS = (*YAML_KINDS, "grafana.ini", "conf/custom.ini")
# the intrinsics CloudFormation, Ansible, Home Assistant and config loaders write, then any
# tag a project defines (`!vault`, `!myLookup`)
KNOWN_TAGS = ("ImportValue", "Select", "Join", "Sub", "FindInMap", "GetAtt", "Ref", "Base64",
              "GetAZs", "If", "Split", "Cidr", "vault", "secret", "ENV", "include", "reference")
TAGS = st.one_of(st.sampled_from(KNOWN_TAGS),
                 st.from_regex(r"[a-z]{2,8}(?:[A-Z][a-z]{1,6}){0,2}|[A-Z][a-z]{1,8}(?:[A-Z][a-z]{1,6}){0,2}",
                               fullmatch=True))
ARGUMENTS = ("shared-db-password", "DbPassword", "Secret.Value", "[0, !Ref Passwords]",
             "[\":\", [a, b]]", "[Map, !Ref Env, pw]", "'{{resolve:ssm:/db/pw}}'",
             "vault_db_password", "${DB_PASSWORD}", "")
NAMES = st.from_regex(r"[a-z][a-z0-9]{1,8}(?:[_.-][a-z0-9]{1,8}){0,3}", fullmatch=True)
# a property's or a variable's name: words (`db.password`, `spring.datasource.password`,
# `oauth_client_secret`, `app.v2.key`)
WORDS = ("db", "password", "spring", "datasource", "oauth", "client", "secret", "smtp",
         "admin", "api", "key", "grafana", "auth", "token", "jdbc", "mail", "app", "prod",
         "v2", "generic", "ldap", "bind", "redis", "primary", "replica1")
PROPERTY_NAMES = st.builds(lambda words, sep: sep.join(words),
                           st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
                           st.sampled_from((".", "_", "-")))


@st.composite
def yaml_references(draw: st.DrawFn) -> str:
    """A tagged node or an alias, as written after `key: ` in YAML."""
    if draw(st.booleans()):
        return "*" + draw(PROPERTY_NAMES)  # an anchor is named as a key is
    argument = draw(st.sampled_from(ARGUMENTS))
    return f"!{draw(TAGS)} {argument}".rstrip()


@st.composite
def filtered(draw: st.DrawFn) -> tuple[str, tuple[str, ...]]:
    """What a build or a server fills in, with the kinds that fill it: Maven's `@name@`,
    Grafana's `$__provider{…}`."""
    name = draw(PROPERTY_NAMES)
    return draw(st.sampled_from((
        (f"@{name}@", MAVEN_KINDS),
        (f"$__env{{{name.upper().replace('.', '_').replace('-', '_')}}}", GRAFANA_KINDS),
        (f"$__file{{/run/secrets/{name}}}", GRAFANA_KINDS),
        (f"$__vault{{{name}:secret:password}}", GRAFANA_KINDS))))


def _line(kind: str, key: str, value: str, *, quoted: bool = False) -> str:
    """`key` set to `value` as `kind` writes it; `quoted`: as a string literal (TOML's
    strings always are)."""
    value = f'"{value}"' if quoted or kind.endswith(".toml") else value
    if kind.endswith((".yaml", ".yml")):
        return f"  {key}: {value}\n"
    return f"{key}={value}\n" if kind.endswith(".properties") else f"{key} = {value}\n"


def _file(kind: str, lines: list[str]) -> str:
    head = "db:\n" if kind.endswith((".yaml", ".yml")) else "[db]\n"
    return head + "".join(lines)


@st.composite
def referencing_files(draw: st.DrawFn) -> tuple[str, str, str]:
    """(path, text, the real password in it): a reference under one secret key, a chosen
    password quoted under another, a password's name (the scan reports it in every kind)."""
    reference, kinds = draw(st.one_of(yaml_references().map(lambda r: (r, YAML_KINDS)),
                                      filtered()))
    kind = draw(st.sampled_from(kinds))
    key = draw(st.sampled_from(KEYS))
    other = draw(st.sampled_from([k for k in PASSWORD_KEYS if k != key]))
    password = draw(st.sampled_from(PASSWORDS))
    lines = [_line(kind, key, reference), _line(kind, other, password, quoted=True)]
    if draw(st.booleans()):
        lines.reverse()
    return kind, _file(kind, lines), password


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(referencing_files())
def test_a_reference_is_quiet_and_the_password_beside_it_reported(
        case: tuple[str, str, str]) -> None:
    kind, text, password = case
    found = [text[hit.start:hit.end] for hit in scan_text(text, path=kind)]
    assert found == [password], text


@st.composite
def properties(draw: st.DrawFn) -> str:
    """YAML node properties that leave the scalar a literal: an anchor, a string tag, both."""
    anchor = "&" + draw(NAMES)
    tag = draw(st.sampled_from(("!!str", "!<tag:yaml.org,2002:str>")))
    return " ".join(draw(st.sampled_from(([anchor], [tag], [anchor, tag], [tag, anchor]))))


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(YAML_KINDS), st.sampled_from(KEYS), st.sampled_from(PASSWORDS),
       properties(), st.sampled_from(("", '"', "'")), st.sampled_from(("", "  # prod")))
def test_a_literal_after_an_anchor_or_a_string_tag_is_reported_as_the_plain_one(
        kind: str, key: str, password: str, props: str, quote: str, comment: str) -> None:
    plain = f"db:\n  {key}: {quote}{password}{quote}{comment}\n"
    tagged = f"db:\n  {key}: {props} {quote}{password}{quote}{comment}\n"
    before = [plain[h.start:h.end] for h in scan_text(plain, path=kind)]
    if key in PASSWORD_KEYS:  # a chosen password under a password's name is reported
        assert before == [password]
    assert [tagged[h.start:h.end] for h in scan_text(tagged, path=kind)] == before


@pytest.mark.parametrize(("path", "text"), [
    ("template.yaml", "Resources:\n  Db:\n    Properties:\n"
                      "      MasterUserPassword: !ImportValue shared-db-password\n"),
    ("template.json", '{"Resources": {"Db": {"Properties": {"MasterUserPassword": '
                      '{"Fn::ImportValue": "shared-db-password"}}}}}\n'),
    ("values.yml", "db:\n  password: *db_password\n"),
    ("application.properties", "db.password=@db.password@\n"),
    ("grafana.ini", "[auth.generic_oauth]\nclient_secret = $__env{OAUTH_SECRET}\n"),
    ("grafana.ini", "[auth.generic_oauth]\nclient_secret = $__file{/run/secrets/oauth}\n"),
])
def test_the_reported_references_are_quiet(path: str, text: str) -> None:
    """The lines of the outside test's report (r15 rev2 D3)."""
    assert scan_text(text, path=path) == []


@pytest.mark.parametrize(("path", "line", "secret"), [
    # a password that starts with `!` or `*` is a tag or an alias only in YAML, and only
    # when it is shaped as one: `!Xk9mP2qz` in INI, `*Xk9mP2q` in .properties are passwords
    ("app.ini", "password = !Xk9mP2qz", "!Xk9mP2qz"),
    ("app.properties", "password=*Xk9mP2q", "*Xk9mP2q"),
    ("app.ini", "password = !ImportValue", "!ImportValue"),
    # a quoted YAML scalar is a string, whatever it says
    ("values.yaml", 'password: "!Xk9#mP2q"', "!Xk9#mP2q"),
])
def test_a_reference_shape_outside_its_syntax_is_still_a_value(
        path: str, line: str, secret: str) -> None:
    text = f"{line}\n"
    assert [text[h.start:h.end] for h in scan_text(text, path=path)] == [secret]


def test_the_diff_scan_reads_references_as_the_file_scan_does(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """End to end: the added lines of a change, as the secrets gate reads them."""
    repo = Repo(tmp_path_factory.mktemp("repo"))
    files = {
        "cfn/template.yaml": "Resources:\n  Db:\n    Properties:\n"
                             "      MasterUserPassword: !ImportValue shared-db-password\n"
                             "      ReplicaPassword: !!str hunter2Secret\n",
        "conf/grafana.ini": "[auth]\nclient_secret = $__vault{hashicorp:secret:oauth}\n",
        "conf/app.properties": "db.password=@db.password@\nadmin.password=Qw3rty!Zx9\n",
    }
    hits = scan_added_lines(repo.change(files))
    assert sorted((hit.path, hit.line) for hit in hits) == [
        ("cfn/template.yaml", 5), ("conf/app.properties", 2)]
