"""`.reviewloop/` checked before a command reads or writes it: anything but a folder there is
named (exit 2) by every command, never read as "no runs yet"; a state folder or checkout this
user cannot write is named with the fix (exit 2), never a traceback (exit 3); a link the
repository tracks is refused before anything is written where it points, one you made kept."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.errors import ExitCode, NotWritable, UserInputError, not_writable, write_refused
from reviewloop.state_dir import STATE_DIR, state_folder, writable_state
from tests.support.cli_main import run_cli
from tests.support.gitutil import git
from tests.support.readonly import read_only, run_unprivileged, writable_again
from tests.support.repos import init_repo


def _file(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _dangling(path: Path, data: bytes) -> None:
    path.symlink_to(path.parent / "gone")


def _link_to_file(path: Path, data: bytes) -> None:
    (path.parent / "target").write_bytes(data)
    path.symlink_to(path.parent / "target")


def _fifo(path: Path, data: bytes) -> None:
    os.mkfifo(path)


NOT_A_FOLDER = {"file": _file, "dangling link": _dangling, "link to a file": _link_to_file,
                "fifo": _fifo}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(NOT_A_FOLDER)), data=st.binary(max_size=64),
       writable=st.booleans())
def test_anything_but_a_folder_is_named_with_the_fix(tmp_path_factory: pytest.TempPathFactory,
                                                     kind: str, data: bytes,
                                                     writable: bool) -> None:
    root = tmp_path_factory.mktemp("root")
    NOT_A_FOLDER[kind](root / STATE_DIR, data)
    with pytest.raises(UserInputError) as raised:
        (writable_state if writable else state_folder)(root)
    assert raised.value.exit_code == ExitCode.USAGE
    assert raised.value.where == str(root / STATE_DIR)
    assert raised.value.fix == f"move or remove {root / STATE_DIR}"


@pytest.mark.parametrize("kind", ["absent", "folder", "link to a folder"])
def test_a_folder_or_none_is_the_state_folder(tmp_path: Path, kind: str) -> None:
    if kind == "folder":
        (tmp_path / STATE_DIR).mkdir()
    if kind == "link to a folder":
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / STATE_DIR).symlink_to(tmp_path / "elsewhere")
    assert state_folder(tmp_path) == tmp_path / STATE_DIR
    assert (tmp_path / STATE_DIR).exists() == (kind != "absent")  # reading creates nothing
    assert writable_state(tmp_path).is_dir()


REFUSED = (errno.EACCES, errno.EPERM, errno.EROFS)


@given(code=st.sampled_from(REFUSED), name=st.text(st.characters(blacklist_characters="\0"),
                                                    min_size=1, max_size=30),
       depth=st.integers(0, 3))
def test_a_refused_write_anywhere_in_the_chain_names_its_path(code: int, name: str,
                                                              depth: int) -> None:
    refused = OSError(code, os.strerror(code), f"/repo/{name}")
    exc: BaseException = refused
    for level in range(depth):  # raised from, as a library wraps it
        wrapper = RuntimeError(f"level {level}")
        wrapper.__cause__ = exc
        exc = wrapper
    assert write_refused(exc) is refused
    error = not_writable(exc)
    assert isinstance(error, NotWritable) and error.exit_code == ExitCode.USAGE
    assert str(error).startswith(f"/repo/{name}: ") and "fix: make it writable" in str(error)


@given(code=st.sampled_from(sorted(set(errno.errorcode) - set(REFUSED))))
def test_other_os_errors_are_not_a_refused_write(code: int) -> None:
    assert write_refused(OSError(code, os.strerror(code), "/repo/x")) is None


COMMANDS = [("runs",), ("runs", "--json"), ("clean",), ("clean", "--all"), ("note", "chose x"),
            ("review",)]


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_every_command_names_a_file_in_the_state_folders_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        argv: tuple[str, ...]) -> None:
    init_repo(tmp_path, {"app.py": "x = 1\n"})
    (tmp_path / "app.py").write_text("x = 2\n")
    (tmp_path / STATE_DIR).write_text("not a folder\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, *argv)
    assert code == ExitCode.USAGE, out + err
    assert f"{tmp_path / STATE_DIR}: .reviewloop is a file, not reviewloop's state folder" in err
    assert "No runs yet" not in out and "Nothing to clean" not in out
    assert (tmp_path / STATE_DIR).read_text() == "not a folder\n"


# how a `.reviewloop` link comes to be tracked: committed (a pull request's head, a clone),
# only staged, or committed and then taken out of the index (HEAD still holds it)
TRACKED = {"committed": (("add", STATE_DIR), ("commit", "-qm", "link")),
           "staged": (("add", STATE_DIR),),
           "in HEAD only": (("add", STATE_DIR), ("commit", "-qm", "link"),
                            ("rm", "-q", "--cached", STATE_DIR))}


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=st.sampled_from(sorted(TRACKED)), absolute=st.booleans(),
       argv=st.sampled_from([*COMMANDS, ("report",), ("stats",), ("pickup",)]))
def test_a_link_the_repository_tracks_is_refused_before_anything_is_written(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], how: str, absolute: bool,
        argv: tuple[str, ...]) -> None:
    root = init_repo(tmp_path_factory.mktemp("repo"), {"app.py": "x = 1\n"})
    outside = tmp_path_factory.mktemp("outside")
    target = str(outside) if absolute else os.path.relpath(outside, root)
    (root / STATE_DIR).symlink_to(target)
    for step in TRACKED[how]:
        git(root, *step)
    (root / "app.py").write_text("x = 2\n")
    monkeypatch.chdir(root)

    code, out, err = run_cli(capsys, *argv)

    assert code == ExitCode.USAGE, out + err
    assert (f"{root / STATE_DIR}: .reviewloop is a link to {target} that the repository "
            "tracks: reviewloop's state would be written where it points (outside the "
            "repository); nothing was written\n  fix: remove it from the repository (`git rm "
            f"--cached .reviewloop`, then commit); {YOURS}") in err
    assert list(outside.iterdir()) == []


YOURS = ("a link you make yourself, untracked, keeps the state where it points (`note` and "
         "`handoff` excepted: they never write through a link)")
# the entries of a tracked `.reviewloop/` folder a link may stand for, at any depth: its
# stores, worktrees, a bench's folder, a run's folder
INNER = st.sampled_from(["runs.sqlite", "checkpoints.sqlite", "worktrees", "memory.sqlite",
                         "bench/default", "bench/default/bench.sqlite", "runs/r1/summary.json",
                         "reviews/a/b"])


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(INNER, min_size=1, max_size=3, unique=True), inside=st.booleans(),
       staged_only=st.booleans(), argv=st.sampled_from([("review",), ("runs",), ("stats",)]))
def test_a_link_inside_a_tracked_state_folder_is_refused_like_the_folders_link(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], names: list[str], inside: bool,
        staged_only: bool, argv: tuple[str, ...]) -> None:
    root = init_repo(tmp_path_factory.mktemp("repo"), {"app.py": "x = 1\n",
                                                       "kept/.keep": ""})
    outside = root / "kept" if inside else tmp_path_factory.mktemp("outside")
    (root / STATE_DIR).mkdir()
    (root / STATE_DIR / "notes.md").write_text("a tracked plain file\n")
    names = [n for n in names if not any(n.startswith(f"{o}/") for o in names)]
    for name in names:  # a link's own path holds no link (`bench/default` and under it)
        (root / STATE_DIR / name).parent.mkdir(parents=True, exist_ok=True)
        (root / STATE_DIR / name).symlink_to(outside / name)
    git(root, "add", STATE_DIR)
    if not staged_only:
        git(root, "commit", "-qm", "state")
    (root / "app.py").write_text("x = 2\n")
    monkeypatch.chdir(root)

    code, out, err = run_cli(capsys, *argv)

    first = sorted(names)[0]
    where = "inside the repository, a place its author chose" if inside \
        else "outside the repository"
    assert code == ExitCode.USAGE, out + err
    assert (f"{root / STATE_DIR / first}: .reviewloop/{first} is a link to {outside / first} "
            "that the repository tracks: reviewloop's state would be written where it points "
            f"({where})") in err
    assert sorted(p.name for p in outside.iterdir()) == ([".keep"] if inside else [])


def test_a_plain_folder_asks_no_git_and_a_link_asks_once_per_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reviewloop.git import command

    root = init_repo(tmp_path / "repo", {"app.py": "x = 1\n"})
    (root / STATE_DIR).mkdir()
    (root / STATE_DIR / "runs.sqlite").write_bytes(b"")
    asked: list[list[str]] = []
    run = command.GitCommand.run
    monkeypatch.setattr(command.GitCommand, "run",
                        lambda self, argv, *a, **k: asked.append(argv) or run(self, argv, *a, **k))
    for _ in range(3):
        state_folder(root)
    assert asked == []  # a plain folder of files: no git process
    (root / STATE_DIR / "worktrees").symlink_to(tmp_path)  # yours, untracked
    for _ in range(5):
        assert state_folder(root) == root / STATE_DIR
    assert len(asked) == 1  # the layers of one command ask again: git runs once
    git(root, "add", STATE_DIR)  # tracked now: the index changed, asked again
    with pytest.raises(UserInputError, match="that the repository tracks"):
        state_folder(root)
    assert len(asked) == 2


def test_a_link_you_made_yourself_keeps_the_state_where_it_points(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = init_repo(tmp_path / "repo", {"app.py": "x = 1\n"})
    (tmp_path / "elsewhere").mkdir()
    (root / STATE_DIR).symlink_to(tmp_path / "elsewhere")  # untracked, as the docs set it up
    (root / "app.py").write_text("x = 2\n")
    monkeypatch.chdir(root)
    code, out, err = run_cli(capsys, "review")
    assert code in (ExitCode.OK, ExitCode.BLOCKING), out + err
    assert list((tmp_path / "elsewhere").iterdir()) != []


READING = [("report",), ("stats",), ("stats", "--json"), ("pickup",), ("runs",)]
SAID = {"file": "a file", "dangling link": "a link to {target}, which does not exist",
        "link to a file": "a link to {target}, a file",
        "fifo": "a special file (a fifo, a socket, a device)"}


@pytest.mark.parametrize("kind", sorted(NOT_A_FOLDER))
@pytest.mark.parametrize("argv", READING, ids=" ".join)
def test_reading_commands_name_what_is_there_instead(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        argv: tuple[str, ...], kind: str) -> None:
    """A review was recorded, then the state folder moved (a dangling link), or a file took
    its place: every reader says so, as `runs` does; never "no runs yet" or zero counts."""
    root = tmp_path / "repo"
    init_repo(root, {"app.py": "x = 1\n"})
    monkeypatch.chdir(root)
    NOT_A_FOLDER[kind](root / STATE_DIR, b"data")
    target = os.readlink(root / STATE_DIR) if (root / STATE_DIR).is_symlink() else ""
    code, out, err = run_cli(capsys, *argv)
    assert code == ExitCode.USAGE, out + err
    said = SAID[kind].format(target=target)
    assert f"{root / STATE_DIR}: .reviewloop is {said}, not reviewloop's state folder" in err
    assert out == ""


WRITERS = [("review",), ("note", "chose x"), ("spec", "new", "--name", "todo-api", "a todo app"),
           ("init",), ("run", "next", "--yes", "--implementer", "manual")]


@pytest.fixture
def checkout(tmp_path: Path):
    root = tmp_path / "repo"
    init_repo(root, {"app.py": "x = 1\n", "tasks.md": "- [ ] 1. Add y\n"})
    (root / "app.py").write_text("x = 2\n")
    yield root
    writable_again(root)


CASES = [(where, argv) for where in ("checkout", "state folder") for argv in WRITERS
         if (where, argv[0]) != ("state folder", "init")]  # init writes no state


@pytest.mark.parametrize(("where", "argv"), CASES, ids=lambda v: v if isinstance(v, str)
                         else " ".join(v))
def test_a_read_only_checkout_is_named_with_the_fix(checkout: Path, argv: tuple[str, ...],
                                                    where: str) -> None:
    state = checkout / STATE_DIR
    if where == "state folder":
        (state / "reviews").mkdir(parents=True)
        read_only(state)
    else:
        read_only(checkout)
    done = run_unprivileged(checkout, *argv)
    assert done.returncode == ExitCode.USAGE, done.stdout + done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    # the path this user may not write: the state folder, else the first one in the checkout
    named = state if where == "state folder" else checkout
    assert f"error: {named}" in done.stderr, done.stderr
    assert "writable" in done.stderr
    assert not (state / "reviews").exists() or not any((state / "reviews").iterdir())


def _recorded(root: Path, journal: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A review, a run in the registry (in `journal` mode) and a handoff, as a project that
    has used `run` and `handoff` leaves its state."""
    import sqlite3

    from reviewloop.runs.registry import Registry

    assert run_cli(capsys, "review")[0] in (ExitCode.OK, ExitCode.BLOCKING)
    registry = Registry(root)
    registry.create("add-y-1", task_id="1", task_title="Add y", spec=str(root / "tasks.md"),
                    options={})
    registry.update("add-y-1", status="declined", detail="rejected")
    conn = sqlite3.connect(registry.path)
    conn.execute(f"PRAGMA journal_mode={journal}")
    conn.close()
    assert run_cli(capsys, "handoff")[0] == ExitCode.OK


