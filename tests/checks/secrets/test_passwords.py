"""Passwords people choose (short, lower case, low entropy) where they are set as data, and
the placeholders, code and build data that look like them (#39)."""

from __future__ import annotations

import itertools
import random
import string

import pytest

from reviewloop.checks.secrets.scanner import (
    DOCUMENTATION_CONFIDENCE,
    blocking,
    scan_text,
    to_findings,
)
from reviewloop.checks.secrets.values import looks_fake, weak_password
from reviewloop.findings.schema import Severity


@pytest.mark.parametrize("text", [
    "REACT_APP_AUTH_PASSWORD=whiteduke",
    "    REACT_APP_AUTH_PASSWORD=whiteduke    # some comment",
    "# REACT_APP_PASS=whiteduke",
    "export DB_PASSWORD=whiteduke",
    "spring.datasource.password=whiteduke",
    'db_password = "u;UWtZ"',
    "DB_PASS: 'whiteduke'",
    '{"adminPassword": "whiteduke"}',
    "<password>whiteduke</password>",
])
def test_a_chosen_password_set_as_data_is_found(text: str) -> None:
    hits = scan_text(text)
    assert [h.rule for h in hits] == ["generic-password"]
    assert text[hits[0].start:hits[0].end] in ("whiteduke", "u;UWtZ")


@pytest.mark.parametrize("text", [
    "postgresql://user:secret@localhost/db",
    "postgresql://user:secret@host1:123,user:secret@host2:456/somedb",
    "mongodb://app:root@db.internal:27017/app",
    "Server=host;Port=5432;User Id=username;Password=secret;Database=databasename;",
])
def test_a_short_or_default_looking_connection_string_password_is_found(text: str) -> None:
    assert [h.rule for h in scan_text(text)][:1] == ["connection-string-password"]


_EXAMPLE_URLS = [
    "https://tom%40example.org:abc123%40%20%@example.org",  # httpx 0.28's tests
    "https://user:Xk29vLq8Wz@api.example.com/v1",
    "postgresql://app:Xk29vLq8Wz@db.example:5432/app",
    "redis://default:Xk29vLq8Wz@cache.test",
    "ftp://me:Xk29vLq8Wz@files.invalid/",
]


@pytest.mark.parametrize("url", _EXAMPLE_URLS)
def test_credentials_for_a_reserved_example_name_are_a_should_fix(url: str) -> None:
    # RFC 2606 / 6761 names are no real service's: the hit is kept (the scanners' own rule
    # tests use them) and reported for a human to check, without blocking
    hits = scan_text(f'assert str(new) == "{url}"')
    assert [h.confidence for h in hits] == [DOCUMENTATION_CONFIDENCE]
    assert [f.severity for f in to_findings(hits)] == [Severity.SHOULD_FIX]


@pytest.mark.parametrize("url", [
    "https://user:Xk29vLq8Wz@api.example-corp.com/v1",
    "https://user:Xk29vLq8Wz@example.org.evil.io/v1",
    "postgresql://app:Xk29vLq8Wz@localhost:5432/app",
])
def test_the_same_credentials_for_any_other_host_are_a_must_fix(url: str) -> None:
    hits = scan_text(f'URL = "{url}"')
    assert [f.severity for f in to_findings(hits)] == [Severity.MUST_FIX]


def test_the_gate_passes_an_example_hosts_credentials_only(tmp_path) -> None:
    from reviewloop.checks.gates.base import GateContext
    from reviewloop.checks.secrets.gate import SecretsGate
    from reviewloop.config import Settings
    from tests.support.analyzers import Repo

    def gate(text: str) -> bool:
        repo = Repo(tmp_path / str(abs(hash(text))))
        diff = repo.change({"tests/test_url.py": text})
        return SecretsGate().run(GateContext(
            root=repo.root, settings=Settings(), changed_files=("tests/test_url.py",),
            diff_text=diff, branch="work", default_branch="main", phase="implement")).passed

    assert gate("".join(f'URL = "{url}"\n' for url in _EXAMPLE_URLS))
    assert not gate('URL = "https://user:Xk29vLq8Wz@api.example-corp.com/v1"\n')


