"""The review's own ruff run takes a file's version from `per-file-target-version`, as plain
ruff does; before, every file had the config's single `target-version` (a false 🔴 for a
`match` in a py312 script under a py38 project, a missed one the other way: review round
11, D5).

Generated: a fixed product of the pattern (anchored, `**`, written with no `/`) × the file
(in and out of the pattern's reach) × the config's folder (root, `pkg/`) × which way the
override goes (py38 → py312, py312 → py38). The oracle is plain `ruff check .`: whether it
reports the file's `match` as `invalid-syntax`, which it does exactly where the version is
below 3.10."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.analyzers.ruff_version import versions
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff

PATTERNS = ("scripts/*.py", "scripts/**", "x.py", "**/x.py", "*.py", "legacy/x.py")
FILES = ("scripts/x.py", "scripts/sub/x.py", "legacy/x.py", "y.py", "scripts/y.py")
FOLDERS = ("", "pkg/")
WAYS = (("py38", "py312"), ("py312", "py38"))
MATCH = "def f(p):\n    match p:\n        case 1:\n            return 1\n    return 0\n"


def _plain(root: Path) -> set[str]:
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--exit-zero",
                           "--output-format", "json", "."], cwd=root, capture_output=True,
                          text=True, check=True)
    return {Path(d["filename"]).relative_to(root).as_posix() for d in json.loads(done.stdout)
            if d["code"] in (None, "invalid-syntax") and "`match`" in d["message"]}


def test_the_per_file_version_is_plain_ruffs(tmp_path: Path) -> None:
    wrong, cases = [], 0
    for pattern, folder, (target, override) in itertools.product(PATTERNS, FOLDERS, WAYS):
        root = tmp_path / "r"
        shutil.rmtree(root, ignore_errors=True)
        files = [folder + f for f in FILES]
        for path in files:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(MATCH)
        (root / folder / "ruff.toml").write_text(
            f'target-version = "{target}"\n[per-file-target-version]\n'
            f'{json.dumps(pattern)} = "{override}"\n')
        ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="",
                              agent="review-maintainability", files=tuple(files),
                              tests=ProjectTests())
        found, plain = versions(ctx, files), _plain(root)
        for path in files:
            cases += 1
            if (found[path] == "py38") is not (path in plain):
                wrong.append((pattern, folder, target, path, found[path], path in plain))
    assert cases > 100 and not wrong, wrong
