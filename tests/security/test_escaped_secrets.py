"""A credential written with string escapes is a committed credential. The scan read the text
as written, so a YAML value `"AKIAQWERTY\\` + an indented `UIOPASDFGH"` (an escaped line
break every YAML loader joins), `"\\x41KIA…"` or `"\\u0041KIA…"` passed the secrets gate
(exit 0) while detect-secrets, which parses YAML values, reported an AWS key. Now string
literals whose escapes decode a character or join lines are scanned unescaped
(`checks.secrets.escaped`). Generated: each secret kind the rules know (AWS key id and
secret, GitHub token, Slack webhook, private key, a password under a keyword) escaped each
way a carrier reads (`\\x`, `\\u`, `\\U`, `\\u{…}`, octal, surrogate pairs, an escaped line
break at a drawn place) in YAML, JSON, Python, JavaScript and a shell `.env`; the file's own
parser (YAML, JSON, Python) reads the escaped value back as the secret. And what holds no
secret however it is escaped (text, line breaks, Windows paths, regexes), never reported."""

from __future__ import annotations

import ast
import base64
import json
import random
from dataclasses import dataclass

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.diff_scan import scan_changes
from reviewloop.checks.secrets.escaped import WINDOW, escaped_candidates, unescape
from reviewloop.checks.secrets.scanner import redact, scan_text
from reviewloop.git.diff import parse_diff
from tests.support.review_cli import review_feature

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _random(size: int, alphabet: str = ALNUM) -> st.SearchStrategy[str]:
    """Random-looking strings whatever hypothesis shrinks to (drawn from a seed)."""
    return st.integers(0, 2**32).map(
        lambda seed: "".join(random.Random(seed).choices(alphabet, k=size)))


def _pem(seed: int) -> str:
    body = base64.b64encode(random.Random(seed).randbytes(300)).decode()
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN RSA PRIVATE KEY-----\n{lines}\n-----END RSA PRIVATE KEY-----"


# (name the value is assigned to, value): each found by the scan written plainly
_SECRETS = st.one_of(
    _random(16, UPPER).map(lambda k: ("aws_access_key_id", f"AKIA{k}")),
    _random(38, ALNUM + "+/").map(lambda k: ("aws_secret_access_key", f"{k[:19]}7/{k[19:]}")),
    _random(36).map(lambda t: ("deploy_token", f"ghp_{t}")),
    st.tuples(_random(8, UPPER), _random(10, UPPER), _random(24)).map(
        lambda p: ("webhook", f"https://hooks.slack.com/services/T{p[0]}/B{p[1]}/{p[2]}")),
    st.integers(0, 2**32).map(lambda seed: ("signing_key", _pem(seed))),
    st.tuples(_random(12, ALNUM + "!%+-_@"), st.booleans()).map(
        lambda p: ("db_password", f"q{p[0]}7" + ("\U0001F511" if p[1] else ""))),
)
# each with the character that is always escaped: one every rule for the kind matches on
# (the Slack rule matches from `hooks.`, the key block's from its dashes' last four)
SECRETS = _SECRETS.map(lambda secret: (*secret, max(0, secret[1].find("hooks."),
                                                      secret[1].find("BEGIN"))))

# the escapes each carrier's strings read; "break" is an escaped line break
# "json" is `\uXXXX` with a surrogate pair past U+FFFF (JSON, JavaScript)
ESCAPES = {"yml": ("x", "u", "U", "break"), "json": ("json",), "py": ("x", "u", "U", "octal"),
           "js": ("x", "json", "braced"), "env": ("x", "octal")}
FILES = {"yml": "deploy/app.yml", "json": "config/app.json", "py": "app/settings.py",
         "js": "src/config.js", "env": "deploy/prod.env"}


def _escape(char: str, style: str) -> str:
    code = ord(char)
    if style == "json" and code > 0xFFFF:  # a surrogate pair
        high, low = divmod(code - 0x10000, 0x400)
        return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04X}"
    if code > {"x": 0xFF, "octal": 0o377, "u": 0xFFFF}.get(style, 0x10FFFF):
        return char  # past what the escape can write: as it is
    return {"x": f"\\x{code:02x}", "u": f"\\u{code:04X}", "json": f"\\u{code:04x}",
            "U": f"\\U{code:08x}",
            "braced": f"\\u{{{code:x}}}", "octal": f"\\{code:03o}"}[style]


