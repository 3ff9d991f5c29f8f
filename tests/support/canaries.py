"""A hostile repository and environment full of canaries, and the grep that finds them.

A canary is a string that must never leave the machine nor land in a report or a log:
credentials in reviewloop's own environment, real-format secrets in code a change adds,
the contents of sensitive files the change adds, and what a test in the change prints of
all that when the gates run it. `leaks` finds a canary however the text was laid out:
wrapped by the terminal, escaped in JSON, cut into a long token's pieces.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from reviewloop.review.definitions import builtin_names
from tests.support.bedrock import RecordedRequest, tool_use
from tests.support.repos import branch_repo

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
REVIEWERS = builtin_names()  # from the registry: a new built-in needs no edit here


def _noise(seed: str, length: int) -> str:
    """Random-looking letters and digits of its own per seed: no two canaries share a piece."""
    text = ""
    while len(text) < length:
        digest = hashlib.sha256(f"{seed}{len(text)}".encode()).digest()
        text += base64.b64encode(digest).decode().rstrip("=").replace("+", "").replace("/", "")
    return text[:length]


# --- reviewloop's own environment ----------------------------------------------------------
# An STS token opens with a fixed header (`IQoJb3JpZ2luX2Vj…`, `//////////`); what follows is
# this one's own.
STS_HEAD = "IQoJb3JpZ2luX2VjEJr//////////wEa"
SESSION_TOKEN = f"{STS_HEAD}CanaryEnvSession{_noise('session', 120)}=="
GITHUB_TOKEN = "ghs_CanaryEnvGithub4w8E2r6T0y3U7i1O5pXy"
DATABASE_PASSWORD = "CanaryEnvDbPw4Tq8Zm"
ENVIRONMENT = {
    "AWS_SECRET_ACCESS_KEY": "wJalrCanaryEnvSecret7Kp2Qx9Lm4Rt8Yv1Zb3N",
    "AWS_SESSION_TOKEN": SESSION_TOKEN,
    "GITHUB_TOKEN": GITHUB_TOKEN,
    "DATABASE_URL": f"postgres://app:{DATABASE_PASSWORD}@db.internal:5432/prod",
    "MY_API_KEY": "CanaryEnvMyApiKey9Rf3Hx6",
}
# What to look for: the secret part (the public head of a token or a URL is no canary).
ENV_CANARIES = {
    "AWS_SECRET_ACCESS_KEY": ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
    "AWS_SESSION_TOKEN": SESSION_TOKEN.removeprefix(STS_HEAD),
    "GITHUB_TOKEN": GITHUB_TOKEN,
    "DATABASE_URL": DATABASE_PASSWORD,
    "MY_API_KEY": ENVIRONMENT["MY_API_KEY"],
}

# --- secrets in the code the change adds (formats the scanner knows) -----------------------
AWS_KEY_ID = "AKIAZ7CANARY4QW2XN5M"
AWS_SECRET = "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"
GHP = "ghp_CanaryT0k3nR7mK2pQ9xV4sL8nT1wZ6yB3c5"
PG_PASSWORD = "canarypass-9d1f"
SLACK = "Xq7CanaryWebhookR2mK9pL4vZ8"
SLACK_URL = f"https://hooks.slack.com/services/T0CANARY1/B0CANARY2/{SLACK}"
JWT_HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"  # {"alg":"HS256","typ":"JWT"}: public
JWT_SECRET = ("eyJzdWIiOiJjYW5hcnktdXNlciIsInJvbGUiOiJhZG1pbiJ9"
              ".Q2FuYXJ5SldUc2lnbmF0dXJlX3Y3a1A5")
JWT = f"{JWT_HEADER}.{JWT_SECRET}"
PEM_HEAD = "MIIEpAIBAAKCAQEA"  # every 2048-bit RSA key opens so: public
PEM_LINE = f"{PEM_HEAD}CanaryPemKey{_noise('pem', 36)}"
PASSWORD = "Hunter7CanaryPw!q"  # bandit B105 quotes it in its message
SETTINGS = f'''"""Service settings."""

AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"
AWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"
GITHUB_TOKEN = "{GHP}"
DATABASE = "postgres://app:{PG_PASSWORD}@db.internal:5432/prod"
SLACK_HOOK = "{SLACK_URL}"
SESSION = "{JWT}"
'''
SIGNING = ('SIGNING_KEY = """-----BEGIN RSA PRIVATE KEY-----\n'
           f"{PEM_LINE}\n{_noise('pem body', 64)}\n"
           '-----END RSA PRIVATE KEY-----"""\n')
