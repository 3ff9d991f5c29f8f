"""Builds `parity/{bandit,shellcheck,checkov}.jsonl`: public rule tests, labelled, for
`benchmarks/parity.py`.

    python benchmarks/data/make_parity_cases.py [--repos DIR] [--tool NAME]

Sources (`SOURCES`, each pinned to a commit; licences in `SOURCES.md`) — the test files are
read, nothing of theirs is run:

* bandit — `tests/functional/test_functional.py` at the tag of the bandit reviewloop ships
  (1.9.4): each `self.check_example("<file>", expect)` with bandit's default test set gives
  the example file and how many issues bandit must report on it, by confidence. A row is
  one example file (`rule`: the file's name) with `expect` = {confidence: count}. Left out:
  the tests that change the test set or pass `ignore_nosec`, and every example with a
  `nosec` comment (reviewloop does not honour a suppression the reviewed change writes:
  a policy, not a detection, difference).
* shellcheck — `prop_*` properties of `src/ShellCheck/Analytics.hs` and
  `src/ShellCheck/Checks/Commands.hs` at v0.11.0 (the version reviewloop ships): `verify`,
  `verifyTree` (label true) and `verifyNot`, `verifyNotTree` (false) of a check function on
  a one-line string literal. `rule` is the check function, `codes` the SC codes its body
  emits (a case is flagged when any of them is reported). Left out: the optional checks
  (`optionalTreeChecks`: off unless enabled), checks with no code of their own, strings
  with a `shellcheck` directive (as above) or an escape other than
  `\\" \\\\ \\n \\t`. A case without a shebang gets `#!/bin/bash` (shellcheck's default
  dialect, which the tests assume).
* checkov — `tests/terraform/checks/resource/{aws,gcp,azure}/test_*.py` that run one check
  (`RunnerFilter(checks=[check.id])`) on one `example_*` folder with literal
  `passing_resources` / `failing_resources` sets. A row is one check with its folder's
  files and `cases`: [resource, label] (label true: the test says the check fails it).
  Left out: folders with a `checkov:skip` comment (as for `nosec` above) or a subfolder.

Split, whole by rule, by the first byte `b` of SHA-256("<tool>:<rule>"): `b < 32` →
held-out (an eighth, printed only with `--held-out`), else odd → tune, even → report.

`--repos DIR`: git directories as `DIR/<owner>+<name>/repo` (default: `/work/.mirror` if
there, else a blobless clone of each into a temporary folder).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
OUT = _HERE / "parity"
SOURCES = {  # tool -> (repository, commit)
    "bandit": ("PyCQA/bandit", "92ae8b82fb422a639f0ed8d99e96cea769594e08"),  # 1.9.4
    "shellcheck": ("koalaman/shellcheck", "b12c2a6a0834a5b8c12b1c0eb36704f698de5bac"),  # v0.11.0
    "checkov": ("bridgecrewio/checkov", "03d5fdad8d6154b1565799a7b1fb8070c158866f"),
}
PROVIDERS = ("aws", "gcp", "azure")


def split(tool: str, rule: str) -> str:
    first = hashlib.sha256(f"{tool}:{rule}".encode()).digest()[0]
    return "held-out" if first < 32 else ("tune" if first % 2 else "report")


class Repo:
    def __init__(self, git_dir: Path, commit: str):
        self.git_dir, self.commit = git_dir, commit

    def show(self, path: str) -> str:
        """The file's text (UnicodeDecodeError when it is not UTF-8)."""
        return subprocess.run(["git", "--git-dir", str(self.git_dir), "show",
                               f"{self.commit}:{path}"], check=True,
                              capture_output=True).stdout.decode("utf-8")

    def files(self, folder: str) -> list[str]:
        out = subprocess.run(["git", "--git-dir", str(self.git_dir), "ls-tree", "-r",
                              "--name-only", self.commit, folder], check=True,
                             capture_output=True, text=True).stdout
        return out.split()


