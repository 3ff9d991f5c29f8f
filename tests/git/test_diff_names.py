"""File names as git writes them: whatever a name holds (spaces, " b/", quotes, non-ASCII,
bytes that are not UTF-8), the parsed diff names the files git itself names, with the same
status, in the one text form every report holds (`reviewloop.git.names`)."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.git.diff import FileStatus, parse_diff
from reviewloop.git.names import from_bytes, is_utf8, on_disk
from reviewloop.git.repository import open_repository
from tests.support.repos import commit, init_repo

# characters that move git's quoting or the parser's split: a space, a double quote, a
# backslash, a tab, non-ASCII, a byte that is not UTF-8 (as `os.fsdecode` gives it) and
# what its text form looks like; and folder names ending " b", so a path holds " b/"
_PART = st.text(alphabet="ab .-_é\"\\\t\udcffx", min_size=1, max_size=8) | st.sampled_from(
    ["x b", " b", "a b", "\\xff", "\\\udcff"])
_NAME = st.lists(_PART, min_size=1, max_size=3).map("/".join)
_OPS = st.sampled_from(["modify", "delete", "rename", "rename-edit", "chmod", "binary"])
_STATUS = {"M": FileStatus.MODIFIED, "A": FileStatus.ADDED, "D": FileStatus.DELETED,
           "R": FileStatus.RENAMED}


def _valid(path: str) -> bool:
    parts = path.split("/")
    return all(p and p not in (".", "..") and p.strip() == p for p in parts) and \
        not parts[0].startswith(".git")


def _apart(paths: list[str]) -> bool:
    """No path is another's folder, so all can exist at once."""
    return not any(b.startswith(a + "/") for a in paths for b in paths if a != b)


_PLANS = st.lists(st.tuples(_NAME, _OPS, _NAME), min_size=1, max_size=4).filter(
    lambda plan: all(_valid(p) for old, _, new in plan for p in (old, new))
    and len({p for old, _, new in plan for p in (old, new)}) == 2 * len(plan)
    and _apart([p for old, _, new in plan for p in (old, new)]))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _by_git(root: Path) -> set[tuple[str, str | None, FileStatus]]:
    out = subprocess.run(["git", "diff", "--name-status", "-z", "-M", "HEAD~1", "HEAD"],
                         cwd=root, check=True, capture_output=True).stdout
    fields, named = [from_bytes(f) for f in out.split(b"\0")[:-1]], set()
    while fields:
        status = _STATUS[fields.pop(0)[0]]
        if status == FileStatus.RENAMED:
            old, new = fields.pop(0), fields.pop(0)
            named.add((new, old, status))
        else:
            path = fields.pop(0)
            named.add((path, None if status == FileStatus.ADDED else path, status))
    return named


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(plan=_PLANS, added=_NAME.filter(_valid))
@example(plan=[("s rc", "rename-edit", "src/src")], added="new")  # a space on one side only
@example(plan=[("u", "rename", "v b/u b/v")], added="new")  # halves that look equal
@example(plan=[("a\\xff", "modify", "b"), ("a\udcff", "rename", "c\udcfe")], added="\\\udcff")
def test_parsed_names_and_statuses_are_gits(tmp_path_factory, plan, added) -> None:
    body = "".join(f"line {i}\n" for i in range(12)).encode()
    root = init_repo(tmp_path_factory.mktemp("names"), {old: body for old, _, _ in plan})
    for old, op, new in plan:
        if op == "modify":
            _write(root / old, body + b"more\n")
        elif op == "delete":
            (root / old).unlink()
        elif op.startswith("rename"):
            _write(root / new, body + (b"edit\n" if op == "rename-edit" else b""))
            (root / old).unlink()
        elif op == "chmod":
            (root / old).chmod(0o755)
        else:
            _write(root / old, b"\0\1\2binary")
    if _apart([*(n for _, _, n in plan), *(o for o, _, _ in plan), added]) and \
            added not in {p for o, _, n in plan for p in (o, n)}:
        _write(root / added, b"new\n")
    commit(root, message="head")
    diff = open_repository(root).diff_refs("HEAD~1", "HEAD", merge_base=False)
    parsed = {(f.path, f.old_path, f.status) for f in parse_diff(diff).files}
    assert parsed == _by_git(root)


def test_a_no_index_diff_of_two_names_with_spaces_parses(tmp_path) -> None:
    """`git diff --no-index 'f 1' 'f 2'`: two different names and no rename lines; the
    `---`/`+++` lines name them."""
    (tmp_path / "f 1").write_text("a\n")
    (tmp_path / "f 2").write_text("b\n")
    diff = subprocess.run(["git", "diff", "--no-index", "f 1", "f 2"], cwd=tmp_path,
                          capture_output=True, text=True).stdout
    (only,) = parse_diff(diff).files
    assert (only.old_path, only.path, only.status) == ("f 1", "f 2", FileStatus.RENAMED)


# pieces of names git C-quotes (backslashes, quotes, tabs, line breaks, non-ASCII), that look
# like its escapes (`\303`, `\"`) or a byte's text form (`\xff`), lead with a dash, or break
# UTF-8
_QUOTED_PIECES = st.sampled_from(["\\", "\\\\", '"', "\t", "\n", "\r", " ", "é", "\u202e",
                                  "\\303", "\\251", '\\"', "\\t", "\\xff", "-", "--x", "a",
                                  ".py", "\udcff"])
_QUOTED_NAMES = st.lists(_QUOTED_PIECES, min_size=1, max_size=6).map("".join).filter(
    lambda n: n.strip() == n and n not in (".", "..") and not n.startswith(".git"))


_BYTE_LOOKALIKE = re.compile(r"\\x[89a-f][0-9a-f]")  # what a byte's text form looks like


def _real_names(root: Path) -> set[bytes]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=root, check=True,
                         capture_output=True).stdout
    return {n for n in out.split(b"\0") if n}


@settings(max_examples=25, deadline=None)
@given(names=st.sets(_QUOTED_NAMES, min_size=1, max_size=8))
@example(names={"a\\\\b.py", "c\\d.py", "e\\303\\251.py", '-q"\t\\.py'})
def test_a_quoted_name_is_unquoted_to_the_name_git_has(names: set[str]) -> None:
    """git writes each of these names quoted (`"a\\\\\\\\b.py"`); the parsed diff names the
    file by its real name (`git ls-files -z`): a UTF-8 name as it is, any name read back
    exactly by `on_disk`."""
    with tempfile.TemporaryDirectory() as tmp:
        root = init_repo(Path(tmp), {"README.md": "project\n"})
        commit(root, dict.fromkeys(names, "x = 1\n"))
        parsed = [f.path for f in parse_diff(
            open_repository(root).diff_refs("HEAD~1", "HEAD", merge_base=False)).files]
        real = _real_names(root) - {b"README.md"}
        assert {on_disk(p).encode("utf-8", "surrogateescape") for p in parsed} == real
        assert len(parsed) == len(real)
        for path in parsed:
            if is_utf8(path) and _BYTE_LOOKALIKE.search(path) is None:
                assert path.encode() in real, path
