"""bandit in reviewloop's process (`bandit_api`): the report its CLI prints, read, and byte
for byte but the time once written as bandit writes it, on generated files and configs;
nothing of the process left changed."""

from __future__ import annotations

import ast
import contextlib
import io
import itertools
import json
import linecache
import logging
import math
import os
import sys
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from bandit.core import blacklisting, extension_loader
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers import bandit_api
from reviewloop.checks.analyzers.base import AnalyzerError
from tests.support.plain_bandit import cli_report, without_time


def _untimed(report: dict | None) -> dict:
    """`report` but the moment it was made (a copy)."""
    assert report is not None
    return {key: value for key, value in report.items() if key != "generated_at"}


def _printed(report: dict) -> str:
    """`report` as bandit's json formatter writes it (`bandit/formatters/json.py`)."""
    return json.dumps(report, sort_keys=True, indent=2, separators=(",", ": "))

BIDI = "label = 'abc\u202edef'  # a right-to-left override: B613\n"
UTF7 = b"# -*- coding: utf-7 -*-\nlabel = '+IC4-'\n"  # the same override in ASCII bytes
# what bandit flags, and what it cannot read, one snippet a line group
SNIPPETS = (
    "import subprocess\nsubprocess.call(cmd, shell=True)\n",
    "import subprocess\nsubprocess.Popen('ls ' + name, shell=True)\n",
    "eval(input())\n",
    "import pickle\npickle.loads(data)\n",
    "import yaml\nyaml.load(text)\n",
    "assert x, 'never'\n",
    "password = 'hunter2'\n",
    "def login(password='s3cret'):\n    return password\n",
    "open('/tmp/out.txt', 'w')\n",
    "open('/data/scratch/x', 'w')\n",
    "import hashlib\nhashlib.md5(b'')\n",
    "try:\n    go()\nexcept Exception:\n    pass\n",
    "subprocess.call(cmd, shell=True)  # nosec\n",
    "eval(code)  # nosec B307\n",
    "x = '\\d'\n",  # an invalid escape: a warning while parsing
    "y = 1if z else 2\n",  # a SyntaxWarning while parsing
    "def broken(:\n",
    BIDI,
    "# caf\u00e9, no override\n",
    "x = '" + "a" * 30_000 + "'\n",
    "v = " + "[" * 60 + "]" * 60 + "\n",
    "",
)
BYTES = st.sampled_from((b"", b"\xff\xfe\x00bad", b"x = 1\x00\n", b"# -*- coding: latin-1 -*-\n",
                         b"\xe9t\xe9 = 1\n", b"\xef\xbb\xbf", UTF7))
# most files start as they are: a prefix that bandit cannot read leaves its file unread
FILES = st.lists(st.tuples(st.lists(st.sampled_from(SNIPPETS), max_size=5),
                           st.just(b"") | st.just(b"") | BYTES),
                 min_size=1, max_size=4)
IDS = ("B101", "B102", "B105", "B106", "B108", "B110", "B301", "B307", "B324", "B404",
       "B506", "B602", "B613", "B999")
CONFIGS = st.none() | st.fixed_dictionaries({}, optional={
    "skips": st.lists(st.sampled_from(IDS), max_size=3),
    "tests": st.lists(st.sampled_from(IDS), max_size=3),
    "hardcoded_tmp_directory": st.fixed_dictionaries(
        {"tmp_dirs": st.lists(st.sampled_from(("/tmp", "/data/scratch", "/var")), max_size=2)}),
    "shell_injection": st.fixed_dictionaries(
        {"subprocess": st.just(["subprocess.Popen"]), "shell": st.just(["os.system"])}),
    "try_except_pass": st.fixed_dictionaries({"check_typed_exception": st.booleans()}),
    "exclude_dirs": st.lists(st.sampled_from(("*/skipped/*", "*/f1.py")), max_size=1),
})


