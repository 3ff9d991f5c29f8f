"""Re-testing a fix: first the tests relevant to the files it changed, then the full gates.

The tests relevant to a fix (a cheap rule, no import graph):

* test files the fix itself changed or created;
* test files named after a changed module (`calc.py` → `test_calc.py`, `calc_test.py`,
  `calc.test.ts`, `calc.spec.js`; `pkg/__init__.py` and `index.ts` count as `pkg`/their folder);
* test files whose imports name a changed module (`import calc`, `from app.calc import …`,
  `from app import calc`, `require('./calc')`, `from "../calc"`).

Test files are the ones a runner collects (`checks.gates.verified.tests_in` with
`checks.paths.runner_collects`: the runners' names, and the project's pytest `python_files`
and `testpaths` — a project whose tests are `check_*.py` has those re-run when they import the
changed module), tracked or not ignored. A fix that changes test code no runner collects (a
`conftest.py`, a helper module, a fixture under `tests/`) is checked with the whole test
gate: any test may use it, and pytest handed a `conftest.py` collects nothing.
Only pytest can be pointed at files: a pytest command that is a plain argv (`pytest -q`,
`python -m pytest tests/unit`) gets the relevant Python test files appended; a command with
any shell syntax (`| tee log`, `&& echo`, `|| true`, `;`, `#`, redirections, `$(…)`) runs
unchanged, whatever it runs — a path is never spliced into shell syntax. Any other test
command (npm, go, make) runs whole when a relevant test is not a Python file. When no
relevant test is found, or nothing could be narrowed, the fix is checked with the full
test gate — a fix is never let through untested. Under `gates.coverage = "strict"` an
attempt that passed those checks and adds or changes a public function (the coverage gate's
own rule) is also held to the new-code coverage of what its group's fix wrote, measured under
the full test commands, so a fix that adds an untested public function is retried with it
named, instead of passing its own re-test and sinking the whole pass at the full gates. The
changed-lines threshold (`gates.coverage_threshold`) is not applied to a group's few lines:
a two-line guard whose `raise` no test runs is 50% on its own; the full gates judge it on
the whole fix round, as they always have.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reviewloop.checks.coverage.collectors import runs_pytest
from reviewloop.checks.coverage.gate import judges_functions
from reviewloop.checks.gates.base import GateReport
from reviewloop.checks.gates.detect import gate_commands
from reviewloop.checks.gates.registry import OnGate, check_change
from reviewloop.checks.gates.verified import tests_in
from reviewloop.checks.paths import runner_collects
from reviewloop.config import Settings
from reviewloop.git.changes import changes_since, write_diff
from reviewloop.git.diff import parse_diff, save_diff
from reviewloop.git.repository import Repository, Snapshot

_MAX_READ = 256_000  # bytes of a test file searched for imports
_TEST_AFFIXES = re.compile(r"^test_|_test$|\.(test|spec)$")
_GENERIC_STEMS = frozenset({"__init__", "index", "mod", "lib"})
_OPERATORS = "|&;<>()"  # the shell's control and redirection operators


@dataclass(frozen=True)
class Retest:
    """Where and how a fix is re-tested: the change is measured from the run's baseline,
    the new-code coverage from `before`, the tree before the fix round (see `full`)."""

    repo: Repository
    settings: Settings
    baseline: Snapshot
    artifacts: tuple[str, ...]
    run_dir: Path
    before: Snapshot
    on_gate: OnGate | None = None

    def relevant(self, changed: Sequence[str], since: Snapshot) -> GateReport:
        """The build, the tests relevant to `changed` (the full test gate when none is), the
        project's Kiro hooks and (when strict) the new-code coverage of what the group's fix
        wrote since `since`, the tree before its first attempt: each failure goes back to the
        fixer like a test's. The coverage is measured under the full test commands, as
        `full` measures it (a function a test outside the narrowed set runs is covered), and
        only once the rest passed and the fix adds or changes a public function; the
        changed-lines threshold is left to `full`, which judges it on the whole round."""
        tests = relevant_tests(self.repo, changed)
        commands = gate_commands(self.repo.root, self.settings.gates).test
        narrowed = narrowed_commands(commands, tests) if tests else None
        settings = self.settings
        if narrowed:
            gates = self.settings.gates.model_copy(update={"test": narrowed})
            settings = self.settings.model_copy(update={"gates": gates})
        report = self._check(settings, ("build", "synth", "test", "kiro-hooks"))
        if not report.passed or self.settings.gates.coverage != "strict":
            return report
        touched, diff_text = changes_since(self.repo, since, self.artifacts)
        if not touched.paths or not judges_functions(
                self.repo.root, parse_diff(diff_text, source="a fix group's change")):
            return report  # no public function of its own: the gate would have nothing to judge
        gates = self.settings.gates.model_copy(update={"coverage_threshold": None})
        own = self._check(self.settings.model_copy(update={"gates": gates}), ("coverage",),
                          since=since)
        return report.model_copy(update={"results": (*report.results, *own.results)})

    def full(self) -> GateReport:
        """The build, every test, the Kiro hooks and your pre-commit hook on the whole change,
        and (when strict) the new-code coverage on what the fix round itself changed: the
        public functions new or changed between `before` and now. Code the fix did not write
        is never charged to it — the implementation's passed its own coverage gate, a pull
        request's or your checkout's is its author's, not the fixer's."""
        report = self._check(self.settings, ("build", "synth", "test", "kiro-hooks", "hooks"))
        return self._with_coverage(report, self.before)

    def _with_coverage(self, report: GateReport, since: Snapshot) -> GateReport:
        """`report` and the coverage gate on what changed since `since`."""
        if report.no_change:
            return report
        own = self._check(self.settings, ("coverage",), since=since)
        if own.no_change:  # the fix undid itself: nothing of its own to measure
            return report
        return report.model_copy(update={"results": (*report.results, *own.results)})

    def _check(self, settings: Settings, names: tuple[str, ...],
               since: Snapshot | None = None) -> GateReport:
        start = self.baseline if since is None else since
        touched, diff_text = changes_since(self.repo, start, self.artifacts)
        if since is None:
            diff_path = write_diff(self.run_dir, 0, diff_text)
        else:  # beside round-0.diff, never over a round's own diff file
            diff_path = str(self.run_dir / "fix-own.diff")
            save_diff(Path(diff_path), diff_text)
        return check_change(self.repo, settings, touched, diff_path, phase="fix",
                            names=names, on_gate=self.on_gate)


def relevant_tests(repo: Repository, changed: Sequence[str]) -> list[str]:
    """The test files relevant to a fix that changed `changed` (see the module docstring)."""
    is_code, collected = tests_in(repo.root), tests_in(repo.root, rule=runner_collects)
    if any((is_code(p) and not collected(p)) or PurePosixPath(p).name == "conftest.py"
           for p in changed):
        return []  # a conftest.py, a helper, a fixture: whatever test uses it, all run
    found = [p for p in changed if collected(p) and (repo.root / p).is_file()]
    stems = {_stem(p) for p in changed if not is_code(p)} - {""}
    if not stems:
        return found
    patterns = [_imports(stem) for stem in sorted(stems)]
    for path in _test_files(repo, collected):
        if path in found:
            continue
        if _named_after(path, stems) or _imports_any(repo.root / path, stems, patterns):
            found.append(path)
    return found


def narrowed_commands(commands: Sequence[str], tests: Sequence[str]) -> tuple[str, ...] | None:
    """The test commands pointed at `tests`; None when nothing could be narrowed."""
    python = [t for t in tests if t.endswith(".py")]
    other = any(not t.endswith(".py") for t in tests)
    kept: list[str] = []
    narrowed = False
    for command in commands:
        if not plain_argv(command):
            kept.append(command)  # shell syntax, whatever it runs: as it is, never spliced into
        elif runs_pytest(command):
            if python:
                kept.append(" ".join([command, *map(shlex.quote, python)]))
                narrowed = True
        elif other:
            kept.append(command)
    return tuple(kept) if kept and narrowed else None


def plain_argv(command: str) -> bool:
    """Whether `command` is one program with its arguments and nothing the shell reads
    otherwise: no pipe, list or redirection operator, comment, expansion, substitution or
    line break (a quoted one counts too: the rule stays on the safe side)."""
    if any(c in command for c in "\n\r$`"):
        return False
    lexer = shlex.shlex(command, posix=True, punctuation_chars=_OPERATORS)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        tokens = list(lexer)
    except ValueError:  # an unclosed quote
        return False
    return bool(tokens) and not any(
        t.startswith("#") or (t and set(t) <= set(_OPERATORS)) for t in tokens)


def _test_files(repo: Repository, is_test: Callable[[str], bool]) -> list[str]:
    listed = repo.git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return sorted(p for p in listed.split("\0") if p and is_test(p))


def _stem(path: str) -> str:
    pure = PurePosixPath(path)
    stem = pure.name.split(".", 1)[0]
    if stem in _GENERIC_STEMS:
        stem = pure.parent.name
    return stem if stem.isidentifier() or re.fullmatch(r"[\w-]+", stem) else ""


def _named_after(path: str, stems: set[str]) -> bool:
    name = PurePosixPath(path).name
    base = name.rsplit(".", 1)[0] if "." in name else name
    return _TEST_AFFIXES.sub("", base) in stems or _TEST_AFFIXES.sub("", base.split(".")[0]) \
        in stems


def _imports(stem: str) -> re.Pattern[str]:
    word = re.escape(stem)
    return re.compile(
        rf"^\s*(?:from\s+(?:[\w.]+\.)?{word}\s+import\b|import\s+(?:[\w.]+\.)?{word}\b"
        rf"|from\s+[\w.]+\s+import\s+.*\b{word}\b)"
        rf"|(?:from\s+|require\(\s*|import\(\s*)['\"][^'\"]*\b{word}(?:\.[cm]?[jt]sx?)?['\"]",
        re.MULTILINE)


def _imports_any(path: Path, stems: set[str], patterns: Sequence[re.Pattern[str]]) -> bool:
    try:
        with path.open("rb") as handle:
            text = handle.read(_MAX_READ).decode("utf-8", errors="replace")
    except OSError:
        return False
    if not any(stem in text for stem in stems):  # the cheap test before the regexes
        return False
    return any(pattern.search(text) for pattern in patterns)
