"""No false must-fix on real releases: an offline review of each release diff in
`benchmarks/data/releases.json`, every 🔴 held against its label.

    python benchmarks/releases.py [--only PACKAGE ...] [--cache DIR] [--keep DIR] [--record]

Each entry is a pair of published packages (a PyPI sdist, an npm tarball) with its URL and
sha256. Both are downloaded once into the cache (`$XDG_CACHE_HOME/reviewloop-releases`, or
`--cache`; never into the repository) and checked against the sha256, then unpacked into a
real git repository: the old version as the base commit, the new one as the head (the
trusted side is the base, as in a pull request). The review is the one a user runs:

    python -m reviewloop review --base base --head head --format json

offline (no model, no AWS credentials, no user config). Every open 🔴 (a must-fix finding
or a failed gate) is looked up in the entry's `must_fix` list by (file, rule, line): each
is labelled `true` or `false` with a reason. The table prints, per release, the changed
files, the 🔴 that are true problems, the false ones, those not labelled yet, the 🟡, the
exit code `--fail-on must_fix` gives, and the review's wall time. Exit 1 when a 🔴 is false
or unlabelled, or a labelled true 🔴 is no longer reported.

`--record` writes what was found into the data file: a new 🔴 with `"true": null` (to be
labelled by hand) and the 🟡 by analyzer and rule; labels already there are kept.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "releases.json"
Key = tuple[str, str, int]
_KEEP_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "XDG_CACHE_HOME", "REVIEWLOOP_TOOLS_DIR",
             "REVIEWLOOP_TOOLS_OFFLINE", "SSL_CERT_FILE", "AWS_CA_BUNDLE", "PIP_INDEX_URL",
             "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE")


def cache_dir(given: str | None) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return Path(given) if given else base / "reviewloop-releases"


def fetch(side: dict[str, str], cache: Path) -> Path:
    """The archive of one version, downloaded once and checked against its sha256."""
    target = cache / f"{side['sha256'][:16]}-{side['url'].rsplit('/', 1)[-1]}"
    if target.is_file() and _sha256(target) == side["sha256"]:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with urllib.request.urlopen(side["url"], timeout=120) as response, \
            partial.open("wb") as out:
        shutil.copyfileobj(response, out)
    if _sha256(partial) != side["sha256"]:
        partial.unlink()
        raise SystemExit(f"{side['url']}: sha256 differs from benchmarks/data/releases.json")
    partial.replace(target)
    return target


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unpack(archive: Path, into: Path) -> None:
    """The archive's files in `into` (its top folder, `package/` or `name-1.0/`, stripped),
    replacing everything there but `.git`."""
    for child in into.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    with tarfile.open(archive) as tar:
        members = []
        for member in tar.getmembers():
            parts = Path(member.name).parts[1:]
            if parts and ".." not in parts and (member.isfile() or member.isdir()):
                member.name = str(Path(*parts))
                members.append(member)
        # regular files and folders only, inside `into`; the "data" filter where this Python
        # has it (3.11.4 and later: Debian's 3.11.2 has none)
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(into, members=members, **safe)  # type: ignore[arg-type]


def release_repo(entry: dict[str, Any], cache: Path, root: Path) -> int:
    """A git repository with the old version as `base` and the new as `head`; the number
    of files the release changes."""
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    for side, tag in (("old", "base"), ("new", "head")):
        unpack(fetch(entry[side], cache), root)
        # archives give every file one old mtime: a file of the same size (a version number
        # 10.0.0 → 10.1.0) would pass git's stat check unread, so the index is built afresh
        (root / ".git" / "index").unlink(missing_ok=True)
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "--no-verify", "-m",
             f"{entry['package']} {entry[side]['version']}")
        _git(root, "tag", tag)
    return len(_git(root, "diff", "--name-only", "base", "head").splitlines())


def _git(root: Path, *args: str) -> str:
    who = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid"}
    env = {**os.environ, **who,
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, text=True,
                          capture_output=True).stdout


def review(root: Path, scratch: Path) -> tuple[dict[str, Any], int, float]:
    """The offline review of base...head as a user runs it: (JSON report, exit code, s)."""
    env = {k: v for k, v in os.environ.items() if k in _KEEP_ENV}
    config = scratch / "config"
    config.mkdir(exist_ok=True)
    env |= {"PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(config),
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    output = scratch / "review.json"
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reviewloop", "review", "--base", "base",
                           "--head", "head", "--format", "json", "--output", str(output)],
                          cwd=root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if not output.is_file():
        raise SystemExit(f"review failed in {root} (exit {done.returncode}):\n"
                         f"{done.stderr[-2000:]}")
    return json.loads(output.read_text()), done.returncode, seconds


def must_fix(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every open 🔴: the must-fix findings in the change and the failed gates."""
    found = [{"file": f["file"], "rule": f"{f['source']}/{f.get('rule') or f['title']}",
              "line": f["start_line"] or 0, "title": f["title"]}
             for f in report["findings"]["remaining"] if f["severity"] == "must_fix"]
    found += [{"file": "", "rule": f"gate/{g['name']}", "line": 0, "title": g["summary"]}
              for g in report["gates"] if not g["passed"]]
    return found