def _write(folder: Path, files: list[tuple[list[str], bytes]], config: dict | None
           ) -> tuple[list[str], str | None]:
    folder.mkdir(parents=True)
    targets = []
    for n, (snippets, raw) in enumerate(files):
        path = folder / ("skipped" if n == 3 else "") / f"f{n}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(raw + "".join(snippets).encode())
        targets.append(str(path))
    if config is None:
        return targets, None
    (folder / "bandit.yaml").write_text(json.dumps(config), "utf-8")
    return targets, str(folder / "bandit.yaml")


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=FILES, config=CONFIGS)
@example(files=[([BIDI, SNIPPETS[0]], b"")], config=None)  # B613 found: bandit's own test
@example(files=[([SNIPPETS[0]], UTF7)], config={"tests": ["B613"]})  # most kinds untested
def test_the_report_is_the_clis(tmp_path: Path, files: list[tuple[list[str], bytes]],
                                config: dict | None) -> None:
    targets, config_path = _write(Path(tempfile.mkdtemp(dir=tmp_path)) / "p", files, config)
    ours = bandit_api.report(targets, config_path)
    code, printed = cli_report(targets, config_path, tmp_path)
    if ours is None:  # the CLI's own answer stands: it exited 2, or a file's scan raised
        assert code == 2 or "exception while scanning file" in printed
        return
    assert code in (0, 1)
    assert _untimed(ours) == without_time(printed)  # a tuple where the CLI's has a list: no
    assert _printed(ours).replace(ours["generated_at"], "") == \
        printed.replace(json.loads(printed)["generated_at"], "")


def test_a_change_bandit_reads_is_reported_here(tmp_path: Path) -> None:
    targets, config = _write(tmp_path / "p", [(list(SNIPPETS[:12]), b""), ([], b"\xff")],
                             {"skips": ["B101"]})
    ours = bandit_api.report(targets, config)
    assert ours is not None
    report = _untimed(ours)
    assert report == without_time(cli_report(targets, config, tmp_path)[1])
    assert {r["test_id"] for r in report["results"]} >= {"B602", "B307", "B301", "B506"}
    assert "B101" not in {r["test_id"] for r in report["results"]}


def test_a_config_bandit_refuses_is_left_to_the_cli(tmp_path: Path) -> None:
    targets, _ = _write(tmp_path / "p", [(["eval(x)\n"], b"")], None)
    bad = tmp_path / "bandit.yaml"
    bad.write_text("skips: [unclosed\n", "utf-8")
    assert bandit_api.report(targets, str(bad)) is None
    assert cli_report(targets, str(bad), tmp_path)[0] == 2


def _process_state() -> tuple[object, ...]:
    loggers = [logging.getLogger(name) for name in ("", "bandit", "bandit.core.manager",
                                                    "bandit.core.node_visitor", "stevedore",
                                                    "py.warnings")]
    table = extension_loader.MANAGER
    return (sys.argv[:], os.getcwd(), warnings.filters[:], warnings.showwarning,
            [(log.level, log.propagate, log.handlers[:],
              {key: value for key, value in vars(log).items() if key != "_cache"})
             for log in loggers],
            {test: dict(entry) for test, entry in table.blacklist_by_id.items()},
            [dict(vars(p.plugin)) for p in table.plugins], dict(vars(blacklisting.blacklist)))


def test_nothing_of_the_process_is_left_changed_and_nothing_printed(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # 60 files: over bandit's progress-bar threshold; warnings while parsing; an error
    targets, config = _write(tmp_path / "p", [(["x = '\\d'\nimport pickle\n", "y = 1if z else 2\n",
                                                "def broken(:\n"], b"")], {"skips": ["B403"]})
    for n in range(60):
        extra = tmp_path / "p" / f"more{n}.py"
        extra.write_text("import subprocess\nsubprocess.call(c, shell=True)\n", "utf-8")
        targets.append(str(extra))
    capfd.readouterr()
    filters = warnings.filters[:]
    assert bandit_api.report(targets[:1], config) is not None
    # the one filter a first run sets for good: bandit's parses (`<unknown>`) are silent
    added = [f for f in warnings.filters if f not in filters]
    assert all(f[0] == "ignore" and getattr(f[3], "pattern", f[3]) == "<unknown>"
               for f in added) and len(added) <= 1
    before = _process_state()
    assert bandit_api.report(targets, config) is not None
    assert _process_state() == before
    assert capfd.readouterr() == ("", "")


CHATTY = ("bandit.core.node_visitor", "bandit.core.tester", "bandit.core.manager")


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=FILES, level=st.sampled_from((logging.DEBUG, logging.INFO, logging.NOTSET)),
       own=st.booleans())
