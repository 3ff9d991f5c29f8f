"""A Spec Kit dependency line that orders two tasks of a phase against their file order
("T005 blocks T004" with T004 first) is followed: no dependency cycle no one wrote, the stated
order holds, and the phase still waits for the phases before it. Generated: phase sizes, the
pair, the statement's wording."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import speckit
from reviewloop.spec.batch import eligible_wave
from reviewloop.spec.select import wave_of, waves

FORMS = st.sampled_from(["- {b} blocks {a}", "- {b} must precede {a}", "- {b} comes before {a}"])


@st.composite
def specs(draw) -> tuple[str, str, str, list[str]]:
    size = draw(st.integers(min_value=2, max_value=5))
    ids = [f"T{n:03d}" for n in range(10, 10 + size)]
    first = draw(st.integers(min_value=0, max_value=size - 2))
    second = draw(st.integers(min_value=first + 1, max_value=size - 1))
    a, b = ids[first], ids[second]
    text = ("# Tasks\n\n## Phase 1: Setup\n- [ ] T001 Setup\n\n## Phase 2: Core\n"
            + "".join(f"- [ ] {t} Task {t}\n" for t in ids)
            + "\n## Dependencies\n" + draw(FORMS).format(a=a, b=b) + "\n")
    return text, a, b, ids


@settings(max_examples=80, deadline=None, derandomize=True)
@given(spec=specs())
def test_a_stated_order_against_the_file_order_is_followed(
        spec: tuple[str, str, str, list[str]]) -> None:
    text, a, b, ids = spec
    parsed = speckit.parse(text, "specs/001-x/tasks.md")
    plan = waves(parsed.tasks)
    assert plan.cycles == () and plan.left_out == (), text
    number = wave_of(plan)
    assert number[b] < number[a], text
    assert all(number[t] > number["T001"] for t in ids), text
    assert eligible_wave(parsed.tasks).remaining == len(ids) + 1


def test_a_cycle_the_author_wrote_is_counted_as_not_done() -> None:
    text = ("# Tasks\n\n## Phase 1: Setup\n- [ ] T001 A\n- [ ] T002 B\n  - depends on T003\n"
            "- [ ] T003 C\n  - depends on T002\n")
    wave = eligible_wave(speckit.parse(text, "tasks.md").tasks)
    assert [t.id for t in wave.tasks] == ["T001"]
    assert wave.remaining == 3
