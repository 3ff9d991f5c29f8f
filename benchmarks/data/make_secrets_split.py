"""Build benchmarks/data/secrets_public/*.jsonl: labelled secrets cases from five public
scanners' own test suites, one file per source, each source whole on one side of the split.

    python benchmarks/data/make_secrets_split.py MIRRORS_DIR

MIRRORS_DIR holds bare git clones named `owner+name/repo` (the layout of the fetch tool's
mirrors); the commit read is the clone's HEAD and is written into every row. The sources,
their licences and what is left out are in SOURCES.md next to this file. A row is
`{"text", "label", "source", "rule", "licence", "origin"}`: `label` true = holds a secret.

The split (`SPLIT` below, read by benchmarks/secrets_parity.py): the rules are tuned on
gitleaks and Nosey Parker, the figures are reported on secretlint, trufflehog and
detect-secrets.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "secrets_public"
OLD_SET = HERE / "secrets_public.jsonl"  # gitleaks and detect-secrets rows, built earlier

SPLIT = {"gitleaks": "tune", "noseyparker": "tune",
         "secretlint": "report", "trufflehog": "report", "detect-secrets": "report"}
LICENCES = {"gitleaks": "MIT", "noseyparker": "Apache-2.0", "secretlint": "MIT",
            "trufflehog": "AGPL-3.0 (test strings only)", "detect-secrets": "Apache-2.0"}
REPOS = {"noseyparker": "praetorian-inc+noseyparker", "secretlint": "secretlint+secretlint",
         "trufflehog": "trufflesecurity+trufflehog"}


class Mirror:
    """A bare clone read at its HEAD."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self.head = self._git("rev-parse", "HEAD").strip()

    def _git(self, *args: str) -> str:
        return subprocess.run(["git", "--git-dir", str(self.git_dir), *args], check=True,
                              capture_output=True, text=True, errors="surrogateescape").stdout

    def files(self, under: str) -> list[str]:
        return self._git("ls-tree", "-r", "--name-only", "HEAD", under).splitlines()

    def read(self, path: str) -> str:
        return self._git("show", f"HEAD:{path}")


def row(source: str, text: str, label: bool, rule: str, origin: str) -> dict:
    return {"text": text, "label": label, "source": source, "rule": rule,
            "licence": LICENCES[source], "origin": origin}


# --- Nosey Parker: each rule's `examples` and `negative_examples` --------------------------

def noseyparker(m: Mirror) -> Iterator[dict]:
    for path in m.files("crates/noseyparker/data/default/builtin/rules"):
        if not path.endswith((".yml", ".yaml")):
            continue
        raw = m.read(path)
        # a rule's negatives under a "FIXME: … should match" comment are misses, not
        # negatives: those rules' negatives are left out
        fixme = {match.group(1) for match in re.finditer(
            r"id:\s*(\S+)[\s\S]*?(?=\n- name:|\Z)", raw) if re.search(
            r"#[^\n]*(?:FIXME|TODO)[^\n]*\n\s*negative_examples", match.group(0))}
        for rule in yaml.safe_load(raw).get("rules", []):
            origin = f"{path}@{m.head[:8]}"
            if "secret" not in rule.get("categories", ()):
                continue  # an identifier (an ARN, a bucket, a user name) or a hash
            for text in rule.get("examples") or []:
                yield row("noseyparker", text, True, rule["id"], origin)
            if rule["id"] not in fixme:
                for text in rule.get("negative_examples") or []:
                    if not _np_found_by_another(rule["id"], text, m):
                        yield row("noseyparker", text, False, rule["id"], origin)


_NP_PATTERNS: dict[str, re.Pattern[str]] = {}


def _np_found_by_another(rule_id: str, text: str, m: Mirror) -> bool:
    """Whether another Nosey Parker rule reports `text`: a negative for one rule only (a
    Slack bot token under the user-token rule) is no negative for the rule set."""
    if not _NP_PATTERNS:
        for path in m.files("crates/noseyparker/data/default/builtin/rules"):
            for rule in yaml.safe_load(m.read(path)).get("rules", []) if path.endswith(
                    (".yml", ".yaml")) else []:
                try:
                    _NP_PATTERNS[rule["id"]] = re.compile(rule["pattern"])
                except re.error:
                    continue  # Rust-only syntax: this rule cannot vouch here
    return any(p.search(text) for i, p in _NP_PATTERNS.items() if i != rule_id)


# --- secretlint: each rule package's snapshot inputs, `ng.*` secret, `ok.*` not ------------

# Rules whose snapshots test configuration or a non-secret concern, not credentials.
_SECRETLINT_SKIP = ("pattern", "filter-comments", "example", "no-homedir", "no-dotenv")
# `ok` snapshots that are negative for one rule only: another rule of the preset reports them
_SECRETLINT_ONE_RULE_OK = ("basicauth/test/snapshots/ok.database-urls-not-detected",)


