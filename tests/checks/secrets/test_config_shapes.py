"""Two shapes of value in configuration files, held to plain detect-secrets.

A password shaped like a program's name (`password: s3cr3tP4ss`, `letMeIn99`, `myDbPass2024`)
or holding a password word (`adminpass`, `supersecretpass`, a Kubernetes Secret's
`stringData`) was read as a variable or a setting about passwords, and went unreported in
YAML and INI files where detect-secrets reports it: in a configuration format's file a value
is a string, so both are passwords there (code files still read a camelCase word as a
variable's name). And a file's path under a secret name (`ssl_key: /etc/ssl/private/server.key`,
`client_secret: /run/secrets/oauth`, `password: ./secrets/key.pem`) was reported as a
hard-coded credential: it says where the secret is kept, and detect-secrets reports none.

Generated (hypothesis, derandomize=True): batches over the configuration formats × names ×
separators × value shapes, each the whole of a new file in one change; the oracle is plain
`detect-secrets scan --all-files`, once a batch.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.diff_scan import scan_added_lines
from reviewloop.checks.secrets.scanner import scan_text
from reviewloop.checks.secrets.values import looks_placeholder
from tests.support.analyzers import Repo
from tests.support.detect_secrets import plain_scan

KINDS = ("app.ini", "settings.cfg", "server.conf", "my.cnf", "app.properties", "values.yaml",
         "config.yml")
PASSWORD_NAMES = ("password", "db_password", "passwd", "MYSQL_PASSWORD", "adminPassword",
                  "smtp.password", "root_pass")
SECRET_NAMES = (*PASSWORD_NAMES, "ssl_key", "private_key", "client_secret", "api_key",
                "secret", "tls_key", "auth_token", "secretKey")
SEPARATORS = (": ", ":", " = ", "=", "\t=\t")
# a Kubernetes Secret's data: the value under `stringData:` (YAML only)
SECRET_HEAD = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n"
LOWER = ("s3cr3t", "letme", "winter", "my", "db", "hunter", "admin", "root", "super")
CAPITAL = ("P4ss", "In", "Pass", "Dragon", "Horse", "Db", "Is", "Coming", "Secret")
SECRET_WORDS = ("pass", "password", "pwd", "secret", "secretpass", "passwd")
DIGITS = ("", "", "9", "99", "2024", "123")


@st.composite
def chosen(draw: st.DrawFn) -> str:
    """A chosen password: camelCase words (`letMeIn99`) or words around a secret word
    (`supersecretpass`, `rootpwd2024`)."""
    if draw(st.booleans()):
        head = draw(st.sampled_from(LOWER))
        value = head + "".join(draw(st.lists(st.sampled_from(CAPITAL), min_size=1, max_size=2)))
    else:
        value = draw(st.sampled_from(LOWER)) + draw(st.sampled_from(SECRET_WORDS))
    value += draw(st.sampled_from(DIGITS))
    # six characters or more, no default word (`adminpwd`, `adminDb`, `letmeIn`): what the
    # scan takes for stand-ins (test_config_values.py, docs/security.md)
    return value if len(value) >= 6 and not looks_placeholder(value) else value + "2024"


@st.composite
def paths(draw: st.DrawFn) -> str:
    """Where a key or password file is kept: absolute, `./`, `../`, `~/`, a Windows drive,
    or a file name with a key file's extension."""
    dirs = draw(st.lists(st.sampled_from(("etc", "ssl", "private", "run", "secrets", "certs",
                                          "keys", "opt", "app", "config", "var", "lib")),
                         min_size=1, max_size=3))
    stem = draw(st.sampled_from(("server", "oauth_client", "api_key", "db_password", "tls",
                                 "id_rsa", "client-secret", "key")))
    ext = draw(st.sampled_from(("", ".key", ".pem", ".crt", ".json", ".p12", ".jks", ".txt")))
    head = draw(st.sampled_from(("/", "./", "../", "~/", "C:\\", "")))
    if head == "" and not ext:
        ext = ".pem"  # a bare word is no path
    sep = "\\" if head.startswith("C:") else "/"
    return head + sep.join([*dirs, stem + ext]) if head else stem + ext



def _ours(files: dict[str, str], tmp: Path) -> tuple[dict[tuple[str, int], set[str]], Path]:
    """The scan of the diff adding `files`, by (file, line): the hashes of the values."""
    repo = Repo(tmp)
    diff = repo.change(files)
    ours: dict[tuple[str, int], set[str]] = {}
    for hit in scan_added_lines(diff):
        line = files[hit.path].split("\n")[hit.line - 1]
        value = line[hit.column - 1:hit.end_column - 1]
        ours.setdefault((hit.path, hit.line), set()).add(hashlib.sha1(value.encode()).hexdigest())
    return ours, repo.root


