"""Which findings share a fix budget: the same fingerprint, or the same file with
overlapping or adjacent lines (transitively); work-list order is kept."""

from __future__ import annotations

from reviewloop.findings.schema import Finding, FindingDraft, Severity
from reviewloop.fixes.groups import ADJACENT_LINES, group_findings, same_place


def finding(file: str, start: int, end: int, title: str = "problem", *,
            agent: str = "review-maintainability") -> Finding:
    draft = FindingDraft(severity=Severity.SHOULD_FIX, file=file, start_line=start,
                         end_line=end, title=title, rationale="why", confidence=0.8)
    return Finding.from_draft(draft, agent=agent)


def titles(groups) -> list[list[str]]:
    return [[f.title for f in g.findings] for g in groups]


def test_other_files_and_distant_lines_are_groups_of_their_own() -> None:
    far = 2 + ADJACENT_LINES + 2  # one line more than the gap allows
    found = [finding("a.py", 1, 2, "a1"), finding("b.py", 1, 2, "b1"),
             finding("a.py", far, far, "a2")]
    assert titles(group_findings(found)) == [["a1"], ["b1"], ["a2"]]


def test_overlapping_and_adjacent_ranges_are_one_group_transitively() -> None:
    near = 2 + ADJACENT_LINES + 1  # exactly ADJACENT_LINES lines between the ranges
    found = [finding("a.py", 1, 2, "first"), finding("b.py", 1, 1, "other file"),
             finding("a.py", near, near + 1, "adjacent"),
             finding("a.py", near + 1 + ADJACENT_LINES + 1, 40, "chained")]
    groups = group_findings(found)
    assert titles(groups) == [["first", "adjacent", "chained"], ["other file"]]
    assert groups[0].files == ("a.py",)
    assert "first (id " in groups[0].label and "; chained (id " in groups[0].label


def test_the_same_fingerprint_is_one_group_wherever_it_is_reported() -> None:
    one = finding("a.py", 1, 2, "same problem")
    moved = one.model_copy(update={"file": "b.py", "start_line": 50, "end_line": 50})
    assert same_place(one, moved)
    assert titles(group_findings([one, finding("c.py", 1, 1, "c"), moved])) == [
        ["same problem", "same problem"], ["c"]]


def test_no_findings_no_groups() -> None:
    assert group_findings([]) == []