def secretlint(m: Mirror) -> Iterator[dict]:
    pattern = re.compile(r"packages/@secretlint/secretlint-rule-([\w-]+)/test/snapshots/"
                         r"(ng|ok)\.([^/]+)/input(?:\.\w+)?$")
    for path in m.files("packages/@secretlint"):
        match = pattern.match(path)
        if (match is None or match.group(1).startswith("preset")
                or match.group(1) in _SECRETLINT_SKIP or path.endswith(".p12")
                or any(skip in path for skip in _SECRETLINT_ONE_RULE_OK)):
            continue
        config = path.rsplit("/", 1)[0] + "/.secretlintrc.json"
        if config in m.files(path.rsplit("/", 1)[0]):
            continue  # the case depends on its own options
        yield row("secretlint", m.read(path), match.group(2) == "ng",
                  f"{match.group(1)}:{match.group(3)}", f"{path}@{m.head[:8]}")


# --- trufflehog: each detector's pattern test, the inputs it must find a secret in ---------

_GO_STRING = r'`[^`]*`|"(?:[^"\\\n]|\\.)*"'
_DECL = re.compile(rf"(?m)^\s*(\w+)\s*(?:string\s*)?=\s*({_GO_STRING})")
_CASE = re.compile(r"input:\s*(?P<input>.+?),?\s*\n\s*want:\s*(?P<want>[^\n]*)", re.S)


def _go_string(literal: str) -> str:
    if literal.startswith("`"):
        return literal[1:-1]
    return json.loads(literal.replace("\\'", "'"))


def _go_expr(expr: str, names: dict[str, str]) -> str | None:
    """A string from a Go expression of literals, names, `+` and fmt.Sprintf; None if it is
    anything else."""
    expr = expr.strip().rstrip(",").strip()
    sprintf = re.fullmatch(r"fmt\.Sprintf\((.*)\)", expr, re.S)
    if sprintf:
        parts = _split_args(sprintf.group(1))
        values = [_go_expr(p, names) for p in parts]
        if any(v is None for v in values) or not values:
            return None
        fmt, args = values[0], values[1:]
        if fmt is None or fmt.count("%s") + fmt.count("%v") != len(args):
            return None
        return re.sub(r"%[sv]", lambda _: str(args.pop(0)), fmt)
    pieces = _split_args(expr, sep="+")
    if len(pieces) > 1:
        values = [_go_expr(p, names) for p in pieces]
        return None if any(v is None for v in values) else "".join(values)  # type: ignore[arg-type]
    if re.fullmatch(_GO_STRING, expr, re.S):
        try:
            return _go_string(expr)
        except json.JSONDecodeError:
            return None
    return names.get(expr)


def _split_args(text: str, sep: str = ",") -> list[str]:
    """`text` split at top-level `sep` (outside strings and brackets)."""
    parts, depth, current, i = [], 0, "", 0
    while i < len(text):
        literal = re.compile(_GO_STRING, re.S).match(text, i)
        if literal:
            current += literal.group()
            i = literal.end()
            continue
        char = text[i]
        depth += char in "([{"
        depth -= char in ")]}"
        if char == sep and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
        i += 1
    return [*parts, current] if current.strip() else parts


def trufflehog(m: Mirror) -> Iterator[dict]:
    for path in m.files("pkg/detectors"):
        if not path.endswith("_test.go") or "integration" in path:
            continue
        source = m.read(path)
        names = {}
        for name, literal in _DECL.findall(source):
            with contextlib.suppress(json.JSONDecodeError):
                names[name] = _go_string(literal)
        detector = path.split("/")[2]
        for case in _CASE.finditer(source):
            want = case.group("want").strip().rstrip(",")
            if want in ("nil", "[]string{}", "[]string{ }", "[]string(nil)", "") \
                    or not want.startswith("[]string{"):
                continue  # negatives: see SOURCES.md
            text = _go_expr(case.group("input"), names)
            if text and text.strip():
                yield row("trufflehog", text, True, detector, f"{path}@{m.head[:8]}")


# --- gitleaks and detect-secrets: the rows make_secrets_public.py built --------------------

def earlier(source: str) -> Iterator[dict]:
    origin = "benchmarks/data/make_secrets_public.py (see SOURCES.md for files and commits)"
    for line in OLD_SET.read_text(encoding="utf-8").splitlines():
        old = json.loads(line)
        if old["source"] == source:
            yield row(source, old["text"], old["secret"], old["kind"], origin)


def main(argv: list[str]) -> int:
    mirrors = Path(argv[0])
    builders = {
        "gitleaks": lambda: earlier("gitleaks"),
        "noseyparker": lambda: noseyparker(Mirror(mirrors / REPOS["noseyparker"] / "repo")),
        "secretlint": lambda: secretlint(Mirror(mirrors / REPOS["secretlint"] / "repo")),
        "trufflehog": lambda: trufflehog(Mirror(mirrors / REPOS["trufflehog"] / "repo")),
        "detect-secrets": lambda: earlier("detect-secrets"),
    }
    OUT.mkdir(exist_ok=True)
    for source, build in builders.items():
        rows, seen = [], set()
        for r in build():
            if (r["text"], r["label"]) not in seen and len(r["text"]) <= 20_000:
                seen.add((r["text"], r["label"]))
                rows.append(r)
        (OUT / f"{source}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"{source:<15} {SPLIT[source]:<7} {sum(r['label'] for r in rows):>5} secret "
              f"{sum(not r['label'] for r in rows):>4} not")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
