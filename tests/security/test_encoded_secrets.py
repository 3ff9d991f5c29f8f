"""A credential wrapped in base64 or hex is a committed credential. The scan read the text
as written, so an AWS credentials file base64-encoded under a name that is no keyword
(`export const bootstrap = "W2RlZmF1bHRd…"`) passed the secrets gate (exit 0) while
detect-secrets reports a Base64 High Entropy String there. Now base64 and hex runs that
decode to text are scanned again, two encodings deep (gitleaks' `--max-decode-depth`).
Generated: secrets the scan finds written plainly, encoded once or twice (base64 standard or
URL-safe, padded or not, wrapped at 76 or not; hex), in a JS string, a YAML value, a JSON
field, a Python bytes literal or a shell variable under a name that says nothing; and what
decodes to no secret (random bytes, lockfile integrity hashes, commit SHAs, PNG data URIs,
harmless text), which is never reported."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import struct
import zlib
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.decoded import encoded_runs
from reviewloop.checks.secrets.diff_scan import scan_changes
from reviewloop.checks.secrets.scanner import redact, scan_text
from reviewloop.git.diff import parse_diff
from tests.support.repos import feature_branch
from tests.support.review_cli import review

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
NAMES = ("bootstrap", "blob", "payload", "seedData", "fixture_a", "initial_state")


def _random(size: int, alphabet: str = ALNUM) -> st.SearchStrategy[str]:
    """Random-looking strings whatever hypothesis shrinks to (drawn from a seed)."""
    return st.integers(0, 2**32).map(
        lambda seed: "".join(random.Random(seed).choices(alphabet, k=size)))


def _aws(key: str, secret: str) -> str:
    return (f"[default]\naws_access_key_id = AKIA{key}\n"
            f"aws_secret_access_key = {secret}\n")


def _pem(seed: int) -> str:
    body = base64.b64encode(random.Random(seed).randbytes(600)).decode()
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN RSA PRIVATE KEY-----\n{lines}\n-----END RSA PRIVATE KEY-----\n"


SECRETS = st.one_of(
    st.builds(_aws, _random(16, UPPER), _random(40, ALNUM + "+/")),
    _random(36).map(lambda t: f"ghp_{t}"),
    st.integers(0, 2**32).map(_pem),
    st.tuples(_random(8, UPPER), _random(10, UPPER), _random(24)).map(
        lambda p: f"https://hooks.slack.com/services/T{p[0]}/B{p[1]}/{p[2]}"),
    _random(24).map(lambda t: f'{{"stripe": "sk_live_{t}"}}'),
)


@dataclass(frozen=True)
class Encoding:
    kind: str  # base64, base64url, hex
    padded: bool
    wrapped: bool

    def apply(self, text: str) -> str:
        raw = text.encode()
        if self.kind == "hex":
            return raw.hex()
        coded = (base64.b64encode(raw) if self.kind == "base64"
                 else base64.urlsafe_b64encode(raw)).decode()
        if not self.padded:
            coded = coded.rstrip("=")
        if self.wrapped:
            coded = "\n".join(coded[i:i + 76] for i in range(0, len(coded), 76))
        return coded


ENCODINGS = st.builds(Encoding, st.sampled_from(("base64", "base64url", "hex")),
                      st.booleans(), st.booleans())


def carry(carrier: str, name: str, coded: str) -> tuple[str, int]:
    """A file's text holding `coded` under `name` in `carrier`'s syntax, and the 0-based
    line in it where `coded` starts."""
    lines = coded.split("\n")
    if carrier == "js":  # a template literal keeps its line breaks
        return f"export const {name} = `{coded}`;\n", 0
    if carrier == "yaml":
        if len(lines) > 1:
            return f"{name}: |\n" + "".join(f"  {line}\n" for line in lines), 1
        return f"{name}: {coded}\n", 0
    if carrier == "json":
        return json.dumps({"version": 2, name: coded}, indent=2) + "\n", 2
    if carrier == "python":
        return f"{name.upper()} = b\"{coded.replace(chr(10), chr(92) + 'n')}\"\n", 0
    return f'{name.upper()}="{coded}"\nexport {name.upper()}\n', 0  # shell


CARRIERS = st.sampled_from(("js", "yaml", "json", "python", "shell"))
FILES = {"js": "src/config.js", "yaml": "deploy/values.yaml", "json": "seed.json",
         "python": "app/fixtures.py", "shell": "scripts/env.sh"}


@dataclass(frozen=True)
class Case:
    path: str
    text: str
    line: int  # 1-based, in the file (after the filler lines)
    coded: str


@st.composite
def encoded_secrets(draw: st.DrawFn) -> Case:
    secret = draw(SECRETS)
    assert scan_text(secret), secret  # the generator makes secrets the scan finds plainly
    coded = draw(ENCODINGS).apply(secret)
    if draw(st.booleans()):  # encoded twice
        coded = draw(ENCODINGS).apply(coded)
    carrier = draw(CARRIERS)
    text, at = carry(carrier, draw(st.sampled_from(NAMES)), coded)
    filler = draw(st.integers(0, 3))
    comment = "//" if carrier == "js" else "#"
    if carrier == "json":
        filler = 0
    return Case(FILES[carrier], "".join(f"{comment} part {n}\n" for n in range(filler)) + text,
                filler + at + 1, coded)


def _png(seed: int) -> bytes:
    rng = random.Random(seed)
    width, height = 8, 8
    raw = b"".join(b"\0" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                             0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _lockfile(seed: int) -> str:
    digest = base64.b64encode(hashlib.sha512(str(seed).encode()).digest()).decode()
    return json.dumps({"packages": {"node_modules/left-pad": {
        "version": "1.3.0", "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
        "integrity": f"sha512-{digest}"}}}, indent=2) + "\n"


HARMLESS = ("The quick brown fox jumps over the lazy dog. " * 3,
            '{"theme": "dark", "retries": 3, "endpoint": "https://example.org/api"}',
            "#!/bin/sh\nset -eu\necho building the site\nmake all\n")

BINARY = st.one_of(  # encodings of bytes that are no text: never decoded for a scan
    st.tuples(st.integers(0, 2**32), ENCODINGS).map(lambda p: ("src/blob.js", _binary(*p))),
    st.integers(0, 2**32).map(lambda s: ("package-lock.json", _lockfile(s))),
    st.integers(0, 2**32).map(lambda s: ("deps.json", json.dumps(
        {"commit": hashlib.sha1(str(s).encode()).hexdigest(),
         "tree": hashlib.sha256(str(s).encode()).hexdigest()}) + "\n")),
    st.integers(0, 2**32).map(lambda s: ("page.html", '<img src="data:image/png;base64,'
                                         f'{base64.b64encode(_png(s)).decode()}">\n')),
)
# 64 bytes of text: once encoded, 86 characters and `==`, the shape of an Azure storage key
SIXTY_FOUR = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do e"[:64]
BENIGN = st.one_of(
    BINARY,
    st.tuples(st.sampled_from(HARMLESS), ENCODINGS, CARRIERS).map(
        lambda p: (FILES[p[2]], carry(p[2], "bootstrap", p[1].apply(p[0]))[0])),
    st.tuples(st.sampled_from((*HARMLESS, SIXTY_FOUR)), ENCODINGS, ENCODINGS, CARRIERS).map(
        lambda p: (FILES[p[3]], carry(p[3], "bootstrap", p[2].apply(p[1].apply(p[0])))[0])))


def _binary(seed: int, encoding: Encoding) -> str:
    raw = random.Random(seed).randbytes(random.Random(seed).randint(24, 300))
    coded = raw.hex() if encoding.kind == "hex" else (
        base64.b64encode(raw) if encoding.kind == "base64" else base64.urlsafe_b64encode(raw)
    ).decode()
    return f'export const bootstrap = "{coded}";\n'


def _added(path: str, text: str) -> str:
    lines = text.splitlines()
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(encoded_secrets())
def test_an_encoded_secret_is_found_on_the_line_it_starts_and_redacted(case: Case) -> None:
    hits = scan_changes(parse_diff(_added(case.path, case.text)))
    # one hit for each credential the secret holds (an AWS key id and its secret: two)
    assert hits and {(h.line, "-encoded" in h.description) for h in hits} == {(case.line, True)}, \
        (case, hits)
    clean = redact(case.text)
    assert "[REDACTED:" in clean, clean
    assert not any(part[:16] in clean for part in case.coded.split("\n")), clean


@settings(max_examples=100, deadline=None, derandomize=True)
@given(BENIGN)
def test_what_decodes_to_no_secret_is_not_reported(benign: tuple[str, str]) -> None:
    path, text = benign
    assert scan_changes(parse_diff(_added(path, text))) == [], text


@settings(max_examples=100, deadline=None, derandomize=True)
@given(BINARY)
def test_binary_is_not_decoded_for_a_scan(binary: tuple[str, str]) -> None:
    """Lockfile hashes, SHAs, images and random bytes cost a decode each, no scan."""
    assert list(encoded_runs(binary[1])) == [], binary


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=encoded_secrets(), benign=BENIGN)
def test_a_review_reports_an_encoded_secret_and_fails_the_gate(
        tmp_path_factory, case: Case, benign: tuple[str, str]) -> None:
    other, text = benign
    root = feature_branch(tmp_path_factory.mktemp("r") / "r", {
        case.path: case.text.encode(), f"other/{other}": text.encode()})
    done = review(root, "--base", "main", "--head", "feature", "--json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert [g["passed"] for g in report["gates"] if g["name"] == "secrets"] == [False]
    found = [(f["file"], f["start_line"]) for f in report["findings"]["remaining"]
             if f["source"] == "secrets"]
    assert found and set(found) == {(case.path, case.line)}, report["findings"]["remaining"]
    assert "-encoded" in json.dumps(report["findings"]["remaining"])


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=64, max_size=64),
       st.booleans())
def test_text_encoded_in_the_shape_of_an_azure_key_is_no_key(text: str, twice: bool) -> None:
    """64 bytes of text encoded are 86 base64 characters and `==`, an Azure storage key's
    shape; encoded again, the decoded layer meets that shape. A key is random bytes: base64
    of text is scanned for what it holds, never reported as a key."""
    coded = base64.b64encode(text.encode()).decode()
    if twice:
        coded = base64.b64encode(coded.encode()).decode()
    line = f'export const bootstrap = "{coded}";\n'
    assert scan_changes(parse_diff(_added("src/blob.js", line))) == [], coded
