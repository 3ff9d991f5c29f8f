"""A changed file whose name no file system here holds (a part over 255 bytes, or a path of
4,096) is in git, in the diff and on GitHub, but no checkout has it: the review crashed
writing its export (`File name too long`), so nothing of the change was reviewed (fuzz
round 8, D2). Now the file is named as not analysed, with why, and the rest of the change is
reviewed as before.

Generated: one to three files whose folders and names are parts of 10, 254, 255, 256 or 300
bytes, of several languages, each added or renamed (to or from a short name), committed
with git's plumbing (no working tree holds them) beside `ok.py`, whose F821 must still be
reported. A file whose every part fits is analysed (its own F821 reported when it is
Python, and the base did not have it where a checkout could); one with a part that does not
is named as not analysed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

CODE = {"py": "print(undefined_name)\n", "sh": "echo $1\n", "tf": "variable \"x\" {}\n",
        "js": "undefinedName();\n"}
part = st.sampled_from((10, 254, 255, 256, 300))
entry = st.tuples(st.lists(part, min_size=1, max_size=3), st.sampled_from(sorted(CODE)),
                  st.sampled_from(("added", "renamed-in", "renamed-out")))


def _name(index: int, lengths: list[int], suffix: str) -> str:
    """A path whose parts are `lengths` bytes long, the last ending `.suffix`."""
    parts = [f"{index}" + "d" * (n - len(str(index))) for n in lengths[:-1]]
    last = f"{index}" + "f" * (lengths[-1] - len(str(index)) - len(suffix) - 1) + f".{suffix}"
    return "/".join([*parts, last])


def _fits(path: str) -> bool:
    return all(len(part.encode()) <= 255 for part in path.split("/"))


def _stage(root: Path, path: str, text: str) -> None:
    """`path` holding `text` in the index, written by no checkout."""
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=root, input=text,
                          capture_output=True, text=True, check=True).stdout.strip()
    git(root, "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(entry, min_size=1, max_size=3))
@example([([256], "py", "added"), ([300, 10], "sh", "renamed-out"), ([255], "py", "added"),
          ([10, 256], "tf", "renamed-in")])
@example([([256, 10], "py", "renamed-out"), ([300, 10], "tf", "renamed-out"),
          ([300, 10], "py", "added")])
def test_a_name_no_file_system_holds_is_named_and_the_rest_reviewed(tmp_path_factory,
                                                                    entries) -> None:
    root = init_repo(tmp_path_factory.mktemp("long") / "r", {"README.md": "base\n"})
    moves = []
    for index, (lengths, suffix, how) in enumerate(entries):
        long, short = _name(index, lengths, suffix), f"short_{index}.{suffix}"
        old, new = {"added": (None, long), "renamed-in": (short, long),
                    "renamed-out": (long, short)}[how]
        if old is not None:
            _stage(root, old, CODE[suffix])
        moves.append((old, new, suffix))
    git(root, "commit", "-q", "--allow-empty", "-m", "base files")
    git(root, "checkout", "-qb", "feature")
    for old, new, suffix in moves:
        if old is not None:
            git(root, "update-index", "--force-remove", old)
        _stage(root, new, CODE[suffix])
    _stage(root, "ok.py", "print(also_undefined)\n")
    git(root, "commit", "-qm", "the change")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    unread = {row["path"]: row["not_read"] for row in report["health"]["files"]}
    reported = {f["file"] for bucket in ("remaining", "nits") for f in report["findings"][bucket]
                if f["rule"] == "F821"}
    assert "ok.py" in reported
    assert not [a["name"] for a in report["health"]["analyzers"] if a["status"] == "failed"]
    for old, new, suffix in moves:
        if _fits(new):  # its F821 is the change's unless the base had it where it fitted too
            assert not any("longer than a file system" in why for why in unread.get(new, [])), new
            assert suffix != "py" or (new in reported) == (old is None or not _fits(old)), new
        else:
            assert any("longer than a file system here holds" in why
                       for why in unread.get(new, [])), (new[:40], unread.get(new))
            assert report["verdict"].startswith("incomplete")


def _near_limit(index: int, total: int, widest: int) -> str:
    """A Python file's path of `total` bytes whose parts are at most `widest` bytes (its
    first part that wide, the others filling up to `total`)."""
    last = f"f{index}.py"
    parts, left = [], total - len(last)
    while left > 0:
        width = min(widest if not parts else 250, left - 1)
        parts.append(f"{index}" + "d" * (width - len(str(index))))
        left -= width + 1
    return "/".join([*parts, last])


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(3_900, 4_100), st.sampled_from((200, 255, 256))),
                min_size=4, max_size=8))
@example([(3_900, 255), (4_040, 255), (4_062, 250), (4_070, 255), (4_095, 255), (4_096, 255),
          (4_000, 256)])
def test_names_near_the_path_limits_are_analysed_or_named_with_their_figures(
        tmp_path_factory, files) -> None:
    """Paths of 3,900-4,100 bytes, parts up to 255 or 256 bytes: each file is analysed (its
    F821 reported) or named not analysed with why and its figures: a part over 255 bytes, a
    name of 4,096, or a name that fits whose path in the reviewed tree's folder does not —
    one cut, the same for every file: all shorter ones analysed, all longer ones named."""
    root = init_repo(tmp_path_factory.mktemp("near") / "r", {"README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    paths = {}
    for index, (total, widest) in enumerate(files):
        path = _near_limit(index, total, widest)
        paths[path] = (len(path.encode()), max(len(p) for p in path.split("/")))
        _stage(root, path, "print(undefined_name)\n")
    git(root, "commit", "-qm", "the change")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    unread = {row["path"]: row["not_read"] for row in report["health"]["files"]}
    reported = {f["file"] for bucket in ("remaining", "nits") for f in report["findings"][bucket]
                if f["rule"] == "F821"}
    folder = set()  # the bytes the reviewed tree's folder adds, told by each third case
    for path, (size, widest) in paths.items():
        said = [w for w in unread.get(path, []) if "longer than a file system" in w]
        if path in reported:
            assert not said and widest <= 255 and size < 4_096, (size, widest, said)
            continue
        assert len(said) == 1, (size, widest, unread.get(path))
        if widest > 255:
            assert f"a part of it is {widest:,} bytes, over the 255" in said[0]
        elif size >= 4_096:
            assert f"it is {size:,} bytes, and a path a tool opens is under 4,096" in said[0]
        else:
            whole = int(said[0].split(f"it is {size:,} bytes, ")[1].split(" ")[0]
                        .replace(",", ""))
            assert whole >= 4_096
            folder.add(whole - size)
    assert len(folder) <= 1
    for path, (size, widest) in paths.items():  # the cut: one for all
        if folder and widest <= 255:
            assert (path in reported) == (size + min(folder) < 4_096), size
        assert size > 3_950 or widest > 255 or path in reported  # never a short one