AUTH = f'def login(user: str) -> bool:\n    password = "{PASSWORD}"\n    return user == password\n'

# --- sensitive files the change adds ---------------------------------------------------------
DOTENV = "CanaryDotenvSecret5Kq8Zr2Lm"
CREDENTIALS = "CanaryCredsJson3Wt6Yp9Vb"
SSH_HEAD = "b3BlbnNzaC1rZXktdjEAAAAA"  # "openssh-key-v1": every OpenSSH key opens so
SSH_LINE = f"{SSH_HEAD}CanarySshKey{_noise('ssh', 34)}"
SENSITIVE = {
    ".env": f"SESSION_SECRET={DOTENV}\n",
    "config/credentials.json": json.dumps({"client_secret": CREDENTIALS}) + "\n",
    "id_ed25519": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SSH_LINE}\n"
                  f"{_noise('ssh body', 64)}\n"
                  "-----END OPENSSH PRIVATE KEY-----\n",
}
FILE_CANARIES = {
    "aws key id": AWS_KEY_ID, "aws secret": AWS_SECRET, "ghp token": GHP,
    "postgres password": PG_PASSWORD, "private key": PEM_LINE.removeprefix(PEM_HEAD),
    "slack webhook": SLACK, "jwt": JWT_SECRET, "b105 password": PASSWORD, ".env": DOTENV,
    "config/credentials.json": CREDENTIALS, "id_ed25519": SSH_LINE.removeprefix(SSH_HEAD),
}
CANARIES = {**{f"env {k}": v for k, v in ENV_CANARIES.items()}, **FILE_CANARIES}

# The change exfiltrates: the gates run this test (sandboxed) and show what it printed.
LEAK_TEST = '''import os
from pathlib import Path


def test_prints_what_it_can_reach():
    print(sorted(os.environ.items()))
    for name in (".env", "config/credentials.json", "id_ed25519", "src/settings.py"):
        try:
            print(name, Path(name).read_text())
        except OSError as exc:
            print(name, exc)
    from src import feature  # the task's module, written by the run

    assert feature.READY
'''
SPEC = "# Tasks\n\n- [ ] 1. Add the feature flag\n  - src/feature.py sets READY\n"


def hostile_repo(root: Path) -> Path:
    """A repository on branch `feature` whose one commit over `main` is the hostile change."""
    files = {"src/__init__.py": "", "src/app.py": "def ok() -> int:\n    return 1\n",
             "tests/test_app.py": "from src.app import ok\n\n\ndef test_ok():\n"
                                  "    assert ok() == 1\n",
             ".kiro/specs/app/tasks.md": SPEC,
             ".reviewloop.toml": f'[gates]\nbuild = []\ntest = ["{sys.executable} -m pytest '
                                 '-q -p no:cacheprovider"]\n'}
    return branch_repo(root, files, {
        "src/settings.py": SETTINGS, "src/signing.py": SIGNING, "src/auth.py": AUTH,
        "tests/test_leak.py": LEAK_TEST, **SENSITIVE}, message="settings, signing and auth")