def _plain(char: str) -> str:
    """A character as a double-quoted literal holds it unescaped."""
    return {"\n": "\\n", "\\": "\\\\", '"': '\\"'}.get(char, char)


def escaped(value: str, style: str, chosen: set[int], cut: int, anchor: int = 0) -> str:
    """`value` as a double-quoted literal's body: the characters at `chosen` and `anchor`
    escaped in `style`; for "break", an escaped line break before character `cut` (and the
    `anchor` character in `\\x`)."""
    if style == "break":
        return "\\\n    ".join((escaped(value[:cut], "x", {anchor} & {*range(cut)}, -1),
                                 escaped(value[cut:], "x", {anchor - cut}, -1)))
    return "".join(_escape(char, style) if at in chosen or at == anchor
                   or (ord(char) > 0xFFFF and style == "json") else _plain(char)
                   for at, char in enumerate(value))


def carry(carrier: str, name: str, body: str) -> str:
    """A file in `carrier`'s syntax setting `name` to the literal `"body"`; the literal
    starts on the file's third line."""
    if carrier == "yml":
        return f"# settings\nenv:\n  {name}: \"{body}\"\n  region: eu-west-1\n"
    if carrier == "json":
        return f'{{\n  "region": "eu-west-1",\n  "{name}": "{body}"\n}}\n'
    if carrier == "py":
        return f'"""Settings."""\nREGION = "eu-west-1"\n{name.upper()} = "{body}"\n'
    if carrier == "js":
        return f'// settings\nconst region = "eu-west-1";\nexport const {name} = "{body}";\n'
    return f"# production\nREGION=eu-west-1\n{name.upper()}=$'{body}'\n"


@dataclass(frozen=True)
class Case:
    carrier: str
    name: str
    value: str
    text: str


@st.composite
def escaped_secrets(draw: st.DrawFn, carrier: str | None = None) -> Case:
    name, value, anchor = draw(SECRETS)
    carrier = carrier or draw(st.sampled_from(tuple(ESCAPES)))
    style = draw(st.sampled_from(ESCAPES[carrier]))
    chosen = set(draw(st.lists(st.integers(0, len(value) - 1), max_size=6)))
    body = escaped(value, style, chosen, draw(st.integers(1, len(value) - 1)), anchor)
    text = carry(carrier, name, body)
    if carrier == "yml":  # what a YAML loader, JSON parser or Python reads: the secret
        assert yaml.safe_load(text)["env"][name] == value, text
    elif carrier == "json":
        assert json.loads(text)[name] == value, text
    elif carrier == "py":
        assert ast.literal_eval(text.splitlines()[2].split(" = ", 1)[1]) == value, text
    return Case(carrier, name, value, text)


def _added(path: str, text: str) -> str:
    lines = text.splitlines()
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(escaped_secrets())
def test_an_escaped_secret_is_found_on_the_literal_s_line_and_redacted(case: Case) -> None:
    plain = carry("yml" if case.carrier == "env" else case.carrier, case.name,
                  "".join(_plain(c) for c in case.value))
    assert scan_text(plain), plain  # the scan finds the secret written plainly
    hits = scan_changes(parse_diff(_added(FILES[case.carrier], case.text)))
    assert [(h.line, h.description.endswith("(escaped)")) for h in hits] == [(3, True)], \
        (case, hits)
    clean = redact(case.text)  # the literal's whole body
    assert any(f"{q}[REDACTED:" in clean and f"]{q}" in clean for q in "\"'"), clean
    assert case.name.lower() in clean.lower(), clean


# no secret, however it is escaped: text, line breaks in ordinary strings, Windows paths,
# regexes, a shell prompt; under names that say nothing and under a password's name
HARMLESS = ("The quick brown fox jumps over the lazy dog.", "line one\nline two\ttabbed",
            "Hello, world! Caf\u00e9 \u2603 \U0001F600", "Please enter your password",
            "warning: disk almost full", "retries=3 timeout=30s")
LITERALS = ("C:\\\\new\\\\table", "C:\\\\Users\\\\x64\\\\u0041pp", "^\\\\d{3}-\\\\w+$",
            "\\\\d\\\\w\\\\s+\\\\x41", "line\\n\\tnext\\r\\n", "\\033[1;32mok\\033[0m",
            "\\x1b[0m\\x07", "\\u001b]0;title\\u0007", "\\\\\\\\server\\\\share\\\\u00e9")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.sampled_from(HARMLESS), st.sampled_from(tuple(ESCAPES)), st.data(),
       st.sampled_from(("message", "label", "password_hint")))
