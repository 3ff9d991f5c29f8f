"""`git.ignored` against the tool it stands in for: the files plain `ruff check .` walks in a
git repository (respect-gitignore, its default) are exactly those `ignored` does not ignore.

A fixed-seed sample of the product (root `.gitignore` × a nested one, or a nested `.ignore`,
which ruff reads too) over the same files: folder patterns (`generated/`), anchored ones
(`/generated`), `**/`, a `?`, a suffix with a negation (`!keep.py`, which cannot bring back a
file of an ignored folder), one tree per variant and one ruff run each.
"""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from pathlib import Path

from reviewloop.git.ignored import ignored
from tests.support.gitutil import git

ROOT = ("", "generated/\n", "/generated\n", "**/out/\n", "gen?rated\n", "*.py\n!keep.py\n",
        "generated/\n!generated/keep.py\n", "sub/\n!sub/keep.py\n")
NESTED = ("", "sub/.gitignore:out/\n", "sub/.gitignore:/generated\n", "sub/.ignore:out\n",
          "sub/.gitignore:*.py\n", "sub/.ignore:!keep.py\n")
FILES = ("a.py", "keep.py", "generated/a.py", "generated/keep.py", "sub/a.py", "sub/keep.py",
         "sub/generated/a.py", "sub/out/b.py", "out/c.py", "genxrated/d.py")
VARIANTS = random.Random(8).sample(list(itertools.product(ROOT, NESTED)), 12)


def test_ignored_agrees_with_the_files_plain_ruff_walks(tmp_path: Path) -> None:
    for n, (root_text, nested) in enumerate(VARIANTS):
        texts = {".gitignore": root_text} if root_text else {}
        if nested:
            name, _, text = nested.partition(":")
            texts[name] = text
        tree = tmp_path / str(n)
        tree.mkdir()
        git(tree, "init", "-q")
        for path in (*FILES, *texts):
            (tree / path).parent.mkdir(parents=True, exist_ok=True)
            (tree / path).write_text(texts.get(path, "x = 1\n"), encoding="utf-8")
        walked = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                                 "--isolated", "--show-files", "."], cwd=tree,
                                capture_output=True, text=True, check=True, timeout=60)
        plain = {Path(line).relative_to(tree.resolve()).as_posix()
                 for line in walked.stdout.splitlines() if line.strip()}
        ours = {path for path in FILES if ignored(path, texts.get) is None}
        assert ours == plain, (texts, sorted(ours ^ plain))
