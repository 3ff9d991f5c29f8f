"""A raised `per-file-target-version` is a tightening, as a raised `target-version` is: the
review applies it and names it (`changes-declared-python`), as plain ruff at the head
checks the files it takes. Before, any edit of the table was a loosening: the review said
"this change suppresses findings" and judged `scripts/x.py` on the base's py38, a 🔴
`invalid-syntax` and FA102 plain ruff at the head does not report.

Generated: a fixed product of the base's table (one or two patterns, py38 to py312) × the
change's edit (each pattern raised, kept or lowered, a pattern added or dropped) beside a
kept or raised `target-version`. The oracle is plain `ruff check` on a file each pattern
takes, whose syntax errors name the version ruff checks it for: a tightening never checks
a file on an older Python than the base did, and every edit that only raises versions is
one. End to end, the review command against plain `ruff check .` at the head."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.suppressions.declared_python import target_version_edit
from reviewloop.checks.suppressions.tightening import tightening
from tests.support.cli_main import run_cli
from tests.support.repos import branch_repo

CODE = "type Alias = int\n"  # 3.12 syntax: ruff names the version it checks for below that
FILES: tuple[str, ...] = ("scripts/x.py", "legacy/y.py", "app.py")
VERSIONS = (8, 10, 12)
TABLES = ({"scripts/*.py": 8}, {"scripts/*.py": 10, "legacy/*": 8})
FA = ("def f(x: list[int]) -> int | None:\n    match x:\n        case [1]:\n"
      "            return 1\n    return None\n")


def _config(target: int, table: dict[str, int]) -> str:
    entries = ", ".join(f'"{p}" = "py3{v}"' for p, v in table.items())
    return f'target-version = "py3{target}"\nper-file-target-version = {{{entries}}}\n'


def _edits(table: dict[str, int]) -> list[dict[str, int]]:
    """Each pattern raised, kept or lowered; a pattern added; one dropped."""
    changed: list[dict[str, int]] = [
        dict(zip(table, versions, strict=True))
        for versions in itertools.product(VERSIONS, repeat=len(table))]
    return [*changed, {**table, "app.py": 12}, dict(list(table.items())[1:])]


def _checked_on(root: Path, config: str) -> dict[str, int]:
    """{file: the minor version plain ruff checks it for} (12: no error on 3.12 syntax)."""
    (root / "ruff.toml").write_text(config)
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--output-format", "json",
                           *FILES], cwd=root, capture_output=True, text=True, check=False)
    found = dict.fromkeys(FILES, 12)
    for diagnostic in json.loads(done.stdout):
        version = re.search(r"on Python 3\.(\d+)", diagnostic["message"])
        if version:
            name = Path(diagnostic["filename"]).relative_to(root.resolve()).as_posix()
            found[name] = min(found[name], int(version[1]))
    return found


def test_a_raised_per_file_target_version_is_a_tightening(tmp_path: Path) -> None:
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(CODE)
    wrong, reached = [], 0
    for table, (was, now) in itertools.product(TABLES, ((8, 8), (8, 10))):
        base = _config(was, table)
        before = _checked_on(tmp_path, base)
        for edit in _edits(table):
            head = _config(now, edit)
            after = _checked_on(tmp_path, head)
            judged = tightening("ruff.toml", head, base)
            only_raised = edit.keys() == table.keys() and all(
                edit[p] >= v for p, v in table.items())
            if judged is not None and any(after[f] < before[f] for f in FILES):
                wrong.append(("a tightening lowers", base, head, before, after))
            if only_raised and head != base and judged is None:
                wrong.append(("a raise not judged one", base, head))
            note = target_version_edit("ruff.toml", [1], head, base)
            if judged is not None and note is None:
                wrong.append(("a raise not named", base, head))
            reached += judged is not None
    assert not wrong, wrong[:3]
    assert reached >= 6, reached


def _plain(root: Path) -> set[tuple[str, int, str]]:
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--output-format", "json",
                           "."], cwd=root, capture_output=True, text=True, check=False)
    return {(Path(d["filename"]).relative_to(root.resolve()).as_posix(),
             d["location"]["row"], d["code"] or "invalid-syntax")
            for d in json.loads(done.stdout)}


@pytest.mark.parametrize("raised", [10, 12])
def test_the_review_checks_a_raised_per_file_version_as_plain_ruff(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        raised: int) -> None:
    lint = '[lint]\nextend-select = ["FA"]\n'
    repo = branch_repo(tmp_path / "repo", {
        "ruff.toml": _config(8, {"scripts/*.py": 8}) + lint, "scripts/__init__.py": ""},
        {"ruff.toml": _config(8, {"scripts/*.py": raised}) + lint, "scripts/x.py": FA})
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(repo)
    code, out, err = run_cli(capsys, "review", "--base", "main", "--head", "feature", "--json",
                             "--fail-on", "never")
    assert code == 0, err
    entries = [e["finding"] for e in json.loads(out)["ledger"]["entries"]]
    versioned = {"invalid-syntax", "FA100", "FA102"}
    review = {(f["file"], f["start_line"], f["rule"]) for f in entries
              if f["rule"] in versioned}
    assert review == {d for d in _plain(repo) if d[2] in versioned}
    rules = {f["rule"] for f in entries if f["file"] == "ruff.toml"}
    assert rules == {"changes-declared-python"}, rules
