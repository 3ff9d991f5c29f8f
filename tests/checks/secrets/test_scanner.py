"""reviewloop.checks.secrets.scanner: each family found on the right line of a diff,
placeholders left alone, redaction, the findings mapping, and the quality floor on the labelled set.

Tokens are assembled at run time (prefix + a body of the right alphabet) so this file holds
no string that a secret scanner or push protection would take for a real credential.
"""

from __future__ import annotations

import random
import string
from itertools import pairwise

import pytest

from reviewloop.checks.secrets.diff_scan import scan_added_lines
from reviewloop.checks.secrets.scanner import (
    EXAMPLE_CONFIDENCE,
    SecretHit,
    entropy,
    redact,
    redact_around,
    redact_finding,
    scan_text,
    to_findings,
)
from reviewloop.findings.schema import Finding, Severity

_R = random.Random(7)
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"


def body(alphabet: str, n: int) -> str:
    return "".join(_R.choice(alphabet) for _ in range(n))


def pem(label: str) -> str:
    lines = "\n".join(body(B64, 64) for _ in range(3))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----"


# (family, text containing one secret, expected rule id)
FAMILIES = [
    ("aws key id", f'aws_access_key_id = "AKIA{body("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}"',
     "aws-access-key-id"),
    ("aws secret", f"aws_secret_access_key: {body(B64, 40)}", "aws-secret-access-key"),
    ("gcp api key", f"key = 'AIza{body(URLSAFE, 35)}'", "gcp-api-key"),
    ("gcp service account", f'  "private_key_id": "{body(HEX, 40)}",', "gcp-service-account-key"),
    ("azure storage", "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey="
     f"{body(B64, 86)}==;EndpointSuffix=core.windows.net", "azure-storage-key"),
    ("azure ad secret", f"CLIENT_SECRET={body(ALNUM, 3)}8Q~{body(ALNUM, 34)}",
     "azure-ad-client-secret"),
    ("github classic", f"token: ghp_{body(ALNUM, 36)}", "github-token"),
    ("github app", f"GH=ghs_{body(ALNUM, 36)}", "github-token"),
    ("github fine-grained", f"pat = 'github_pat_{body(ALNUM, 22)}_{body(ALNUM, 59)}'",
     "github-fine-grained-pat"),
    ("gitlab", f"GITLAB_TOKEN=glpat-{body(URLSAFE, 20)}", "gitlab-token"),
    ("slack", f"bot = 'xoxb-{body(string.digits, 11)}-{body(string.digits, 12)}-"
     f"{body(ALNUM, 24)}'", "slack-token"),
    ("slack webhook", f"url: https://hooks.slack.com/services/T{body(ALNUM, 8)}/"
     f"B{body(ALNUM, 10)}/{body(ALNUM, 24)}", "slack-webhook"),
    ("stripe", f"stripe.api_key = 'sk_live_{body(ALNUM, 24)}'", "stripe-key"),
    ("twilio", f"sid = 'SK{body(HEX, 32)}'", "twilio-api-key"),
    ("sendgrid", f"SENDGRID=SG.{body(URLSAFE, 22)}.{body(URLSAFE, 43)}", "sendgrid-api-key"),
    ("npm", f"//registry.npmjs.org/:_authToken=npm_{body(ALNUM, 36)}", "npm-token"),
    ("pypi", f"password = pypi-AgEIcHlwaS5vcmc{body(URLSAFE, 60)}", "pypi-token"),
    ("openai", f"OPENAI_API_KEY=sk-proj-{body(URLSAFE, 60)}T3BlbkFJ{body(URLSAFE, 60)}",
     "openai-api-key"),
    ("anthropic", f"key = 'sk-ant-api03-{body(URLSAFE, 93)}AA'", "anthropic-api-key"),
    ("huggingface", f"HF_TOKEN=hf_{body(string.ascii_letters, 34)}", "huggingface-token"),
    ("google oauth", f"secret: GOCSPX-{body(URLSAFE, 28)}", "google-oauth-client-secret"),
    ("jwt", "auth = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IiLCJpYXQiOjE3MDAwMDAwMDB9."
     f"{body(URLSAFE, 43)}'", "jwt"),
    ("discord", f"DISCORD=M{body(URLSAFE, 23)}.{body(URLSAFE, 6)}.{body(URLSAFE, 27)}",
     "discord-bot-token"),
    ("telegram", f"bot = '123456789:AA{body(URLSAFE, 33)}'", "telegram-bot-token"),
    ("mailgun", f"MAILGUN=key-{body(HEX, 32)}", "mailgun-api-key"),
    ("shopify", f"shop_token = 'shpat_{body(HEX, 32)}'", "shopify-token"),
    ("square", f"SQUARE=sq0csp-{body(URLSAFE, 43)}", "square-token"),
    ("heroku", f"HEROKU_API_KEY=HRKU-AA{body(URLSAFE, 58)}", "heroku-api-key"),
    ("digitalocean", f"do = 'dop_v1_{body(HEX, 64)}'", "digitalocean-token"),
    ("private key", pem("RSA PRIVATE KEY"), "private-key"),
    ("openssh key", pem("OPENSSH PRIVATE KEY"), "private-key"),
    ("pgp key", pem("PGP PRIVATE KEY BLOCK"), "private-key"),
    ("postgres url", f"DATABASE_URL=postgres://app:{body(ALNUM, 14)}@db.internal:5432/app",
     "connection-string-password"),
    ("mongodb url", f'uri = "mongodb+srv://root:{body(ALNUM, 12)}@c0.x1y2z.mongodb.net/db"',
     "connection-string-password"),
    ("redis url", f"REDIS_URL=redis://default:{body(ALNUM, 16)}@cache:6379/0",
     "connection-string-password"),
    ("jdbc", f"url=jdbc:sqlserver://db:1433;database=app;user=sa;password={body(ALNUM, 12)}",
     "connection-string-password"),
    ("ado.net", f'"Server=tcp:db,1433;Database=app;User Id=sa;Password={body(ALNUM, 12)};"',
     "connection-string-password"),
    ("basic auth url", f"git clone https://ci:{body(ALNUM, 16)}@git.acme.io/a/b.git",
     "basic-auth-url"),
    ("bearer header", f'curl -H "Authorization: Bearer {body(URLSAFE, 40)}"', "http-auth-header"),
    ("password assignment", f'DB_PASSWORD = "{body(ALNUM, 6)}#{body(ALNUM, 6)}"',
     "generic-password"),
    ("secret assignment", f"secret_key: {body(ALNUM, 32)}", "generic-secret"),
    ("xml element", f"<apiToken>{body(ALNUM, 32)}</apiToken>", "generic-secret"),
    ("cli flag", f"mysql --password=q{body(ALNUM, 4)}7{body(ALNUM, 3)}x -h db", "generic-password"),
]