@example(files=[([], b"x = 1\x00\n")], level=logging.DEBUG, own=False)  # bandit's ERROR line
def test_bandit_debugging_writes_nothing_and_is_put_back(
        tmp_path: Path, files: list[tuple[list[str], bytes]], level: int, own: bool) -> None:
    """A host that debugs bandit's hot path (a level and a handler on its loggers, a `debug`
    of its own on one): the run writes nothing there, reports what the CLI prints, and
    leaves each logger's `debug` as it found it."""
    targets, _ = _write(Path(tempfile.mkdtemp(dir=tmp_path)) / "p", files, None)
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    loggers = [logging.getLogger(name) for name in CHATTY]
    calls: list[object] = []

    def debug(*args: object, **kwargs: object) -> None:
        calls.append(args)

    levels = [log.level for log in loggers]
    try:
        for log in loggers:
            log.setLevel(level)
            log.addHandler(handler)
        if own:
            loggers[0].debug = debug  # type: ignore[method-assign]
        ours = bandit_api.report(targets, None)
        assert written.getvalue() == "" and calls == []
        assert [vars(log).get("debug") for log in loggers] == [debug if own else None, None,
                                                                 None]
        assert all(log.handlers == [handler] and log.propagate and log.level == level
                   for log in loggers)
    finally:
        for log, was in zip(loggers, levels, strict=True):
            log.removeHandler(handler)
            log.setLevel(was)
            vars(log).pop("debug", None)
    printed = cli_report(targets, None, tmp_path)[1]
    if ours is None:
        assert "exception while scanning file" in printed
        return
    assert _untimed(ours) == without_time(printed)


def test_the_lines_quoted_are_the_files_now(tmp_path: Path) -> None:
    """A file rewritten with its size and time kept: the code bandit quotes is the new one."""
    targets, _ = _write(tmp_path / "p", [(["eval(aaaa)\n"], b"")], None)
    assert bandit_api.report(targets, None) is not None
    linecache.getline(targets[0], 1)  # another reader caches the old text
    stat = os.stat(targets[0])
    Path(targets[0]).write_text("eval(bbbb)\n", "utf-8")
    os.utime(targets[0], ns=(stat.st_atime_ns, stat.st_mtime_ns))
    ours = bandit_api.report(targets, None)
    assert ours is not None
    assert "bbbb" in ours["results"][0]["code"]
    assert _untimed(ours) == without_time(cli_report(targets, None, tmp_path)[1])
    assert linecache.getline(targets[0], 1) == "eval(aaaa)\n"  # the cache as it was


def test_runs_at_once_each_report_their_own_config(tmp_path: Path) -> None:
    configs = [None, {"skips": ["B602"]}, {"hardcoded_tmp_directory": {"tmp_dirs": ["/data"]}},
               {"tests": ["B108"]}]
    runs = [_write(tmp_path / f"p{n}", [(list(SNIPPETS[:10]), b"")], config)
            for n, config in enumerate(configs)]
    expected = [without_time(cli_report(targets, config, tmp_path)[1])
                for targets, config in runs]
    start = threading.Barrier(len(runs))

    def run(job: tuple[list[str], str | None]) -> dict | None:
        start.wait()
        return bandit_api.report(*job)

    with ThreadPoolExecutor(len(runs)) as pool:
        got = list(pool.map(run, runs))
    assert [_untimed(report) for report in got if report is not None] == expected