READERS = [("runs",), ("runs", "--json"), ("stats",), ("report",), ("pickup",)]


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_reading_commands_read_a_read_only_checkout(
        checkout: Path, journal: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands that only read never ask for a writable folder: a read-only mount in CI, a
    colleague's checkout. A file in WAL mode, whose `-shm` cannot be made there, reads too."""
    monkeypatch.chdir(checkout)
    _recorded(checkout, journal, capsys)
    writable = {argv: run_unprivileged(checkout, *argv) for argv in READERS}
    read_only(checkout)
    for argv in READERS:
        done = run_unprivileged(checkout, *argv)
        was = writable[argv]
        assert (done.returncode, done.stdout, done.stderr) == (
            was.returncode, was.stdout, was.stderr), argv
        assert "writable" not in done.stderr and "internal error" not in done.stderr
    assert {argv for argv, was in writable.items() if was.returncode} <= {("report",)}
    assert "add-y-1" in writable[("runs",)].stdout
    assert "1 review(s)" in writable[("stats",)].stdout
    assert not any(p.name.endswith("-shm") for p in (checkout / STATE_DIR).iterdir())


AFTER_RUNS = [("review",), ("review", "--fix"), ("review", "--staged"), ("handoff",),
              ("note", "chose x")]


@pytest.mark.parametrize("argv", AFTER_RUNS, ids=" ".join)
def test_writing_commands_still_name_a_read_only_checkout(
        checkout: Path, argv: tuple[str, ...], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(checkout)
    _recorded(checkout, "delete", capsys)
    (checkout / "app.py").write_text("x = 3\n")
    read_only(checkout)
    done = run_unprivileged(checkout, *argv)
    assert done.returncode == ExitCode.USAGE, done.stdout + done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert f"error: {checkout / STATE_DIR}" in done.stderr, done.stderr
    assert "conflicts" not in done.stderr and "make it writable" in done.stderr


@pytest.mark.parametrize("argv", [("review",), ("review", "--fix"), ("review", "--staged")],
                         ids=" ".join)
def test_a_review_names_git_s_object_store_it_cannot_write(
        checkout: Path, argv: tuple[str, ...]) -> None:
    """The state folder writable (a link elsewhere, a chmod) but not `.git/objects`, where a
    review records the working tree's or the index's files: exit 2 naming it, not `git add`
    failing as an internal error (exit 3)."""
    (checkout / STATE_DIR).mkdir()
    objects = checkout / ".git" / "objects"
    read_only(objects)
    try:
        done = run_unprivileged(checkout, *argv)
    finally:
        writable_again(objects)
    assert done.returncode == ExitCode.USAGE, done.stdout + done.stderr
    assert f"error: {objects}: git's object store is not writable" in done.stderr, done.stderr
    assert "--head REV" in done.stderr
    assert not any((checkout / STATE_DIR).iterdir())