def checkout(tool: str, repos: Path | None, scratch: Path) -> Repo:
    name, commit = SOURCES[tool]
    if repos is not None:
        folder = repos / name.replace("/", "+") / "repo"
        return Repo(folder / ".git" if (folder / ".git").exists() else folder, commit)
    target = scratch / name.replace("/", "+")
    subprocess.run(["git", "clone", "-q", "--bare", "--filter=blob:none",
                    f"https://github.com/{name}.git", str(target)], check=True)
    return Repo(target, commit)


# bandit ------------------------------------------------------------------------------------

def bandit_rows(repo: Repo) -> Iterator[dict[str, Any]]:
    tree = ast.parse(repo.show("tests/functional/test_functional.py"))
    for test in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
                 and n.name.startswith("test_")):
        if not all(isinstance(s, ast.Expr) or (isinstance(s, ast.Assign)
                                               and _named(s, "expect")) for s in test.body):
            continue  # a test set or plugin setting of its own (`with_test_set`, `_config`)
        expect: dict[str, Any] | None = None
        for statement in test.body:
            if isinstance(statement, ast.Assign) and _named(statement, "expect"):
                try:
                    expect = ast.literal_eval(statement.value)
                except ValueError:  # counts computed at run time (a Python version)
                    expect = None
            call = statement.value if isinstance(statement, ast.Expr) else None
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "check_example" and not call.keywords
                    and isinstance(call.args[0], ast.Constant) and expect):
                continue
            name = str(call.args[0].value)
            try:
                code = repo.show(f"examples/{name}")
            except UnicodeDecodeError:  # a Latin-1 example: not a text a row can hold
                continue
            if "nosec" in code.lower():
                continue
            counts = {k: v for k, v in expect["CONFIDENCE"].items() if v}
            yield {"tool": "bandit", "rule": name, "files": {Path(name).name: code},
                   "expect": counts, "origin": f"PyCQA/bandit@{repo.commit[:12]} "
                   f"tests/functional/test_functional.py::{test.name}, examples/{name}"}


def _named(statement: ast.Assign, name: str) -> bool:
    return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)


# shellcheck --------------------------------------------------------------------------------

_PROP = re.compile(r'^prop_\w+\s*=\s*(verify|verifyNot|verifyTree|verifyNotTree)\s+'
                   r'(check\w+)\s+"((?:[^"\\]|\\.)*)"\s*$')
_DEF = re.compile(r"^(check\w+)\b")
_CODE = re.compile(r"\b(2[0-3]\d\d)\b")  # outside strings: `warn (getId t) 2010 "…"`
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_ESCAPES = {'\\"': '"', "\\\\": "\\", "\\n": "\n", "\\t": "\t"}


def shellcheck_rows(repo: Repo) -> Iterator[dict[str, Any]]:
    for path in ("src/ShellCheck/Analytics.hs", "src/ShellCheck/Checks/Commands.hs"):
        text = repo.show(path)
        codes = _codes_by_function(text)
        block = text.partition("\noptionalTreeChecks ::")[2].partition("\noptionalCheckMap")[0]
        optional = set(re.findall(r"\b(check\w+)\b", block))  # off unless `--enable`d
        cases: dict[str, list[tuple[str, bool]]] = {}
        for line in text.splitlines():
            match = _PROP.match(line)
            script = _unescape(match.group(3)) if match else None
            if not match or script is None or "shellcheck" in script:
                continue
            cases.setdefault(match.group(2), []).append(
                (script, match.group(1) in ("verify", "verifyTree")))
        for function, found in sorted(cases.items()):
            if not codes.get(function) or function in optional:
                continue
            yield {"tool": "shellcheck", "rule": function, "codes": sorted(codes[function]),
                   "cases": [[s if s.startswith("#!") else f"#!/bin/bash\n{s}", label]
                             for s, label in found],
                   "origin": f"koalaman/shellcheck@{repo.commit[:12]} {path}"}