PLACEHOLDERS = [
    'api_key = "<your-api-key>"', "password: changeme", 'token = "${GITHUB_TOKEN}"',
    "secret = 'xxxxxxxxxxxxxxxxxxxxxxxx'", 'password = os.environ["DB_PASSWORD"]',
    'api_key = os.getenv("API_KEY")', "const token = process.env.NPM_TOKEN;",
    "token: ${{ secrets.NPM_TOKEN }}", "AWS_SECRET_ACCESS_KEY=your_secret_access_key_here",
    'password: "********"', "password: {{ .Values.password }}", "password = get_password()",
    "stripe_key = 'sk_live_" + "x" * 24 + "'", "gh = 'ghp_" + "0" * 36 + "'",
    "DATABASE_URL=postgres://user:password@localhost:5432/db",
    "mongodb://${MONGO_USER}:${MONGO_PASS}@mongo:27017/app", 'password = "password"',
    "api_key = 'dummy-api-key'", 'secret_key = "example-secret-key"', 'token = "test-token"',
    "max_tokens = 4096", 'token_type = "Bearer"', "if password == confirm_password:",
    f'cache_key = "{body(HEX, 32)}"', f'request_id = "{body(HEX, 8)}-{body(HEX, 4)}-4{body(HEX, 3)}'
    f'-a{body(HEX, 3)}-{body(HEX, 12)}"', f"    --hash=sha256:{body(HEX, 64)}",
    f'"integrity": "sha512-{body(B64, 86)}=="', f"    rev: {body(HEX, 40)}",
    f'<img src="data:image/png;base64,iVBORw0KGgo{body(B64, 120)}=">',
    "-----BEGIN PUBLIC KEY-----", f'public_key = "{body(B64, 44)}"',
    "postgres://localhost:5432/app", "https://user@bitbucket.org/acme/app.git",
]


