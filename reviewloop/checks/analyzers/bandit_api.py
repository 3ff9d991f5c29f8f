"""bandit run in reviewloop's own process through its API: the JSON report that
`python -m bandit -f json -q --ignore-nosec -x /dev/null/none [-c FILE] -- FILE...` prints,
without starting an interpreter for it (issue #41: about 0.4 G instructions a wide review),
handed over as the document `json.loads` reads from it, not as text (bandit writes it with an
indent through `json`'s pure-Python encoder: ~0.05 s at 5,000 files, and as much to read).

It is the same installed bandit reviewloop would start with its own interpreter, and it
never executes the project's code; its config comes from the trusted side only
(`bandit_config`). `report` mirrors what bandit's CLI (`bandit/cli/main.py`, 1.9) does for
exactly those options: no `--ini` and file targets, so no `.bandit` file is read (the CLI
looks for one under directory targets only: a target that is a directory is left to the
CLI); the profile from the config's `tests` and `skips`; `-x` appended to the config's
`exclude_dirs`; a manager aggregating by file, quiet, ignoring `# nosec`; results at every
severity and confidence with 3 lines of code; bandit's own json formatter, whose document
is taken where it would be encoded (`_json_report`: it also compares the file it wrote with
`sys.stdout.name`, which a stdout without one, a StringIO under pytest or an embedding host,
None under pythonw, fails after the report is written: the formatter reads a `sys` whose
stdout is its report).

What the CLI's process gave for free is kept:

* a deadline: it runs only when the files are small enough that bandit should end well
  inside the analyzer's deadline (`fits`: a quarter of it at bandit's measured pace);
  larger sets, and anything unusual, go to the CLI, which is killed at its deadline
  (`base.run_tool`). Size is no bound on bandit's time, though: a file of many strings in
  one literal over many lines (a word list) costs it the literal's lines for each string,
  for each string check (it looks for a `# nosec` on each of them), so 260 kB of it take a
  minute where 260 kB of code take two seconds (`benchmarks/bandit_slow_files.py`). So the
  deadline is checked before each file and, in a file of more than `SMALL_FILE` bytes,
  before its first node bandit visits and every `NODES_A_LOOK`th after it (a look a node
  cost ~5 % of bandit's time: three calls and a clock; 32 nodes of even that file are
  ~0.1 s); a smaller file is looked at once, before it (that slow shape grows with the
  square of the literal: 8 kB of it is ~0.06 s), and the run ends there with the CLI's own
  failure ("bandit did not finish within …s"); a stop (Ctrl-C, SIGTERM) ends it
  at the same places, as it kills the CLI;
* silence: bandit's loggers write nowhere for the run, then are put back as they were
  (the three its per-node and per-file code calls `debug` on, ~100 times a file, answer
  those calls with nothing: `_CHATTY`), and the warnings a parse raises (an invalid
  escape, `0o8`) are ignored by a filter set once for the name bandit parses under
  (`<unknown>`); the lines bandit quotes are read fresh (`linecache` holds none of the
  files before or after);
* one run at a time, and bandit's module state as it was after it: a run keeps each
  plugin's settings on the plugin's function, and its report renames blacklist tests in
  bandit's plugin table (`_plugins_kept`).

Where bandit does work whose answer is already known (a node no test checks, B613 on a file
with no bidirectional character), the run skips it, for the same report (`bandit_lean`).

Where the CLI would have ended otherwise (a config bandit refuses, a profile with no test,
a file whose scan raised, which includes a recursion that runs out deeper in this process
than in a fresh one), `report` answers None and the caller runs the CLI, whose report or
failure is the one given.
"""

from __future__ import annotations

import io
import linecache
import logging
import os
import re
import stat
import threading
import time
import types
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from reviewloop.checks.analyzers.bandit_lean import lean_file_tests, lean_visitor
from reviewloop.checks.analyzers.base import AnalyzerError
from reviewloop.checks.lane import cpu_lane
from reviewloop.git.reads import lstat
from reviewloop.sandbox import live

