"""`FileDiff.mode`: the mode a file's diff gives it as the change leaves it, compared with
git's own answer (`git diff --raw`) for every pair of entry kinds a path can have on each
side — none, a file, an executable, a symlink, a submodule — with the same bytes or others.

Before, the review looked for a symlink's `new file mode 120000` or `mode 120000` line only:
a link the change retargets keeps its mode, so git's header gives it in the `index <a>..<b>
120000` line alone, and the link was taken for a regular file's edit. Each reader of a
file's mode now asks this one answer (`review.matrix`, `terraform_var_links`).

`diff_headers.base_mode`, the mode before the change (the executable bit a base copy gets:
`git.reverse.base_executable`), is held to git's old side the same way.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest

from reviewloop.git.diff import FileStatus, parse_diff
from reviewloop.git.diff_headers import base_mode
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.repos import init_repo

KINDS = (None, "100644", "100755", "120000", "160000")
CASES = [(old, new, same) for old, new, same in itertools.product(KINDS, KINDS, (True, False))
         if (old or new) and not (same and None in (old, new))]


def _object(root: Path, mode: str, text: str) -> str:
    """A blob holding `text`, or for a submodule a commit id made of it."""
    if mode == "160000":
        return subprocess.run(["git", "hash-object", "-t", "commit", "--stdin", "--literally"],
                              cwd=root, input=f"tree {'0' * 40}\n\n{text}\n", text=True,
                              capture_output=True, check=True).stdout.strip()
    return subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=root, input=text,
                          text=True, capture_output=True, check=True).stdout.strip()


def _side(root: Path, side: int) -> None:
    """Each case's path as its side has it, written to the index and committed."""
    for index, (old, new, same) in enumerate(CASES):
        mode = (old, new)[side]
        path = f"p{index}"
        if mode is None:
            git(root, "update-index", "--force-remove", path)
            continue
        text = f"case {index}" if same else f"case {index} side {side}"
        git(root, "update-index", "--add", "--cacheinfo",
            f"{mode},{_object(root, mode, text)},{path}")
    git(root, "commit", "-qm", f"side {side}")


@pytest.fixture(scope="module")
def modes(tmp_path_factory: pytest.TempPathFactory
          ) -> dict[str, tuple[str | None, str, str | None, str | None]]:
    """By path: the parsed diff's mode, and git's (the new side's; a deleted path's old);
    the mode its header gives the base (`base_mode`), and git's old side (None: added)."""
    root = init_repo(tmp_path_factory.mktemp("r"), {"README.md": "x\n"})
    _side(root, 0)
    base = git(root, "rev-parse", "HEAD").strip()
    _side(root, 1)
    changes = parse_diff(open_repository(root).diff_refs(base, "HEAD", merge_base=False))
    raw = git(root, "diff", "--raw", "--no-abbrev", "--find-renames", base, "HEAD")
    out: dict[str, tuple[str | None, str, str | None, str | None]] = {}
    for line in raw.splitlines():
        fields, path = line.split("\t", 1)
        old, new, *_, status = fields.lstrip(":").split(" ")
        diff = changes.file(path)
        assert diff is not None, path
        # a type change is two parts, the path deleted and added: its base is the first's
        was = next(d for d in changes.files if d.path == path) if status == "T" else diff
        out[path] = (diff.mode, old if status == "D" else new, base_mode(was.text),
                     None if status == "A" else old)
    return out


@pytest.mark.parametrize(("old", "new", "same"), CASES)
def test_the_mode_a_diff_gives_is_gits_own(
        modes: dict[str, tuple[str | None, str, str | None, str | None]], old: str | None,
        new: str | None, same: bool) -> None:
    path = f"p{CASES.index((old, new, same))}"
    if old == new and same:
        assert path not in modes  # no change: not in the diff
        return
    parsed, oracle, parsed_base, base_oracle = modes[path]
    assert parsed == oracle, (old, new, same)
    assert parsed_base == base_oracle, (old, new, same)


def test_a_retargeted_link_keeps_its_mode_in_the_index_line_alone() -> None:
    """The form the review missed, as git writes it (`--full-index` or not)."""
    for index in ("04ceb0b..c271e1a", f"{'1' * 40}..{'2' * 40}"):
        diff = parse_diff(f"diff --git a/t b/t\nindex {index} 120000\n--- a/t\n+++ b/t\n"
                          "@@ -1 +1 @@\n-closed.txt\n\\ No newline at end of file\n"
                          "+open.txt\n\\ No newline at end of file\n").files[0]
        assert (diff.status, diff.mode) == (FileStatus.MODIFIED, "120000")
