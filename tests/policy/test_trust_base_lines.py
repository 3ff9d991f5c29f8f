"""`Trust.base_lines`: where each line a change left alone was at its base, read from the
change's hunks; the oracle is `git blame` of the head, which names the base commit and that
line's number there for every line the change did not write.

The generator: files of lines drawn from a few repeated texts (so a diff has many ways to
align), each edited by a fixed-seed sequence of deletions, insertions and replacements, and
files renamed with one such edit (blame follows a rename only while the file stays alike);
one commit of all of them.
"""

from __future__ import annotations

import random
from pathlib import Path

from reviewloop.git.diff import ChangeSet, parse_diff
from reviewloop.policy.trust import Trust
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo

TEXTS = ("a", "b", "c", "}", "", "x = 1")


def _edited(rng: random.Random, lines: list[str], edits: int) -> list[str]:
    out = list(lines)
    for _ in range(edits):
        at = rng.randint(0, len(out))
        kind = rng.choice(("delete", "insert", "replace"))
        if kind == "insert" or not out or at == len(out):
            out[at:at] = [rng.choice((*TEXTS, "new")) for _ in range(rng.randint(1, 3))]
        elif kind == "delete":
            del out[at:at + rng.randint(1, 3)]
        else:
            out[at] = rng.choice((*TEXTS, "changed"))
    return out


def _blamed(root: Path, path: str, base: str) -> dict[int, int | None]:
    """head line → its base line (None: the change wrote it), as `git blame` says."""
    found: dict[int, int | None] = {}
    for line in git(root, "blame", "--porcelain", "feature", "--", path).splitlines():
        parts = line.split()
        if len(parts) >= 3 and len(parts[0]) == 40 and parts[1].isdigit():
            found[int(parts[2])] = int(parts[1]) if parts[0] == base else None
    return found


def test_an_unchanged_line_maps_to_the_line_git_blame_names_at_the_base(tmp_path: Path) -> None:
    rng = random.Random(20261128)
    bases = {f"f{n}.txt": [rng.choice(TEXTS) for _ in range(rng.randint(1, 25))]
             for n in range(40)}
    bases.update({f"r{n}.txt": [f"line {i}" for i in range(rng.randint(8, 25))]
                  for n in range(10)})  # renamed, one edit: lines blame can follow
    heads = {path: _edited(rng, lines, 1 if path[0] == "r" else rng.randint(1, 6))
             for path, lines in bases.items()}
    root = init_repo(tmp_path / "r", {p: "".join(f"{x}\n" for x in lines)
                                      for p, lines in bases.items()})
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-qb", "feature")
    renamed = {p: p.replace("r", "moved", 1) if p[0] == "r" else p for p in bases}
    for old, new in renamed.items():
        if old != new and heads[old]:
            git(root, "mv", old, new)
    commit(root, {renamed[p] if heads[p] else p: "".join(f"{x}\n" for x in lines)
                  for p, lines in heads.items()}, "edit")
    for context in ("-U3", "-U0"):  # -U0: hunks with no line on one side
        changes = parse_diff(git(root, "diff", "-M", context, "main", "feature"))
        _check(Trust.from_changes(changes, base=base), changes, root, bases, heads, renamed)


def _check(trust: Trust, changes: ChangeSet, root: Path, bases: dict[str, list[str]],
           heads: dict[str, list[str]], renamed: dict[str, str]) -> None:
    base = str(trust.base)
    checked, moved = 0, 0
    for old, lines in heads.items():
        path = renamed[old] if lines else old
        diff = changes.file(path)
        if not lines or diff is None or diff.old_path is None:
            continue  # deleted, untouched, or too changed for git to call it renamed
        assert trust.base_path(path) == old
        moved += path != old
        base_line = trust.base_lines(path)
        assert base_line is not None
        for head, at_base in _blamed(root, path, base).items():
            assert base_line(head) == at_base, (path, head, bases[old], lines)
            checked += at_base is not None
    assert checked > 100 and moved > 5  # the property met many unchanged lines, renames
