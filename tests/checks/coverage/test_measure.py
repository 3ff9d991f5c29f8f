"""One suite run per tree state: the test gate's coverage run feeds the analyzer and the
strict gate; a change of code measures again; a review runs the configured command or none.

Every project here has a conftest that appends its command line to `runs.log` (ignored by
git, as a project ignores its outputs) when a session starts: the log counts suite runs
independently of reviewloop's own bookkeeping.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from reviewloop.app.review import analyzers_for
from reviewloop.checks.coverage.check import new_code_coverage
from reviewloop.checks.coverage.measure import covered_run, suites_started, tree_key
from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.gates.commands import ProjectTests, project_tests
from reviewloop.checks.gates.registry import run_gates
from reviewloop.config import Gates, Review, Settings
from reviewloop.git.diff import parse_diff

# First, as in test_analyzer: the analyzer table imports the coverage analyzer, and importing
# that module first would be circular.
from reviewloop.review.evidence import run_for_agent
from reviewloop.runs.review import DiffSource, review_change
from reviewloop.sandbox.bubblewrap import Sandbox
from tests.support.analyzers import Repo, agent

COMMAND = f"{sys.executable} -m pytest -p no:cacheprovider tests"
CONFTEST = textwrap.dedent('''
    import sys


    def pytest_sessionstart(session):
        with open("runs.log", "a", encoding="utf-8") as log:
            log.write(" ".join(sys.argv[1:]) + "\\n")
''').lstrip()
BASE = {
    ".gitignore": "runs.log\n__pycache__/\n",
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
    "calc/__init__.py": "",
    "calc/core.py": "def old(x):\n    return x\n",
    "tests/conftest.py": CONFTEST,
    "tests/test_core.py": "from calc.core import old\n\n\n"
                          "def test_old():\n    assert old(1) == 1\n",
}
NEW_CORE = ("def old(x):\n    return x\n\n\ndef doubled(x):\n    return x * 2\n\n\n"
            "def tripled(x):\n    return x * 3\n")
NEW_TEST = BASE["tests/test_core.py"].replace("import old", "import doubled, old") + \
    "\n\ndef test_doubled():\n    assert doubled(2) == 4\n"
COVERS_TRIPLED = "from calc.core import tripled\n\n\ndef test_tripled():\n    " \
                 "assert tripled(1) == 3\n"
TEST_QUALITY = agent("review-test-quality", ("coverage",))


def changed_project(root: Path, base: dict[str, str] | None = None) -> tuple[Repo, str]:
    repo = Repo(root, base or BASE)
    return repo, repo.change({"calc/core.py": NEW_CORE, "tests/test_core.py": NEW_TEST})


def runs(repo: Repo) -> list[str]:
    log = repo.root / "runs.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def settings(command: str = COMMAND, **more) -> Settings:
    return Settings(gates=Gates(test=(command,), build=(), **more.pop("gates", {})), **more)


def gate_context(repo: Repo, diff: str, config: Settings, phase: str = "implement"
                 ) -> GateContext:
    return GateContext(root=repo.root, settings=config,
                       changed_files=tuple(parse_diff(diff).paths), diff_text=diff,
                       branch="work", default_branch="main", phase=phase)


def untested(report) -> list[str]:
    return [f.symbol for f in report.findings]


def test_the_analyzer_reads_the_test_gates_run_instead_of_running_the_suite_again(tmp_path):
    repo, diff = changed_project(tmp_path)
    config = settings()
    started = suites_started()

    gates = run_gates(gate_context(repo, diff, config), ("test",))
    report = run_for_agent(TEST_QUALITY, repo.root, diff, tests=project_tests(config))

    assert gates.result("test").passed and gates.result("test").passed_tests == 2
    assert gates.result("test").output_tail.startswith(f"$ {COMMAND}\n")  # not rewritten
    assert runs(repo) == ["-p no:cacheprovider tests"]  # the configured command, once
    assert suites_started() - started == 1
    assert report.complete, report.errors
    assert untested(report) == ["tripled"]
    assert f"(`{COMMAND}`)" in report.findings[0].rationale


def test_the_strict_coverage_gate_reuses_the_test_gates_run_too(tmp_path):
    repo, diff = changed_project(tmp_path)
    config = settings(gates={"coverage": "strict"})

    gates = run_gates(gate_context(repo, diff, config), ("test", "coverage"))
    report = run_for_agent(TEST_QUALITY, repo.root, diff, tests=project_tests(config))

    assert len(runs(repo)) == 1
    coverage = gates.result("coverage")
    assert not coverage.passed and coverage.blocking
    assert "tripled" in coverage.summary
    assert untested(report) == ["tripled"]


def test_a_fix_that_changes_code_is_measured_again_never_read_from_the_old_run(tmp_path):
    repo, diff = changed_project(tmp_path)
    config = settings()
    run_gates(gate_context(repo, diff, config), ("test",))
    first = run_for_agent(TEST_QUALITY, repo.root, diff, tests=project_tests(config))

    fixed = repo.change({"tests/test_tripled.py": COVERS_TRIPLED})  # the fixer adds a test
    run_gates(gate_context(repo, fixed, config, phase="fix"), ("test",))  # the re-test
    second = run_for_agent(TEST_QUALITY, repo.root, fixed, tests=project_tests(config))

    assert untested(first) == ["tripled"] and untested(second) == []
    assert len(runs(repo)) == 2  # one per tree state: the fix's re-test gave the fresh data


def test_without_a_gate_run_the_analyzer_measures_the_new_tree_itself(tmp_path):
    repo, diff = changed_project(tmp_path)
    tests = project_tests(settings())
    first = run_for_agent(TEST_QUALITY, repo.root, diff, tests=tests)

    repo.write({"calc/core.py": NEW_CORE.replace("x * 3", "x + x + x")})  # uncommitted edit
    second = run_for_agent(TEST_QUALITY, repo.root, diff, tests=tests)
    again = run_for_agent(TEST_QUALITY, repo.root, diff, tests=tests)

    assert untested(first) == untested(second) == untested(again) == ["tripled"]
    assert len(runs(repo)) == 2


def test_caches_the_run_leaves_behind_do_not_count_as_a_new_tree(tmp_path, monkeypatch):
    # Nothing ignored: the run writes __pycache__ folders into the project (the user's own
    # empty setting asks Python to write bytecode; a run's commands otherwise write none).
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "")
    base = {**BASE, ".gitignore": "runs.log\n"}
    repo, diff = changed_project(tmp_path, base)
    command = f"{sys.executable} -m pytest tests"
    config = settings(command)
    before = tree_key(repo.root)

    run_gates(gate_context(repo, diff, config), ("test",))
    report = run_for_agent(TEST_QUALITY, repo.root, diff, tests=project_tests(config))

    # Untracked caches are never part of a snapshot (reviewloop.git.untracked), so the tree
    # after the run is the tree the gate measured.
    assert tree_key(repo.root) == before and (repo.root / "calc/__pycache__").is_dir()
    assert len(runs(repo)) == 1 and untested(report) == ["tripled"]


def test_untracked_files_are_part_of_the_tree_state(tmp_path):
    repo, _ = changed_project(tmp_path)
    before = tree_key(repo.root)
    repo.write({"calc/extra.py": "VALUE = 1\n"})  # never added to git
    after = tree_key(repo.root)
    repo.write({"runs.log": "ignored files are not\n"})

    assert before != after == tree_key(repo.root)


def test_a_tree_outside_git_is_keyed_by_its_files(tmp_path):
    root = tmp_path / "export"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/a.py").write_text("A = 1\n")
    first = tree_key(root)
    (root / "pkg/__pycache__").mkdir()
    (root / "pkg/__pycache__/a.cpython-311.pyc").write_bytes(b"\0")
    unchanged = tree_key(root)
    (root / "pkg/a.py").write_text("A = 2\n")

    assert first.startswith("files:") and first == unchanged != tree_key(root)


def test_the_gate_passes_and_the_analyzer_says_so_when_the_tests_python_lacks_coverage(
        tmp_path, monkeypatch):
    # A `coverage` module that cannot be imported, first on the project's PYTHONPATH.
    repo, diff = changed_project(tmp_path)
    shadow = repo.root / "shadow"
    repo.write({"shadow/coverage.py": "raise ImportError('not installed here')\n"})
    monkeypatch.setenv("PYTHONPATH", str(shadow))
    config = settings()

    gates = run_gates(gate_context(repo, diff, config), ("test",))
    report = run_for_agent(TEST_QUALITY, repo.root, diff, tests=project_tests(config))

    assert gates.result("test").passed  # measuring never fails the tests
    assert len(runs(repo)) == 1
    (health,) = report.health
    assert health.status == "failed"
    assert health.reason == (f"coverage is not installed for {sys.executable}: "
                             f"{sys.executable} -m pip install coverage")


def test_no_public_function_changed_means_the_test_gate_runs_plainly(tmp_path):
    repo = Repo(tmp_path, BASE)
    diff = repo.change({"README.md": "more words\n"})
    started = suites_started()

    gates = run_gates(gate_context(repo, diff, settings()), ("test",))

    assert gates.result("test").passed and len(runs(repo)) == 1
    assert suites_started() == started  # not under coverage: nothing would read the data


def test_forced_re_run_measures_the_same_tree_again(tmp_path):
    repo, _ = changed_project(tmp_path)
    sandbox = Sandbox()

    first = covered_run(repo.root, COMMAND, 300, sandbox=sandbox)
    reused = covered_run(repo.root, COMMAND, 300, sandbox=sandbox)
    forced = covered_run(repo.root, COMMAND, 300, sandbox=sandbox, reuse=False)

    assert reused is first and forced is not first
    assert forced.executed == first.executed and len(runs(repo)) == 2


def test_a_different_command_on_the_same_tree_is_a_different_run(tmp_path):
    repo, diff = changed_project(tmp_path)
    narrow = ProjectTests(command=f"{sys.executable} -m pytest -p no:cacheprovider "
                                  "tests/test_core.py")
    repo.write({"tests/test_tripled.py": COVERS_TRIPLED})

    whole = new_code_coverage(repo.root, parse_diff(diff), ProjectTests(command=COMMAND))
    part = new_code_coverage(repo.root, parse_diff(diff), narrow)

    assert [s.qualname for s in whole.untested] == []
    assert [s.qualname for s in part.untested] == ["tripled"]
    assert len(runs(repo)) == 2


# -- reviewloop review --------------------------------------------------------------------

def review(repo: Repo, config: Settings):
    return review_change(repo.root, config, DiffSource(), model_factory=_no_model, llm=False,
                         analyze=analyzers_for(config))


def _no_model(name: str):
    raise AssertionError(f"LLM off: no model may be built ({name})")


def coverage_health(summary):
    return next(h for h in summary.ledger.health if h.name == "coverage")


def test_review_with_tests_runs_the_configured_command_once_per_round(tmp_path):
    repo, _ = changed_project(tmp_path)
    config = settings(review=Review(run_tests=True), reviewers=("review-test-quality",),
                      gates={"coverage": "strict"})

    summary = review(repo, config)

    assert runs(repo) == ["-p no:cacheprovider tests"]  # analyzer and strict gate: one run
    assert coverage_health(summary).status == "ok"
    assert ("coverage", False) in [(name, passed) for name, passed, _ in summary.gates]
    assert any(e.finding.symbol == "tripled" for e in summary.ledger.entries)


def test_review_without_tests_runs_nothing_and_says_so(tmp_path):
    repo, _ = changed_project(tmp_path)
    config = settings(reviewers=("review-test-quality",), gates={"coverage": "strict"})

    summary = review(repo, config)

    assert runs(repo) == []
    health = coverage_health(summary)
    assert health.status == "skipped" and "--tests" in health.reason


def test_a_run_that_writes_a_file_git_sees_leaves_a_new_tree_to_measure_again(tmp_path):
    base = {**BASE, "tests/conftest.py": CONFTEST + textwrap.dedent('''

        def pytest_sessionfinish(session):
            with open("report.txt", "a", encoding="utf-8") as out:
                out.write("ran\\n")
    ''')}
    repo, diff = changed_project(tmp_path, base)
    config = settings()

    run_gates(gate_context(repo, diff, config), ("test",))
    report = run_for_agent(TEST_QUALITY, repo.root, diff, tests=project_tests(config))

    assert untested(report) == ["tripled"]
    assert len(runs(repo)) == 2  # report.txt is part of the tree: not the tree measured
