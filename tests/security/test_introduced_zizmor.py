"""A change that makes an untouched workflow step unsafe is the change's. `pull_request:` made
`pull_request_target:` turns a `>> "$GITHUB_ENV"` step far below into zizmor's `github-env`;
deleting `persist-credentials: false` turns the untouched `- uses: actions/checkout@…` line
into `artipacked`. Plain `zizmor .` reports both; the review dropped them as outside the
change (the fuzzer's D46, D18). zizmor now runs again on the base versions of the files where
it reports findings off the change's lines (`FileByFile`, `review.introduced`).

Generated: each drawn change holds every cause, with drawn filler steps between the changed
line and its effect, and a twin of each whose effect the base already had, the change
editing one filler step: the twin's finding stays outside the change. zizmor for real (the
dev extra puts it on PATH)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

pytestmark = pytest.mark.skipif(shutil.which("zizmor") is None,
                                reason="zizmor (dev extra) not on PATH")

CHECKOUT = "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"


@dataclass(frozen=True)
class Cause:
    """A workflow whose `before` lines become `after`, which makes the untouched `effect`
    step (below `gap` filler steps) a finding of zizmor's `rule`."""

    rule: str
    head: str  # the workflow's lines above the steps, with {trigger}
    before: tuple[str, str]  # (trigger, lines under the effect's first line) at the base
    after: tuple[str, str]  # the same in the head
    effect: str


CAUSES = {
    "trigger switch": Cause(
        "github-env", "name: ci\non:\n  {trigger}:\npermissions: {{}}\n",
        ("pull_request", ""), ("pull_request_target", ""),
        '      - name: export\n        run: echo "BRANCH=${GITHUB_HEAD_REF}" >> "$GITHUB_ENV"'),
    "deleted with": Cause(
        "artipacked", "name: ci\non:\n  {trigger}:\npermissions:\n  contents: read\n",
        ("pull_request", "        with:\n          persist-credentials: false\n"),
        ("pull_request", ""), CHECKOUT),
}


@dataclass(frozen=True)
class Case:
    cause: str
    path: str
    base: str
    head: str
    effect_line: int  # in the head
    twin: bool


def _workflow(cause: Cause, made: tuple[str, str], steps: list[str]) -> str:
    trigger, under = made
    return (cause.head.format(trigger=trigger) + "jobs:\n  build:\n    runs-on: ubuntu-latest\n"
            "    steps:\n" + "".join(steps) + cause.effect + "\n" + under
            + "      - run: echo end\n")


def _steps(n: int, edited: int | None = None) -> list[str]:
    return [f"      - name: step {i}\n        run: echo {i + 100 if i == edited else i}\n"
            for i in range(n)]


@st.composite
def cases(draw: st.DrawFn, name: str, twin: bool) -> Case:
    cause = CAUSES[name]
    gap = draw(st.integers(4, 14))  # beyond the 3 lines around a hunk the review keeps
    if twin:  # the effect made at the base already; the change edits a filler step
        base = _workflow(cause, cause.after, _steps(gap))
        head = _workflow(cause, cause.after, _steps(gap, draw(st.integers(0, 1))))
    else:
        base = _workflow(cause, cause.before, _steps(gap))
        head = _workflow(cause, cause.after, _steps(gap))
    first = cause.effect.splitlines()[-1 if cause.rule == "github-env" else 0]
    line = head.splitlines().index(first) + 1
    slug = name.replace(" ", "-")
    return Case(name, f".github/workflows/{'twin' if twin else 'made'}-{slug}.yml", base, head,
                line, twin)


CHANGES = st.tuples(*(cases(name, twin) for name in CAUSES for twin in (False, True)))


@settings(max_examples=3, deadline=None, derandomize=True)
@given(CHANGES)
def test_a_finding_a_workflow_change_causes_on_untouched_steps_counts(
        drawn: tuple[Case, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch) / "r", {c.path: c.base for c in drawn})
        diff = repo.change({c.path: c.head for c in drawn})
        report = run_for_agent(agent("review-infrastructure", ("zizmor",)), repo.root, diff)
    assert report.missing == [] and report.errors == [], (report.missing, report.errors)
    kept = {(f.rule, f.file): f for f in report.findings}
    for case in drawn:
        key = (CAUSES[case.cause].rule, case.path)
        if case.twin:  # already so at the base: outside the change
            assert key not in kept, (case, sorted(kept))
        else:
            assert key in kept, (case, sorted(kept))
            assert kept[key].start_line == case.effect_line, kept[key]