EXCLUDED = "/dev/null/none"  # reviewloop's `-x`: none of bandit's default excludes applies
# bandit's pace on this project's machines: ~8 s a MB (benchmarks/big_inputs); in process
# only when that takes at most a quarter of the deadline
BYTES_PER_SECOND = 125_000
SHARE = 4
NODES_A_LOOK = 32  # the deadline and a stop looked at before a file's node 1, 33, 65, …
SMALL_FILE = 8192  # bytes: a file up to this size is looked at before it only
_SCAN_RAISED = "exception while scanning file"  # bandit's reason for a file whose scan raised
_QUIET = ("bandit", "stevedore")  # bandit's loggers and its plugin loader's
# the loggers of bandit's hot path: their `debug`, below the run's WARNING, costs a call and
# an `isEnabledFor` for nothing, 520,000 times at 5,000 files (~7 % of bandit's time)
_CHATTY = ("bandit.core.node_visitor", "bandit.core.tester", "bandit.core.manager")
_ONE_AT_A_TIME = threading.Lock()
_SET_BY_A_RUN = ("_config", "_checks", "_test_id")  # on a plugin's function (`BanditTestSet`)


def fits(targets: Sequence[str], timeout: float, root: str | None = None) -> bool:
    """Whether bandit may run on `targets` in this process: absolute paths of files (not
    folders) whose total size bandit reads well within `timeout` seconds. With the tree's
    `root`, a file's look is the one a review's batch made already (`git.reads.lstat`: its
    first look at each changed file; 5,000 `stat`s saved), a link's its target's."""
    total = 0
    for target in targets:
        if not os.path.isabs(target):
            return False
        try:
            mode = os.stat(target) if root is None else lstat(root, target)
            if root is not None and stat.S_ISLNK(mode.st_mode):
                mode = os.stat(target)
        except OSError:
            return False
        if stat.S_ISDIR(mode.st_mode):
            return False
        total += mode.st_size
    return total <= timeout * BYTES_PER_SECOND / SHARE


def report(targets: Sequence[str], config: str | None, *, timeout: float | None = None,
           stopping: Callable[[], bool] = live.stopping,
           clock: Callable[[], float] = time.monotonic) -> dict[str, Any] | None:
    """bandit's JSON report on `targets` (absolute file paths) with the `-c` file `config`,
    as `json.loads` reads what its CLI prints; None where the CLI would not print one as
    usual. Before each file and, in a file over `SMALL_FILE` bytes, its first node bandit
    visits and every `NODES_A_LOOK`th after it: when `stopping` (reviewloop stopping,
    `sandbox.live`) says so, KeyboardInterrupt; past `timeout` seconds of `clock` from the
    run's start, the AnalyzerError of a CLI killed at its deadline (`base.run_tool`)."""
    with cpu_lane(), _ONE_AT_A_TIME, _quiet(), _fresh_lines(targets):
        ends = None if timeout is None else clock() + timeout

        def check() -> None:
            if stopping():
                raise _Ended(stopped=True)
            if ends is not None and clock() > ends:
                raise _Ended(stopped=False)

        try:
            with _plugins_kept():
                return _report(targets, config, check)
        except _Ended as ended:
            if ended.stopped:
                raise KeyboardInterrupt("bandit was stopped with reviewloop") from None
            raise AnalyzerError(f"bandit did not finish within {timeout:.0f}s") from None
        except SystemExit:  # bandit's answer to Ctrl-C during a file
            raise KeyboardInterrupt("bandit was interrupted (Ctrl-C)") from None
        except Exception:  # noqa: BLE001 - the CLI runs instead and says what it says
            return None


class _Ended(BaseException):
    """The run ends here (`report`'s `check`): no `Exception`, so bandit's handlers, which
    name a file whose scan raised and turn KeyboardInterrupt into an exit, let it by."""

    def __init__(self, *, stopped: bool) -> None:
        super().__init__("stopped" if stopped else "out of time")
        self.stopped = stopped


