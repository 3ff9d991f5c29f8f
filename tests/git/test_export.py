"""reviewloop.git.export: a head commit's export takes a file the diff adds whole from the
diff only when it is the very blob — on generated contents (line ends of every kind, no
final newline, lines that read as diff syntax, bytes that are not UTF-8, NULs) the export
is byte for byte what git stores, and a forged claim is never written."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.git.command import GitCommand
from reviewloop.git.diff import parse_diff
from reviewloop.git.export import from_diff, listing, unmarked
from reviewloop.git.reads import one_read, read_bytes
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git

_PIECES = st.sampled_from([
    b"line\n", b"crlf\r\n", b"lone cr\r", b"+plus\n", b"-minus\n", b" space\n", b"\n",
    b"\\ No newline at end of file\n", b"@@ -0,0 +1 @@\n", b"diff --git a/x b/x\n",
    b"caf\xc3\xa9\n", b"bad \xff byte\n", b"nul \x00 byte\n", b"no end", b"\t\n",
])
_CONTENTS = st.lists(_PIECES, max_size=12).map(b"".join)


def _tree(root: Path) -> dict[str, bytes]:
    return {os.path.relpath(os.path.join(top, name), root): Path(top, name).read_bytes()
            for top, _, names in os.walk(root) for name in names}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_CONTENTS, min_size=1, max_size=6))
def test_a_head_export_from_the_diff_is_what_git_stores(tmp_path_factory, contents):
    root = tmp_path_factory.mktemp("repo")
    git(root, "init", "-q", "-b", "main")
    (root / "kept.txt").write_bytes(b"base\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-q", "-b", "feature")
    files = {f"d/f{n}.txt": data for n, data in enumerate(contents)}
    for path, data in files.items():
        (root / path).parent.mkdir(exist_ok=True)
        (root / path).write_bytes(data)
    git(root, "add", ".")
    git(root, "commit", "-qm", "feature")
    repo = open_repository(root)
    changes = parse_diff(repo.diff_refs("main", "feature"))
    claimed = from_diff(changes)
    for path, data in files.items():  # text as the diff shows it is the file itself
        plain = b"\0" not in data and data.decode("utf-8", "replace").encode() == data
        if plain and data:
            assert claimed(path) == data, path

    out = tmp_path_factory.mktemp("export")
    written = repo.export_files("feature", ["."], out / "from-diff", claimed)
    repo.export_files("feature", ["."], out / "from-git")

    assert set(written) == {*files, "kept.txt"}
    assert _tree(out / "from-diff") == _tree(out / "from-git") == {**files,
                                                                   "kept.txt": b"base\n"}


def test_a_claim_that_is_not_the_blob_is_not_written(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.py").write_text("print('real')\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "one")
    repo = open_repository(root)

    repo.export_files("HEAD", ["."], tmp_path / "out", lambda path: b"print('forged')\n")

    assert (tmp_path / "out" / "a.py").read_bytes() == b"print('real')\n"


def test_a_link_to_a_file_of_the_commit_is_exported_as_that_link(tmp_path: Path) -> None:
    """A link to a regular file of the same commit (a module's shared `locals.tf`), or to
    a link written so, is written as it is; one out of the tree, absolute, to a folder or to
    nothing is not, nor one through a folder the commit does not have; none is among the
    written files."""
    root = tmp_path / "repo"
    (root / "shared" / "deep").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "shared" / "locals.tf").write_text("locals {}\n")
    (root / "infra").mkdir()
    links = {"infra/locals.tf": "../shared/locals.tf", "infra/up.tf": "../../outside.tf",
             "infra/abs.tf": str(tmp_path / "outside.tf"), "infra/dir": "../shared",
             "infra/chain.tf": "locals.tf", "infra/none.tf": "../shared/none.tf",
             "infra/deep.tf": "../shared/deep/../locals.tf",
             "infra/nodir.tf": "../shared/nodir/../locals.tf"}
    (root / "shared" / "deep" / "keep.txt").write_text("kept\n")
    (tmp_path / "outside.tf").write_text("locals {}\n")
    for path, target in links.items():
        os.symlink(target, root / path)
    git(root, "add", ".")
    git(root, "commit", "-qm", "one")

    written = open_repository(root).export_files("HEAD", ["."], tmp_path / "out")

    out = tmp_path / "out"
    assert set(written) == {"shared/locals.tf", "shared/deep/keep.txt"}
    assert {p.relative_to(out).as_posix(): os.readlink(p) for p in out.rglob("*")
            if p.is_symlink()} == {"infra/locals.tf": "../shared/locals.tf",
                                   "infra/chain.tf": "locals.tf",
                                   "infra/deep.tf": "../shared/deep/../locals.tf"}


def test_an_export_in_a_batch_is_read_from_what_it_wrote_with_open_s_file_modes(
        tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "a.py").write_text("print('a')\n")
    (root / "d").mkdir()
    (root / "d" / "b.sh").write_text("echo b\n")
    (root / "d" / "b.sh").chmod(0o755)
    git(root, "add", ".")
    git(root, "commit", "-qm", "one")
    repo = open_repository(root)
    out = tmp_path / "out"
    with one_read(out):
        repo.export_files("HEAD", ["a.py"], out, lambda path: b"print('a')\n")  # claimed
        repo.export_files("HEAD", ["d"], out)  # from git
        for path in ("a.py", "d/b.sh"):
            (out / path).write_bytes(b"changed on disk\n")  # a batch's tree does not change
        # the bytes the export wrote are each file's one read: never read back
        assert read_bytes(out, os.path.join(out, "a.py")) == b"print('a')\n"
        assert read_bytes(out, os.path.join(out, "d/b.sh")) == b"echo b\n"
    assert read_bytes(out, os.path.join(out, "a.py")) == b"changed on disk\n"  # no batch
    with open(tmp_path / "opened", "wb"):  # a file as `open` makes it, under this umask
        pass
    mode = (tmp_path / "opened").stat().st_mode & 0o777
    assert (out / "a.py").stat().st_mode & 0o777 == mode
    assert (out / "d/b.sh").stat().st_mode & 0o777 == mode | 0o111  # as a checkout has it


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_CONTENTS, st.sampled_from(["file", "exec", "link", "module"]),
                          st.booleans()), min_size=1, max_size=8),
       st.integers(0, 3))
@example([(b"a\n", "file", False), (b"b\n", "exec", False), (b"c", "file", True),
          (b"", "link", False), (b"", "module", False)], 1)  # sized by the claims
@example([(b"a\n", "file", False)], 3)  # most blobs unclaimed: git sizes them all
def test_a_listing_sized_from_the_claims_is_git_s_own(tmp_path_factory, entries, base_files):
    """`export.listing` with claims prints what `ls-tree -l` prints, whichever side most
    blobs are on: sizes from claimed contents that are the blob, git's for the rest (a
    forged claim, a link, a file the base had), `-` for a submodule."""
    root = tmp_path_factory.mktemp("repo")
    git(root, "init", "-q", "-b", "main")
    for n in range(base_files):
        (root / f"base{n}.txt").write_text(f"base {n}\n" * n)
    git(root, "commit", "-q", "--allow-empty", "-m", "base")
    git(root, "add", ".")
    git(root, "commit", "-q", "--allow-empty", "-m", "base files")
    git(root, "checkout", "-q", "-b", "feature")
    forged = set()
    for n, (data, kind, forge) in enumerate(entries):
        path = f"d{n % 2}/e{n}"
        if kind == "module":
            sha = git(root, "rev-parse", "HEAD").strip()
            git(root, "update-index", "--add", "--cacheinfo", f"160000,{sha},{path}")
            continue
        (root / path).parent.mkdir(exist_ok=True)
        if kind == "link":
            os.symlink(f"target{n}", root / path)
        else:
            (root / path).write_bytes(data)
            (root / path).chmod(0o755 if kind == "exec" else 0o644)
        if forge:
            forged.add(path)
    git(root, "add", ".")
    git(root, "commit", "-q", "--allow-empty", "-m", "feature")
    repo = open_repository(root)
    real = from_diff(parse_diff(repo.diff_refs("main", "feature")))

    def claimed(path: str) -> bytes | None:
        return b"forged\n" if path in forged else real(path)

    commit = git(root, "rev-parse", "feature").strip()
    expected = git(root, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", ".")
    assert listing(repo.git, GitCommand(root), (), commit, claimed) == expected
    assert listing(repo.git, GitCommand(root), (), commit) == expected


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_CONTENTS, st.booleans()), min_size=1, max_size=5))
def test_a_head_s_sizes_and_files_ask_each_claim_once(tmp_path_factory, entries):
    """A head's export as a review makes it (`runs.source.head_tree`): its listing sized
    from the claims, then its files written from them. Each claim is asked, and its blob id
    hashed, once for both; the files are still git's own, a forged claim not written."""
    root = tmp_path_factory.mktemp("repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "commit", "-q", "--allow-empty", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    files = {f"d/f{n}.txt": data for n, (data, _) in enumerate(entries)}
    forged = {f"d/f{n}.txt" for n, (_, forge) in enumerate(entries) if forge}
    for path, data in files.items():
        (root / path).parent.mkdir(exist_ok=True)
        (root / path).write_bytes(data)
    git(root, "add", ".")
    git(root, "commit", "-qm", "feature")
    repo = open_repository(root)
    real = from_diff(parse_diff(repo.diff_refs("main", "feature")))
    asked: list[str] = []

    def claimed(path: str) -> bytes | None:
        asked.append(path)
        return b"forged\n" if path in forged else real(path)

    commit = git(root, "rev-parse", "feature").strip()
    assert repo.tree_listing("feature", claimed) == git(
        root, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, "--", ".")
    out = tmp_path_factory.mktemp("export")
    repo.export_files("feature", ["."], out, claimed)
    assert _tree(out) == files
    assert sorted(asked) == sorted(set(asked))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="+\n\r\x0b\u2028a- ", max_size=40))
def test_a_hunks_marks_come_off_as_a_multiline_regex_takes_them(body: str) -> None:
    assert unmarked(body) == re.sub(r"^\+", "", body, flags=re.MULTILINE)
