"""What an analyzer gives is checked against its contract: `reads` giving anything but
repository paths (a str, an absolute path, a `..` escape, '', NUL, `.git`, a file that does
not exist) is its failed row naming the entry; a finding on a line past its file's end or on
a file out of the reviewer's scope is counted and said, a plugin's failing its row, never
dropped silently. Generated over the ways a path is no repository path, and over lines."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop import plugins
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from reviewloop.git.names import under_text
from reviewloop.review.analyzer_output import _not_a_path
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import FakeAnalyzer, Repo, agent
from tests.support.plugins import install

OLD, NEW = "line 1\nline 2\n", "line 1\nline 2 changed\n"
SEGMENT = st.text(st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")), min_size=1,
                  max_size=6)
# each a way a string is no repository path of a file in the fixture's tree
NOT_A_PATH = st.one_of(
    st.just(""), st.just("."), st.just(".git/config"), st.just("src/a.txt\0x"),
    st.just("SRC/A.TXT"), st.just("/etc/passwd"), st.just("./src/a.txt"),
    st.just("src//a.txt"), SEGMENT.map(lambda s: f"/{s}"),
    st.lists(SEGMENT, min_size=1, max_size=3).map(lambda p: "../" * len(p) + "/".join(p)),
    SEGMENT.map(lambda s: f"src/{s}/../a.txt"), SEGMENT.map(lambda s: f"no-such-{s}.py"))


class Reads(FakeAnalyzer):
    """Reads what it is told; finds, on each of `places`, a must-fix finding."""

    name = "reads"

    def __init__(self, reads: Any = None, places: tuple[tuple[str, int], ...] = ()) -> None:
        self.told, self.places = reads, places

    def reads(self, ctx: AnalyzerContext) -> Any:
        return list(ctx.files) if self.told is None else self.told

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        return [Finding(severity=Severity.MUST_FIX, file=file, start_line=line, end_line=line,
                        title="here", rationale="r", confidence=1.0, agent="x", source="reads",
                        rule="R1") for file, line in self.places]


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, str]:
    repo = Repo(tmp_path_factory.mktemp("r"), {"src/a.txt": OLD, "src/b.txt": OLD})
    return repo, repo.change({"src/a.txt": NEW})


def _review(change: tuple[Repo, str], analyzer: FakeAnalyzer) -> Any:
    repo, diff = change
    return run_for_agent(agent("review-x", (analyzer.name,), include=("src/a.txt",)),
                         repo.root, diff, registry={analyzer.name: analyzer})


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=NOT_A_PATH, before=st.booleans())
def test_reads_giving_no_repository_path_is_its_failed_row_naming_it(change, bad, before):
    report = _review(change, Reads(["src/a.txt", bad] if before else [bad, "src/a.txt"]))
    [row] = report.health
    assert row.status == "failed" and not report.complete, row
    assert "not a repository-relative path" in (row.reason or ""), row.reason
    assert repr(bad).replace("\0", "\\x00")[:20].strip("'") in (row.reason or "") or "\\x00" \
        in (row.reason or ""), row.reason


@pytest.mark.parametrize("given_", ("src/a.txt", b"src/a.txt"))
def test_reads_giving_a_str_is_its_failed_row_not_read_letter_by_letter(change, given_):
    [row] = _review(change, Reads(given_)).health
    assert row.status == "failed" and row.files == ()
    assert "not a list of repository-relative paths (return [path], not path)" in \
        (row.reason or ""), row.reason


def _spelled_out(path: str, ctx: AnalyzerContext) -> str | None:
    """`_not_a_path` as first written, part by part (the rule the faster one must keep)."""
    if not path:
        return "it is empty"
    if "\0" in path:
        return "it holds a NUL character"
    if path.startswith("/") or os.path.isabs(path):
        return "it is absolute (name it from the repository's root)"
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "it is not normalised (no '.', '..' or empty part)"
    if parts[0] == ".git":
        return "it is inside .git"
    if ctx.changes.file(path) is None and not os.path.lexists(under_text(ctx.root, path)):
        return "no such file in the repository"
    return None


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.one_of(st.lists(st.sampled_from(["/", ".", "..", "\0", ".git", "src", "a.txt",
                                                "b.txt", "x"]), max_size=8).map("".join),
                      st.lists(st.sampled_from(["src", "a.txt", "b.txt", ".", "..", "", ".git",
                                                "\0"]), max_size=4).map("/".join)))
def test_the_path_check_says_what_the_part_by_part_rule_says(change, path):
    repo, diff = change
    ctx = AnalyzerContext(root=repo.root, changes=parse_diff(diff), diff_text=diff, agent="x")
    assert _not_a_path(path, ctx) == _spelled_out(path, ctx), path


def test_reads_giving_a_path_twice_reads_it_once(change):
    [row] = _review(change, Reads(["src/a.txt", "src/a.txt"])).health
    assert row.status == "ok" and row.files == ("src/a.txt",)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(past=st.integers(min_value=4, max_value=10**6))
def test_a_finding_past_its_files_end_is_counted_and_said(change, past):
    report = _review(change, Reads(places=(("src/a.txt", 2), ("src/a.txt", past))))
    [row] = report.health
    assert [f.start_line for f in report.findings] == [2]
    assert row.reason == (f"1 finding(s) of reads on no place of the review dropped: "
                          f"src/a.txt:{past}: past the file's end (it has 2 lines)")


def test_findings_out_of_the_reviewers_scope_are_counted_and_said(change):
    places = tuple((f, 1) for f in ("src/b.txt", "nothere/zz.py", "c", "d", "e"))
    [row] = _review(change, Reads(places=places)).health
    assert row.reason == ("5 finding(s) of reads on no place of the review dropped: "
                          "src/b.txt:1: not a file of review-x's scope; nothere/zz.py:1: not a "
                          "file of review-x's scope; c:1: not a file of review-x's scope; "
                          "and 2 more")


# A plugin analyzer whose findings land where `rl_placed.PLACES` says.
PLACED = """
from reviewloop.findings.schema import Finding, Severity

PLACES = []

class Placed:
    name = "placed"
    markers = ()
    config_files = ()
    max_bytes = 16_000_000

    def available(self):
        return None

    def reads(self, ctx):
        return list(ctx.files)

    def run(self, ctx):
        return [Finding(severity=Severity.MUST_FIX, file=f, start_line=n, end_line=n,
                        title="t", rationale="r", confidence=1.0, agent="x", source="placed",
                        rule="P1") for f, n in PLACES]

PLACED = Placed()
"""


def _placed(site: Path) -> Any:
    if "rl_placed" not in sys.modules:
        install(site, "rl-placed", {plugins.ANALYZERS: {"placed": "rl_placed:PLACED"}},
                {"rl_placed": PLACED})
    return importlib.import_module("rl_placed")


@pytest.mark.parametrize("place", (("src/a.txt", 99999), ("nonexistent/zz.py", 1)))
def test_a_plugins_finding_on_no_place_of_the_review_fails_its_row(site: Path, change, place):
    repo, diff = change
    _placed(site).PLACES[:] = [place]
    report = run_for_agent(agent("review-x", ("placed",)), repo.root, diff)
    [row] = report.health
    assert row.status == "failed" and not report.complete and report.findings == []
    assert (row.reason or "").startswith(
        f'the analyzer "placed" of rl-placed gave 1 finding(s) of placed on no place of the '
        f"review dropped: {place[0]}:{place[1]}: "), row.reason
    assert "fix: pip uninstall rl-placed" in (row.reason or "")
