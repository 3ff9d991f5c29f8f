"""Line helpers: fences, headings, checkbox lines, `_Label: value_` lines, requirement refs."""

from __future__ import annotations

import pytest

from reviewloop.spec import markdown as md
from reviewloop.spec.model import TaskStatus


def test_iter_lines_tracks_backtick_and_tilde_fences():
    text = "a\n```python\n- [ ] 1. inside\n```\n~~~\n# not a heading\n~~~\nb"
    lines = list(md.iter_lines(text))
    assert [line.in_fence for line in lines] == [False, True, True, True, True, True, True, False]
    assert not any(line.is_heading for line in lines)


def test_fence_closes_only_on_same_character_and_at_least_same_length():
    text = "````\n```\n~~~\nstill inside\n````\nout"
    fences = [line.in_fence for line in md.iter_lines(text)]
    assert fences == [True, True, True, True, True, False]


def test_unclosed_fence_runs_to_end():
    assert all(line.in_fence for line in list(md.iter_lines("```\n- [ ] 1. x\n"))[:2])


def test_indented_fence_inside_a_list_item_counts():
    lines = list(md.iter_lines("- [ ] 1. t\n      ```python\n      x = 1\n      ```\n  - d"))
    assert [line.in_fence for line in lines] == [False, True, True, True, False]


def test_iter_lines_tracks_heading_text_and_level():
    lines = list(md.iter_lines("# Plan\n\n## Tasks ##\n- [ ] 1. a\n### 第一阶段\nx"))
    assert lines[0].heading == "Plan" and lines[0].heading_level == 1 and lines[0].is_heading
    assert lines[3].heading == "Tasks" and lines[3].heading_level == 2
    assert lines[5].heading == "第一阶段" and lines[5].heading_level == 3


def test_line_numbers_follow_newlines_only_and_drop_cr():
    lines = list(md.iter_lines("a\r\nb\x0cc\u2028d\r\ne"))
    assert [line.number for line in lines] == [1, 2, 3]
    assert lines[0].text == "a" and lines[1].text == "b\x0cc\u2028d"


@pytest.mark.parametrize(
    ("line", "mark", "optional", "rest", "col"),
    [
        ("- [ ] 1. Title", " ", False, "1. Title", 3),
        ("* [x] 2.1 Title", "x", False, "2.1 Title", 3),
        ("  - [X] done", "X", False, "done", 5),
        ("- [-] 3. going", "-", False, "3. going", 3),
        ("- [~] 4. queued", "~", False, "4. queued", 3),
        ("- [ ]* 2.1 optional", " ", True, "2.1 optional", 3),
        ("\t+ [x]* 33.1 tab", "x", True, "33.1 tab", 4),
        ("- [ ]", " ", False, "", 3),
        ("- [ ]   trailing   ", " ", False, "trailing", 3),
    ],
)
def test_parse_checkbox(line, mark, optional, rest, col):
    box = md.parse_checkbox(line)
    assert box is not None
    assert (box.mark, box.optional, box.rest, box.mark_col) == (mark, optional, rest, col)
    assert md.mark_column(line) == col
    assert line[col] == mark


@pytest.mark.parametrize("line", [
    "- [P] tasks = parallel", "-[ ] 1. no space", "- [ ]x 1", "[ ] 1. no bullet",
    "- [xx] 1.", "text - [ ] 1.", "- [?] 1.",
])
def test_not_a_checkbox(line):
    assert md.parse_checkbox(line) is None
    assert md.mark_column(line) is None


def test_checkbox_statuses():
    assert md.parse_checkbox("- [ ] a").status is TaskStatus.OPEN
    assert md.parse_checkbox("- [X] a").status is TaskStatus.DONE
    assert md.parse_checkbox("- [-] a").status is TaskStatus.IN_PROGRESS
    assert md.parse_checkbox("- [~] a").status is TaskStatus.QUEUED


def test_checkbox_after_bom_reports_column_in_the_line():
    box = md.parse_checkbox("\ufeff- [ ] 1. a")
    assert box is not None and box.mark_col == 4


def test_indent_width_counts_tabs_as_four():
    assert md.indent_width("\t  - x") == 6
    assert md.indent_width("x") == 0


@pytest.mark.parametrize(
    ("line", "refs"),
    [
        ("  - _Requirements: 1.1, 2.3_", ("1.1", "2.3")),
        ("_Requirements: 2.1–2.4_", ("2.1", "2.2", "2.3", "2.4")),
        ("_Requirements: 2.1-2.3, 5_", ("2.1", "2.2", "2.3", "5")),
        ("_Requirements: 2.1 to 2.3_", ("2.1", "2.2", "2.3")),
        ("_Requirements: 1.1–6.4_", ("1.1", "6.4")),
        ("_Requirements: 6_", ("6",)),
        ("**Requirements**: 1.1, 1.2", ("1.1", "1.2")),
        ("**Requirements:** 1.1", ("1.1",)),
        ("- Requirements: 3.2", ("3.2",)),
        ("_Requisitos: 12.1, 12.2, 2.1_", ("12.1", "12.2", "2.1")),
        ("_Anforderungen: 1.2, 1.3_", ("1.2", "1.3")),
        ("_Exigences : 4.1_", ("4.1",)),
        ("_需求: 需求14, 需求16_", ("14", "16")),
        ("_需求: 需求1-3, 需求13_", ("1", "2", "3", "13")),
        ("_需求：1.1、1.2_", ("1.1", "1.2")),
        ("_要件: 1.1, 1.2_", ("1.1", "1.2")),
        ("_Requirements: 1.1, 1.1, 1.2_", ("1.1", "1.2")),
        ("_Requirements: All requirements_", ()),
        ("_需求: 无_", ()),
        ("_Requirements: 3.1–3.6_", ("3.1", "3.2", "3.3", "3.4", "3.5", "3.6")),
    ],
)
def test_requirement_refs(line, refs):
    assert md.requirement_refs(line) == refs


@pytest.mark.parametrize("line", [
    "_Boundary: metadata_", "_Depends: 1.2_", "Files: a.py", "plain text 1.1",
    "**Validates: Requirements 1.2**", "`_Requirements:_ in code`",
])
def test_not_requirement_lines(line):
    assert md.requirement_refs(line) is None


def test_field_line_forms():
    assert md.field_line("  - _Boundary: ffmpeg/acquire_") == ("Boundary", "ffmpeg/acquire")
    assert md.field_line("**Depends**: 1.2") == ("Depends", "1.2")
    assert md.field_line("just prose") is None


def test_expand_range_guards():
    assert md.expand_range("2.8", "2.1") == ["2.8", "2.1"]
    assert md.expand_range("1", "100000") == ["1", "100000"]
    huge = "9" * 5000  # beyond int()'s digit limit
    assert md.expand_range("1", huge) == ["1", huge]
    assert md.expand_range("1.1.1", "1.1.3") == ["1.1.1", "1.1.2", "1.1.3"]


def test_strip_bullet_and_emphasis():
    assert md.strip_bullet("   * item") == "item"
    assert md.strip_bullet("1. item") == "item"
    assert md.strip_emphasis("**Bold** title__x__") == "Bold titlex"
