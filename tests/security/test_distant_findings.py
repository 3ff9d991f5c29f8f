"""A change that makes untouched code unsafe or broken is the change's. `import shlex as
subprocess` made `import subprocess` turns a `subprocess.call(cmd, shell=True)` fifty lines
down into bandit's B602; a deleted `import os`, definition or assignment leaves a distant
use undefined (ruff's F821, shellcheck's SC2154). Each finding lies on lines the change did
not write, and was dropped as "outside the change" while the verdict said complete.
bandit, ruff and shellcheck now run again on the base versions of the files where they
report findings off the change's lines (`review.introduced`, `FileByFile`): a finding the
base does not have for the same code is in the verdict.

Generated: each drawn change holds every cause (an alias made real, an import, a definition
or an assignment deleted) with a drawn distance and filler between it and its effect, and
a twin of each whose effect the base already had, the change editing filler and shifting
it by drawn lines: the twin's finding stays outside the change."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]


@dataclass(frozen=True)
class Cause:
    """A file whose line `before` at the base becomes `after` (None: deleted), which makes
    the untouched `effect` further down a finding of `analyzer`'s `rule`."""

    analyzer: str
    rule: str
    before: str
    after: str | None
    effect: str
    suffix: str = ".py"
    # an import and a line below the effect where the rule already fires at the base, same
    # title: that one is not the change's, the effect is
    old: tuple[str, str] | None = None


CAUSES = (
    Cause("bandit", "B602", "import shlex as subprocess", "import subprocess",
          "    return subprocess.call(cmd, shell=True)"),
    Cause("bandit", "B602", "import shlex as subprocess", "import subprocess",
          "    return subprocess.call(cmd, shell=True)",
          old=("import subprocess as sp", "    return sp.call(cmd, shell=True)")),
    Cause("bandit", "B605", "from shlex import quote as system", "from os import system",
          "    return system(cmd)"),
    Cause("bandit", "B506", "import json as yaml", "import yaml", "    return yaml.load(cmd)"),
    Cause("bandit", "B324", "import hashlib_compat as hashlib", "import hashlib",
          "    return hashlib.md5(cmd)"),
    Cause("ruff-maintainability", "F821", "import os", None, "    return os.getcwd()"),
    Cause("ruff-maintainability", "F821", "TIMEOUT = 5", None, "    return cmd, TIMEOUT"),
    Cause("ruff-maintainability", "F821", "def helper():\n    return 1", "",
          "    return helper()"),
    Cause("shellcheck", "SC2154", 'target="/tmp/out"', None, 'echo "$target"', ".sh"),
)


@dataclass(frozen=True)
class Case:
    cause: Cause
    path: str
    base: str
    head: str
    effect_line: int  # in the head
    old_line: int | None  # the finding the base had too (`Cause.old`), in the head
    twin: bool  # the base already has the effect: not the change's


def _filler(n: int, shell: bool) -> list[str]:
    return [f": step {i}" if shell else f"VALUE_{i} = {i}" for i in range(n)]


@st.composite
def cases(draw: st.DrawFn, cause: Cause, index: int, twin: bool) -> Case:
    shell = cause.suffix == ".sh"
    gap = draw(st.integers(5, 40))  # beyond the 3 lines around a hunk the review keeps
    head_lines = ["#!/bin/bash"] if shell else []
    above = _filler(gap, shell)
    body = ([cause.effect.strip()] if shell else ["", "", "def run(cmd):", cause.effect])
    tail = _filler(draw(st.integers(0, 3)), shell)
    if cause.old is not None:
        head_lines = [cause.old[0]]
        tail += ["", "", "def old(cmd):", cause.old[1]]
    if not twin:
        base = [*head_lines, cause.before, *above, *body, *tail]
        changed = [*head_lines, *([cause.after] if cause.after is not None else []),
                   *above, *body, *tail]
    else:  # the cause already made at the base; the change edits filler above the effect
        made = [cause.after] if cause.after is not None else []
        base = [*head_lines, *made, *above, *body, *tail]
        shift = draw(st.integers(0, 6))
        edited = list(above)
        at = draw(st.integers(0, len(edited) - 1))
        edited[at] = edited[at].replace(" = ", " = 1 + ") if not shell else ": edited"
        edited[at:at] = _filler(shift, shell)[::-1] if shift else []
        changed = [*head_lines, *made, *edited, *body, *tail]
    effect = next(i for i, line in enumerate(changed, 1) if line == body[-1])
    old = len(changed) if cause.old is not None else None
    name = f"{'twin' if twin else 'made'}_{index}{cause.suffix}"
    folder = draw(st.sampled_from(("", "src/", "scripts/deep/")))
    return Case(cause, folder + name, "\n".join(base) + "\n", "\n".join(changed) + "\n",
                effect, old, twin)