@pytest.mark.parametrize(("family", "text", "rule"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_each_family_is_found_in_text(family: str, text: str, rule: str) -> None:
    hits = scan_text(text)
    assert [h.rule for h in hits] == [rule], f"{family}: {text!r}"


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholders_and_lookalikes_are_not_flagged(text: str) -> None:
    assert scan_text(text) == []


def _diff(path: str, old: list[str], new: list[str], *, start: int = 1) -> str:
    """A one-hunk unified diff: `old` lines removed, `new` lines added, after one context line."""
    head = (f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
            f"@@ -{start},{len(old) + 1} +{start},{len(new) + 1} @@\n context\n")
    return head + "".join(f"-{line}\n" for line in old) + "".join(f"+{line}\n" for line in new)


@pytest.mark.parametrize(("family", "text", "rule"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_each_family_is_found_on_its_new_file_line_in_a_diff(family: str, text: str,
                                                             rule: str) -> None:
    added = ["x = 1", *text.split("\n"), "y = 2"]
    hits = scan_added_lines(_diff("app/settings.py", ["old = 0"], added, start=10))
    assert [(h.path, h.rule, h.line) for h in hits] == [("app/settings.py", rule, 12)]


def test_only_added_lines_are_scanned() -> None:
    removed = f"TOKEN=ghp_{body(ALNUM, 36)}"
    context = f"STRIPE=sk_live_{body(ALNUM, 24)}"
    diff = (
        "diff --git a/a.env b/a.env\n--- a/a.env\n+++ b/a.env\n@@ -1,3 +1,3 @@\n"
        f" {context}\n-{removed}\n+TOKEN=${{GITHUB_TOKEN}}\n x\n")
    assert scan_added_lines(diff) == []


def test_added_lines_across_files_and_hunks_report_file_and_line() -> None:
    gl = f"glpat-{body(URLSAFE, 20)}"
    aws = f"AKIA{body('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 16)}"
    diff = (
        "diff --git a/ci.yml b/ci.yml\nnew file mode 100644\n--- /dev/null\n+++ b/ci.yml\n"
        f"@@ -0,0 +1,3 @@\n+jobs:\n+  token: {gl}\n+  ok: true\n"
        "diff --git a/src/c.py b/src/c.py\n--- a/src/c.py\n+++ b/src/c.py\n"
        "@@ -1,2 +1,2 @@\n a = 1\n-b = 2\n+b = 3\n"
        f"@@ -40,2 +40,3 @@\n c = 1\n+KEY = '{aws}'\n d = 2\n")
    hits = scan_added_lines(diff)
    assert [(h.path, h.line, h.rule, h.column) for h in hits] == [
        ("ci.yml", 2, "gitlab-token", 10), ("src/c.py", 41, "aws-access-key-id", 8)]
    assert all(gl not in h.preview and aws not in h.preview for h in hits)


def test_a_key_block_added_whole_is_one_hit_on_its_begin_line() -> None:
    block = pem("EC PRIVATE KEY").split("\n")
    hits = scan_added_lines(_diff("k.pem", [], block, start=1))
    assert [(h.rule, h.line, h.column) for h in hits] == [("private-key", 2, 1)]


def test_aws_documented_example_keys_are_not_reported() -> None:
    # AWS never issues keys ending in EXAMPLE; gitleaks' rule tests list it as a false positive
    assert scan_text('aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"') == []
    assert scan_text("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") == []


def test_the_jwt_io_sample_token_is_reported_with_lowered_confidence() -> None:
    token = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4"
             "gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
    hits = scan_text(f"auth = '{token}'")
    assert [(h.rule, h.confidence) for h in hits] == [("jwt", EXAMPLE_CONFIDENCE)]


def test_hit_locates_the_secret_and_previews_without_leaking_it() -> None:
    token = f"ghp_{body(ALNUM, 36)}"
    text = f"first line\n  headers = {{'x': '{token}'}}\n"
    [hit] = scan_text(text, path="api.py")
    assert (hit.path, hit.line, hit.column, hit.end_column) == ("api.py", 2, 20, 20 + len(token))
    assert text[hit.start:hit.end] == token
    assert hit.preview == "ghp_…[redacted]"


@pytest.mark.parametrize(("family", "text", "rule"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_redact_removes_every_hit(family: str, text: str, rule: str) -> None:
    secrets = [text[h.start:h.end] for h in scan_text(text)]
    redacted = redact(text)
    assert f"[REDACTED:{rule}]" in redacted
    assert scan_text(redacted) == []
    assert not any(s in redacted for s in secrets)


def test_redact_keeps_the_rest_of_the_text() -> None:
    token = f"xoxp-{body(string.digits, 11)}-{body(ALNUM, 24)}"
    text = f"prompt: fix this\nSLACK={token}\npassword = os.environ['P']\n"
    assert redact(text) == ("prompt: fix this\nSLACK=[REDACTED:slack-token]\n"
                            "password = os.environ['P']\n")


def test_redact_of_clean_text_is_the_identity() -> None:
    text = "def f(password):\n    return hash(password)\n"
    assert redact(text) == text


def test_redact_around_scans_the_text_around_the_part_already_redacted() -> None:
    """A round's prompt around its diff, redacted file by file already: the task and the
    evidence around it are scanned, the diff is not scanned a second time, and the prompt's
    own redaction (every model message passes it) answers the same from then on."""
    ghp = "ghp_" + body(ALNUM, 36)
    xox = f"xoxp-{body(string.digits, 11)}-{body(ALNUM, 24)}"
    diff = redact(f"+GITHUB={ghp}\n" + "+x = 1\n" * 3000)  # large: remembered
    # a second pass would take the URL after the placeholder for a credential's value
    doubled = '+curl -s -v --user [REDACTED:curl-credentials] "https://api.contoso.org/user/me"\n'
    clean = "```diff\n" + diff + doubled + "```"
    prompt = f"# The task\n\nSLACK={xox}\n\n# The change\n\n{clean}\n\n# After\n{xox}\n"
    out = redact_around(prompt, clean)
    assert out == ("# The task\n\nSLACK=[REDACTED:slack-token]\n\n# The change\n\n" + clean
                   + "\n\n# After\n[REDACTED:slack-token]\n")
    assert "[REDACTED:github-token]" in out and ghp not in out
    assert redact(prompt) == out  # the message's own redaction: the same text
    assert "[REDACTED:generic-secret]" in redact(doubled)  # what the second pass would do


def test_redact_around_without_its_part_scans_everything() -> None:
    xox = f"xoxp-{body(string.digits, 11)}-{body(ALNUM, 24)}"
    assert redact_around(f"SLACK={xox}\n", "not in the text") == "SLACK=[REDACTED:slack-token]\n"
    assert redact_around(f"SLACK={xox}\n", "") == "SLACK=[REDACTED:slack-token]\n"


def test_to_findings_maps_hits_to_must_fix_findings() -> None:
    key = f"SG.{body(URLSAFE, 22)}.{body(URLSAFE, 43)}"
    [finding] = to_findings(scan_added_lines(_diff("conf/.env", [], [f"SENDGRID={key}"])))
    assert isinstance(finding, Finding)
    assert (finding.severity, finding.source, finding.rule, finding.agent) == (
        Severity.MUST_FIX, "secrets", "sendgrid-api-key", "review-security")
    assert (finding.file, finding.start_line, finding.end_line) == ("conf/.env", 2, 2)
    assert finding.confidence == 0.95
    assert key[4:] not in finding.model_dump_json()
    assert f"`{key[:4]}…[redacted]`" in finding.rationale
    assert len(finding.fingerprint) == 64


def test_to_findings_takes_the_agent_name() -> None:
    hit = SecretHit(rule="jwt", description="JSON Web Token", path="a.py", line=3, column=1,
                    end_column=9, preview="eyJh…[redacted]", confidence=0.8, start=0, end=8)
    [finding] = to_findings([hit], agent="review-infrastructure")
    assert finding.agent == "review-infrastructure" and finding.confidence == 0.8


def test_detect_secrets_plugins_are_a_second_layer() -> None:
    # the rule table has no Artifactory row: detect-secrets' plugin finds it
    token = f"AKCp8{body(ALNUM, 69)}"
    [hit] = scan_text(f"repo: {token}\n")
    assert (hit.rule, hit.column, hit.end_column) == (
        "ds-artifactory-credentials", 7, 7 + len(token))
    assert hit.preview == "AKCp…[redacted]"


def test_entropy() -> None:
    assert entropy("") == 0.0
    assert entropy("aaaa") == 0.0
    assert entropy("abcd") == 2.0


# --- known gaps (issue 13) and the overlap check (issue 12) ---------------------------------

def openssh_key() -> str:
    """An OpenSSH key block: the binary header (`openssh-key-v1`, cipher `none`, counts) encodes
    to runs of `A` before the random part."""
    head = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
    lines = [head] + [body(B64, 70) for _ in range(4)]
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) + \
        "\n-----END OPENSSH PRIVATE KEY-----"


def test_an_openssh_private_key_is_found_despite_its_run_of_a() -> None:
    key = openssh_key()
    assert [(h.rule, h.line) for h in scan_text(key)] == [("private-key", 1)]
    assert [h.rule for h in scan_text(key.replace("\n", "\\n"))] == ["private-key"]


@pytest.mark.parametrize("text", [
    "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "A" * 70 + "\n-----END OPENSSH PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\n" + "x" * 64 + "\n-----END PRIVATE KEY-----",
])
def test_a_key_block_with_a_fixture_body_is_not_a_key(text: str) -> None:
    assert scan_text(text) == []


@pytest.mark.parametrize("text", [
    "key = rsa.generate_private_key(key_size=2048, public_exponent=65537)",
    "key = generate_private_key(key_size=2048,",
    "private_key = ec.generate_private_key(ec.SECP384R1(), backend)",
    "def sign(private_key: RSAPrivateKey, data: bytes):",
    "jwt.encode(payload, secret_key, algorithm='HS256')",
    "self.api_key, self.region = config",
    "encrypt(secret_key, payload_bytes_here)",
    "token: Token = make_token(user_id=42)",
])
def test_code_after_a_secret_like_name_is_not_an_assignment(text: str) -> None:
    assert scan_text(text) == []


def test_a_string_literal_argument_after_a_secret_like_name_is_still_found() -> None:
    value = f"{body(ALNUM, 6)}#{body(ALNUM, 6)}"
    for text in (f'set_password("{value}")', f'System.setProperty("DB_PASSWORD", "{value}")'):
        assert [text[h.start:h.end] for h in scan_text(text)] == [value], text


def test_many_candidates_keep_their_order_and_never_overlap() -> None:
    lines = [f'ghp_{body(ALNUM, 36)} api_key_{i} = "{body(ALNUM, 32)}"' for i in range(300)]
    text = "\n".join(lines)
    hits = scan_text(text)
    assert len(hits) == 600
    assert [h.line for h in hits] == [n for n in range(1, 301) for _ in range(2)]
    assert all(a.end <= b.start for a, b in pairwise(hits))
    assert [h.rule for h in hits[:2]] == ["github-token", "generic-secret"]


def test_claim_spans_keeps_the_first_claim_of_an_overlap() -> None:
    from reviewloop.checks.secrets.scanner import claim_spans

    spans = [(10, 20, "a", "", 1.0), (15, 25, "b", "", 1.0), (0, 5, "c", "", 1.0),
             (20, 22, "d", "", 1.0), (4, 11, "e", "", 1.0), (5, 10, "f", "", 1.0)]
    assert [s[2] for s in claim_spans(spans)] == ["c", "f", "a", "d"]


def test_redact_finding_replaces_secrets_in_each_text_and_keeps_a_clean_finding() -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    clean = Finding(severity=Severity.MUST_FIX, file="a.py", start_line=1, end_line=1,
                    title="t", rationale="no secret here", suggestion="s", confidence=1.0,
                    agent="review-security")
    assert redact_finding(clean) is clean
    assert redact_finding(clean.model_copy()) == clean  # asked again: the same answer
    leaky = clean.model_copy(update={"rationale": f"the token {token} is live",
                                     "replacement": f"TOKEN = '{token}'\n"})
    once = redact_finding(leaky)
    assert once.rationale == "the token [REDACTED:github-token] is live"
    assert once.replacement == "TOKEN = '[REDACTED:github-token]'\n"
    assert (once.title, once.suggestion) == ("t", "s")
    assert redact_finding(leaky.model_copy()) == once