_NAMES = ("password", "DB_PASSWORD", "REACT_APP_AUTH_PASSWORD", "db.password", "pwd",
          "adminPass")
_SYNTAXES = ("{n}={v}", '{n} = "{v}"', "{n}: '{v}'", "export {n}={v}", "<{n}>{v}</{n}>",
             '"{n}": "{v}",', "{n} := `{v}`")
_STAND_INS = (
    "changeme", "${PASSWORD}", "<password>", "process.env.DB_PASSWORD", "$DB_PASSWORD",
    "%DB_PASSWORD%", "********", "xxxxxxxx", "your_password", "password", "Passwort",
    "{{ .Values.password }}", "hidden", "current-password", "smtp_password", "#add-password",
    "arn:aws:iam::aws:policy/IAMUserChangePassword", "&lt;YOURPASSWORD&gt;", "secret")


@pytest.mark.parametrize(("name", "syntax"), list(itertools.product(_NAMES, _SYNTAXES)))
def test_what_stands_for_a_password_is_not_flagged(name: str, syntax: str) -> None:
    """Every stand-in, in every syntax, under every password name: none is a leak."""
    flagged = [v for v in _STAND_INS if scan_text(syntax.format(n=name, v=v))]
    assert flagged == []


@pytest.mark.parametrize("text", [
    "password = whiteduke",  # code: a variable
    "login(user, password=whiteduke)",
    "const creds = { password: whiteduke,",
    "passwordReset: 'reset'",
    'passwordPolicy = "strong"',
])
def test_a_password_name_next_to_code_is_not_flagged(text: str) -> None:
    assert scan_text(text) == []


@pytest.mark.parametrize("url", [
    "postgres://user:${DB_PASS}@host/db", "postgres://user:<password>@host/db",
    "postgres://user:password@host/db", "postgres://user:%s@host/db",
    "https://user:pass@example.com", "mysql://root:****@localhost",
])
def test_a_connection_string_template_is_not_flagged(url: str) -> None:
    assert scan_text(url) == []
    assert weak_password(url.split(":")[2].split("@")[0])


def test_a_typed_out_alphabet_inside_a_random_token_is_no_fixture() -> None:
    """An Okta key from Nosey Parker's rule tests holds `ABCDEFGHIJKL`; only a value that is
    mostly an alphabet is a fixture."""
    assert not looks_fake("00QCjAl4MlV-WPXM-ABCDEFGHIJKL-0HmjFx-vbGua")
    assert scan_text("okta_secret:  00QCjAl4MlV-WPXM-ABCDEFGHIJKL-0HmjFx-vbGua")
    for fixture in ("abcdefghijklmnopqrstuvwxyz1234567", "sk_test_abcdefghij1234",
                    "1234567890", "ABCDEFGHIJKLMNOPQRSTUV0x"):
        assert looks_fake(fixture), fixture


_CDK_FLAGS = (
    "@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal",
    "@aws-cdk/aws-codepipeline:crossAccountKeysDefaultValueToFalse",
    "@aws-cdk/aws-secretsmanager:useAttachedSecretResourcePolicyForSecretTargetAttachments",
    "@aws-cdk/aws-apigateway:authorizerChangeDeploymentLogicalId",
)


def test_cdk_feature_flags_and_asset_keys_are_no_secrets() -> None:
    """A cdk.json flag whose name is 40 letters is not an AWS secret key, nor a 64-hex asset
    key ending in `.zip` a generic one, whatever name the file is classified under."""
    rng = random.Random(39)
    words = ["".join(rng.choices(string.ascii_letters, k=rng.randint(3, 9)))
             for _ in range(400)]
    flags = [*_CDK_FLAGS, *(f"@aws-cdk/aws-{w.lower()}:{''.join(words[i:i + 6])[:40]}"
                            for i, w in enumerate(words[:-6]))]
    assert [f for f in flags if scan_text(f'    "{f}": true,')] == []
    digest = "".join(rng.choices("0123456789abcdef", k=64))
    assets = (f'{{"{digest}": {{"source": {{"path": "asset.{digest}"}}, "destinations": '
              f'{{"current": {{"objectKey": "{digest}.zip"}}}}}}}}')
    assert scan_text(assets) == []


