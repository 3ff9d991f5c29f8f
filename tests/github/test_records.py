"""A finding posted as an inline comment and rebuilt from that comment's marker
(`github.records.FindingRecord`): PR mode rebuilds the PR's findings from its comments, and
lost what the comment's head says beside the title — the other agents that reported it and
its rule's other messages at its place (`Finding.more_here`, r22), so the PR's summary
listed a merged finding by its first message alone. Generated (hypothesis, derandomized)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.schema import Finding, Severity
from reviewloop.github.markers import read_marker, repository_key
from reviewloop.github.records import POSTED, FindingRecord
from reviewloop.github.render import comment_body

KEY = repository_key(1296269)
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1,
                max_size=20).filter(str.strip)
# what the comment shows (its text) and its marker carries; the rest is in the comment's
# text only (rationale, suggestion: `POSTED` stands for them) or the fixer's (replacement)
CARRIED = ("fingerprint", "severity", "file", "start_line", "end_line", "title", "agent",
           "source", "rule", "level", "symbol", "location_hash", "also_reported_by",
           "more_here")


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    start = draw(st.integers(1, 500))
    level = draw(st.sampled_from(["line", "symbol", "file"]))
    rule = draw(st.none() | st.sampled_from(["B602", "no-eval", "CKV_AWS_20"]))
    return Finding(
        severity=draw(st.sampled_from(list(Severity))), file=draw(st.sampled_from(
            ["app.py", "src/a b.ts", "dir/é.tf"])), start_line=start,
        end_line=start + draw(st.integers(0, 5)), title=draw(WORDS), rationale=draw(WORDS),
        confidence=draw(st.floats(0, 1)), agent=draw(st.sampled_from(["review-security",
                                                                        "review-quality"])),
        source="llm" if rule is None else draw(st.sampled_from(["bandit", "eslint"])),
        rule=rule, level=level, symbol=draw(WORDS) if level == "symbol" else None,
        also_reported_by=draw(st.lists(st.sampled_from(["review-tests", "review-infra"]),
                                       max_size=2, unique=True)),
        more_here=draw(st.lists(WORDS, max_size=3)),
        suggestion=draw(st.just("") | WORDS))


@settings(max_examples=200, derandomize=True, deadline=None)
@given(finding=findings())
def test_a_finding_rebuilt_from_its_comment_keeps_what_the_comment_carries(
        finding: Finding) -> None:
    marker = read_marker(comment_body(finding, KEY), KEY, "finding")
    assert marker is not None
    record = FindingRecord.parse(marker.data["f"])
    assert record is not None
    rebuilt = record.finding()
    for name in CARRIED:
        assert getattr(rebuilt, name) == getattr(finding, name), name
    assert rebuilt.confidence == round(finding.confidence, 2)  # the comment shows a percent
    assert rebuilt.headline == finding.headline and rebuilt.agents == finding.agents
    assert rebuilt.rationale == POSTED


@settings(max_examples=100, derandomize=True, deadline=None)
@given(finding=findings(), broken=st.sampled_from([
    {"m": "one text"}, {"m": [1]}, {"also": [None]}, {"also": {"a": 1}}]))
def test_a_marker_whose_lists_are_not_texts_is_not_one_we_wrote(
        finding: Finding, broken: dict[str, object]) -> None:
    assert FindingRecord.parse({**FindingRecord.of(finding).data(), **broken}) is None


def test_an_earlier_releases_marker_without_them_still_reads() -> None:
    finding = Finding(severity=Severity.NIT, file="app.py", start_line=2, end_line=2,
                      title="t", rationale="r", confidence=0.5, agent="review-security",
                      more_here=["u"], also_reported_by=["review-tests"])
    data = {k: v for k, v in FindingRecord.of(finding).data().items() if k not in {"m", "also"}}
    record = FindingRecord.parse(data)
    assert record is not None and record.finding().fingerprint == finding.fingerprint
    assert (record.more_here, record.also) == ((), ())
