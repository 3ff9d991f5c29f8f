"""The `changes-declared-python` note on a raised `requires-python` names the other ruff
configs that set their own `target-version`: ruff checks their files on that, not on the
raised floor. Before, the note said "raises requires-python to >=3.12; checked on it" beside
`sub/ruff.toml`'s `target-version = "py38"`, under which plain ruff (and the review) judged
`sub/x.py` on 3.8 (review round 11's D9, for a config other than the pyproject's own table).

Generated: a fixed product of where the other config is (a `ruff.toml` beside the
pyproject, `sub/ruff.toml`, `sub/.ruff.toml`, `sub/deeper/ruff.toml`, `sub/pyproject.toml`'s
`[tool.ruff]`) × its `target-version` (none, py38, py311). The oracle is plain
`ruff check --show-settings` at the head on a file beside that config
(`linter.unresolved_target_version`): where it is not the raised floor, the note names the
config and that version; where it is, the note names none."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.suppressions.added import added_suppressions
from reviewloop.checks.suppressions.declared_python import RULE
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust
from tests.support.suppression_trust import pr_repo

PLACES = ("ruff.toml", "sub/ruff.toml", "sub/.ruff.toml", "sub/deeper/ruff.toml",
          "sub/pyproject.toml")
TARGETS = (None, "py38", "py311")


def _pyproject(minor: int) -> str:
    return f'[project]\nname = "x"\nversion = "0"\nrequires-python = ">=3.{minor}"\n'


def _config(place: str, target: str | None) -> str:
    line = f'target-version = "{target}"\n' if target else 'line-length = 99\n'
    return f"[tool.ruff]\n{line}" if place.endswith("pyproject.toml") else line


def _ruff_version(root: Path, path: str) -> str:
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--show-settings", path],
                          cwd=root, capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines()
                if x.startswith("linter.unresolved_target_version = "))
    return "py" + line.split(" = ")[1].strip().replace(".", "")


@pytest.mark.parametrize(("place", "target"), list(itertools.product(PLACES, TARGETS)))
def test_the_note_names_another_config_that_sets_the_version(
        tmp_path: Path, place: str, target: str | None) -> None:
    code = str(PurePosixPath(place).parent / "x.py")
    root = pr_repo(tmp_path / "repo", {"pyproject.toml": _pyproject(8), place: _config(
        place, target), code: "x = 1\n"}, {"pyproject.toml": _pyproject(12)})
    used = _ruff_version(root, code)  # plain ruff at the head
    trust = Trust(added={"pyproject.toml": frozenset({4})},
                  touched=frozenset({"pyproject.toml"}), base="main")

    found = [f for f in added_suppressions(TrustedFiles(open_repository(root), root, trust))
             if f.rule == RULE and f.file == "pyproject.toml"]

    assert len(found) == 1, found
    said = found[0].title + " " + found[0].rationale
    if used != "py312":
        assert f"{place}: {used}" in said, (used, said)
    else:
        assert "own target-version" not in said and "checked on it" in found[0].title, said
