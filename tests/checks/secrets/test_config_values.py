"""In a configuration format's file an unquoted value is a string: `password = hardcoded` in
an INI file is that password, as plain detect-secrets reports it (its `Secret Keyword`).

Before, the keyword layer judged a data line without the file's name, and took a lower-case
word after a blank and `=` for a variable (`password = credentials` in Python): an INI, .cfg,
.conf, .properties or TOML file's `password = hardcoded` went unreported, and so did any value
under a name an acronym starts (`SSHpassword`, read as `SS`, `Hpassword`).

Generated (hypothesis, derandomize=True): batches of lines over the formats detect-secrets
reads as configuration × password names × a section line or none × separators × quoting ×
values (lower-case words, words with digits or signs, chosen passwords), each the whole of
a new file in one change. The oracle is plain `detect-secrets scan --all-files`, once a
batch: a `Secret Keyword` it reports is reported by the scan of the diff's added lines, on
the value it hashes. Where detect-secrets is wrong the scan stays quiet: stand-ins
(`${PASSWORD}`, `changeme`, `<password>`, `%(pw)s`: docs/security.md), in every one of
those files.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.diff_scan import scan_added_lines
from reviewloop.checks.secrets.scanner import scan_text
from tests.support.analyzers import Repo
from tests.support.detect_secrets import plain_scan

KINDS = ("app.ini", "settings.cfg", "server.conf", "my.cnf", "app.properties", "config.toml",
         "values.yaml")
NAMES = ("password", "SSHpassword", "db_password", "passwd", "pwd", "MYSQL_PASSWORD",
         "adminPassword", "smtp.password", "ldap_bind_pwd")
SECTIONS = ("", "[database]\n")
SEPARATORS = ("=", " = ", "\t=\t", ":", ": ", " : ")
QUOTES = ("", '"', "'")
# six letters or more, no default word (`letmein`, `admin`): what the scan takes for a chosen
# password under a password name (shorter ones and default words are stand-ins everywhere)
WORDS = ("hardcoded", "hunter", "cassandra", "dragon", "sunshine", "wordpress", "staple",
         "nextcloud", "whalehello")
STAND_INS = ("${PASSWORD}", "${DB_PASSWORD:-secret}", "changeme", "<password>", "%(pw)s",
             "{{ db_password }}", "$DB_PASSWORD", "********", "xxxxxxxx", "your_password")


@st.composite
def values(draw: st.DrawFn) -> str:
    """A word-like password: a lower-case word or two, maybe with digits or a sign after."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=2))
    return "".join(words) + draw(st.sampled_from(("", "", "42", "2024", "!", "#9", "-x7")))


@st.composite
def lines(draw: st.DrawFn) -> tuple[str, str, bool]:
    """(file kind, file text, whether its value is a stand-in)."""
    kind = draw(st.sampled_from(KINDS))
    name, section, sep, q = (draw(st.sampled_from(x))
                             for x in (NAMES, SECTIONS, SEPARATORS, QUOTES))
    stand_in = draw(st.integers(0, 3)) == 3
    value = draw(st.sampled_from(STAND_INS)) if stand_in else draw(values())
    return kind, f"{section}{name}{sep}{q}{value}{q}\n", stand_in



# a batch is one run of detect-secrets: no shrinking (the failures are listed whole instead)
@settings(max_examples=4, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(lines(), min_size=150, max_size=150))
def test_a_config_files_value_is_reported_where_detect_secrets_reports_it(
        tmp_path_factory: pytest.TempPathFactory, batch: list[tuple[str, str, bool]]) -> None:
    repo = Repo(tmp_path_factory.mktemp("repo"))
    files = {f"v{i:03d}/{kind}": text for i, (kind, text, _) in enumerate(batch)}
    diff = repo.change(files)
    plain = plain_scan(repo.root, "Secret Keyword")
    ours: dict[tuple[str, int], set[str]] = {}
    for hit in scan_added_lines(diff):
        line = files[hit.path].split("\n")[hit.line - 1]
        value = line[hit.column - 1:hit.end_column - 1]
        ours.setdefault((hit.path, hit.line), set()).add(hashlib.sha1(value.encode()).hexdigest())
    checked, wrong = 0, []
    for (path, text), (_, _, stand_in) in zip(files.items(), batch, strict=True):
        at = (path, text.count("\n"))  # the value's line: after the section's, if any
        if stand_in and at in ours:
            wrong.append(("reported", path, text))
        elif not stand_in and at in plain:
            checked += 1
            if not ours.get(at, set()) & plain[at]:
                wrong.append(("missed" if at not in ours else "other value", path, text))
    assert not wrong, wrong
    assert checked >= 60  # the oracle reported enough of the batch to hold the scan to it


@pytest.mark.parametrize("kind", KINDS)
def test_the_missed_ini_line_is_a_must_fix_in_every_config_format(kind: str) -> None:
    """The line of the report, and the whispers fixture's `SSHpassword = hardcoded`."""
    for line in ("password = hardcoded", "SSHpassword = hardcoded"):
        hits = scan_text(f"[db]\n{line}\n", path=f"conf/{kind}")
        assert [(h.line, h.column, h.rule, h.confidence) for h in hits] == [
            (2, line.index("hardcoded") + 1, "generic-password", 0.7)]


@pytest.mark.parametrize("path", ["settings.py", "main.go", "app.js", "Makefile", "notes.txt",
                                  ".env.sample"])
def test_the_same_line_elsewhere_is_still_read_as_a_variable(path: str) -> None:
    """Outside a configuration format `password = credentials` is as often a program's
    variable (the documented gap of test_keyword_data_lines.py): still quiet."""
    assert scan_text("password = credentials\n", path=path) == []
