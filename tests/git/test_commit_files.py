"""reviewloop.git.commit_files on a real repository: the files a step reads together come from
one `ls-tree` and one `cat-file --batch`, and every answer is the one `provenance.read_at`
gives reading the file alone (the old per-file reads), whatever was wanted beforehand, in
whatever order the files are asked, with or without room to keep them.

Generated: a repository holding every kind of entry a read can meet (text, bytes that are no
UTF-8, CRLF, empty, executable, the same blob under two names, a symlink, a submodule, names
that are no UTF-8 or hold a tab, a newline, a backslash or a space, folders), two commits (the
second deletes, edits and renames), and every way of naming the commit (its id, its branch,
its tree, a name git does not know); the names asked are every entry and folder and the
names no entry has (`..`, `./`, a trailing slash, the empty name)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git import commit_files
from reviewloop.git.commit_files import CommitFiles
from reviewloop.git.names import shown
from reviewloop.git.provenance import read_at
from reviewloop.git.repository import Repository, open_repository
from tests.support.gitutil import git
from tests.support.processes import started

FILES: dict[bytes, bytes] = {
    b"a.js": b"/* global a */\nexport const a = 1;\n",
    b"same.js": b"/* global a */\nexport const a = 1;\n",  # a.js's blob
    b"latin1.js": b"// caf\xe9\nexport const x = 1;\n",  # content no UTF-8
    b"crlf.js": b"/* eslint no-console: 2 */\r\nconsole.log(1);\r\n",
    b"empty.js": b"",
    b"run.sh": b"#!/bin/sh\necho hi\n",
    b"src/deep/inner.js": b"export const inner = 1;\n",
    b"src/caf\xe9.js": b"export const cafe = 1;\n",  # a name no UTF-8
    b"src/tab\there.js": b"export const tab = 1;\n",
    b"src/new\nline.js": b"export const line = 1;\n",
    b"src/back\\slash.js": b"export const back = 1;\n",
    b"src/with space.js": b"export const space = 1;\n",
    b"gone.js": b"export const gone = 1;\n",
    b"moved.js": b"export const moved = 1;\n",
}
ABSENT = ("", ".", "./a.js", "../a.js", "src", "src/", "src/deep", "a.js/child", "nosuch.js",
          "src/nosuch.js", "link.js/x", "sub/x")


def _build(root: Path) -> tuple[Repository, list[str], list[str]]:
    """The repository, its revisions (as a step may name them) and the names to ask."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for name, data in FILES.items():
        path = os.path.join(os.fsencode(root), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)
    os.chmod(root / "run.sh", 0o755)
    os.symlink("a.js", root / "link.js")
    git(root, "add", "-A")
    blob = git(root, "rev-parse", ":a.js").strip()
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{blob},sub")  # a submodule
    git(root, "commit", "-qm", "base")
    first = git(root, "rev-parse", "HEAD").strip()
    os.remove(root / "gone.js")
    (root / "a.js").write_bytes(b"/* global b */\nexport const a = 2;\n")
    git(root, "mv", "moved.js", "src/renamed.js")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "second")
    revs = [first, "main", git(root, "rev-parse", f"{first}^{{tree}}").strip(), "HEAD~1",
            "nosuch"]
    names = sorted({shown(os.fsdecode(n)) for n in FILES} | {"link.js", "sub",
                                                              "src/renamed.js", *ABSENT})
    return open_repository(root), revs, names


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repository, list[str], list[str]]:
    return _build(tmp_path_factory.mktemp("files") / "r")


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_each_answer_is_the_one_file_read_alone(
        built: tuple[Repository, list[str], list[str]], data: st.DataObject) -> None:
    repo, revs, names = built
    rev = data.draw(st.sampled_from(revs))
    wanted = data.draw(st.lists(st.sampled_from(names), unique=True))
    asked = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    budget = data.draw(st.sampled_from((commit_files.BUDGET, 40, 0)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(commit_files, "BUDGET", budget)  # room for none, some, all
        reader = CommitFiles(repo, rev)
        reader.want(wanted)
        got = [reader.read(name) for name in asked]
        again = reader.read_all(reversed(asked))
    alone = [read_at(repo, rev, name) for name in asked]
    assert got == alone
    assert again == dict(zip(asked, alone, strict=True))


def test_the_plain_git_oracle_agrees(built: tuple[Repository, list[str], list[str]]) -> None:
    """What `git cat-file -p <rev>:<name>` prints, decoded as the readers do, for each
    regular file; nothing for a link, a submodule, a folder or a missing name."""
    repo, revs, names = built
    read = CommitFiles(repo, revs[0]).read_all(names)
    for raw, data in FILES.items():
        assert read[shown(os.fsdecode(raw))] == data.decode("utf-8", "replace"), raw
    assert {n for n, text in read.items() if text is None} == {"link.js", "sub",
                                                                "src/renamed.js", *ABSENT}


def test_a_name_with_a_nul_fails_as_read_alone(
        built: tuple[Repository, list[str], list[str]]) -> None:
    repo, revs, _ = built
    reader = CommitFiles(repo, revs[0])
    reader.want(["a.js", "bad\0name.js"])
    with pytest.raises(ValueError, match="null byte"):
        read_at(repo, revs[0], "bad\0name.js")
    with pytest.raises(ValueError, match="null byte"):
        reader.read("bad\0name.js")
    assert reader.read("a.js") == FILES[b"a.js"].decode()


@pytest.mark.parametrize("count", [1, 5, 40])
def test_the_files_wanted_are_two_git_processes_however_many(tmp_path: Path,
                                                             count: int) -> None:
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for index in range(count):
        (root / f"f{index}.js").write_text(f"export const f{index} = {index};\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    repo = open_repository(root)
    names = [f"f{index}.js" for index in range(count)] + ["missing.js"]
    reader = CommitFiles(repo, "main")
    with started() as runs:
        reader.want(names)
        read = [reader.read(name) for name in names]
        read += [reader.read(name) for name in names]  # asked again: from memory
    assert read[:count] == [f"export const f{i} = {i};\n" for i in range(count)]
    assert read[count] is None
    commands = [next(a for a in argv[1:] if not a.startswith("-") and "=" not in a)
                for argv in runs]  # past git's options (`-c name=value`)
    assert commands == ["ls-tree", "cat-file"]

    refused = CommitFiles(repo, "main")  # a name git refuses: found by halving, read alone
    with started() as runs:
        read = refused.read_all(["../outside.js", *names])
    assert read == {"../outside.js": None, **dict(zip(names, read_alone := [
        read_at(repo, "main", name) for name in names], strict=True))}
    assert read_alone[:count] == [f"export const f{i} = {i};\n" for i in range(count)]
    assert len(runs) <= 4 + 2 * (count + 1).bit_length(), [argv[-3:] for argv in runs]

    with started() as runs:  # a commit git does not know: no files, asked once
        assert set(CommitFiles(repo, "nosuch").read_all(names).values()) == {None}
    assert len(runs) <= 2


def test_past_its_budget_a_reader_keeps_nothing(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.js").write_text("export const a = 1;\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    monkeypatch.setattr(commit_files, "BUDGET", 5)  # less than the file
    reader = CommitFiles(open_repository(root), "main")
    with started() as runs:
        assert reader.read_all(["a.js", "b.js"]) == {"a.js": "export const a = 1;\n",
                                                     "b.js": None}
    with started() as again:
        assert reader.read("a.js") == "export const a = 1;\n"
        assert reader.read("b.js") is None  # its answer kept: no text
    # too large to read together: a.js is read alone (ls-tree, cat-file), then again
    assert len(runs) == 3 and len(again) == 2