def _report(targets: Sequence[str], config: str | None, check: Callable[[], None]
            ) -> dict[str, Any] | None:
    from bandit.core import config as b_config  # with bandit only (`available`)
    from bandit.core import extension_loader
    from bandit.core import manager as b_manager

    conf = b_config.BanditConfig(config_file=config)  # ConfigError: the CLI exits 2
    profile: dict[str, Any] = {"include": set(conf.get_option("tests") or []),
                               "exclude": set(conf.get_option("skips") or [])}
    extension_loader.MANAGER.validate_profile(profile)  # ValueError: the CLI exits 2
    manager = b_manager.BanditManager(conf, "file", False, profile=profile, verbose=False,
                                      quiet=True, ignore_nosec=True)
    parse = manager._parse_file

    def parse_checked(fname: str, fdata: Any, new_files_list: list[str]) -> None:
        check()  # a killed CLI would end here: at the next file, not after the last
        parse(fname, fdata, new_files_list)  # bandit's own parameter names

    manager._parse_file = parse_checked  # this manager's only, as is its visitor
    _check_visits(manager, check)
    lean_file_tests(manager.b_ts.tests)
    manager.discover_files(list(targets), False, EXCLUDED)
    if not manager.b_ts.tests:  # "No tests would be run": the CLI exits 2
        return None
    manager.run_tests()
    if any(reason == _SCAN_RAISED for _, reason in manager.skipped):
        return None
    return _json_report(manager)


def _check_visits(manager: Any, check: Callable[[], None]) -> None:
    """`manager`'s `_execute_ast_visitor` as bandit 1.9 writes it (three lines), with a
    visitor that, in a file over `SMALL_FILE` bytes, calls `check` before its first node and
    every `NODES_A_LOOK`th after it: one node's work is bounded by its file's lines, a
    file's is not (many strings in one literal over many lines); a smaller file, most of a
    wide change, gets bandit's own visitor (an override a node was ~0.12 G instructions at
    5,000 files), its look the one before it (`parse_checked`). Both skip the nodes no test
    of the run checks (`bandit_lean.lean_visitor`)."""
    from bandit.core import node_visitor  # with bandit only (`available`)

    lean = lean_visitor(node_visitor.BanditNodeVisitor)  # the run's own: its test set's
    visit = node_visitor.BanditNodeVisitor.pre_visit

    class Checked(lean):  # type: ignore[misc,valid-type]  # bandit has no types
        unlooked = 0  # nodes to visit before the next look

        def pre_visit(self, node: Any) -> Any:
            if self.unlooked:
                self.unlooked -= 1
            else:
                check()
                self.unlooked = NODES_A_LOOK - 1
            return visit(self, node)

    def execute(fname: str, fdata: Any, data: str, nosec_lines: dict[int, Any]) -> Any:
        kind = Checked if len(data) > SMALL_FILE else lean
        visitor = kind(fname, fdata, manager.b_ma, manager.b_ts, manager.debug, nosec_lines,
                       manager.metrics)
        score = visitor.process(data)
        manager.results.extend(visitor.tester.results)
        return score

    manager._execute_ast_visitor = execute  # this manager's only


def _json_report(manager: Any) -> dict[str, Any]:
    """The document bandit's json formatter (what `output_results(3, "UNDEFINED",
    "UNDEFINED", out, "json")` calls) would encode, taken from it at `json.dumps`: a copy of
    the function whose `json` hands its document over and whose `sys` has the report's file
    as stdout (after writing, the formatter compares its file's name with `sys.stdout.name`,
    which fails on a stdout without a name, a StringIO, None, and the report was lost); the
    process's `sys` and `json` and bandit's module stay as they are. The document holds
    only what JSON does (lists, not tuples; text keys): the same as the CLI's, read back."""
    from bandit.formatters import json as b_json  # with bandit only (`available`)

    documents: list[dict[str, Any]] = []

    def dumps(document: dict[str, Any], **_layout: Any) -> str:  # sort_keys, indent
        documents.append(document)
        return ""

    formatter = b_json.report
    out = _Report()
    names = {**formatter.__globals__, "sys": types.SimpleNamespace(stdout=out),
             "json": types.SimpleNamespace(dumps=dumps)}
    own = types.FunctionType(formatter.__code__, names, formatter.__name__,
                             formatter.__defaults__, formatter.__closure__)
    own(manager, fileobj=out, sev_level="UNDEFINED", conf_level="UNDEFINED", lines=3)
    [document] = documents
    return document