CHANGES = st.tuples(*(cases(cause, i, twin) for i, cause in enumerate(CAUSES)
                      for twin in (False, True)))
AGENTS = (agent("review-security", ("bandit", "shellcheck-security")),
          agent("review-maintainability", ("ruff-maintainability", "shellcheck")))


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(CHANGES)
def test_a_finding_the_change_causes_far_from_its_lines_counts(shellcheck_tools: Path,
                                                               drawn: tuple[Case, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch) / "r", {c.path: c.base for c in drawn})
        diff = repo.change({c.path: c.head for c in drawn})
        reports = [run_for_agent(a, repo.root, diff) for a in AGENTS]
    for report in reports:
        assert report.missing == [] and report.errors == [], (report.missing, report.errors)
    kept = {(f.source, f.rule, f.file, f.start_line): f for r in reports for f in r.findings}
    for case in drawn:
        key = (case.cause.analyzer, case.cause.rule, case.path, case.effect_line)
        if case.twin:  # already so at the base: outside the change, whatever the shift
            assert key not in kept, (case, sorted(kept))
        else:
            assert key in kept, (case, sorted(kept))
            assert kept[key].introduced and "does not report it on the change's base" \
                in kept[key].rationale
        if case.old_line is not None:  # the same rule and title, but the base had it
            assert (*key[:3], case.old_line) not in kept, (case, sorted(kept))


def test_the_base_run_reads_only_the_files_with_findings_off_the_change(
        tmp_path: Path) -> None:
    """bandit's second run reads the base of the one file holding an old finding off the
    change's lines, not the other changed files: a change to many clean files costs one
    small run, and one with every finding on its lines costs none."""
    old = ("import subprocess\n\n\n\n\n\n"
           "def run(cmd):\n    return subprocess.call(cmd, shell=True)\n")
    base = {"legacy.py": "X = 1\n" + old, **{f"clean{i}.py": "X = 1\n" for i in range(5)}}
    repo = Repo(tmp_path / "r", base)
    diff = repo.change({"legacy.py": "X = 2\n" + old,
                        **{f"clean{i}.py": "X = 2\n" for i in range(5)}})
    from reviewloop.review import introduced

    seen: list[tuple[str, ...]] = []
    real = introduced.BaseTree.at

    def at(self: introduced.BaseTree, files, folders, context=()):  # type: ignore[no-untyped-def]
        seen.append(tuple(files))
        return real(self, files, folders, context)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(introduced.BaseTree, "at", at)
        report = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)
    assert seen == [("legacy.py",)]
    assert report.findings == []  # B602 was there before: not the change's


def _complex(branches: int) -> list[str]:
    return ["def tangled(x):", *(f"    if x == {i}:\n        return {i}" for i in range(branches)),
            "    return -1"]


@settings(max_examples=4, deadline=None, derandomize=True)
@given(st.integers(1, 4), st.integers(14, 18), st.integers(6, 20))
def test_an_old_finding_stays_outside_whatever_its_message_or_encoding(
        shift: int, branches: int, gap: int) -> None:
    """Findings the base had too, off the change's lines, are not the change's however the
    change moves them: a Latin-1 file (its base rebuilt byte for byte), ruff's F811 naming
    the line of the first definition (`from line 5`), C901/PLR0912 counting the branches of
    a function the change made longer (`(15 > 10)`)."""
    filler = [f"VALUE_{i} = {i}" for i in range(gap)]
    legacy = ["# -*- coding: latin-1 -*-", "import subprocess", "# caf\u00e9", *filler, "",
              "", "def run(cmd):", "    return subprocess.call(cmd, shell=True)", "",
              "", "X = 1"]
    shadow = ["def helper():", "    return 1", "", "", "def helper():", "    return 2", "",
              "", *filler, "", "", *_complex(branches)]
    base = {"legacy.py": "\n".join(legacy).encode("latin-1"),
            "shadow.py": "\n".join(shadow) + "\n"}
    head_shadow = [f"IMPORTED_{i} = {i}" for i in range(shift)] + shadow[:-1] + \
        ["    if x == -2:", "        return -2", shadow[-1]]
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch) / "r")
        (repo.root / "legacy.py").write_bytes(base["legacy.py"])
        repo.write({"shadow.py": base["shadow.py"]})
        repo.git("add", "-A")
        repo.git("commit", "-qm", "legacy")
        (repo.root / "legacy.py").write_bytes(base["legacy.py"].replace(b"X = 1", b"X = 2"))
        diff = repo.change({"shadow.py": "\n".join(head_shadow) + "\n"})
        reports = [run_for_agent(a, repo.root, diff) for a in AGENTS]
    introduced = sorted((f.rule, f.file, f.start_line) for r in reports for f in r.findings
                        if f.introduced)
    assert introduced == [], introduced  # each was there, on the same code, at the base
