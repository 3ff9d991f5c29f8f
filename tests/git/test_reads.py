"""`git.reads`: inside a batch a changed file is read from the file system once for every
step that asks; whatever is read reads as `open()` gives it, in bytes or as text (universal
newlines, a bad byte replaced or raised), whole or its start."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git import reads
from reviewloop.git.reads import one_read, read_bytes, read_text

# bytes a text file may hold and that decoding and newline translation treat apart
_BYTES = st.lists(st.sampled_from([b"a", b"\n", b"\r", b"\r\n", b"\xff", b"\xc3", b"\xc3\xa9",
                                   b"\xe2\x82", b"\xef\xbb\xbf", b"\x00", b"\xf0\x9f\x98\x80"]),
                  max_size=40).map(b"".join)


def _opened(path: Path, errors: str, limit: int | None) -> str | type[Exception]:
    try:
        with open(path, encoding="utf-8", errors=errors) as handle:
            return handle.read(limit)
    except UnicodeDecodeError:
        return UnicodeDecodeError


def _read(root: Path, path: Path, errors: str, limit: int | None) -> str | type[Exception]:
    try:
        return read_text(root, str(path), errors, limit)
    except UnicodeDecodeError:
        return UnicodeDecodeError


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_BYTES, errors=st.sampled_from(["strict", "replace"]),
       limit=st.one_of(st.none(), st.integers(0, 50)), batched=st.booleans())
def test_the_text_is_open_s(tmp_path: Path, data: bytes, errors: str, limit: int | None,
                            batched: bool) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(data)
    if batched:
        with one_read(tmp_path):
            assert _read(tmp_path, path, errors, limit) == _opened(path, errors, limit)
            assert _read(tmp_path, path, errors, limit) == _opened(path, errors, limit)
    else:
        assert _read(tmp_path, path, errors, limit) == _opened(path, errors, limit)


def test_a_batch_reads_a_file_once_and_forgets_it_when_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"first\r\n")
    with one_read(tmp_path):
        assert read_text(tmp_path, str(path)) == "first\n"
        path.write_bytes(b"second\n")  # a tree in a batch does not change: this one did
        assert read_bytes(tmp_path, str(path)) == b"first\r\n"  # the one read, shared
        with one_read(tmp_path):  # nested: the outer batch holds
            assert read_text(tmp_path, str(path), "replace", limit=3) == "fir"
        assert read_bytes(tmp_path, str(path)) == b"first\r\n"
    assert read_text(tmp_path, str(path)) == "second\n"  # outside: the file system's
    with one_read(tmp_path / "other"):  # another tree's batch keeps nothing of this one
        assert read_text(tmp_path, str(path)) == "second\n"


def test_a_missing_file_raises_as_open_does_and_the_budget_bounds_what_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads, "BUDGET", 10)
    small, large = tmp_path / "small", tmp_path / "large"
    small.write_bytes(b"12345")
    large.write_bytes(b"0123456789")
    with one_read(tmp_path):
        with pytest.raises(FileNotFoundError):
            read_bytes(tmp_path, str(tmp_path / "none"))
        assert read_bytes(tmp_path, str(small)) == b"12345"
        assert read_bytes(tmp_path, str(large)) == b"0123456789"  # over the budget: not kept
        small.write_bytes(b"changed")
        large.write_bytes(b"changed")
        assert read_bytes(tmp_path, str(small)) == b"12345"
        assert read_bytes(tmp_path, str(large)) == b"changed"  # read again


def _made(root: Path, kind: str) -> Path:
    """An entry of `kind` under `root` (made anew): what a changed file's name can be."""
    path = root / kind
    if kind == "file":
        path.write_bytes(b"x = 1\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "folder":
        path.mkdir()
    elif kind == "link":
        path.symlink_to("file")
    elif kind == "dangling":
        path.symlink_to("nowhere")
    elif kind == "under-a-file":
        (root / "plain").write_bytes(b"")
        return root / "plain" / "x"
    return path  # "missing": nothing there


def _looked(root: Path, path: Path) -> tuple[int, int, int, int] | type[OSError]:
    try:
        info = reads.lstat(root, str(path))
    except OSError as exc:
        return type(exc)
    return info.st_mode, info.st_size, info.st_ino, info.st_dev


def _lstat(path: Path) -> tuple[int, int, int, int] | type[OSError]:
    try:
        info = path.lstat()
    except OSError as exc:
        return type(exc)
    return info.st_mode, info.st_size, info.st_ino, info.st_dev


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["file", "empty", "folder", "link", "dangling", "missing",
                             "under-a-file"]), batched=st.booleans())
