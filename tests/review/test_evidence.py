"""The analyzer table and `run_for_agent`: scope, changed lines, missing and broken tools."""

from __future__ import annotations

import logging

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError
from reviewloop.checks.analyzers.registry import ANALYZERS
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.repository import open_repository
from reviewloop.review import evidence
from reviewloop.review.definitions import builtin_agents
from reviewloop.review.evidence import analyze, run_for_agent
from reviewloop.review.readable import SENSITIVE_REASON, skipped_reason, unreadable_reason
from tests.support.analyzers import FakeAnalyzer, Repo, agent

OLD = "line 1\nline 2\nline 3\nline 4\n"
NEW = "line 1\nline 2 changed\nline 3\nline 4\nline 5 added\n"


class EveryLine(FakeAnalyzer):
    """Reports every line of every file it is given, and remembers what it saw."""

    name = "every-line"

    def __init__(self):
        self.seen: list[AnalyzerContext] = []

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        self.seen.append(ctx)
        findings = []
        for path in ctx.changes.paths:  # deliberately ignores ctx.files: the registry filters
            if not (ctx.root / path).is_file():
                continue
            count = len((ctx.root / path).read_text().splitlines())
            findings += [Finding(severity=Severity.NIT, file=path, start_line=n, end_line=n,
                                 title=f"line {n}", rationale="every line", confidence=1.0,
                                 agent="whoever", source="every-line", rule="EL1")
                         for n in range(1, count + 1)]
        return findings


class Missing(FakeAnalyzer):
    name = "missing-tool"

    def available(self) -> str | None:
        return "missing-tool is not installed: pip install missing-tool"

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        raise AssertionError("a missing tool must not run")


class Failing(FakeAnalyzer):
    name = "failing"

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        raise AnalyzerError("failing exited with 2: bad flag")


class Crashing(Failing):
    name = "crashing"

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        return {}["nope"]


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path, {"src/a.txt": OLD, "src/gone.txt": OLD, "docs/b.txt": OLD})


@pytest.fixture
def every_line():
    return EveryLine()


def run(repo, diff, analyzers, every_line, **scope):
    table = {"every-line": every_line, "missing-tool": Missing(), "failing": Failing(),
             "crashing": Crashing()}
    return run_for_agent(agent("review-x", analyzers, **scope), repo.root, diff, registry=table)


def test_findings_on_added_lines_are_kept_and_those_next_to_them_are_outside(repo, every_line):
    # The ledger shows the ones next to the change as outside it: never dropped silently.
    diff = repo.change({"src/a.txt": NEW})

    report = run(repo, diff, ("every-line",), every_line)

    assert [(f.file, f.start_line) for f in report.findings] == [("src/a.txt", 2),
                                                                 ("src/a.txt", 5)]
    assert [(f.file, f.start_line) for f in report.outside] == [("src/a.txt", 1),
                                                                ("src/a.txt", 3),
                                                                ("src/a.txt", 4)]
    assert report.complete
    assert [(h.name, h.agent, h.status) for h in report.health] == [
        ("every-line", "review-x", "ok")]


def test_findings_are_attributed_to_the_agent_and_fingerprinted_on_their_code(repo, every_line):
    diff = repo.change({"src/a.txt": NEW})

    first = run(repo, diff, ("every-line",), every_line).findings[0]
    bare = first.model_copy(update={"fingerprint": "", "location_hash": ""})

    assert first.agent == "review-x"
    assert first.fingerprint == bare.with_code(NEW.splitlines(keepends=True)).fingerprint
    assert first.fingerprint != Finding(**bare.model_dump()).fingerprint  # not the code-less one


def test_include_and_exclude_decide_the_files(repo, every_line):
    diff = repo.change({"src/a.txt": NEW, "docs/b.txt": NEW, "src/c.txt": "new\n"},
                       delete=("src/gone.txt",))

    report = run(repo, diff, ("every-line",), every_line, include=("src/**",),
                 exclude=("src/c.txt",))

    assert every_line.seen[0].files == ("src/a.txt",)  # deleted and excluded files are out
    assert {f.file for f in report.findings} == {"src/a.txt"}
    assert set(every_line.seen[0].changes.paths) == {"src/a.txt", "docs/b.txt", "src/c.txt",
                                                     "src/gone.txt"}


