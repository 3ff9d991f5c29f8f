"""The same bandit report for less work, in reviewloop's own process (`bandit_api`): two
places where bandit does work whose answer is already known, skipped where it is known.

* A node of a kind no test of the run checks and bandit's visitor has no method for (`Name`,
  `Load`, `Assign`, … most of a file's nodes): bandit's visitor still runs the tests of that
  kind, none, and adds their scores, zeros, to the file's (`BanditNodeVisitor.visit`,
  `BanditTester.run_tests`); ~120,000 such calls at 5,000 small files, ~0.17 s. Whether a
  kind has tests is looked up once a run (`lean_visitor`).
* B613 (`trojansource`), which reports a file's first line holding one of
  `BIDI_CHARACTERS`: it looks for each of them in each line by `str.index`, a ValueError
  each time one is missing, ~0.12 s at 5,000 files of 9 lines. Its file is decoded as the
  test decodes it (`detect_encoding`; an undecodable file raises as the test would) and
  searched for them all at once; only a file holding one runs the test itself
  (`lean_file_tests`).

Each keeps bandit's answer as its CLI gives it (`tests/checks/analyzers/test_bandit_api.py`
holds the report to the CLI's on generated files, bidirectional characters and encoding
cookies among them).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from tokenize import detect_encoding
from typing import Any


def lean_visitor(base: Any) -> Any:
    """A subclass of bandit's node visitor `base` that skips the visit of a node whose kind
    has neither a `visit_` method nor a test in the visitor's test set; its answer for each
    kind is kept on the class, so make one class a run (a run's test set is its own)."""
    visit = base.visit
    busy: dict[str, bool] = {}

    class Lean(base):
        def visit(self, node: Any) -> None:
            kind = node.__class__.__name__  # as bandit names it
            known = busy.get(kind)
            if known is None:
                known = busy[kind] = (getattr(self, "visit_" + kind, None) is not None
                                      or bool(self.testset.get_tests(kind)))
            if known:
                visit(self, node)

    return Lean


def lean_file_tests(tests: dict[str, list[Callable[..., Any]]]) -> None:
    """A test set's `tests` (kind → test functions) with B613 answering at once for a file
    that holds none of its characters; nothing where this bandit has no such plugin."""
    try:
        from bandit.plugins import trojansource as plugin  # bandit 1.7.10 and later
    except ImportError:
        return
    checks = tests.get("File", [])
    for at, test in enumerate(checks):
        if test is plugin.trojansource:
            checks[at] = _bidi_first(test, re.compile(
                "[" + "".join(map(re.escape, plugin.BIDI_CHARACTERS)) + "]"))


def _bidi_first(test: Callable[..., Any], bidi: re.Pattern[str]) -> Callable[..., Any]:
    """`test` (B613) for a file holding a `bidi` character, None for any other; its name,
    id and settings are the test's own (`update_wrapper`: bandit reads them off the
    function)."""

    def trojansource(context: Any) -> Any:
        data = context.file_data
        data.seek(0)
        encoding, _ = detect_encoding(data.readline)
        data.seek(0)
        if bidi.search(data.read().decode(encoding)) is None:
            return None
        return test(context)

    return functools.update_wrapper(trojansource, test)