def test_what_runs_in_process(tmp_path: Path) -> None:
    small = tmp_path / "small.py"
    small.write_bytes(b"x" * 1000)
    folder = tmp_path / "pkg.py"
    folder.mkdir()
    bound = 1000 * bandit_api.SHARE / bandit_api.BYTES_PER_SECOND  # the timeout 1000 B fit
    assert bandit_api.fits([str(small)], bound)
    assert not bandit_api.fits([str(small)], bound * 0.999)
    assert not bandit_api.fits([str(small), str(small)], bound)  # the total counts
    assert not bandit_api.fits(["small.py"], 600)  # relative: bandit's CLI ran in the root
    assert not bandit_api.fits([str(tmp_path / "gone.py")], 600)
    assert not bandit_api.fits([str(folder)], 600)  # the CLI would look for a .bandit in it


KINDS = st.sampled_from(("file", "link", "folder", "gone", "link to a folder"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(KINDS, st.integers(0, 3000)), min_size=1, max_size=6),
       st.integers(0, 12_000))
def test_in_a_batch_what_runs_in_process_is_told_by_the_batch_s_looks(
        kinds: list[tuple[str, int]], budget: int) -> None:
    """Given the tree's root in a review's batch (`git.reads.one_read`), `fits` answers as
    it does alone (the oracle: a `stat` a target) for files, links to files or folders,
    folders and missing files; the size is the batch's first look (a file grown since is
    not looked at again), a link's its target's."""
    from reviewloop.git.reads import lstat, one_read

    with tempfile.TemporaryDirectory() as folder:
        root = os.path.realpath(folder)
        targets = []
        for n, (kind, size) in enumerate(kinds):
            target = os.path.join(root, f"f{n}.py")
            if kind in ("file", "link"):
                Path(root, f"t{n}").write_bytes(b"x" * size)
                if kind == "file":
                    os.rename(os.path.join(root, f"t{n}"), target)
                else:
                    os.symlink(f"t{n}", target)
            elif kind == "folder":
                os.mkdir(target)
            elif kind == "link to a folder":
                os.mkdir(os.path.join(root, f"d{n}"))
                os.symlink(f"d{n}", target)
            targets.append(target)
        timeout = budget * bandit_api.SHARE / bandit_api.BYTES_PER_SECOND
        alone = bandit_api.fits(targets, timeout)
        with one_read(Path(root)):
            for target in targets:
                with contextlib.suppress(OSError):
                    lstat(root, target)  # the review's first look
            assert bandit_api.fits(targets, timeout, root) == alone
            for target in targets:
                if os.path.isfile(target) and not os.path.islink(target):
                    Path(target).write_bytes(b"x" * (budget + 1))  # looked at already
            assert bandit_api.fits(targets, timeout, root) == alone
        assert bandit_api.fits(targets, timeout, root) == bandit_api.fits(targets, timeout)


def _padded(source: str, over: int | None) -> str:
    """`source` as it is (None), or with a comment after it that makes it `SMALL_FILE` + `over`
    bytes: the same nodes, a file bandit's run looks into or not."""
    if over is None:
        return source
    room = bandit_api.SMALL_FILE + over - len(source.encode()) - 2
    assert room >= 0
    return f"{source}#{'x' * room}\n"


@pytest.mark.parametrize("over", [None, 0, 1])
def test_a_stop_ends_the_run_at_the_next_look(tmp_path: Path, over: int | None) -> None:
    """Looks before each file, and in a file over `SMALL_FILE` bytes before its first node:
    reviewloop stopping once bandit has started the first file ends the run at the next."""
    targets, _ = _write(tmp_path / "p", [([_padded("eval(x)\n", over)], b""),
                                         (["eval(y)\n"], b"")], None)
    asked: list[bool] = []

    def stopping() -> bool:  # reviewloop stops once bandit has started the first file
        asked.append(len(asked) >= 1)
        return asked[-1]

    with pytest.raises(KeyboardInterrupt, match="stopped with reviewloop"):
        bandit_api.report(targets, None, stopping=stopping)
    assert asked == [False, True]  # before the first file, then before its first node or
    assert bandit_api.report(targets, None) is not None  # the next file; all let go


