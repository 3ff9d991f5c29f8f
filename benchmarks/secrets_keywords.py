"""The secrets scan's keyword layer against detect-secrets as its users run it (`detect-secrets
scan --all-files .`, its default plugins and filters), per line, on data neither was tuned on:

* recall and false alarms on Skyscanner/whispers' labelled fixtures (config files and code:
  YAML, INI, .env, .properties, .conf, Makefile-like `:=`, shell, Go, Java, JS, PHP, XML,
  JSON), each line labelled as whispers labels it: under a `Noncompliant` marker a line
  holding `hardcoded` is a secret, under a `Compliant` marker every line is none;
* the lines each flags in public repositories holding no secret (`--corpus DIR …`: code and
  config files, tests' fixtures left out), every one of ours printed with `--lines`.

    python benchmarks/secrets_keywords.py                    # the labelled set
    python benchmarks/secrets_keywords.py --root /work/main  # reviewloop from another checkout
    python benchmarks/secrets_keywords.py --corpus DIR … [--lines]
    python benchmarks/secrets_keywords.py --build WHISPERS_GIT_DIR   # rebuild the set

The set is `benchmarks/data/secrets_keywords.jsonl` (whispers @5832bf7, Apache-2.0,
`tests/fixtures/*` with a marker; its `excluded.*`, `paths.yml`, `ruleslist.yml` and
`creditcards.yml` are about whispers' own configuration and are left out). The corpus used
for the figures in the commit: kubernetes/examples @279e8e4f, docker/awesome-compose
@18f59bd, gothinkster/node-express-realworld-example-app @30b68e1, each `git archive HEAD`
into a folder (corpus A); corpus B: gitleaks @b58d3f10 without `testdata/` and
`cmd/generate/config/rules/` (rule tests' secrets), Yelp/detect-secrets @5e14193 without its
tests, and reviewloop's own `reviewloop/`, `docs/`, `agents/`, `workflows/`. detect-secrets
is the venv's (`detect-secrets` beside this Python).

Figures (lines; before = the keyword layer reading a word on a data line only after a bare
`=`, and `:=` as `:` then `=value`; after = 28648dc and the data-line words):

    whispers, recall / clean lines flagged: reviewloop 58/163 → 64/163, 13/301 → 13/301;
        detect-secrets 55/163, 15/301 (its Secret Keyword: 44/163, 15/301)
    corpus A (626 files, 33,432 lines): reviewloop 20 → 39 lines, detect-secrets 46
        (Secret Keyword 32); the 19 new: compose and cassandra.yaml passwords
        (`MYSQL_ROOT_PASSWORD: whalehello`, `- MYSQL_PASSWORD=wordpress`,
        `keystore_password: cassandra`) and `auth.password: ZGVtbw==`; CPU 0.92 → 0.96 s
    corpus B (695 files, 102,369 lines of code): 327 → 327 lines, detect-secrets 276

The file's syntax (`checks/secrets/syntax.py`: a configuration format's lower-case word after
` = ` is a value, `SSHpassword` is SSH + password, Groovy/PHP/Perl/Lua/PowerShell/R read as
code), before = 5989867, after = this change, on the labelled set:

    whispers: reviewloop 64/163 → 66/163 (`settings.ini`'s and `settings.env`'s
        `SSHpassword = hardcoded`), clean lines flagged 12/301 → 12/301
    reviewloop's own reviewloop/, docs/, agents/, workflows/ (512 files, 77,609 lines):
        28 → 28 lines, detect-secrets 28

A configuration file's value shaped like a camelCase name or holding a password word is a
password (`password: s3cr3tP4ss`, `adminpass`), and a file's path under a secret name is
none (`ssl_key: /etc/ssl/private/server.key`); before = 31ab7bc, after = this change:

    whispers: reviewloop 66/163 → 67/163, clean lines flagged 12/301 → 12/301
    reviewloop's own reviewloop/, docs/, agents/, workflows/ (515 files, 78,668 lines):
        28 → 28 lines, detect-secrets 28 (`--root /work/main` for the before)

Compound names (`dbpassword`, `PGPASSWORD`, `clientsecret`), values past 300 characters,
and code references with `?.`, `!.`, `$this->`, `@x`, `${…}` (before = 8abd3bf3, after =
this change; corpus C: eslint/eslint @c27bc926e `lib/ bin/ conf/ docs/src/use/`, axios
@23a25af0 `lib/ index.js`, express @a3714473, typescript-eslint @56c9ed90d0's
`eslint-plugin/src/rules` and `typescript-estree/src`, reviewloop's `docs/`):

    whispers: reviewloop 67/163 → 67/163, clean lines flagged 11/301 → 11/301
    corpus C (686 files, 171,353 lines): 2 → 0 lines (both `?.` / template-literal false
        positives), detect-secrets 1; CPU 2.62 → 2.64 s
    secrets_parity.py report half: recall 1236/1606 → 1262/1606, negatives 5/84 → 5/84
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]  # not stdlib `secrets`
sys.path.insert(0, str(_HERE.parent))
if "--root" in sys.argv:  # reviewloop imported from another checkout (the figures before)
    sys.path.insert(0, sys.argv[sys.argv.index("--root") + 1])

import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from reviewloop.checks.secrets.scanner import scan_text  # noqa: E402

SET = _HERE / "data" / "secrets_keywords.jsonl"
DETECT_SECRETS = Path(sys.executable).with_name("detect-secrets")
_LEFT_OUT = re.compile(r"excluded\.|paths\.yml|ruleslist\.yml|creditcards\.yml")
_NONCOMPLIANT = re.compile(r"(?i)\bnon-?compliant\b")
_COMPLIANT = re.compile(r"(?i)\bcompliant\b")
_SUFFIXES = {".yml", ".yaml", ".env", ".ini", ".cfg", ".conf", ".properties", ".toml", ".py",
             ".js", ".ts", ".go", ".sh", ".json", ".java", ".php", ".rb", ".xml"}
_NAMES = {"Makefile", "Dockerfile", ".env"}
_SKIP_DIRS = {"node_modules", ".git", "testdata", "test_data", "fixtures", "vendor"}

Lines = set[tuple[str, int]]  # (file, 1-based line)


# --- the labelled set ----------------------------------------------------------------------

def build(git_dir: Path) -> int:
    """Rewrite the set from a whispers clone or mirror (`git --git-dir`)."""
    def git(*argv: str) -> str:
        return subprocess.run(["git", f"--git-dir={git_dir}", *argv], capture_output=True,
                              text=True, check=True).stdout
    commit = git("rev-parse", "--short=7", "HEAD").strip()
    rows = []
    for path in git("ls-tree", "-r", "--name-only", "HEAD", "tests/fixtures").split():
        text = git("show", f"HEAD:{path}")
        if _LEFT_OUT.search(path) or not _NONCOMPLIANT.search(text):
            continue
        secret, clean = label(text)
        rows.append({"name": path.removeprefix("tests/fixtures/"), "text": text,
                     "secret_lines": secret, "clean_lines": clean,
                     "origin": f"Skyscanner/whispers@{commit}:{path}", "licence": "Apache-2.0"})
    SET.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")
    print(f"{SET}: {len(rows)} files")
    return 0


def label(text: str) -> tuple[list[int], list[int]]:
    """(secret lines, clean lines), 1-based, as whispers' markers label them."""
    secret, clean, region = [], [], None
    for number, line in enumerate(text.split("\n"), 1):
        if _NONCOMPLIANT.search(line):
            region = "secret"
        elif _COMPLIANT.search(line):
            region = "clean"
        elif region == "secret" and "hardcoded" in line.lower():
            secret.append(number)
        elif region == "clean" and line.strip():
            clean.append(number)
    return secret, clean