@st.composite
def files(draw: st.DrawFn, names: tuple[str, ...], values: st.SearchStrategy[str]) -> str:
    """`kind` newline `text`: one `name<sep>value` line, in a Kubernetes Secret for some YAML."""
    kind = draw(st.sampled_from(KINDS))
    name, value = draw(st.sampled_from(names)), draw(values)
    yaml = kind.endswith(("yaml", "yml"))
    if yaml and draw(st.booleans()):
        return f"{kind}\n{SECRET_HEAD}  {name}: {value}\n"
    section = "" if yaml else draw(st.sampled_from(("", "[database]\n")))
    return f"{kind}\n{section}{name}{draw(st.sampled_from(SEPARATORS))}{value}\n"


_BATCH = settings(max_examples=3, deadline=None, derandomize=True, phases=[Phase.generate],
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _layout(batch: list[str]) -> dict[str, str]:
    return {f"v{i:03d}/{kind}": text
            for i, (kind, text) in enumerate(item.split("\n", 1) for item in batch)}


# a batch is one run of detect-secrets: no shrinking (the failures are listed whole instead)
@_BATCH
@given(st.lists(files(PASSWORD_NAMES, chosen()), min_size=120, max_size=120))
def test_a_chosen_password_in_a_config_file_is_reported_where_detect_secrets_reports_it(
        tmp_path_factory: pytest.TempPathFactory, batch: list[str]) -> None:
    layout = _layout(batch)
    ours, root = _ours(layout, tmp_path_factory.mktemp("repo"))
    plain = plain_scan(root)
    checked, wrong = 0, []
    for path, text in layout.items():
        at = (path, text.count("\n"))  # the value's line, the file's last
        if at in plain:
            checked += 1
            if not ours.get(at, set()) & plain[at]:
                wrong.append(("missed" if at not in ours else "other value", path, text))
    assert not wrong, wrong
    assert checked >= 100  # detect-secrets reports nearly all: the scan is held to each


@_BATCH
@given(st.lists(files(SECRET_NAMES, paths()), min_size=120, max_size=120))
def test_a_files_path_under_a_secret_name_is_no_secret(
        tmp_path_factory: pytest.TempPathFactory, batch: list[str]) -> None:
    layout = _layout(batch)
    ours, root = _ours(layout, tmp_path_factory.mktemp("repo"))
    plain = plain_scan(root)
    assert [(path, layout[path]) for path, _ in ours] == []
    # detect-secrets agrees on a POSIX path; it reports a Windows one and a bare file name
    # under a password name (`passwd = C:\\keys\\db`, `password = tls.crt`), where it is wrong
    posix = [(path, text.count("\n")) for path, text in layout.items()
             if re.search(r"[:=]\s*(?:/|\.\.?/|~/)\S+$", text)]
    assert len(posix) >= 40
    assert [at for at in posix if at in plain] == []


# a base64 key may start with `/` and hold more: its parts are no lower-case words
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.text(_B64, min_size=39, max_size=39).filter(
    lambda s: sum(c.isupper() for c in s) >= 6 and sum(c.isdigit() for c in s) >= 3),
    st.sampled_from(("client_secret", "api_key", "aws_secret_access_key")),
    st.sampled_from(("values.yaml", "app.ini")))
def test_a_key_that_starts_with_a_slash_is_still_reported(key: str, name: str,
                                                          path: str) -> None:
    text = f"{name}: /{key}\n" if path.endswith("yaml") else f"{name} = /{key}\n"
    hits = scan_text(text, path=path)
    assert [h.line for h in hits] == [1], text


@pytest.mark.parametrize("path", ["settings.py", "app.js", "main.go", "Config.java"])
@pytest.mark.parametrize("value", ["letMeIn99", "s3cr3tP4ss", "myDbPass2024", "hashedPassword"])
def test_code_still_reads_a_camel_case_word_as_a_variable(path: str, value: str) -> None:
    """`password = letMeIn99` in a program assigns a variable (syntax.py): still quiet."""
    for line in (f"password = {value}\n", f"  password: {value}\n", f"password := {value}\n"):
        assert scan_text(line, path=path) == [], (path, line)


def test_the_review_s_file_reports_the_password_not_the_path() -> None:
    """The review's end-to-end file: the key's path was the one must-fix, the password none."""
    text = "nginx:\n  ssl_key: /etc/ssl/private/server.key\ndb:\n  password: s3cr3tP4ss\n"
    hits = scan_text(text, path="config/app.yaml")
    assert [(h.line, h.column, h.rule) for h in hits] == [(4, 13, "generic-password")]