_FRAGMENTS = ("Fake", "Mock", "Todo", "Sample", "Example", "Dummy", "Insert", "Fixme",
              "Redacted", "your-", "...", "xxxx", "$(", "%s", "%d", "secrets.", "vault:", "***",
              "####", "EXAMPLE", "changeme", "$", "${", "process")
_SHAPES = ("DATABASE_URL=postgresql://app:{v}@db.prod.corp.io:5432/app",
           "REGISTRY=https://deploy:{v}@registry.corp.io/v2/", "DB_PASSWORD='{v}'",
           'db_password = "{v}"')


def test_a_chosen_password_holding_a_placeholder_fragment_is_found() -> None:
    """Plain detect-secrets reports a random password with `Dummy`, `***`, `$(`, `xxxx` or
    `vault:` inside it; the review dropped it as a placeholder (in a URL for any placeholder
    word anywhere). A value is a placeholder only when it is one, as a whole or a delimited
    part. Generated: each fragment inside random text, a sign after it (`DAHDummy%wZYdje2oF`),
    in URLs and keyword assignments."""
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import default_settings

    rng = random.Random(9)
    alnum = string.ascii_letters + string.digits
    missed, checked = [], 0
    for fragment, shape in itertools.product(_FRAGMENTS, _SHAPES):
        for _ in range(3):
            value = ("".join(rng.choices(alnum, k=3)) + fragment + rng.choice("!#%&")
                     + "".join(rng.choices(alnum, k=9)))
            line = shape.format(v=value)
            with default_settings():
                if not list(scan_line(line)):
                    continue
            checked += 1
            if not any(blocking(h) and value in line[h.start - 1:h.end + 1]
                       for h in scan_text(line)):
                missed.append(line)
    assert checked >= 200, checked
    assert missed == []


def _reserved(host: str) -> bool:
    """RFC 2606 / 6761 names, as the rule suites use them."""
    host = host.lower().rstrip(".")
    names = ("example.com", "example.net", "example.org")
    return host in names or host.endswith(
        (".example", ".test", ".invalid", *(f".{name}" for name in names)))


def _hosts(url: str) -> list[str]:
    """The hosts a client logs in to: urllib's (after the last `@`), libpq's host list for
    postgresql (psycopg reads it with libpq), MongoDB's seed list."""
    from urllib.parse import urlsplit

    from psycopg.conninfo import conninfo_to_dict

    if url.startswith("postgresql://"):
        return str(conninfo_to_dict(url)["host"]).split(",")
    netloc = urlsplit(url).netloc.rpartition("@")[2]
    if url.startswith("mongodb://"):
        return [h.rpartition(":")[0] or h for h in netloc.split(",")]
    return [urlsplit(url).hostname or ""]


def test_credentials_judged_by_every_host_the_url_logs_in_to() -> None:
    """`https://u:PW@api.example.com@registry.corp.io` logs in to registry.corp.io (urllib and
    WHATWG take the last `@`), `mongodb://app:PW@db0.example.com,db1.prod.corp.io` to both:
    the review judged the first name after the first `@` and passed them as examples. Now a
    URL is an example's only when every host its client reads is reserved. Generated: schemes,
    reserved and real names, a second `@`, host lists with ports."""
    reserved = ("api.example.com", "db.example", "ci.test", "x.invalid", "example.org")
    real = ("registry.corp.io", "github.com", "db1.prod.corp.io", "localhost")
    rng = random.Random(3)
    seen = set()
    for first, other, form in itertools.product(reserved + real, reserved + real, range(3)):
        password = "".join(rng.choices(string.ascii_letters + string.digits, k=12))
        url = (f"https://deploy:{password}@{first}@{other}/v2/",
               f"postgresql://app:{password}@{first},{other}:5432/app",
               f"mongodb://app:{password}@{first}:27017,{other}:27017/app")[form]
        hits = scan_text(f'URL = "{url}"')
        assert len(hits) == 1, url
        example = all(_reserved(host) for host in _hosts(url))
        seen.add(example)
        assert blocking(hits[0]) is not example, (url, _hosts(url))
    assert seen == {True, False}