def load() -> list[dict]:
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines()]


# --- the scanners --------------------------------------------------------------------------

def ours(files: dict[str, str]) -> Lines:
    """The lines reviewloop's scan flags, each file scanned whole (as a file the change adds)."""
    return {(name, hit.line) for name, text in files.items() for hit in scan_text(text, path=name)}


def detect_secrets(root: Path, *, keyword_only: bool = False) -> Lines:
    run = subprocess.run([str(DETECT_SECRETS), "scan", "--all-files", "."], cwd=root,
                         capture_output=True, text=True, check=True)
    return {(name, s["line_number"]) for name, found in json.loads(run.stdout)["results"].items()
            for s in found if not keyword_only or s["type"] == "Secret Keyword"}


def labelled() -> int:
    rows = load()
    secret = {(r["name"], n) for r in rows for n in r["secret_lines"]}
    clean = {(r["name"], n) for r in rows for n in r["clean_lines"]}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for row in rows:
            (root / row["name"]).parent.mkdir(parents=True, exist_ok=True)
            (root / row["name"]).write_text(row["text"], encoding="utf-8")
        found = {"reviewloop": ours({r["name"]: r["text"] for r in rows}),
                 "detect-secrets": detect_secrets(root),
                 "ds Secret Keyword": detect_secrets(root, keyword_only=True)}
    print(f"whispers fixtures: {len(rows)} files, {len(secret)} secret lines, "
          f"{len(clean)} clean lines")
    for name, lines in found.items():
        print(f"  {name:<18} recall {len(lines & secret) / len(secret):.3f} "
              f"({len(lines & secret)}/{len(secret)}), clean lines flagged "
              f"{len(lines & clean)}/{len(clean)}")
    if "--lines" in sys.argv:
        texts = {r["name"]: r["text"].split("\n") for r in rows}
        for kind, lines in (("missed", secret - found["reviewloop"]),
                            ("false+", clean & found["reviewloop"])):
            for name, n in sorted(lines):
                print(f"    {kind} {name}:{n} {texts[name][n - 1].strip()[:100]!r}")
    return 0


# --- the corpus holding no secret ----------------------------------------------------------

def corpus_files(folders: list[Path]) -> dict[str, str]:
    files = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if not path.is_file() or _SKIP_DIRS & set(relative.parts) \
                    or not (path.suffix in _SUFFIXES or path.name in _NAMES) \
                    or path.stat().st_size > 200_000:
                continue
            try:
                files[f"{folder.name}/{relative}"] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
    return files


def corpus(folders: list[Path]) -> int:
    files = corpus_files(folders)
    started = time.process_time()
    mine = ours(files)
    cpu = time.process_time() - started
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        theirs, keyword = detect_secrets(root), detect_secrets(root, keyword_only=True)
    total = sum(t.count("\n") + 1 for t in files.values())
    print(f"corpus: {len(files)} files, {total} lines; reviewloop {cpu:.2f} s CPU")
    print(f"  reviewloop flags {len(mine)} lines; detect-secrets {len(theirs)} "
          f"(Secret Keyword {len(keyword)}); both {len(mine & theirs)}")
    if "--lines" in sys.argv:
        for name, n in sorted(mine):
            line = files[name].split("\n")[n - 1].strip()
            print(f"    {'ds+' if (name, n) in theirs else 'ds-'} {name}:{n} {line[:100]!r}")
    return 0


def main(argv: list[str]) -> int:
    if "--build" in argv:
        return build(Path(argv[argv.index("--build") + 1]))
    if "--corpus" in argv:
        rest = argv[argv.index("--corpus") + 1:]
        end = next((i for i, a in enumerate(rest) if a.startswith("--")), len(rest))
        return corpus([Path(a) for a in rest[:end]])
    return labelled()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
