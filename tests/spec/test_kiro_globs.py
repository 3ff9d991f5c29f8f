"""Kiro's globs (hook `when.patterns`, steering `fileMatchPattern`) matched as npm's minimatch
matches them, over a fixed grid of patterns × paths; patterns minimatch could never match a
workspace path with are refused with a reason and a fix, never left silently idle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.errors import ConfigError
from reviewloop.spec import kiro_globs
from reviewloop.spec.steering import glob_matches, read_steering
from reviewloop.spec.steering_set import check_steering
from tests.support.minimatch_oracle import PATHS, REFUSED, minimatch_grid, pattern_grid


@pytest.mark.npm
def test_every_pattern_matches_as_minimatch_does() -> None:
    patterns = pattern_grid()
    oracle = minimatch_grid(patterns, PATHS)
    differ = [(p, f, oracle[(p, f)]) for p in patterns for f in PATHS
              if glob_matches(p, f) is not oracle[(p, f)]]
    assert differ == []
    assert not [p for p in patterns if kiro_globs.problem(p) is not None]


@pytest.mark.npm
def test_a_refused_pattern_is_one_minimatch_never_fires_or_reads_otherwise() -> None:
    """What is refused would match nothing as written (or only by an escape that a Windows
    folder separator looks like): refusing costs no working pattern."""
    oracle = minimatch_grid([p for p in REFUSED if "\\" not in p and p != "!"], PATHS)
    assert not [key for key, hit in oracle.items() if hit and ".." not in key[0]]


@pytest.mark.parametrize("pattern", REFUSED)
def test_a_pattern_kiro_would_never_match_is_refused_with_a_fix(pattern: str) -> None:
    refused = kiro_globs.problem(pattern)
    assert refused is not None and refused.reason and refused.fix
    assert not any(kiro_globs.matches(pattern, path) for path in PATHS)


def test_braces_classes_and_extglobs_are_read_as_kiro_reads_them() -> None:
    assert glob_matches("**/*.{py,pyi}", "app/greet.py")
    assert glob_matches("src/[a-c]*.ts", "src/b.ts")
    assert glob_matches("src/**/*.+(ts|tsx)", "src/x/App.tsx")
    assert not glob_matches("!**/*.py", "app/greet.py")


@pytest.mark.parametrize("pattern", [p for p in REFUSED if p])
def test_a_steering_pattern_kiro_would_never_apply_is_refused_naming_its_line(
        tmp_path: Path, pattern: str) -> None:
    path = tmp_path / "rules.md"
    path.write_text("---\ninclusion: fileMatch\nfileMatchPattern:\n  - '**/*.py'\n"
                    f"  - {json.dumps(pattern)}\n---\nRULE\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        check_steering([read_steering(path)])
    assert caught.value.where == f"{path}:3"
    assert "never apply" in str(caught.value) and caught.value.fix


def test_a_steering_pattern_list_reads_a_negation_as_an_exclusion(tmp_path: Path) -> None:
    """The same list rule as a hook's (`kiro_globs.matches_any`), generated over the paths."""
    path = tmp_path / "ts.md"
    lists = (["src/**/*.ts", "!**/*.test.ts"], ["!**/*.test.ts"], ["*.py", "!!lib/*.py"],
             ["**/*.ts", "!src/**", "!!!x.ts"])
    for patterns in lists:
        path.write_text("---\ninclusion: fileMatch\nfileMatchPattern: "
                        f"{json.dumps(patterns)}\n---\nRULE\n", encoding="utf-8")
        steering = read_steering(path)
        for file in PATHS:
            wanted = [p for p in patterns if (len(p) - len(p.lstrip("!"))) % 2 == 0]
            unwanted = [p.lstrip("!") for p in patterns if p not in wanted]
            expected = (not wanted or any(glob_matches(p, file) for p in wanted)) and \
                not any(glob_matches(p, file) for p in unwanted)
            assert steering.matches(file) is expected, (patterns, file)
