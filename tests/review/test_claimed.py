"""A plugin analyzer's claim on a changed file outside its reviewer's globs (`claims`, or
`claimed` asked at once) is its code like `reads` or `run`: within the review's deadline, and
whatever goes wrong there is that analyzer's recorded failure, never the review's. Generated:
each form of the claim raising what plugin code may raise, giving the wrong type, or never
returning past a short deadline."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.findings.schema import Finding, Severity
from reviewloop.review.evidence import run_for_agent
from reviewloop.review.introduced import BaseTrees
from tests.support.analyzers import FakeAnalyzer, Repo, agent

# what plugin code raises: an error, a call of sys.exit() with a code or a message
RAISED = st.sampled_from((RuntimeError("boom"), KeyError("nope"), SystemExit(0),
                          SystemExit("bye"), RecursionError("deep")))
# what each form of the claim gives that is not of its type
WRONG = {"claims": st.sampled_from((None, 1, "yes", ["src/a.txt"])),
         "claimed": st.sampled_from((None, "src/a.txt", 7, ["src/a.txt", 5], [b"src/a.txt"]))}
NORMAL = object()  # a claim that answers as it should


class Claiming(FakeAnalyzer):
    """Claims the change's `.txt` file outside the reviewer's `*.py` globs, one by one or at
    once (`form`), and finds something on it; or does as it is told in its claim."""

    name = "claiming"

    def __init__(self, form: str, behaviour: Any = NORMAL,
                 release: threading.Event | None = None) -> None:
        self.form, self.behaviour, self.release = form, behaviour, release
        if form == "claimed":
            self.claimed = self._claimed  # an instance attribute: only this form has it

    def _answer(self, normal: Any) -> Any:
        if self.release is not None:
            self.release.wait()
        if isinstance(self.behaviour, BaseException):
            raise self.behaviour
        return normal if self.behaviour is NORMAL else self.behaviour

    def claims(self, root: Path, path: str) -> Any:
        return self._answer(path.endswith(".txt"))

    def _claimed(self, root: Path, paths: list[str]) -> Any:
        return self._answer({p for p in paths if p.endswith(".txt")})

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        return [_finding("C1", "claiming") for f in ctx.files if f == "src/a.txt"]


class Finds(FakeAnalyzer):
    name = "finds"

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        return [_finding("F1", "finds")]


def _finding(rule: str, source: str) -> Finding:
    return Finding(severity=Severity.NIT, file="src/a.txt", start_line=2, end_line=2,
                   title="seen", rationale="r", confidence=1.0, agent="x", source=source,
                   rule=rule)


@pytest.fixture(scope="module")
def change(tmp_path_factory) -> tuple[Repo, str]:
    repo = Repo(tmp_path_factory.mktemp("r"), {"src/a.txt": "line 1\nline 2\n",
                                               "src/b.py": "x = 1\n"})
    return repo, repo.change({"src/a.txt": "line 1\nline 2 changed\n", "src/b.py": "x = 2\n"})


def _review(change: tuple[Repo, str], claiming: Claiming, timeout: float = 600):
    repo, diff = change
    reviewer = agent("review-x", ("claiming", "finds"), include=("**/*.py",))
    report = run_for_agent(reviewer, repo.root, diff, timeout=timeout,
                           registry={"claiming": claiming, "finds": Finds()})
    return report, {h.name: h for h in report.health}


@pytest.mark.parametrize("form", ("claims", "claimed"))
def test_a_claimed_file_is_analysed_by_the_reviewers_analyzers(change, form):
    report, rows = _review(change, Claiming(form))
    assert rows["claiming"].status == "ok" and rows["finds"].status == "ok"
    assert sorted(f.rule for f in report.findings) == ["C1", "F1"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), form=st.sampled_from(("claims", "claimed")), raises=st.booleans())
def test_a_misbehaving_claim_is_its_analyzers_failure_never_the_reviews(change, data, form,
                                                                       raises):
    behaviour = data.draw(RAISED if raises else WRONG[form])
    report, rows = _review(change, Claiming(form, behaviour))
    assert rows["claiming"].status == "failed" and not report.complete, rows["claiming"]
    reason = rows["claiming"].reason or ""
    if raises:
        assert reason.startswith("crashed: ")
        if isinstance(behaviour, SystemExit):  # said as what it is, not as an exit of ours
            assert f"sys.exit({behaviour.code!r})" in reason
    else:
        assert reason.startswith(f"crashed: TypeError: {form}() gave {behaviour!r}")
    # it claimed nothing and ran on nothing; the others read the reviewer's own files
    assert rows["finds"].status == "ok" and rows["finds"].files == ("src/b.py",)
    assert [f.rule for f in report.findings] == []


@pytest.mark.parametrize("form", ("claims", "claimed"))
def test_a_claim_past_its_deadline_is_its_failure_and_the_review_goes_on(change, form):
    release = threading.Event()
    try:  # a deadline no load reaches first: the claim never returns until released
        report, rows = _review(change, Claiming(form, release=release), timeout=0.05)
    finally:
        release.set()  # its thread ends with the test, as a daemon with the process
    assert rows["claiming"].status == "failed" and not report.complete
    assert rows["claiming"].reason == (f"claiming: its {form}() did not finish within 0.05s; "
                                       "its thread is left running until reviewloop exits (a "
                                       "process it started is not stopped)")
    assert rows["finds"].status == "ok" and rows["finds"].files == ("src/b.py",)


class Spelling(Claiming):
    """Claims the `.txt` file at once, naming it as `spell` writes it."""

    def __init__(self, spell: Any) -> None:
        super().__init__("claimed")
        self.spell = spell

    def _claimed(self, root: Path, paths: list[str]) -> Any:
        return [self.spell(root, p) for p in paths if p.endswith(".txt")]


SPELLINGS = st.sampled_from((lambda root, p: str(root / p), lambda root, p: f"./{p}",
                             lambda root, p: p.replace("/", "\\"),
                             lambda root, p: p.replace("/", "//"),
                             lambda root, p: f"{root}/./{p}"))


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spell=SPELLINGS)
def test_a_claimed_path_in_another_spelling_is_the_changed_file_it_names(change, spell):
    report, rows = _review(change, Spelling(spell))
    assert rows["claiming"].status == "ok" and "src/a.txt" in rows["claiming"].files
    assert sorted(f.rule for f in report.findings) == ["C1", "F1"]


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(other=st.sampled_from(("src/c.txt", "/etc/passwd", "../src/a.txt", "src", "")))
def test_a_claimed_path_outside_the_change_is_named_and_its_row_failed(change, other):
    report, rows = _review(change, Spelling(lambda root, p: other))
    assert rows["claiming"].status == "failed" and not report.complete
    assert rows["claiming"].reason == (
        f"crashed: ValueError: claimed() named {other!r}, which is none of the changed files "
        "it was asked about (repository-relative paths, as given in `paths`)")


def test_a_hanging_claim_is_asked_once_per_review_and_holds_no_other_reviewer(change):
    """Five reviewers naming a plugin whose claim never returns, and one that does not name
    it, side by side as a review runs them: the claim's deadline is paid once (not once per
    reviewer in turn), and every reviewer gets its failure."""
    repo, diff = change
    release, calls = threading.Event(), []

    class Hangs(Claiming):
        def claims(self, root: Path, path: str) -> Any:
            calls.append(path)
            release.wait()
            return False

    table = {"claiming": Hangs("claims"), "finds": Finds()}
    rows: dict[str, Any] = {}
    with BaseTrees() as bases:
        def one(name: str, names: tuple[str, ...]) -> None:
            report = run_for_agent(agent(name, names, include=("**/*.py",)), repo.root, diff,
                                   timeout=0.5, registry=table, bases=bases)
            rows[name] = {h.name: h.status for h in report.health}

        threads = [threading.Thread(target=one, args=(f"review-{i}", ("claiming", "finds")))
                   for i in range(5)]
        threads.append(threading.Thread(target=one, args=("review-other", ("finds",))))
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            release.set()
    assert calls == ["src/a.txt"]  # one call, by one reviewer: the others shared its failure
    assert all(rows[f"review-{i}"] == {"claiming": "failed", "finds": "ok"} for i in range(5))
    assert rows["review-other"] == {"finds": "ok"}