def environment(home: Path, tools: Path, **extra: str) -> dict[str, str]:
    """The environment of a CLI run: this one's, with the canaries in place of anything
    secret, an empty `$HOME` and cache, and no AWS configuration but the canaries."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "REVIEWLOOP_", "GITHUB_")) and k != "GH_TOKEN"}
    env.update({
        "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"), "AWS_CONFIG_FILE": str(home / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "AKIDFAKEFAKEFAKE",
        "AWS_REGION": "us-east-1", "REVIEWLOOP_TOOLS_DIR": str(tools),
        "REVIEWLOOP_TOOLS_OFFLINE": "1", "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "canary tests", "GIT_AUTHOR_EMAIL": "canary@reviewloop.invalid",
        "GIT_COMMITTER_NAME": "canary tests", "GIT_COMMITTER_EMAIL": "canary@reviewloop.invalid",
        **ENVIRONMENT, **extra})
    return env


# --- what the model does ---------------------------------------------------------------------

def quoting_finding() -> dict[str, Any]:
    """A finding that quotes the secrets as a model quotes code: the whole line."""
    line = SETTINGS.splitlines().index(f'GITHUB_TOKEN = "{GHP}"') + 1
    return {"severity": "must_fix", "file": "src/settings.py", "start_line": line,
            "end_line": line, "title": f'Hard-coded token: GITHUB_TOKEN = "{GHP}"',
            "rationale": f'Next to it: AWS_SECRET_ACCESS_KEY = "{AWS_SECRET}", '
                         f'AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}", DATABASE = "postgres://app:'
                         f'{PG_PASSWORD}@db.internal:5432/prod", SLACK_HOOK = "{SLACK_URL}".',
            "suggestion": f"Rotate the session {JWT} and read every key from the environment.",
            "replacement": f'GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]  # was "{GHP}"\n',
            "confidence": 0.9}


def script_reviewers(fake) -> None:
    """The security reviewer tries the sensitive files, reads and greps the secrets, and
    quotes them in its finding; the others find nothing."""
    def tries(finding: dict) -> list:
        return [tool_use("fs_read", {"path": ".env"}),
                tool_use("fs_read", {"path": "id_ed25519"}),
                tool_use("fs_read", {"path": "src/settings.py"}),
                tool_use("grep", {"pattern": "AKIA|ghp_|hooks|BEGIN|password"}),
                tool_use("submit_findings", {"findings": [finding]})]
    fake.script("agent: review-security", tries(quoting_finding()))
    for name in REVIEWERS[1:]:
        fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})])
    # asked with the others in one call (`[review] combined_review`), the same tries
    fake.script("agents: ", tries({**quoting_finding(), "agent": "review-security"}))


# --- the grep ------------------------------------------------------------------------------

# What a renderer puts between a canary's characters: line breaks, JSON's backslashes,
# zero-width spaces, a terminal table's borders.
_LAYOUT = dict.fromkeys([*map(ord, " \t\r\n\v\f\\\u200b\u200c\u200d\u2060\ufeff"),
                         *range(0x2500, 0x2580)])
PIECE = 12  # any 17 characters of a canary in a row hold one of its pieces: a leak


def needles(value: str) -> list[str]:
    """Overlapping 12-character pieces of `value`: a canary cut by a log, a preview or a
    narrow table column still leaks if a piece of it shows."""
    return [value[i:i + PIECE] for i in range(0, max(1, len(value) - PIECE + 1), PIECE // 2)]


def leaks(texts: Iterable[tuple[str, str]],
          canaries: dict[str, str] = CANARIES) -> list[tuple[str, str]]:
    """(canary, where) for every canary found in a (where, text), also laid out across
    lines, escapes and table borders."""
    found = []
    for where, text in texts:
        flat = text.translate(_LAYOUT)
        for name, value in canaries.items():
            if any(n in text or n in flat for n in needles(value)):
                found.append((name, where))
    return found


def strings(data: Any) -> Iterator[str]:
    """Every string in parsed JSON, keys included: no escaping hides a canary."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(data, list | tuple):
        for item in data:
            yield from strings(item)


# Where a credential is sent on purpose: the request's own authentication.
AUTH_HEADERS = frozenset({"authorization", "x-amz-security-token"})


def sent_to_bedrock(requests: Iterable[RecordedRequest]) -> list[tuple[str, str]]:
    """Each recorded Converse request's body and headers (not its authentication)."""
    texts = []
    for n, request in enumerate(requests):
        texts.append((f"bedrock request {n} body", "\n".join(strings(request.body))))
        texts.append((f"bedrock request {n} headers", "\n".join(
            f"{k}: {v}" for k, v in request.headers.items() if k.lower() not in AUTH_HEADERS)))
    return texts


def sent_to_github(calls: Iterable[Any]) -> list[tuple[str, str]]:
    """Each recorded GitHub request: path, query, body and headers (not its token)."""
    return [(f"github {call.method} {call.path}", "\n".join([
        call.path, *strings(call.query), *strings(call.body),
        *(f"{k}: {v}" for k, v in call.headers.items() if k not in AUTH_HEADERS)]))
        for call in calls]


def files_under(folder: Path, *, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(path, text) of every file under `folder` except those under the folders in `skip`."""
    skipped = tuple(skip)
    return [(str(path), path.read_bytes().decode("utf-8", "replace"))
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not any(part in skipped for part in
                                          path.relative_to(folder).parts)]