def test_an_unknown_analyzer_is_an_error_naming_it(repo, every_line):
    diff = repo.change({"src/a.txt": NEW})

    report = run(repo, diff, ("every-line", "pylint"), every_line)

    assert report.errors == [("pylint: unknown analyzer in review-x; known: every-line, "
                             "missing-tool, failing, crashing")]
    assert len(report.findings) == 2  # the others still ran


def test_a_missing_tool_is_reported_not_skipped_silently(repo, every_line):
    diff = repo.change({"src/a.txt": NEW})

    report = run(repo, diff, ("missing-tool", "every-line"), every_line)

    assert report.missing == [("missing-tool: missing-tool is not installed: pip install "
                              "missing-tool")]
    assert not report.complete and len(report.findings) == 2


def test_a_failing_or_crashing_tool_is_a_recorded_error(repo, every_line):
    diff = repo.change({"src/a.txt": NEW})

    report = run(repo, diff, ("failing", "crashing", "every-line"), every_line)

    assert report.errors == ["failing: failing exited with 2: bad flag",
                             "crashing: crashed: KeyError: 'nope'"]
    assert len(report.findings) == 2


class BadStr(Exception):
    def __str__(self) -> str:
        raise ValueError("its __str__ is broken")


class NotStr(Exception):
    def __str__(self):
        return 42


class Raises(FakeAnalyzer):
    name = "raises"

    def __init__(self, exc: Exception):
        self.exc = exc

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        raise self.exc


@pytest.mark.parametrize("exc", [BadStr(), NotStr()], ids=["raises", "not-str"])
def test_a_crash_whose_message_cannot_be_read_is_still_the_analyzers_own_error(repo, exc):
    """Formatting the error ran the plugin's `__str__` again, outside the boundary: the
    whole review crashed instead of one failed row."""
    diff = repo.change({"src/a.txt": NEW})

    report = run_for_agent(agent("review-x", ("raises",)), repo.root, diff,
                           registry={"raises": Raises(exc)})

    assert report.errors == [
        f"raises: crashed: {type(exc).__name__} (its message could not be read)"]


def test_an_agent_without_analyzers_runs_nothing(repo):
    report = run_for_agent(agent("plain"), repo.root, "not even a diff")

    assert report.findings == [] and report.complete


def test_analyze_returns_the_findings_and_logs_what_did_not_run(repo, caplog, monkeypatch):
    diff = repo.change({"src/a.txt": NEW})
    monkeypatch.setitem(ANALYZERS, "missing-tool", Missing())

    with caplog.at_level(logging.WARNING, logger="reviewloop.review.evidence"):
        report = analyze(agent("review-x", ("missing-tool", "test-changes")), diff, repo.root)

    assert report.findings == []  # a .txt file is not production code
    assert [h.status for h in report.health] == ["missing", "ok"]
    assert "review-x analyzer missing-tool: missing-tool is not installed" in caplog.text


def test_the_secrets_analyzer_reports_a_token_on_an_added_line(repo):
    token = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ3b5C"
    diff = repo.change({"src/settings.py": f'GITHUB_TOKEN = "{token}"\n'})

    report = run_for_agent(agent("review-security", ("secrets",)), repo.root, diff)

    assert report.complete
    assert [(f.file, f.start_line, f.severity, f.source) for f in report.findings] == [
        ("src/settings.py", 1, Severity.MUST_FIX, "secrets")]
    assert token not in report.findings[0].rationale


def test_the_secrets_analyzer_honours_the_agents_scope(repo):
    token = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ3b5C"
    diff = repo.change({"tests/fixture.py": f'TOKEN = "{token}"\n'})

    scoped = agent("review-security", ("secrets",), exclude=("tests/**",))

    assert run_for_agent(scoped, repo.root, diff).findings == []


def test_every_builtin_agents_analyzer_is_registered():
    wanted = {name for a in builtin_agents() for name in a.analyzers}

    assert wanted <= set(ANALYZERS)
    assert all(analyzer.name == name for name, analyzer in ANALYZERS.items())


