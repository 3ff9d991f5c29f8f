"""A program's lines are read as code, not as YAML or dotenv data, where plain detect-secrets
is quiet.

Before, the keyword layer decided a "data line" without the file's path: an object's last
entry `password: plaintext` (JavaScript, TypeScript, Vue, Ruby, Swift, Dart, Elixir, Rust),
a last keyword argument `password=hashed_pw` (Python, Kotlin), a Go channel receive
`password := <-ch`, a regex constant `EMAIL_PAT = r"[0-9]{1,4}"` or an f-string template
`user_pass = f"{user}:{password}"` were hard-coded passwords (must_fix, the secrets gate
failed). The `.npmrc` rule fired on any name ending in `_auth` (`_digest_auth =
self.build_digest_header(` in requests), and a variable passed to a call beside a path
(`join(pwd, './data/x.csv')`) was read as a key and its value.

Generated: a fixed product of languages' templates × password names × variables (and of the
library idioms' variants), each the whole of a new file in one change. The oracle is plain
`detect-secrets scan --all-files`, once: the scan of the diff reports no line it leaves
quiet. Recall held in the same files: a quoted password in a program, an unquoted one on a
YAML or dotenv line, and an `.npmrc` token are still reported.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.checks.secrets.diff_scan import scan_added_lines
from tests.support.analyzers import Repo

DETECT_SECRETS = Path(sys.executable).with_name("detect-secrets")

# a value that is a variable: an object's or a call's last entry, no trailing comma
LAST_ENTRY = {
    "api.js": "const body = {{\n  username: username,\n  {n}: {v}\n}};\n",
    "user.ts": "  return {{\n    email,\n    {n}: {v}\n  }};\n",
    "Login.vue": "export default {{\n  data() {{\n    return {{ {n}: {v} }}\n  }}\n}}\n",
    "user.rb": "User.create!(\n  email: email,\n  {n}: {v}\n)\n",
    "User.swift": "let user = User(\n  email: email,\n  {n}: {v}\n)\n",
    "user.dart": "final user = User(\n  email: email,\n  {n}: {v}\n);\n",
    "user.ex": "%User{{\n  email: email,\n  {n}: {v}\n}}\n",
    "user.rs": "let user = User {{\n    email,\n    {n}: {v}\n}};\n",
    "db.py": "conn = psycopg2.connect(\n    host=host,\n    {n}={v}\n)\n",
    "Db.kt": "val conn = connect(\n    host=host,\n    {n}={v}\n)\n",
    "main.go": "func f(ch chan string) {{\n\t{n} := <-{v}\n\t{n} = <-{v}\n}}\n",
}
NAMES = ("password", "pwd", "dbPass", "db_password")
VARIABLES = ("plaintext", "generated", "pwhash", "hashed_pw", "derived", "cleartext")

# idioms of real libraries (requests, urllib3, numpy, websockets, botocore)
LIBRARY = [
    *(f'{n} = {r}"{v}"\n' for n, r, v in itertools.product(
        ("EMAIL_PAT", "_IPV4_PAT", "URL_PAT", "_HEX_PAT"), ("r", ""),
        ("[0-9A-Fa-f]{1,4}", r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}", "^[a-z]+-[0-9]+$",
         "(?:{hex}:{hex}|{ipv4})"))),
    *(f"    {n} = {v}(\n" for n, v in itertools.product(
        ("_digest_auth", "basic_auth", "proxy_auth", "_auth"),
        ("self.build_digest_header", "self._construct_basic_auth",
         "requests.auth.HTTPBasicAuth"))),
    *(f'    {n} = f"{v}"\n' for n, v in itertools.product(
        ("user_pass", "auth_str", "credentials"),
        ("{username}:{password}", "{user}:{pw}", "{self.user}:{self.password}"))),
    *(f"    data = read({f}(pwd, '{p}'))\n" for f, p in itertools.product(
        ("join", "os.path.join", "Path"),
        ("./data/philox-testset-1.csv", "fixtures/sample-input.csv", "out/result.parquet"))),
]

# still reported: the same names with a value that is one
REPORTED = {
    "api.js": 'const body = {\n  username: username,\n  password: "Xk9mQ2vLp7#r"\n};\n',
    "user.rb": "User.create!(\n  email: email,\n  password: 'Xk9mQ2vLp7#r'\n)\n",
    "db.py": 'conn = connect(\n    host=host,\n    password="Xk9mQ2vLp7#r"\n)\n',
    "main.go": 'func f() {\n\tpassword := "Xk9mQ2vLp7#r"\n}\n',
    "app.yaml": "db:\n  password: plaintext\n",
    ".env": "DB_PASSWORD=hashed_pw\n",
    ".npmrc": "//registry.npmjs.org/:_authToken=743b294a-cd03-11ec-9d64-0242ac120002\n",
    "gh.py": 'GITHUB_PAT = "ghp_Xk9mQ2vLp7rT4wY8zB3nC6dF1gH5jK0sA2eR"\n',
}


def _files() -> dict[str, str]:
    files = {f"c{i:03d}/{kind}": template.format(n=n, v=v) for i, (kind, template, n, v)
             in enumerate((kind, t, n, v) for (kind, t), n, v
                          in itertools.product(LAST_ENTRY.items(), NAMES, VARIABLES))}
    files |= {f"l{i:03d}/mod.py": text for i, text in enumerate(LIBRARY)}
    return files | {f"r{i}/{kind}": text for i, (kind, text) in enumerate(REPORTED.items())}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], set[str]]:
    """(files the scan of the change reports, files plain detect-secrets reports)."""
    repo = Repo(tmp_path_factory.mktemp("repo"))
    diff = repo.change(_files())
    run = subprocess.run([str(DETECT_SECRETS), "scan", "--all-files", "."], cwd=repo.root,
                         capture_output=True, text=True, check=True)
    return {hit.path for hit in scan_added_lines(diff)}, set(json.loads(run.stdout)["results"])


@pytest.mark.parametrize("prefix", ["c", "l"])
def test_a_programs_variable_is_quiet_where_detect_secrets_is(
        scanned: tuple[set[str], set[str]], prefix: str) -> None:
    ours, plain = scanned
    paths = [p for p in _files() if p.startswith(prefix)]
    assert sorted(p for p in paths if p in ours and p not in plain) == []
    assert sum(p not in plain for p in paths) >= len(paths) * 0.9  # the oracle is quiet


def test_real_values_in_the_same_files_are_still_reported(
        scanned: tuple[set[str], set[str]]) -> None:
    ours, _ = scanned
    assert sorted(p for p in _files() if p.startswith("r") and p not in ours) == []
