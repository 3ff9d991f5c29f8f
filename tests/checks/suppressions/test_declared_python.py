"""A change that raises `requires-python` and uses the new syntax: plain ruff at the head
passes, the review judged it on the base's version with a 🔴 `invalid-syntax … on Python
3.8` and nothing said the pyproject edit was set aside (fuzz round 9a, D3). Now the edit is
named (`changes-declared-python`), with the version the review used: the raised one, applied
as plain ruff at the head applies it (`test_ruff_tightened_config`).

Generated: a fixed product of the syntax (`match`, `except*`, a `type` alias, PEP 695
generics, parenthesized context managers) × the floor the base declares and the one the
change raises it to. The oracle is plain ruff on the head's files: with the head's pyproject
it passes, with the base's it reports `invalid-syntax` — the finding the raise lifts.
Twins: a pyproject edit that leaves `requires-python` alone is not named."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.checks.suppressions.added import added_suppressions
from reviewloop.checks.suppressions.declared_python import RULE
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust
from tests.support.suppression_trust import pr_repo

SYNTAX = {  # the code, and the Python that first accepts it
    "match": ("def f(p):\n    match p:\n        case 1:\n            return 1\n", 10),
    "except-star": ("try:\n    pass\nexcept* ValueError:\n    pass\n", 11),
    "type-alias": ("type Pair = tuple[int, int]\n", 12),
    "generics": ("def first[T](items: list[T]) -> T:\n    return items[0]\n", 12),
    "with-parens": ("with (\n    open('a') as a,\n    open('b') as b,\n):\n    pass\n", 9),
}
FLOORS = ((8, 12), (9, 12), (8, 13))  # (the base's, the change's)


def _pyproject(minor: int, extra: str = "") -> str:
    return f'[project]\nname = "x"\nversion = "0"\nrequires-python = ">=3.{minor}"\n{extra}'


def _ruff(root: Path) -> list[str]:
    done = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "--no-cache",
                           "--output-format", "json",
                           "app.py"], cwd=root, capture_output=True, text=True, check=False)
    return [f["code"] or "invalid-syntax" for f in json.loads(done.stdout)]


@pytest.mark.parametrize(("syntax", "floors"), [
    (syntax, floors) for syntax, floors in itertools.product(sorted(SYNTAX), FLOORS)
    if floors[0] < SYNTAX[syntax][1] <= floors[1]])  # syntax the base's floor lacks
def test_a_raised_floor_is_named_with_the_version_the_review_used(
        tmp_path: Path, syntax: str, floors: tuple[int, int]) -> None:
    code = SYNTAX[syntax][0]
    base, head = floors
    root = pr_repo(tmp_path / "repo", {"pyproject.toml": _pyproject(base), "app.py": "x = 1\n"},
                   {"pyproject.toml": _pyproject(head), "app.py": code})
    assert _ruff(root) == []  # plain ruff at the head
    (root / "pyproject.toml").write_text(_pyproject(base))
    assert "invalid-syntax" in _ruff(root)  # with the base's floor: what the review reports
    (root / "pyproject.toml").write_text(_pyproject(head))
    trust = Trust(added={"pyproject.toml": frozenset({4}), "app.py": frozenset({1})},
                  touched=frozenset({"pyproject.toml", "app.py"}), base="main")

    found = [f for f in added_suppressions(TrustedFiles(open_repository(root), root, trust))
             if f.rule == RULE]

    assert len(found) == 1, found
    note = found[0]
    assert (note.file, note.start_line) == ("pyproject.toml", 4)
    assert f'requires-python = ">=3.{head}"' in note.rationale
    assert f"the change's `>=3.{head}`" in note.rationale  # applied: it judged the syntax
    assert "suppress" not in note.title


@pytest.mark.parametrize("edit", ['[tool.black]\nline-length = 99\n', 'description = "d"\n'])
def test_a_pyproject_edit_that_keeps_the_floor_is_not_named(tmp_path: Path, edit: str) -> None:
    before = _pyproject(8)
    after = _pyproject(8, edit) if edit.startswith("[") else before.replace(
        'version = "0"\n', f'version = "0"\n{edit}')
    root = pr_repo(tmp_path / "repo", {"pyproject.toml": before}, {"pyproject.toml": after})
    trust = Trust(added={"pyproject.toml": frozenset({3})},
                  touched=frozenset({"pyproject.toml"}), base="main")

    found = added_suppressions(TrustedFiles(open_repository(root), root, trust))

    assert [f for f in found if f.rule == RULE] == []