def _looks(source: str) -> int:
    """How often a run on one file of `source` checks its deadline: before the file, and
    in a file over `SMALL_FILE` bytes before the nodes bandit visits (every node of the tree
    but the module) numbered 1, 1 + `NODES_A_LOOK`, 1 + 2 × `NODES_A_LOOK`, …"""
    if len(source.encode()) <= bandit_api.SMALL_FILE:
        return 1
    visits = sum(1 for _ in ast.walk(ast.parse(source))) - 1
    return 1 + math.ceil(visits / bandit_api.NODES_A_LOOK)


# many strings in one literal over many lines: bandit's slow shape (a nosec look-up over the
# literal's lines for each string and string check), and plain code
SHAPES = st.sampled_from(("WORDS = [\n{}]\n", "f(\n{})\n", "{}"))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=SHAPES, count=st.integers(1, 160), timeout=st.integers(0, 30),
       over=st.sampled_from((None, 0, 1, 4000)))
@example(shape="WORDS = [\n{}]\n", count=160, timeout=3, over=1)  # ends mid-file
@example(shape="WORDS = [\n{}]\n", count=160, timeout=1, over=0)  # looked at once
def test_a_file_ends_at_the_deadline_inside_it(tmp_path: Path, shape: str, count: int,
                                               timeout: int, over: int | None) -> None:
    """One file: the run ends with the failure of a CLI killed at its deadline at the first
    look past it: in a file over `SMALL_FILE` bytes at most `NODES_A_LOOK` nodes on, not
    after the file; a smaller file is looked at before it only, and its nodes visited whole
    whatever the clock says after; a clock that ticks once a look."""
    lines = "".join(f'    "word{n}",\n' if shape != "{}" else f"x{n} = 'w{n}'\n"
                    for n in range(count))
    source = _padded(shape.format(lines), over)
    target = Path(tempfile.mkdtemp(dir=tmp_path)) / "words.py"
    target.write_text(source, "utf-8")
    ticks = itertools.count()  # 0 when the run starts: the deadline is `timeout`
    looked: list[int] = []

    def clock() -> int:
        looked.append(next(ticks))
        return looked[-1]

    if _looks(source) > timeout:
        with pytest.raises(AnalyzerError, match=f"^bandit did not finish within {timeout}s$"):
            bandit_api.report([str(target)], None, timeout=timeout, clock=clock)
        assert looked[-1] == timeout + 1  # it ended at the first look past the deadline
    else:
        ours = bandit_api.report([str(target)], None, timeout=timeout, clock=clock)
        assert ours is not None and len(looked) == 1 + _looks(source)
        assert _untimed(ours) == _untimed(bandit_api.report([str(target)], None))
    assert bandit_api.report([str(target)], None) is not None  # the lock and the state let go


class _Unnamed:
    """A stdout with no `name`: a writer an embedding host or a notebook puts there."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        return None


STDOUTS = st.sampled_from(("StringIO", "None", "unnamed", "named"))


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(stdout=STDOUTS, files=FILES)
def test_the_report_is_made_here_whatever_stdout_is(tmp_path: Path, stdout: str,
                                                    files: list[tuple[list[str], bytes]]
                                                    ) -> None:
    """bandit's formatter asks `sys.stdout.name` after writing: the report is made in this
    process, the same, with a stdout that has none, and nothing is written to stdout."""
    targets, _ = _write(Path(tempfile.mkdtemp(dir=tmp_path)) / "p", files, None)
    expected = bandit_api.report(targets, None)
    if expected is None:  # a file whose scan raised: the CLI's answer stands either way
        return
    with contextlib.ExitStack() as stack:
        replaced = {"StringIO": io.StringIO(), "None": None, "unnamed": _Unnamed(),
                    "named": stack.enter_context(open(os.devnull, "w", encoding="utf-8"))
                    }[stdout]
        stack.enter_context(contextlib.redirect_stdout(replaced))
        ours = bandit_api.report(targets, None)
    assert ours is not None
    assert _untimed(ours) == _untimed(expected)
    if isinstance(replaced, io.StringIO):
        assert replaced.getvalue() == ""