def _codes_by_function(text: str) -> dict[str, set[str]]:
    """The SC codes each top-level `check…` definition's body emits (up to the next
    top-level line that is not a `check…` clause of the same name)."""
    found: dict[str, set[str]] = {}
    current = None
    for line in text.splitlines():
        if line and not line[0].isspace():
            match = _DEF.match(line)
            current = match.group(1) if match else None
        if current and not line.startswith("prop_"):
            found.setdefault(current, set()).update(
                f"SC{c}" for c in _CODE.findall(_STRING.sub('""', line)))
    return found


def _unescape(literal: str) -> str | None:
    out, i = [], 0
    while i < len(literal):
        if literal[i] == "\\":
            pair = literal[i:i + 2]
            if pair not in _ESCAPES:
                return None
            out.append(_ESCAPES[pair])
            i += 2
        else:
            out.append(literal[i])
            i += 1
    return "".join(out)


# checkov -----------------------------------------------------------------------------------

_CHECK_ID = re.compile(r"""\bid\s*=\s*["'](CKV2?_[A-Z0-9_]+)["']""")


def checkov_rows(repo: Repo) -> Iterator[dict[str, Any]]:
    base = "tests/terraform/checks/resource"
    for provider in PROVIDERS:
        listed = repo.files(f"{base}/{provider}")
        for test in sorted(p for p in listed if re.search(r"/test_\w+\.py$", p)):
            row = _checkov_row(repo, test, listed)
            if row is not None:
                yield row


def _checkov_row(repo: Repo, test: str, listed: list[str]) -> dict[str, Any] | None:
    source = repo.show(test)
    module = re.search(r"from (checkov\.terraform\.checks\.resource\.[\w.]+) import check\b",
                       source)
    folder = re.findall(r"""["']/?(example_\w+)["']""", source)
    if not module or len(set(folder)) != 1 or \
            not re.search(r"RunnerFilter\(\s*checks=\[check\.id\]\s*\)", source):
        return None
    sets = {}
    for name in ("passing_resources", "failing_resources"):
        match = re.search(rf"^\s*{name}\s*=\s*(\{{.*?\}}|set\(\))", source, re.S | re.M)
        try:
            sets[name] = set(ast.literal_eval(match.group(1))) if match else None
        except ValueError:
            return None
    check = _CHECK_ID.search(repo.show(module.group(1).replace(".", "/") + ".py"))
    where = f"{test.rsplit('/', 1)[0]}/{folder[0]}/"
    files = {p[len(where):]: repo.show(p) for p in listed if p.startswith(where)}
    if not check or sets["passing_resources"] is None or sets["failing_resources"] is None \
            or not files or any("/" in name or "checkov:skip" in text
                                for name, text in files.items()):
        return None
    cases = [[r, True] for r in sorted(sets["failing_resources"])] + \
        [[r, False] for r in sorted(sets["passing_resources"])]
    return {"tool": "checkov", "rule": check.group(1), "files": files, "cases": cases,
            "origin": f"bridgecrewio/checkov@{repo.commit[:12]} {test}"}


BUILDERS = {"bandit": bandit_rows, "shellcheck": shellcheck_rows, "checkov": checkov_rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=Path,
                        default=Path("/work/.mirror") if Path("/work/.mirror").is_dir() else None)
    parser.add_argument("--tool", choices=sorted(BUILDERS))
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for tool in [args.tool] if args.tool else sorted(BUILDERS):
            rows = list(BUILDERS[tool](checkout(tool, args.repos, Path(scratch))))
            seen: set[str] = set()
            with (OUT / f"{tool}.jsonl").open("w", encoding="utf-8") as out:
                for row in rows:
                    if row["rule"] in seen:  # one check tested twice: the first test
                        continue
                    seen.add(row["rule"])
                    out.write(json.dumps({**row, "split": split(tool, row["rule"])}) + "\n")
            halves = [split(tool, r) for r in seen]
            print(f"{tool}: {len(seen)} rules (" + ", ".join(
                f"{h} {halves.count(h)}" for h in ("tune", "report", "held-out")) + ")")


if __name__ == "__main__":
    main()
