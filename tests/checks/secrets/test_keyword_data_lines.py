"""A password on a line of data is reported where plain detect-secrets reports it, as written.

Before, the keyword layer took a bare word for a label unless it sat on a dotenv line: a
word-like password in YAML, INI, a Makefile or .properties (`PASSWORD: correcthorsebattery`,
`keystore_password: cassandra`, `- DB_PASSWORD=hardcoded4`) went unreported where
detect-secrets' `Secret Keyword` reports it; and `NAME:=value` (a Makefile's, Go's) was read
as `:` with the value `=value`, so stand-ins after `:=` were reported and a real password's
span began at the `=`.

Generated (hypothesis, derandomize=True): batches of variants over file kinds × password
names × line heads × separators × quoting × value shapes (words joined, capitalised, with
digits, signs or hyphens), each line the whole of a new file or added under an existing
line. The oracle is plain `detect-secrets scan --all-files` (its default plugins and
filters), once a batch: a `Secret Keyword` it reports is reported by the scan of the diff's
added lines, and the value the scan reports hashes to detect-secrets' `hashed_secret`. Where
detect-secrets is wrong the scan must stay quiet: stand-ins (docs/security.md), names that
say the value is no secret (`password_policy: strict`, the reverted whole-file check's false
alarms) and code's names as values (`password: hashedPassword`) outside a configuration
format's file (there, and on a dotenv-style `N=v` line, a value is a value: a password
shaped like a name, `s3cr3tP4ss`, is held to the oracle, but for one that names a password
in parts, `user_password`, which the scan takes for a setting's name). Left out of the oracle, a
documented gap: a lower-case word after a blank and `=` or `:=` in a file of no
configuration format (a Makefile, `.env`), which is as often a Python or Go variable
(`password = credentials`, `password := generated`) — in INI, YAML, .properties and .cfg it
is a value, held to the oracle (`test_config_values.py`); and any unquoted value in a Go
file, where the scan reads the line as code (`test_code_files.py`)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.diff_scan import scan_added_lines
from reviewloop.checks.secrets.scanner import scan_text
from tests.support.analyzers import Repo
from tests.support.detect_secrets import plain_scan

# detect-secrets reads `:=` in Go only: `main.go` holds its oracle for the operator, for a
# quoted value (an unquoted one is Go code, a variable: detect-secrets is wrong there)
KINDS = ("app.yaml", "values.yml", "app.ini", ".env", "app.properties", "Makefile",
         "settings.cfg", "main.go")
CONFIG_KINDS = ("app.yaml", "values.yml", "app.ini", "app.properties", "settings.cfg")
NAMES = ("PASSWORD", "password", "db_password", "DB_PASS", "pwd", "keystore_password",
         "MYSQL_ROOT_PASSWORD", "adminPassword", "smtp.passwd")
HEADS = ("", "  ", "- ", "export ")
SEPARATORS = (": ", ":", "=", " = ", ":=", " := ", ":= ")
QUOTES = ("", "'", '"')
WORDS = ("correct", "horse", "battery", "staple", "whale", "hello", "dragon", "sunshine",
         "cassandra", "nextcloud", "tr0ub4dor", "wordpress")
STAND_INS = ("changeme", "your-password-here", "<password>", "${DB_PASSWORD}", "xxxxxxxx")
LABELS = (("password_policy", "strict"), ("secretName", "tls-secret"),
          ("api_key_header", "X-API-Key"), ("SECRET_KEY_ENV", "DJANGO_SECRET_KEY"),
          ("password_reset_url", "https://example.com/reset"))
CODE_NAMES = ("hashedPassword", "user_password", "userInput", "hashed_value", "SecretValue")


@st.composite
def passwords(draw: st.DrawFn) -> str:
    """A chosen password: two or three words, maybe capitalised, joined plainly or by a
    hyphen, with digits or a sign after."""
    words: list[str] = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=3))
    if draw(st.booleans()):
        words[0] = words[0].capitalize()
    value = draw(st.sampled_from(("", "-"))).join(words)
    return value + draw(st.sampled_from(("", "42", "2024", "!", "#9", "_7")))


@st.composite
def variants(draw: st.DrawFn) -> tuple[str, str, str, str, str]:
    """(kind, line, value, what the scan must do, whether it goes under an existing line);
    what: `oracle` (as detect-secrets), `quiet`, or `any` (the documented gap)."""
    kind = draw(st.sampled_from(KINDS))
    head, sep, q = (draw(st.sampled_from(x)) for x in (HEADS, SEPARATORS, QUOTES))
    shape = draw(st.sampled_from(("password", "password", "password", "stand-in", "label",
                                  "code")))
    name = draw(st.sampled_from(NAMES))
    expect = "oracle"
    if shape == "password":
        value = draw(passwords())
        if not q and sep.startswith(" ") and value.isalnum() and value.islower() \
                and kind not in CONFIG_KINDS:
            expect = "any"
    elif shape == "stand-in":
        value, expect = draw(st.sampled_from(STAND_INS)), "quiet"
    elif shape == "label":
        (name, value), expect = draw(st.sampled_from(LABELS)), "quiet"
    else:  # on a dotenv line (`N=v`) a value is a value, whatever it looks like, and in a
        # configuration format's file any value is a string (`password: s3cr3tP4ss`)
        value, q = draw(st.sampled_from(CODE_NAMES)), ""
        expect = "oracle" if kind in CONFIG_KINDS else "any" if sep == "=" else "quiet"
        if expect == "oracle" and "_password" in value:
            expect = "any"  # a separated name about passwords: a setting's (the scan's gap)
    if kind.endswith(".go") and not q and expect == "oracle":
        expect = "any"  # a program's unquoted value is an expression (tests/…/test_code_files.py)
    existing = draw(st.sampled_from(("", "# settings\n")))
    return kind, f"{head}{name}{sep}{q}{value}{q}", value, expect, existing



# a batch is one run of detect-secrets: no shrinking (the failures are listed whole instead)
@settings(max_examples=6, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(variants(), min_size=120, max_size=120))
def test_a_password_on_a_data_line_is_reported_where_detect_secrets_reports_it(
        tmp_path_factory: pytest.TempPathFactory,
        batch: list[tuple[str, str, str, str, str]]) -> None:
    root = tmp_path_factory.mktemp("repo")
    paths = [f"v{i:03d}/{kind}" for i, (kind, *_) in enumerate(batch)]
    repo = Repo(root, {p: v[4] for p, v in zip(paths, batch, strict=True) if v[4]})
    diff = repo.change({p: f"{v[4]}{v[1]}\n" for p, v in zip(paths, batch, strict=True)})
    plain = plain_scan(repo.root, "Secret Keyword")
    ours: dict[tuple[str, int], set[str]] = {}
    lines = {p: f"{v[4]}{v[1]}".split("\n") for p, v in zip(paths, batch, strict=True)}
    for hit in scan_added_lines(diff):
        text = lines[hit.path][hit.line - 1][hit.column - 1:hit.end_column - 1]
        ours.setdefault((hit.path, hit.line), set()).add(hashlib.sha1(text.encode()).hexdigest())
    checked, wrong = 0, []
    for path, (_, line, _, expect, existing) in zip(paths, batch, strict=True):
        at = (path, 2 if existing else 1)
        if expect == "quiet" and at in ours:
            wrong.append(("reported", path, line))
        elif expect == "oracle" and at in plain:
            checked += 1
            if not ours.get(at, set()) & plain[at]:
                wrong.append(("missed" if at not in ours else "other value", path, line))
    assert not wrong, wrong
    assert checked >= 20  # the oracle reported enough of the batch to hold the scan to it


# Code that names a password and assigns a variable: Python, Go, Ruby, a JavaScript object's
# last entry. detect-secrets reads a Go file's `:=` and reports them; they are no secret.
CODE_FORMS = ("{n} = {v}", "    {n} = {v}", "\t{n} := {v}", "  {n}: {v}", "{n}: {v}")
CODE_VALUES = ("credentials", "generated", "plaintext", "hashedPassword", "user_password",
               "userInput", "hashed_value", "SecretValue", "encodedValue")


@pytest.mark.parametrize(("form", "name", "value"), [
    (form, name, value) for form in CODE_FORMS for name in ("password", "db_password", "pwd")
    for value in CODE_VALUES
    # a lower-case word after `:` is a YAML value: reported (the documented trade-off)
    if not (form.endswith(": {v}") and value.isalpha() and value.islower())])
def test_a_variable_assigned_to_a_password_name_is_not_reported(form: str, name: str,
                                                                value: str) -> None:
    assert scan_text(form.format(n=name, v=value) + "\n") == []
