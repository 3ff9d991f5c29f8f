"""What `skipped_paths.ruff` says plain `ruff check .` passes by is what it passes by, with
nested `ruff.toml`s that `extend` a parent: each `exclude`, `extend-exclude`, `include` and
`extend-include` pattern from the folder of the config that declares it, matched on each
folder on the way down (by the config governing where it lies) and on the file. A root's
`extend-exclude = ["api/vendor"]` inherited by `api/ruff.toml` was anchored at `api/` and
skipped nothing (fuzz round 9a, D4, left over here): a rename out of `api/vendor/` was
compared with its base run.

Generated: a fixed product of the key, the pattern (a name, a path from the root or from the
nested folder, globs) and the config declaring it (the root's, or the nested one extending
it); oracle: the files `ruff check --show-files .` lists."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from reviewloop.checks.analyzers.skipped_paths import skipped
from tests.support.ruff_chain import ruff_show_files

FILES = ("top.py", "api/x.py", "api/vendor/y.py", "api/gen/deep/z.py", "vendor/w.py",
         "api/api/vendor/v.py", "scripts/s.py", "api/scripts/t.py", "api/tool.py3")
KEYS = ("exclude", "extend-exclude", "include", "extend-include")
PATTERNS = ("vendor", "api/vendor", "gen/*", "*/deep/*", "x.py", "scripts", "api/*.py",
            "*.py3", "**/scripts/*.py", "./api/vendor")
DECLARED_IN = ("root", "nested")


class _Tree:
    """A checkout on disk, as `skipped_paths.Tree`."""

    def __init__(self, root: Path):
        self.root = root

    @property
    def absolute(self) -> str:
        return self.root.as_posix()

    def text(self, path: str) -> str | None:
        file = self.root / path
        return file.read_text() if file.is_file() else None

    def is_folder(self, path: str) -> bool:
        return (self.root / path).is_dir()


def test_what_the_review_says_ruff_skips_is_what_ruff_check_skips(tmp_path: Path) -> None:
    wrong = []
    for n, (key, pattern, declared_in) in enumerate(itertools.product(KEYS, PATTERNS,
                                                                      DECLARED_IN)):
        root = Path(os.path.realpath(tmp_path)) / str(n)
        for path in FILES:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text("x = 1\n")
        setting = f'{key} = ["{pattern}"]\n'
        (root / "ruff.toml").write_text(setting if declared_in == "root" else "")
        (root / "api" / "ruff.toml").write_text(
            'extend = "../ruff.toml"\n' + (setting if declared_in == "nested" else ""))
        plain = {path for path in ruff_show_files(root) if path in FILES}
        ours = {path for path in FILES if skipped("ruff-maintainability", path, _Tree(root))
                is None}
        if plain != ours:
            wrong.append((key, pattern, declared_in, sorted(plain ^ ours)))
    assert not wrong, wrong
