"""Diffs no tree's `.gitattributes` can blind: git run against an empty work tree and index.

`git diff` obeys the `.gitattributes` of the checkout (and, where the work tree has none, of
the index): a change that adds `* -diff` would turn every file of its own diff into "Binary
files differ", leaving reviewers and analyzers no added line to look at. Git 2.39 has no
`--attr-source`, so the diff is computed with an empty folder as the work tree and a
missing file as the index: then only git's own content test decides what is binary (a NUL
byte in the first 8000 bytes), as for a repository without attributes. The user's own
`$GIT_DIR/info/attributes` and `core.attributesFile` still apply (they are not the tree's).
Which files a model skips is decided apart from the diff, from the trusted side only
(`reviewloop.review.classify`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def without_tree_attributes(git_dir: Path) -> Iterator[tuple[tuple[str, ...], dict[str, str]]]:
    """(global git options, environment) that run a tree-to-tree diff of the repository at
    `git_dir` with no tree's `.gitattributes`; valid inside the context."""
    with tempfile.TemporaryDirectory(prefix="reviewloop-plain-") as empty:
        options = ("-C", empty, f"--git-dir={git_dir}", f"--work-tree={empty}")
        yield options, {"GIT_INDEX_FILE": os.path.join(empty, "index")}