class _Report(io.StringIO):
    """Where bandit's formatter writes (nothing: `_json_report`); it names the file."""

    name = "<reviewloop: bandit's report>"


@contextmanager
def _quiet() -> Iterator[None]:
    """bandit's loggers writing nowhere at the CLI's `-q` level (WARNING: no progress bar)
    and put back as they were; bandit's parse warnings ignored (`_parses_quiet`)."""
    saved = [(log, log.level, log.propagate, log.handlers[:]) for log in _family()]
    chatty = [(log, vars(log).get("debug")) for log in map(logging.getLogger, _CHATTY)]
    for log, *_ in saved:
        log.setLevel(logging.WARNING)
        top = log.name in _QUIET  # a child (a host's handler on it) passes up to its top
        log.propagate = not top
        log.handlers = [logging.NullHandler()] if top else []
    for log, _ in chatty:
        log.debug = _nothing  # type: ignore[method-assign,assignment]  # WARNING's answer
    _parses_quiet()
    try:
        yield
    finally:
        for log, level, propagate, handlers in saved:
            log.setLevel(level)
            log.propagate = propagate
            log.handlers = handlers
        for log, own in chatty:
            if own is None:
                del log.debug
            else:
                log.debug = own  # type: ignore[method-assign]


def _family() -> list[logging.Logger]:
    """bandit's and stevedore's loggers, children included: bandit logs the ERROR for a file
    it cannot parse on `bandit.core.manager`, where a host may have put a handler."""
    prefixes = tuple(f"{top}." for top in _QUIET)
    named = {*_QUIET, *_CHATTY} | {
        name for name, log in list(logging.Logger.manager.loggerDict.items())
        if isinstance(log, logging.Logger) and name.startswith(prefixes)}
    return [logging.getLogger(name) for name in sorted(named)]


# a `debug` call on a logger at WARNING: nothing. A builtin that takes any arguments and
# formats none of them (the empty text's `format`), not a function of ours: 520,000 calls
# at 5,000 files cost no Python frame (~17 ns a call less)
_nothing: Callable[..., object] = "".format


def _parses_quiet() -> None:
    """The warnings bandit's parse of a file raises (`ast.parse` names the file `<unknown>`:
    an invalid escape, `0o8`) ignored by one filter, set where it is missing and then left
    (`catch_warnings` is not thread-safe: reviewers and the other analyzers run beside
    bandit; `noqa_lines` does the same for its parses)."""
    if not any(getattr(f[3], "pattern", f[3]) == _PARSED_AS for f in warnings.filters):
        warnings.filterwarnings("ignore", module=_PARSED_AS)


_PARSED_AS = re.escape("<unknown>")  # `ast.parse`'s file name, which bandit leaves as is


@contextmanager
def _plugins_kept() -> Iterator[None]:
    """bandit's plugin table as it was before a run: a run sets each plugin's settings on its
    function (and the blacklist's tests on `blacklist`), and writing a report renames the
    blacklist tests it links to (`import_subprocess` becomes `import-subprocess`)."""
    from bandit.core import blacklisting, extension_loader  # with bandit only (`available`)

    table = extension_loader.MANAGER
    names = {test: entry["name"] for test, entry in table.blacklist_by_id.items()}
    functions = [*(p.plugin for p in table.plugins), blacklisting.blacklist]
    attributes = {(f, name): vars(f)[name] for f in functions for name in _SET_BY_A_RUN
                  if name in vars(f)}
    try:
        yield
    finally:
        for test, name in names.items():
            table.blacklist_by_id[test]["name"] = name
        for f in functions:
            for name in _SET_BY_A_RUN:
                if (f, name) in attributes:
                    setattr(f, name, attributes[f, name])
                elif name in vars(f):
                    delattr(f, name)


@contextmanager
def _fresh_lines(targets: Sequence[str]) -> Iterator[None]:
    """No line of `targets` cached while bandit quotes them (a file rewritten in the same
    second keeps its size and time), and the cache as it was after."""
    held = {name: linecache.cache.pop(name) for name in set(targets) if name in linecache.cache}
    try:
        yield
    finally:
        for name in set(targets):
            linecache.cache.pop(name, None)
        linecache.cache.update(held)
