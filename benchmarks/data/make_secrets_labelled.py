"""Build secrets_labelled.jsonl: synthetic secrets in their real formats, and look-alikes.

Positives are random bodies of each provider's documented alphabet and length (fixed seed,
so the file is reproducible and no real credential is in it), placed in the contexts they
leak from: source assignments, .env and YAML files, JSON, shell, HTTP headers, URLs.
Negatives are what a scanner trips on: placeholders, environment lookups, lockfile hashes,
UUIDs, base64 images, commit SHAs, obviously fake fixtures, public keys, code that merely
names a secret, and long random-looking identifiers that are not credentials.

    python benchmarks/data/make_secrets_labelled.py   # rewrites the .jsonl next to it
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from pathlib import Path

OUT = Path(__file__).with_name("secrets_labelled.jsonl")
R = random.Random(20240605)

UP, LO, DIG = string.ascii_uppercase, string.ascii_lowercase, string.digits
ALNUM = UP + LO + DIG
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"


def rnd(alphabet: str, n: int) -> str:
    return "".join(R.choice(alphabet) for _ in range(n))


def ctx(name: str, value: str, *, bare: bool = True) -> str:
    """The value assigned to `name` in one of the places secrets are committed; for a token
    whose format alone identifies it (`bare`), half the time with no telling name at all."""
    if bare and R.random() < 0.5:
        return R.choice([
            f'client = Client("{value}")', f"    '{value}',", f"# old: {value}",
            f"curl -s https://api.acme.io/v1/items?k={value}", f"DATA={value}",
            f'args: ["--login", "{value}"]', f"value = '{value}'",
            f'log.info("using {value} for upload")', f"{value}",
            f"| staging | {value} |", f"  cfg.Set(\"upstream\", \"{value}\")"])
    forms = [
        f'{name.lower()} = "{value}"',
        f"{name.upper()}={value}",
        f"  {name.lower()}: {value}",
        f'  "{name}": "{value}",',
        f"const {name} = '{value}';",
        f'export {name.upper()}="{value}"',
        f'os.environ.setdefault("{name.upper()}", "{value}")',
        f"{name} := \"{value}\"",
    ]
    return R.choice(forms)


def positives() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def add(kind: str, *texts: str) -> None:
        out.extend((kind, t) for t in texts)

    for _ in range(6):
        add("aws-access-key-id", ctx("aws_access_key_id",
            R.choice(["AKIA", "ASIA", "AKIA"]) + rnd(UP + "234567", 16)))
        add("aws-secret-access-key", ctx("aws_secret_access_key", rnd(B64, 40), bare=False))
        add("gcp-api-key", ctx(R.choice(["google_api_key", "maps_key", "firebaseApiKey"]),
            "AIza" + rnd(URLSAFE, 35)))
        add("github-token", ctx(R.choice(["github_token", "gh_token", "token"]),
            R.choice(["ghp_", "gho_", "ghs_", "ghu_", "ghr_"]) + rnd(ALNUM, 36)))
        add("gitlab-token", ctx("gitlab_token", "glpat-" + rnd(URLSAFE, 20)))
        add("slack-token", ctx("slack_bot_token", R.choice(["xoxb-", "xoxp-"])
            + f"{R.randint(10**10, 10**12)}-{R.randint(10**10, 10**12)}-" + rnd(ALNUM, 24)))
        add("stripe-key", ctx("stripe_secret_key", R.choice(["sk_live_", "rk_live_"])
            + rnd(ALNUM, R.choice([24, 34, 99]))))
        add("sendgrid-api-key", ctx("sendgrid_api_key",
            "SG." + rnd(URLSAFE, 22) + "." + rnd(URLSAFE, 43)))
        add("npm-token", R.choice([ctx("npm_token", "npm_" + rnd(ALNUM, 36)),
            "//registry.npmjs.org/:_authToken=npm_" + rnd(ALNUM, 36)]))
        add("pypi-token", ctx("pypi_token", "pypi-AgEIcHlwaS5vcmc" + rnd(URLSAFE, 70)))
        add("openai-api-key", ctx("openai_api_key", R.choice([
            "sk-" + rnd(ALNUM, 20) + "T3BlbkFJ" + rnd(ALNUM, 20),
            "sk-proj-" + rnd(URLSAFE, 74) + "T3BlbkFJ" + rnd(URLSAFE, 74)])))
        add("anthropic-api-key", ctx("anthropic_api_key",
            "sk-ant-api03-" + rnd(URLSAFE, 93) + "AA"))
        add("huggingface-token", ctx("hf_token", "hf_" + rnd(UP + LO, 34)))
        add("jwt", ctx(R.choice(["id_token", "session", "auth"]), _jwt()))
        add("private-key", _private_key())
        add("connection-string", _connection_string())
        add("basic-auth-url", R.choice([
            f"git clone https://{rnd(LO, 6)}:{rnd(ALNUM, 14)}@git.corp.net/team/app.git",
            f'REGISTRY = "https://deploy:{rnd(ALNUM + "!$", 16)}@registry.acme.io/v2/"',
            f"curl -u ignored ftp://backup:{rnd(ALNUM, 12)}@files.acme.io/dump.sql"]))
        add("generic-password", ctx(R.choice(["password", "db_password", "admin_pass",
            "smtp_password", "passwd"]), rnd(ALNUM, 4) + R.choice("!#@%&") + rnd(ALNUM, 8),
            bare=False))
        add("generic-secret", ctx(R.choice(["api_key", "secret_key", "client_secret",
            "auth_token", "access_token", "app_secret", "signing_key"]),
            R.choice([rnd(ALNUM, 32), rnd(HEX, 40), rnd(URLSAFE, 43)]), bare=False))
    for _ in range(5):
        add("gcp-service-account", R.choice([
            f'  "private_key_id": "{rnd(HEX, 40)}",',
            '  "private_key": "-----BEGIN PRIVATE KEY-----\\n' + rnd(B64, 64) + "\\n"]))
        add("azure-storage-key", R.choice([
            f"DefaultEndpointsProtocol=https;AccountName={rnd(LO, 10)};AccountKey="
            f"{rnd(B64, 86)}==;EndpointSuffix=core.windows.net",
            ctx("azure_storage_key", rnd(B64, 86) + "==")]))
        add("azure-ad-client-secret", ctx("azure_client_secret",
            rnd(ALNUM, 3) + R.choice(DIG) + "Q~" + rnd(ALNUM + "_~.-", 34)))
        add("twilio", R.choice([ctx("twilio_api_key", "SK" + rnd(HEX, 32)),
            ctx("twilio_auth_token", rnd(HEX, 32), bare=False)]))
        add("discord-bot-token", ctx("discord_token", R.choice("MNO") + rnd(URLSAFE, 23)
            + "." + rnd(URLSAFE, 6) + "." + rnd(URLSAFE, 27)))
        add("telegram-bot-token", ctx("telegram_bot_token",
            f"{R.randint(10**8, 10**9)}:AA" + rnd(URLSAFE, 33)))
        add("mailgun-api-key", ctx("mailgun_api_key", R.choice([
            "key-" + rnd(HEX, 32), f"{rnd(HEX, 32)}-{rnd(HEX, 8)}-{rnd(HEX, 8)}"])))
        add("shopify-token", ctx("shopify_token", R.choice(["shpat_", "shpss_", "shpca_"])
            + rnd(HEX, 32)))
        add("square-token", ctx("square_token", R.choice([
            "EAAA" + rnd(URLSAFE, 60), "sq0atp-" + rnd(URLSAFE, 22),
            "sq0csp-" + rnd(URLSAFE, 43)])))
        add("heroku-api-key", R.choice([
            ctx("heroku_api_key", str(uuid.UUID(int=R.getrandbits(128))), bare=False),
            ctx("heroku_token", "HRKU-AA" + rnd(URLSAFE, 58))]))
        add("github-fine-grained-pat", ctx("github_pat",
            "github_pat_" + rnd(ALNUM, 22) + "_" + rnd(ALNUM, 59)))
        add("slack-webhook", f"SLACK_WEBHOOK=https://hooks.slack.com/services/T{rnd(UP + DIG, 8)}"
            f"/B{rnd(UP + DIG, 10)}/{rnd(ALNUM, 24)}")
        add("http-auth-header", R.choice([
            f'curl -H "Authorization: Bearer {rnd(URLSAFE + ".", 48)}" https://api.acme.io',
            "headers = {'Authorization': 'Basic "
            f"{base64.b64encode(rnd(ALNUM, 24).encode()).decode()}'}}"]))
        add("other-prefixed", R.choice([
            "dop_v1_" + rnd(HEX, 64), "dapi" + rnd(HEX, 32), "dckr_pat_" + rnd(URLSAFE, 27),
            "glsa_" + rnd(ALNUM, 32) + "_" + rnd(HEX, 8), "lin_api_" + rnd(ALNUM, 40),
            "PMAK-" + rnd(HEX, 24) + "-" + rnd(HEX, 34), "hvs." + rnd(URLSAFE, 90),
            "AGE-SECRET-KEY-1" + rnd("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58),
            "gsk_" + rnd(ALNUM, 52), "pul-" + rnd(HEX, 40), "whsec_" + rnd(ALNUM, 32),
            "NRAK-" + rnd(UP + DIG, 27)]))
    # AWS's documented example keys: labelled secrets when this set was written; the scanner
    # now follows gitleaks and AWS and does not report them (two misses, see SOURCES.md)
    add("aws-access-key-id", 'aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"')
    add("aws-secret-access-key",
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    return out


def _jwt() -> str:
    def seg(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
    head = seg({"alg": R.choice(["HS256", "RS256"]), "typ": "JWT"})
    body = seg({"sub": rnd(DIG, 8), "name": rnd(LO, 6), "iat": R.randint(1.5e9, 1.8e9)})
    return f"{head}.{body}.{rnd(URLSAFE, 43)}"


def _private_key() -> str:
    kind = R.choice(["RSA ", "EC ", "OPENSSH ", "", "DSA ", "ENCRYPTED ", "PGP "])
    block = "BLOCK" if kind == "PGP " else ""
    label = f"{kind}PRIVATE KEY{' ' + block if block else ''}"
    body = "\n".join(rnd(B64, 64) for _ in range(4))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"


def _connection_string() -> str:
    pw = rnd(ALNUM, 6) + R.choice("!%^*") + rnd(ALNUM, 6)
    host = R.choice(["db.prod.internal", "10.0.3.7", "cluster0.ab1cd.mongodb.net"])
    return R.choice([
        f"DATABASE_URL=postgres://app_user:{pw}@{host}:5432/orders",
        f'MONGO_URI = "mongodb+srv://admin:{pw}@{host}/prod?retryWrites=true"',
        f"REDIS_URL=redis://default:{pw}@{host}:6379/0",
        f'url: "mysql://root:{pw}@{host}:3306/shop"',
        f"spring.datasource.url=jdbc:postgresql://{host}:5432/app?user=svc&password={pw}",
        f'"Server=tcp:{host},1433;Database=app;User Id=sa;Password={pw};Encrypt=True;"',
        f"amqp://guest:{pw}@{host}:5672/"])


def negatives() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []

    def add(kind: str, *texts: str) -> None:
        out.extend((kind, t) for t in texts)

    add("placeholder",
        'api_key = "<your-api-key>"', "password: changeme", 'token = "${GITHUB_TOKEN}"',
        'secret = "xxxxxxxxxxxxxxxxxxxx"', "AWS_SECRET_ACCESS_KEY=your_secret_access_key_here",
        'password: "********"', "password: {{ .Values.db.password }}",
        'STRIPE_KEY="sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"', "aws_access_key_id = AKIAXXXXXXXXXXXXXXXX",
        'GITHUB_TOKEN="ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"', 'api_key: "REPLACE_ME"',
        'client_secret = "<client-secret>"', "DB_PASSWORD=", 'password = ""',
        "SECRET_KEY=insert-your-secret-key-here", 'token: "TODO"',
        "OPENAI_API_KEY=sk-...", 'password = "%s" % pw', "password: ${DB_PASSWORD:-}",
        "DATABASE_URL=postgres://user:password@localhost:5432/db",
        "mongodb://${MONGO_USER}:${MONGO_PASS}@mongo:27017/app",
        'slack_token = "xoxb-your-token-here"', "auth_token = '[REDACTED]'",
        "api_key = 'dummy-api-key'", 'password = "fake_password_for_tests"',
        'secret_key = "example-secret-key"', 'token = "test-token"', 'password = "password"',
        'api_key = "00000000000000000000000000000000"', "AWS_SECRET_ACCESS_KEY=...",
        'password: "<%= ENV["DB_PASSWORD"] %>"', "npm_token: npm_" + "0" * 36)
    add("env-lookup",
        'password = os.environ["DB_PASSWORD"]', 'api_key = os.getenv("API_KEY")',
        "const token = process.env.GITHUB_TOKEN;", 'secret = ENV.fetch("SECRET_KEY_BASE")',
        "token: ${{ secrets.NPM_TOKEN }}", 'client_secret = settings.CLIENT_SECRET',
        'password := os.Getenv("PGPASSWORD")', "export AWS_SECRET_ACCESS_KEY=$AWS_SECRET",
        'api_key = config["api_key"]', "password = get_password()",
        'token = request.headers["Authorization"]', "self.secret = secret",
        'let apiKey = std::env::var("API_KEY")?;', "password=$(cat /run/secrets/db_password)",
        "secret_key: !Ref SecretKeyParameter", 'auth_token = vault.read("secret/data/app")',
        'password = keyring.get_password("svc", user)',
        "access_token = resp.json()['access_token']")
    for _ in range(9):
        add("lockfile-hash", R.choice([
            f'      "integrity": "sha512-{rnd(B64, 86)}==",',
            f"    --hash=sha256:{rnd(HEX, 64)} \\",
            f'checksum = "{rnd(HEX, 64)}"',
            f"github.com/{rnd(LO, 6)}/{rnd(LO, 5)} v1.2.{R.randint(0, 9)} h1:{rnd(B64, 43)}=",
            f'  resolved "https://registry.yarnpkg.com/x/-/x-1.0.0.tgz#{rnd(HEX, 40)}"']))
        add("uuid", R.choice([f'request_id = "{uuid.UUID(int=R.getrandbits(128))}"',
            f'  "id": "{uuid.UUID(int=R.getrandbits(128))}",',
            f"tenant_id: {uuid.UUID(int=R.getrandbits(128))}",
            f'key_id = "{uuid.UUID(int=R.getrandbits(128))}"']))
        add("commit-sha", R.choice([f"    rev: {rnd(HEX, 40)}",
            f"      - uses: actions/checkout@{rnd(HEX, 40)}",
            f"commit {rnd(HEX, 40)}", f'"sha": "{rnd(HEX, 40)}",',
            f"Merge: {rnd(HEX, 7)} {rnd(HEX, 7)}"]))
        add("base64-image", R.choice([
            f'<img src="data:image/png;base64,iVBORw0KGgo{rnd(B64, 120)}=">',
            f"background: url(data:image/svg+xml;base64,PHN2Zy{rnd(B64, 90)});",
            f'"icon": "data:image/gif;base64,R0lGODlh{rnd(B64, 60)}=="']))
        add("content-hash", R.choice([
            f'<script src="/static/js/main.{rnd(HEX, 8)}.chunk.js"></script>',
            f"image: ghcr.io/acme/api@sha256:{rnd(HEX, 64)}",
            f'etag = "W/\\"{rnd(HEX, 32)}\\""', f"md5sum {rnd(HEX, 32)}  release.tar.gz",
            f'cache_key = "{rnd(HEX, 32)}"', f'"mappings": "AAAA,SAASA,{rnd(B64, 40)}"',
            f'nonce="{rnd(B64, 22)}=="',
            f'fingerprint: "{":".join(rnd(HEX, 2) for _ in range(16))}"']))
    add("public-material",
        "-----BEGIN PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----",
        f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{rnd(B64, 200)} user@host",
        f'public_key = "{rnd(B64, 44)}"', f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{rnd(B64, 43)} ci",
        f'client_id = "{rnd(DIG, 12)}-{rnd(LO + DIG, 32)}.apps.googleusercontent.com"',
        "-----BEGIN PGP PUBLIC KEY BLOCK-----",
        f'stripe_publishable_key = "pk_live_{rnd(ALNUM, 24)}"')
    add("code-naming-secret",
        "def set_password(self, password: str) -> None:", "if password == confirm_password:",
        "max_tokens = 4096", 'token_type = "Bearer"',
        'TOKEN_URL = "https://oauth2.googleapis.com/token"', 'password_field = "password1"',
        "secret_name: prod/app/database", 'api_key_header = "X-API-Key"',
        "# Tokens start with ghp_ followed by 36 characters", 'PASSWORD_MIN_LENGTH = 12',
        "raise ValueError('token expired')", 'key = "user_profile_settings"',
        'sort_key = "created_at"',
        'secret_ref: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app"',
        "password_hash = bcrypt.hashpw(password, bcrypt.gensalt())", 'primary_key = "order_id"',
        "keyboard_layout = 'qwerty'", "tokenizer = AutoTokenizer.from_pretrained(name)",
        'KEY_PREFIX = "reviewloop:"', "auth: true", 'secret: false', "token_count: 1234")
    add("url-without-credentials",
        "postgres://localhost:5432/app", "redis://localhost:6379/0", "postgres://app@db.internal/app",
        "https://github.com/acme/app.git", "git@github.com:acme/app.git",
        "https://user@bitbucket.org/acme/app.git", "amqp://rabbitmq:5672",
        "https://example.com/search?q=token&page=2", "mongodb://mongo:27017/test",
        "https://api.acme.io/v1/users/12345?fields=name,email")
    for _ in range(14):
        add("random-identifier", R.choice([
            f"class {''.join(R.choice(UP) + rnd(LO, R.randint(3, 8)) for _ in range(6))}Factory:",
            f"SomeVeryLongGeneratedIdentifier_{rnd(ALNUM, 12)} = 1",
            f'className="css-{rnd(LO + DIG, 6)} {rnd(LO, 4)}-{rnd(LO + DIG, 8)}"',
            f'trace_id = "{rnd(HEX, 32)}"', f'"build_id": "{rnd(ALNUM, 20)}",',
            f'migration = "{rnd(HEX, 12)}_add_user_table"', f'span_id: "{rnd(HEX, 16)}"',
            f'DEVICE_SERIAL = "{rnd(UP + DIG, 16)}"',
            f'session_name = "{rnd(LO, 10)}_{rnd(LO, 8)}"']))
    return out


def main() -> None:
    rows = [{"text": t, "secret": True, "kind": k} for k, t in positives()]
    rows += [{"text": t, "secret": False, "kind": k} for k, t in negatives()]
    OUT.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    print(f"wrote {OUT} ({sum(r['secret'] for r in rows)} positives, "
          f"{sum(not r['secret'] for r in rows)} negatives)")


if __name__ == "__main__":
    main()
