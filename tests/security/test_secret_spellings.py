"""Passwords written as people write them are found. Two misses of the secrets scan, each
reported by plain detect-secrets:

* PowerShell's `$password = ConvertTo-SecureString "<literal>" -AsPlainText -Force` (the
  cmdlet stands between the name and the literal, so the keyword layer never saw an
  assignment; the fuzzer's D5), and its relatives: `-String "…"`, the literal piped in, a
  `NetworkCredential("user", "…")`. Generated: cmdlet case, parameter order and spelling,
  quotes, the pipeline form; twins that hold no literal (`$env:…`, a variable, a template).
* chosen or weak passwords taken for placeholders (the fuzzer's D30): `Xy7#exampleCorp2024`
  and `MyDummyP4ss#88` hold a placeholder word beside a chosen password's digits and signs;
  `admin123`, `rootroot`, `changeme123` are weak defaults, which committed to a deployed
  config log anyone in. Generated: a placeholder word with a chosen password's signs and
  digits around it is reported; the word alone, with other words (`dummy-api-key`) or
  numbered at the end (`xyzFakeKey123`, tests/security/test_placeholder_words.py) is not.

Each family is also run through a real review of a change adding the files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.scanner import looks_fake, scan_text
from tests.support.repos import branch_repo
from tests.support.review_cli import review

PASSWORD = st.text("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#&*+=?@^_~",
                   min_size=8, max_size=20).filter(
    lambda v: any(c.isdigit() for c in v) and any(c.isalpha() for c in v)
    and len(set(v)) >= 6 and not looks_fake(v))  # `2222222A` is a fixture, by design
CMDLET = st.sampled_from(("ConvertTo-SecureString", "convertto-securestring",
                          "CONVERTTO-SECURESTRING", "ConvertTo-SecureString"))
PLAIN = st.sampled_from(("-AsPlainText", "-asplaintext", "-AsPlainText:$true", "-AsPlain"))


@st.composite
def powershell(draw: st.DrawFn, literal: str | None = None) -> tuple[str, str]:
    """(a line of PowerShell or .NET giving `literal` as a password, the literal)."""
    secret = literal or draw(PASSWORD)
    quote = draw(st.sampled_from(("'", '"'))) if "$" not in secret else "'"
    value, cmdlet, plain = f"{quote}{secret}{quote}", draw(CMDLET), draw(PLAIN)
    form = draw(st.sampled_from((
        "{c} {v} {p} -Force", "{c} -String {v} {p} -Force", "{c} {p} -Force -String {v}",
        "{c} {p} {v} -Force", "{c} -String:{v} {p}", "{v} | {c} {p} -Force",
        "[System.Net.NetworkCredential]::new('svc', {v})",
        "New-Object System.Net.NetworkCredential(\"svc\", {v})",
        "New-Object -TypeName System.Net.NetworkCredential -ArgumentList 'svc', {v}")))
    name = draw(st.sampled_from(("$password", "$secure", "$cred", "$x")))
    return f"{name} = {form.format(c=cmdlet, v=value, p=plain)}\n", secret


STAND_INS = ("$env:DB_PASS", "${PASSWORD}", "<password>", "changeme", "$($vault.Get())")


@settings(max_examples=200, deadline=None)
@given(case=powershell())
def test_a_powershell_password_literal_is_found(case: tuple[str, str]) -> None:
    line, secret = case
    hits = scan_text(line)
    assert [line[h.column - 1:h.column - 1 + len(secret)] for h in hits] == [secret], line


@settings(max_examples=100, deadline=None)
@given(case=st.sampled_from(STAND_INS).flatmap(lambda v: powershell(literal=v)))
def test_what_stands_for_a_powershell_password_is_not_found(case: tuple[str, str]) -> None:
    assert scan_text(case[0]) == [], case


def test_no_literal_no_finding() -> None:
    for line in ("$p = ConvertTo-SecureString $plain -AsPlainText -Force",
                 "$p = Read-Host -AsSecureString",
                 '$p = ConvertTo-SecureString "01000000d08c9ddf0115d1118c7a00c04fc297eb"',
                 "$c = [System.Net.NetworkCredential]::new('svc', $pw)"):
        assert scan_text(line) == [], line


WORDS = ("example", "Example", "dummy", "Dummy", "sample", "fake", "mock", "changeme",
         "admin", "root", "test")
# a genuine stand-in: the word alone, or with other words and separators
QUIET = ("<password>", "${PASSWORD}", "changeme", "example", "xxxxxxxx",
         "your-password-here", "dummy", "dummy-api-key", "example-secret-key", "mydummypassword",
         "someDummyValue", "********", "password")
WEAK = ("admin123", "rootroot", "changeme123", "Xy7#exampleCorp2024", "MyDummyP4ss#88",
        "test1234", "postgres")


@settings(max_examples=200, deadline=None)
@given(word=st.sampled_from(WORDS), before=st.sampled_from(("", "Xy7#", "My", "9q!", "prod-")),
       after=st.sampled_from(("2024!", "#88", "P4ss#", "Corp2024!", "_9$k", "!x")))
def test_a_placeholder_word_beside_a_chosen_passwords_material_is_reported(
        word: str, before: str, after: str) -> None:
    value = before + word + after
    assert [h.rule for h in scan_text(f'db:\n  password: "{value}"\n')] == [
        "generic-password"], value


@pytest.mark.parametrize("value", WEAK)
def test_a_weak_default_is_reported(value: str) -> None:
    """A default with digits added, a word doubled: weak, and real."""
    assert [h.rule for h in scan_text(f'db:\n  password: "{value}"\n')] == [
        "generic-password"], value


@pytest.mark.parametrize("value", QUIET)
def test_a_stand_in_stays_quiet(value: str) -> None:
    assert scan_text(f'db:\n  password: "{value}"\n') == []


def test_a_review_finds_both_families(tmp_path: Path) -> None:
    files = {f"cfg/p{n}.yml": f'db:\n  password: "{v}"\n' for n, v in enumerate(WEAK)}
    files |= {f"cfg/q{n}.yml": f'db:\n  password: "{v}"\n' for n, v in enumerate(QUIET)}
    files["deploy/a.ps1"] = ('$password = ConvertTo-SecureString "JmpflvJfupxqZKm4" '
                             "-AsPlainText -Force\n")
    files["deploy/b.ps1"] = "$c = [System.Net.NetworkCredential]::new('svc', 'Winter24!x')\n"
    root = branch_repo(tmp_path / "r", {"README": "x\n"}, files)
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    flagged = {f["file"] for f in report["findings"]["remaining"] if f["source"] == "secrets"}
    expected = {p for p in files if p.startswith(("cfg/p", "deploy/"))}
    assert flagged == expected, (sorted(expected - flagged), sorted(flagged - expected))
