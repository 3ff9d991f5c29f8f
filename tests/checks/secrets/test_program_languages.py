"""PHP, Groovy (Gradle, Jenkinsfile), Perl, Lua, PowerShell, R, Scala and the other program
files are read as code, and shell as shell: a variable assigned to a password name is no
must-fix, a literal one still is.

Before, `checks/secrets/syntax.py` named only some languages as code, so a Groovy map's
`password: credentials` was a YAML line of data holding the password `credentials`, and a
PHP class constant (`$password = self::DEFAULT;`) a password of high entropy; R's `password
<- "…"` was no assignment at all.

Generated: a fixed product of each language's idioms that take a password from somewhere
else (a parameter, the environment, a call, a member, a constant) × password and key names,
each inside a function of a new file in one change (detect-secrets reads a file of a type
it does not know as INI when it parses as one, its eager config transformer: a program's
file does not). The oracle is plain `detect-secrets scan --all-files`, once: the scan of
the diff reports none of them where detect-secrets is quiet. A literal assigned the same
names in the same languages is reported, as detect-secrets reports it (R's `<-`, which
detect-secrets does not read, too).
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.checks.secrets.diff_scan import scan_added_lines
from reviewloop.checks.secrets.syntax import Syntax, syntax_of
from tests.support.analyzers import Repo

DETECT_SECRETS = Path(sys.executable).with_name("detect-secrets")
NAMES = ("password", "PASSWORD", "db_password", "dbPassword", "DB_PASS", "api_key", "secret")

# a password taken from elsewhere, per language
VARIABLES = {
    "deploy.sh": ("{n}=$1", '{n}="$2"', "{n}=${{1:-}}", 'export {n}="${{1:?missing}}"',
                  "{n}=$(cat /run/secrets/pw)", "{n}=`cat pw.txt`", "local {n}=$3",
                  "{n}=${{!var}}", 'readonly {n}="$input"', "{n}=$(< /run/secrets/db)"),
    "run.bash": ("{n}=$1", 'declare {n}="$2"'),
    "index.php": ("${n} = $input;", "${n} = $_POST['{n}'];", "'{n}' => $request->{n},",
                  "${n} = password_hash($plain, PASSWORD_DEFAULT);", "${n} = self::DEFAULT;",
                  "${n} = static::$defaults['pw'];", "{n} = $input", "public ${n};"),
    "build.groovy": ("{n} = input", "def {n} = params.{n}", "{n}: credentials",
                     "{n}: params.pw,", "{n} = env.DB_PASS", "{n} = credentials('db-pass')"),
    "Jenkinsfile": ("{n}: credentials", "{n} = cfg.{n}"),
    "build.gradle": ("{n} = findProperty('pw')", "{n} = mavenPassword",
                     "{n} = System.getenv('PW')"),
    "tool.pl": ("my ${n} = $input;", "${n} = shift;", "{n} => $pw,", "my ${n} = $ENV{{PW}};"),
    "init.lua": ("local {n} = input", "{n} = cfg.{n}", "{n} = os.getenv('PW')"),
    "setup.ps1": ("${n} = $input", "${n} = Read-Host -AsSecureString", "${n} = $env:PW",
                  "{n} = $x"),
    "fit.R": ("{n} <- input", "{n} = input", "{n} <- Sys.getenv('PW')", "{n} <- readline()"),
    "App.scala": ("{n} = input", 'val {n} = conf.getString("pw")'),
}
# the same names given a literal
LITERALS = {
    "deploy.sh": ('{n}="Xk9mQ2vLp7#r"', "export {n}='Xk9mQ2vLp7#r'"),
    "index.php": ('${n} = "s3cr3t-Xy9!Qw";', "'{n}' => 'Xk9mQ2vLp7#r',",
                  "define('{n}', 'Xk9mQ2vLp7#r');"),
    "build.groovy": ('{n} = "Xk9mQ2vLp7#r"', "{n}: 'Xk9mQ2vLp7#r'"),
    "tool.pl": ('my ${n} = "Xk9mQ2vLp7#r";',),
    "init.lua": ('local {n} = "Xk9mQ2vLp7#r"',),
    "setup.ps1": ('${n} = "Xk9mQ2vLp7#r"',),
    "fit.R": ('{n} <- "Xk9mQ2vLp7#r"',),
}


# a function around the line, in each language
BODY = {
    "deploy.sh": "main() {{\n  {line}\n}}\n", "run.bash": "main() {{\n  {line}\n}}\n",
    "index.php": "<?php\nfunction login() {{\n  {line}\n}}\n",
    "build.groovy": "def configure() {{\n  {line}\n}}\n",
    "Jenkinsfile": "pipeline {{\n  environment {{\n    {line}\n  }}\n}}\n",
    "build.gradle": "publishing {{\n  credentials {{\n    {line}\n  }}\n}}\n",
    "tool.pl": "sub login {{\n  {line}\n}}\n",
    "init.lua": "function M.setup(cfg)\n  {line}\nend\n",
    "setup.ps1": "function Set-Login {{\n  {line}\n}}\n",
    "fit.R": "connect <- function(cfg) {{\n  {line}\n}}\n",
    "App.scala": "object App {{\n  {line}\n}}\n",
}


def _files(table: dict[str, tuple[str, ...]], prefix: str) -> dict[str, str]:
    cases = ((kind, form, name) for kind, forms in table.items()
             for form, name in itertools.product(forms, NAMES))
    return {f"{prefix}{i:04d}/{kind}": BODY[kind].format(line=form.format(n=name))
            for i, (kind, form, name) in enumerate(cases)}


FILES = _files(VARIABLES, "v") | _files(LITERALS, "l")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], set[str]]:
    """(files the scan of the change reports a must-fix in, files detect-secrets reports)."""
    repo = Repo(tmp_path_factory.mktemp("repo"))
    diff = repo.change(FILES)
    run = subprocess.run([str(DETECT_SECRETS), "scan", "--all-files", "."], cwd=repo.root,
                         capture_output=True, text=True, check=True)
    ours = {hit.path for hit in scan_added_lines(diff) if hit.confidence > 0.4}
    return ours, set(json.loads(run.stdout)["results"])


def test_a_variable_in_a_program_is_quiet_where_detect_secrets_is(
        scanned: tuple[set[str], set[str]]) -> None:
    ours, plain = scanned
    variables = [p for p in FILES if p.startswith("v")]
    assert [(p, FILES[p]) for p in variables if p in ours and p not in plain] == []
    assert sum(p not in plain for p in variables) >= len(variables) * 0.9  # the oracle's quiet


def test_a_literal_in_the_same_languages_is_still_reported(
        scanned: tuple[set[str], set[str]]) -> None:
    ours, plain = scanned
    literals = [p for p in FILES if p.startswith("l")]
    # the names the scan reads as a password's or a key's: any value (`api_key`, `secret`)
    # must be a key's shape there, and `Xk9mQ2vLp7#r` is a password's
    passwords = [p for p in literals if "pass" in FILES[p].lower()]
    assert [(p, FILES[p]) for p in passwords if p not in ours] == []
    assert sum(p in plain for p in literals if not p.endswith(".R")) >= len(literals) * 0.8


@pytest.mark.parametrize(("path", "syntax"), [
    ("src/index.php", Syntax.CODE), ("build.gradle.kts", Syntax.CODE),
    ("ci/Jenkinsfile", Syntax.CODE), ("lib/Tool.pm", Syntax.CODE), ("fit.r", Syntax.CODE),
    ("deploy.sh", Syntax.LINES), (".env", Syntax.LINES), ("Makefile", Syntax.LINES),
    ("app.INI", Syntax.CONFIG), ("my.cnf", Syntax.CONFIG), ("k8s/values.yml", Syntax.CONFIG),
    ("jenkinsfile.md", Syntax.LINES), ("app/settings.py", Syntax.PYTHON),
    ("typings/x.PYI", Syntax.PYTHON)])
def test_a_files_name_says_how_its_values_read(path: str, syntax: Syntax) -> None:
    assert syntax_of(path) is syntax