def should_fix(report: dict[str, Any]) -> dict[str, int]:
    """The open 🟡 by analyzer and rule."""
    counts: dict[str, int] = {}
    for f in report["findings"]["remaining"]:
        if f["severity"] == "should_fix":
            rule = f"{f['source']}/{f.get('rule') or f['title']}"
            counts[rule] = counts.get(rule, 0) + 1
    return dict(sorted(counts.items()))


def _key(item: dict[str, Any]) -> Key:
    return item["file"], item["rule"], item["line"]


def judge(entry: dict[str, Any], found: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The found 🔴 sorted by their labels, and the labelled true ones not found."""
    labels = {_key(item): item for item in entry["must_fix"]}
    verdict: dict[str, list[str]] = {"true": [], "false": [], "unlabelled": [], "missed": []}
    for item in found:
        label = labels.get(_key(item), {}).get("true")
        name = f"{item['file']}:{item['line']} {item['rule']}"
        verdict["unlabelled" if label is None else "true" if label else "false"].append(name)
    seen = {_key(item) for item in found}
    verdict["missed"] = [f"{k[0]}:{k[2]} {k[1]}" for k, item in labels.items()
                         if item.get("true") and k not in seen]
    return verdict


def record(entry: dict[str, Any], found: list[dict[str, Any]], yellow: dict[str, int]) -> None:
    labels = {_key(item) for item in entry["must_fix"]}
    entry["must_fix"] += [{**item, "true": None, "reason": ""} for item in found
                          if _key(item) not in labels]
    entry["should_fix"] = yellow


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="these packages only")
    parser.add_argument("--cache", help="where the downloaded archives are kept")
    parser.add_argument("--keep", help="build the repositories here and keep them")
    parser.add_argument("--record", action="store_true", help="write new 🔴 (unlabelled) "
                        "and the 🟡 counts into benchmarks/data/releases.json")
    args = parser.parse_args(argv)
    entries = json.loads(DATA.read_text())
    cache, failed = cache_dir(args.cache), False
    rows = []
    with tempfile.TemporaryDirectory(prefix="releases-") as tmp:
        work = Path(args.keep or tmp)
        for entry in entries:
            if args.only and entry["package"] not in args.only:
                continue
            slug = entry["package"].replace("/", "+").lstrip("@")
            root, scratch = work / slug, Path(tmp) / f"{slug}.out"
            shutil.rmtree(root, ignore_errors=True)
            scratch.mkdir(parents=True)
            files = release_repo(entry, cache, root)
            report, code, seconds = review(root, scratch)
            found, yellow = must_fix(report), should_fix(report)
            verdict = judge(entry, found)
            if args.record:
                record(entry, found, yellow)
            failed |= bool(verdict["false"] or verdict["unlabelled"] or verdict["missed"])
            rows.append((entry, files, verdict, yellow, code, seconds, report))
            for kind in ("false", "unlabelled", "missed"):
                for name in verdict[kind]:
                    print(f"  {entry['package']}: {kind} 🔴 {name}", file=sys.stderr)
    if args.record:
        DATA.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
    print(table(rows))
    return 1 if failed else 0


def table(rows: list[tuple[Any, ...]]) -> str:
    lines = ["| package | versions | languages | files | 🔴 true | 🔴 false | 🔴 unlabelled "
             "| 🟡 | exit | complete | time |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|"]
    for entry, files, verdict, yellow, code, seconds, report in rows:
        lines.append(
            f"| {entry['package']} | {entry['old']['version']} → {entry['new']['version']} "
            f"| {', '.join(entry['languages'])} | {files} | {len(verdict['true'])} "
            f"| {len(verdict['false'])} | {len(verdict['unlabelled'])} | {sum(yellow.values())} "
            f"| {code} "
            f"| {'yes' if report['health']['complete'] else 'no'} | {seconds:.0f} s |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