def test_analyzers_read_every_changed_text_file_whatever_it_is_named_or_marked(tmp_path):
    """Sensitive names, generated markers, vendored paths and the change's own
    `.gitattributes` keep a file from a model at most, never from the analyzers. A NUL byte
    does not either: a `.py` file is Python whatever bytes it holds, and bandit, which cannot
    parse it, says so (the file is unanalysed, never quietly skipped as binary)."""
    code = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"
    files = {"app_secret.py": code, "credentials/handler.py": code,
             "gen.py": "# @generated\n" + code, "vendor/lib.py": code, "x_pb2.py": code,
             "hidden.py": code, ".gitattributes": "hidden.py binary\n* -diff\n"}
    repo = Repo(tmp_path, {"README.md": "x\n"})
    repo.write(files)
    (tmp_path / "blob.py").write_bytes(b"x = 1\n" + b"\0" * 10)
    (tmp_path / "late.py").write_bytes(code.encode() + b"#" * 8000 + b"\0")
    repo.git("add", "-A")
    diff = open_repository(tmp_path).diff_staged()

    report = run_for_agent(agent("review-security", ("bandit",)), tmp_path, diff)

    assert {f.file for f in report.findings if f.rule == "B602"} == {
        p for p in files if p.endswith(".py")}
    [bandit] = report.health
    assert bandit.status == "ok"
    assert set(bandit.gaps()) == {"blob.py", "late.py"}
    assert bandit.gaps()["blob.py"].startswith("bandit: could not parse it")
    assert unreadable_reason(tmp_path, "blob.py") is None
    (tmp_path / "blob.bin").write_bytes(b"x = 1\n" + b"\0" * 10)  # no language: binary
    assert unreadable_reason(tmp_path, "blob.bin") == "a binary file"
    assert unreadable_reason(tmp_path, "app_secret.py") is None
    assert skipped_reason(tmp_path, "app_secret.py", ("*secret*",)) == SENSITIVE_REASON