def test_escaped_text_is_not_reported(words: str, carrier: str, data: st.DataObject,
                                      name: str) -> None:
    style = data.draw(st.sampled_from(ESCAPES[carrier]))
    chosen = set(data.draw(st.lists(st.integers(0, len(words) - 1), max_size=10)))
    body = escaped(words, style, chosen, data.draw(st.integers(1, len(words) - 1)))
    text = carry(carrier, name, body)
    assert scan_changes(parse_diff(_added(FILES[carrier], text))) == [], text


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sampled_from(LITERALS), st.sampled_from(tuple(ESCAPES)),
       st.sampled_from(("pattern", "path", "prompt", "banner")))
def test_paths_regexes_and_terminal_codes_are_not_reported(
        literal: str, carrier: str, name: str) -> None:
    text = carry(carrier, name, literal)
    assert scan_changes(parse_diff(_added(FILES[carrier], text))) == [], text


def test_a_secret_written_plainly_in_an_escaped_literal_keeps_its_rule_s_name() -> None:
    token = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ2b4D"
    hits = scan_text(f'TOKEN = "{token}\\x21"\n')
    assert [(h.rule, h.description) for h in hits] == [("github-token", "GitHub token")]


def test_unescape_reads_each_language_s_escapes() -> None:
    def text(body: str) -> str | None:
        plain = unescape(body)
        return plain.text if plain else None

    assert text("\\x41\\u0042\\U00000043\\u{44}\\105F") == "ABCDEF"
    assert text("pw\\ud83d\\udd11key") == "pw\U0001F511key"  # a JSON surrogate pair
    assert text("AKIA\\\n      QWERTY") == "AKIAQWERTY"  # YAML's escaped line break
    assert text("one\n  second\\x21") == "one second!"  # YAML folds a plain one
    assert unescape("\\\\x41\\\\d\\n") is None  # escaped backslashes decode no character
    assert unescape("\\x1b[1;32mpassed\\x1b[0m") is None  # a control character is no secret's
    assert unescape("caf\\u00e9 ol\\xe9") is None  # nor a word shorter than a secret


@settings(max_examples=3, deadline=None, derandomize=True)
@given(st.tuples(*(escaped_secrets(carrier) for carrier in ESCAPES)))
def test_a_review_reports_escaped_secrets_and_fails_the_gate(cases: tuple[Case, ...]) -> None:
    """One real review of a branch adding a file of each carrier, each with a secret."""
    files: dict[str | bytes, bytes] = {FILES[c.carrier]: c.text.encode() for c in cases}
    files["docs/paths.json"] = b'{"root": "C:\\\\new\\\\table"}\n'
    report = review_feature(files)
    assert [g["passed"] for g in report["gates"] if g["name"] == "secrets"] == [False]
    found = {(f["file"], f["start_line"]) for f in report["findings"]["remaining"]
             if f["source"] == "secrets"}
    assert found == {(FILES[c.carrier], 3) for c in cases}, report["findings"]["remaining"]
    assert all(c.value[-6:] not in json.dumps(report) for c in cases)


@settings(max_examples=10, deadline=None, derandomize=True)
@given(st.integers(50, 2_000), st.sampled_from(('k{i}:"r\\u00e9sum\\u00e9_{i}",',
                                                '"\\x41\\x42cdefgh{i}": 1, ')))
def test_a_line_of_many_escaped_literals_is_scanned_in_linear_text(count: int,
                                                                     shape: str) -> None:
    """One line of `count` escaped literals (a minified bundle, `json.dumps`' `\\u00e9`s):
    the text the layer hands the rules grows with the line, not with its square (each
    literal kept its whole line, scanned again a level down: 3 GB at 5 KB)."""
    line = "{" + "".join(shape.format(i=i) for i in range(count)) + "}\n"
    scanned: list[int] = []

    def scan(text: str, depth: int) -> list:
        scanned.append(len(text))
        return []

    assert list(escaped_candidates(line, scan, depth=1)) == [] and scanned == []  # no layer
    list(escaped_candidates(line, scan))  # reads its own output: the cubic case
    assert len(scanned) == 1 and scanned[0] <= (2 * WINDOW + 40) * count, (scanned, len(line))