def test_a_look_is_lstat_s_answer_or_error(tmp_path_factory: pytest.TempPathFactory,
                                           kind: str, batched: bool) -> None:
    root = tmp_path_factory.mktemp("look")
    (root / "file").write_bytes(b"a link's target\n")
    path = _made(root, kind)
    if batched:
        with one_read(root):
            assert _looked(root, path) == _lstat(path)
            assert _looked(root, path) == _lstat(path)  # kept, or the same error again
    else:
        assert _looked(root, path) == _lstat(path)


def test_a_batch_looks_at_a_file_once_and_forgets_it_when_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"first\n")
    with one_read(tmp_path):
        first = reads.lstat(tmp_path, str(path))
        path.write_bytes(b"longer than it was\n")  # a tree in a batch does not change
        assert reads.lstat(tmp_path, str(path)) is first  # the one look, shared
        with pytest.raises(FileNotFoundError):  # a failed look is not kept
            reads.lstat(tmp_path, str(tmp_path / "new"))
        (tmp_path / "new").write_bytes(b"")
        assert reads.lstat(tmp_path, str(tmp_path / "new")).st_size == 0
    assert reads.lstat(tmp_path, str(path)).st_size == len(b"longer than it was\n")


def test_a_batch_derives_once_for_a_key_and_never_keeps_an_error(tmp_path: Path) -> None:
    asked: list[str] = []

    def compute(answer: str) -> str:
        asked.append(answer)
        return answer

    assert reads.derived(tmp_path, "k", lambda: compute("a")) == "a"  # outside: each time
    assert reads.derived(tmp_path, "k", lambda: compute("b")) == "b"
    with one_read(tmp_path):
        assert reads.derived(tmp_path, "k", lambda: compute("c")) == "c"
        assert reads.derived(tmp_path, "k", lambda: compute("d")) == "c"  # the first, kept
        assert reads.derived(tmp_path, "other", lambda: compute("e")) == "e"
        with pytest.raises(OSError, match="gone"):
            reads.derived(tmp_path, "bad", lambda: (_ for _ in ()).throw(OSError("gone")))
        assert reads.derived(tmp_path, "bad", lambda: compute("f")) == "f"  # asked again
    assert reads.derived(tmp_path, "k", lambda: compute("g")) == "g"  # the batch ended
    assert asked == ["a", "b", "c", "e", "f", "g"]


def test_who_asks_while_it_is_derived_waits_for_that_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second asker is seen waiting on the first one's answer before that answer may be
    given (`slow` cannot return until `release`), and its own `compute` never runs: had it
    not waited, `waiting` would never be set and the test fails, with no clock involved."""
    started, release, waiting = threading.Event(), threading.Event(), threading.Event()
    answers: list[str] = []
    computed: list[str] = []

    class Watched(Future[object]):
        def result(self, timeout: float | None = None) -> object:
            if not self.done():
                waiting.set()  # an asker is about to block on an answer still being derived
            return super().result(timeout)

    monkeypatch.setattr(reads, "Future", Watched)

    def slow() -> str:
        started.set()
        assert release.wait(60)
        computed.append("first")
        return "first"

    def second_compute() -> str:
        computed.append("second")
        return "second"

    with one_read(tmp_path):
        first = threading.Thread(target=lambda: answers.append(
            reads.derived(tmp_path, "k", slow)))
        first.start()
        assert started.wait(60)
        assert not waiting.is_set()  # the first asker computes: it waits on nobody
        second = threading.Thread(target=lambda: answers.append(
            reads.derived(tmp_path, "k", second_compute)))
        second.start()
        assert waiting.wait(60)  # the second asker blocks on the unfinished answer ...
        assert answers == [] and second.is_alive()  # ... and has none while it is derived
        release.set()
        first.join(60)
        second.join(60)
    assert answers == ["first", "first"]
    assert computed == ["first"]