def test_reviewers_scope_their_files_one_at_a_time_and_run_their_tools_side_by_side(
        repo, monkeypatch):
    """Scoping (the diff parse, the file checks) holds a lock: side by side, the reviewers'
    pure-Python scoping made each wait as long as all of them before its tools started. A
    plugin's claim is asked outside it (it may hang: it would hold every reviewer). The
    tools themselves overlap: the first reviewer's analyzer is still running while the
    second scopes and starts its own."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Event

    from reviewloop.review import evidence

    diff = repo.change({"src/a.txt": NEW})
    held: list[bool] = []
    claimed_held: list[bool] = []
    second_started = Event()
    scoped_files = evidence.scoped_files

    def scoping(*args, **kwargs):
        held.append(evidence._SCOPING.locked())
        return scoped_files(*args, **kwargs)

    monkeypatch.setattr(evidence, "scoped_files", scoping)

    class Waits(EveryLine):
        """The first reviewer's tool ends only once the second reviewer's tool started."""

        def __init__(self, first: bool):
            super().__init__()
            self.first = first

        def claims(self, root, path: str) -> bool:
            """Asked before the reviewer scopes its files (its globs leave this one out)."""
            # outside the lock, this thread takes it once the other reviewer's scoping ends;
            # inside, the lock (not reentrant) never comes: `Lock.locked()` could not tell
            # the other reviewer's hold from this thread's (a race under load)
            taken = evidence._SCOPING.acquire(timeout=30)
            if taken:
                evidence._SCOPING.release()
            claimed_held.append(not taken)
            return True

        def run(self, ctx):
            if self.first:
                assert second_started.wait(30), "the second reviewer's tool never started"
            else:
                second_started.set()
            return super().run(ctx)

    def review(name: str, first: bool):
        return run_for_agent(agent(name, ("every-line",), include=("docs/**",)), repo.root, diff,
                             registry={"every-line": Waits(first)})

    with ThreadPoolExecutor(2) as pool:
        reports = [pool.submit(review, "review-a", True), pool.submit(review, "review-b", False)]
        assert all(r.result(timeout=60).complete for r in reports)
    assert held == [True, True] and claimed_held == [False, False]


def test_a_files_code_is_indexed_once_for_every_reviewer_that_locates_findings_in_it(
        repo, every_line, monkeypatch):
    """Five reviewers' analyzers locate their findings in the same changed files: each file's
    index is made once for its text (it was made once per analyzer and reviewer), and made
    again when the text changes (a fix), so no finding is located on stale code."""
    made = []

    class Counted(evidence.CodeIndex):
        def __init__(self, lines):
            made.append("".join(lines))
            super().__init__(lines)

    monkeypatch.setattr(evidence, "CodeIndex", Counted)
    text = NEW + "indexed once: " + str(id(made)) + "\n"  # a text no earlier test indexed
    diff = repo.change({"src/a.txt": text})

    found = [run(repo, diff, ("every-line",), every_line).findings for _ in range(3)]

    assert made == [text]
    assert found[0] == found[1] == found[2]
    assert found[0][0].fingerprint == found[0][0].model_copy(
        update={"fingerprint": "", "location_hash": ""}).with_code(
        text.splitlines(keepends=True)).fingerprint
    fixed = text.replace("line 5 added", "line 5 fixed")
    run(repo, repo.change({"src/a.txt": fixed}), ("every-line",), every_line)
    assert made == [text, fixed]


class Given(FakeAnalyzer):
    """Reports the findings it was given."""

    name = "given"

    def __init__(self, findings: list[Finding]):
        self.findings = findings

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        return list(self.findings)


def _generated(path: str, lines: int, seed: int) -> list[Finding]:
    """Findings of every level, with a rule (an analyzer's) or none (keyed on its agent), on
    code that repeats, on blank lines and at the end of the file."""
    import random

    pick = random.Random(seed)
    found = []
    for n in range(120):
        start = pick.randint(1, lines)
        level = pick.choice(["line", "line", "symbol", "file"])
        found.append(Finding(
            severity=pick.choice(list(Severity)), file=path, start_line=start,
            end_line=min(lines, start + pick.choice([0, 0, 1, 3])), title=f"problem {n % 7}",
            rationale="generated", confidence=0.5, agent="whoever", source="given",
            rule=pick.choice(["G1", None]), level=level,
            symbol=pick.choice(["f", "g"]) if level == "symbol" else pick.choice([None, "t"])))
    return found


@pytest.mark.parametrize("batch", [False, True])
def test_located_findings_are_the_reported_ones_attributed_then_located_on_their_code(
        tmp_path, batch):
    """Each finding comes out as `finding.model_copy(update={"agent": …}).with_code(code)`
    makes it, field for field and with the same fields set, `code` being the file's lines
    as git counts them (a lone CR inside one, as the findings' lines are; a byte that is not
    UTF-8 replaced), whether the review's one read of the file is shared or not."""
    import subprocess
    from contextlib import nullcontext

    from reviewloop.findings.code_index import CodeIndex
    from reviewloop.git.reverse import git_lines
    from reviewloop.review.readable import one_batch

    text = ("a = 1\r\n\r\nb = 2\r\na = 1\r\nname = '\xe9t\xe9'\rc = 3\n\n    a = 1\n" * 6
            + "end\n")
    repo = Repo(tmp_path)
    (repo.root / "src").mkdir()
    data = text.encode("utf-8") + b"# \xff\n"
    (repo.root / "src" / "code.py").write_bytes(data)
    repo.git("add", "-A")
    diff = subprocess.run(["git", "diff", "--cached", "HEAD"], cwd=repo.root, check=True,
                          capture_output=True).stdout.decode("utf-8", "surrogateescape")
    code = CodeIndex(git_lines(data.decode("utf-8", "replace")))
    raw = _generated("src/code.py", data.count(b"\n"), seed=41)  # lines as git counts them

    with one_batch(repo.root) if batch else nullcontext():
        report = run_for_agent(agent("review-x", ("given",)), repo.root, diff,
                               registry={"given": Given(raw)})

    expected = sorted((f.model_copy(update={"agent": "review-x"}).with_code(code) for f in raw),
                      key=Finding.sort_key)
    assert len(report.findings) == len(raw)
    assert report.findings == expected
    assert [f.model_fields_set for f in report.findings] == [
        f.model_fields_set for f in expected]
