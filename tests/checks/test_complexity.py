"""The complexity increase of a change, measured by the real ruff (C901) on both sides."""

from __future__ import annotations

from pathlib import Path

from ruff.__main__ import find_ruff_bin

from reviewloop.checks.complexity import complexity_increase
from tests.support.processes import started

SIMPLE = "def f(x):\n    return x\n"
BRANCHY = ("def f(x):\n    if x > 1:\n        return 1\n    for i in range(x):\n"
           "        if i:\n            return i\n    return 0\n")


def test_branches_added_to_a_function_count_as_decision_points() -> None:
    assert complexity_increase({"m.py": (SIMPLE, BRANCHY)}).increase == 3


def test_a_new_file_counts_in_full_and_a_deleted_one_is_subtracted() -> None:
    assert complexity_increase({"new.py": (None, BRANCHY)}).increase == 3
    assert complexity_increase({"old.py": (BRANCHY, None), "new.py": (None, SIMPLE)}
                               ).increase == -3


def test_simple_functions_and_other_files_add_nothing() -> None:
    measured = complexity_increase({"m.py": (None, SIMPLE + "\n\ndef g():\n    pass\n"),
                                    "README.md": (None, "if x: y\n")})
    assert measured.increase == 0
    assert complexity_increase({}).increase == 0


def test_ruff_is_started_as_its_binary_not_through_python() -> None:
    with started() as runs:
        assert complexity_increase({"m.py": (SIMPLE, BRANCHY)}).increase == 3
    assert [argv[0] for argv in runs] == [str(Path(find_ruff_bin()))]
