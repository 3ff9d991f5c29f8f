"""A task line written almost as a checkbox (`-[ ] T5`, `- [ ]T5`, `- [ x] T5`, `- [v] T5`)
is never dropped unnoticed: each reader either takes it as a task or names its line in the
diagnostics `reviewloop tasks` prints. Metamorphic: a well-formed task line of each format is
bent by a generated combination of the slips a writer makes, and the line must come out one way
or the other."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import docspec, kiro, speckit
from reviewloop.spec.markdown import near_checkbox, parse_checkbox

# (reader, the document before the line, the line's id and title, the document after it)
FORMATS = {
    "kiro": (kiro.parse, "# Implementation Plan\n\n- [ ] 1. First task\n  - Detail\n\n",
             "2. Second task", "\n- [ ] 3. Third task\n"),
    "speckit": (speckit.parse, "# Tasks\n\n## Phase 1: Setup\n\n- [ ] T001 First task\n",
                "T002 Second task", "- [ ] T003 Third task\n"),
    "docspec": (docspec.parse, "# Spec\n\n## Tasks\n\n- [ ] T1 First task\n\n",
                "T2 Second task", "\n- [ ] T3 Third task\n"),
}

BULLETS = st.sampled_from(["-", "*", "+", "1.", "2)", "•", "–", "> -"])
GAPS = st.sampled_from(["", " ", "  ", "\t", "\u00a0"])
BOXES = st.one_of(st.text(alphabet=" \t", max_size=3),
                  st.tuples(st.sampled_from(["", " "]), st.sampled_from(list("xXvV/-~*.✓х")),
                            st.sampled_from(["", " "])).map("".join))
INDENTS = st.sampled_from(["", "  ", "    "])


@st.composite
def bent_lines(draw, rest: str) -> str:
    """`rest` behind a checkbox with any of: no or a doubled gap after the bullet, another
    mark or none in the box, no gap after the box."""
    return (draw(INDENTS) + draw(BULLETS) + draw(GAPS) + "[" + draw(BOXES) + "]"
            + draw(GAPS) + rest)


def _outcome(reader, text: str, number: int) -> str:
    parsed = reader(text, "tasks.md")
    if any(task.line == number for task in parsed.tasks):
        return "task"
    if any(d.line == number for d in parsed.diagnostics):
        return "named"
    return "dropped"


def _check(name: str, line: str) -> None:
    reader, before, _, after = FORMATS[name]
    text = before + line + "\n" + after
    number = before.count("\n") + 1
    outcome = _outcome(reader, text, number)
    assert outcome != "dropped", (name, line)
    if parse_checkbox(line) is None:
        assert outcome == "named", (name, line)  # what no Markdown reader ticks is no task


@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=st.data(), name=st.sampled_from(sorted(FORMATS)))
def test_a_bent_task_line_is_a_task_or_named(data, name):
    _check(name, data.draw(bent_lines(FORMATS[name][2])))


def test_the_slips_writers_make():
    slips = ["-[ ] {}", "- [ ]{}", "- [  ] {}", "- [ x] {}", "- [] {}", "- [v] {}",
             "- [/] {}", "* [✓] {}", "1.[ ] {}", "-\u00a0[ ] {}", "- [\u00a0] {}", "• [ ] {}",
             "– [ ] {}", "- ［ ］ {}", "- [х] {}", "> - [ ] {}", "- [xx] {}", "- [    ] {}"]
    for name, (_, _, rest, _) in sorted(FORMATS.items()):
        for slip in slips:
            _check(name, slip.format(rest))


def test_what_is_no_checkbox_stays_quiet():
    """Links, references, footnotes and prose in brackets are not near-miss checkboxes."""
    for line in ["- [the docs](https://example.com)", "- [1]: https://example.com",
                 "- [^1] a footnote", "[ ] not a list item", "- see [x] below",
                 "- [ ] T1 well formed", "- [X]* T2 optional", "  * [~] T3 queued",
                 "- [P] tasks = different files", "- **[P]**: Can run in parallel",
                 "- [US1] story", "- [ab] two letters", "- [!] Note", "- [?] open question"]:
        assert near_checkbox(line) is None, line


def test_a_task_without_a_title_is_named():
    parsed = docspec.parse("## Tasks\n\n- [ ] T1 First\n- [ ] T21\n", "spec.md")
    assert [(d.line, "no title" in d.message) for d in parsed.diagnostics] == [(4, True)]
