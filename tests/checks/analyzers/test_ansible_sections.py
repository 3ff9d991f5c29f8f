"""A play's `pre_tasks`, `post_tasks` and `handlers` as its `tasks`, on the same lines.

Generated playbooks (sections drawn in any order, quoted keys or not, flow-style plays,
comments): each copy keeps every line where it is, holds as each play's `tasks` exactly the
tasks of its section, and the play's own `tasks` under a key nothing reads."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ansible_sections import (
    AWAY,
    SECTIONS,
    copies,
    sections,
    unchecked,
)

ALL = ("tasks", *SECTIONS)


@st.composite
def playbooks(draw: st.DrawFn) -> tuple[str, list[dict[str, list[str]]]]:
    """(a playbook's text, for each play {section: its task names})."""
    text, plays, count = "", [], 0
    for play in range(draw(st.integers(1, 3))):
        held: dict[str, list[str]] = {}
        flow = draw(st.booleans())
        parts = [f"name: p{play}", "hosts: all"]
        for section in draw(st.lists(st.sampled_from(ALL), unique=True)):
            names = [f"t{count + n}" for n in range(draw(st.integers(1, 2)))]
            count += len(names)
            held[section] = names
            key = draw(st.sampled_from((section, f'"{section}"', f"'{section}'")))
            if flow:
                parts.append(f"{key}: [" + ", ".join(f"{{name: {n}, ping: }}" for n in names)
                             + "]")
            else:
                parts.append(f"{key}:\n" + "".join(f"    - name: {n}\n      ping:\n"
                                                     for n in names).rstrip("\n"))
        text += ("- {" + ", ".join(parts) + "}\n") if flow else \
            "- " + "\n  ".join(parts) + "\n" + draw(st.sampled_from(("", "# note\n")))
        plays.append(held)
    return text, plays


@given(playbooks())
def test_each_section_is_the_plays_tasks_in_a_copy_on_the_same_lines(
        drawn: tuple[str, list[dict[str, list[str]]]]) -> None:
    text, plays = drawn
    made = sections(text)

    assert set(made) == {s for held in plays for s in held if s in SECTIONS}
    for section, copy in made.items():
        assert len(copy.splitlines()) == len(text.splitlines())
        for line, (before, after) in enumerate(zip(text.splitlines(), copy.splitlines(),
                                                           strict=True)):
            if "name: t" in before and "{" not in before:  # a task's line is where it was
                assert before == after, (line, before, after)
        loaded = yaml.safe_load(copy)
        for play, held in zip(loaded, plays, strict=True):
            assert [t["name"] for t in play.get("tasks") or []] == held.get(section, [])
            assert [t["name"] for t in play.get(AWAY) or []] == held.get("tasks", [])
            assert not {s for s in SECTIONS if s != section} - set(held) & set(play)


@given(st.sampled_from(("- name: t\n  ping:\n", "a: 1\n", "- hosts: all\n  tasks: []\n",
                        "- hosts: all\n  pre_tasks: []\n", "- hosts: [\n", "")))
def test_no_copy_without_tasks_under_a_section(text: str) -> None:
    assert sections(text) == {}


def test_the_copies_are_written_beside_nothing_and_read_as_the_playbook(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "site").mkdir(parents=True)
    (tree / "site" / "play.yml").write_text(
        "- hosts: all\n  handlers:\n    - name: h\n      ping:\n  tasks:\n    - name: t\n"
        "      ping:\n")
    (tree / "site" / "role.yml").write_text("- name: t\n  ping:\n")

    given_, aliases = copies({"site/play.yml": "ansible", "site/role.yml": "ansible",
                              "main.tf": "terraform"}, tree, tmp_path / "scratch")

    assert list(given_.values()) == ["ansible"]
    (made,) = given_
    assert Path(made).name == "play.yml" and aliases == {made: str(tree / "site" / "play.yml")}
    assert "  tasks:\n    - name: h" in Path(made).read_text()


@st.composite
def blocks(draw: st.DrawFn, depth: int = 0) -> tuple[list[object], set[str]]:
    """(tasks, some of them blocks nested to depth 2, the `rescue`/`always` lists they hold)."""
    tasks: list[object] = []
    held: set[str] = set()
    for n in range(draw(st.integers(1, 2))):
        if depth < 2 and draw(st.booleans()):
            inner, more = draw(blocks(depth + 1))
            task: dict[str, object] = {"name": f"b{depth}{n}", "block": inner}
            held |= more
            for key in draw(st.lists(st.sampled_from(("rescue", "always")), unique=True)):
                task[key], more = draw(blocks(depth + 1))
                held |= more | {key}
            tasks.append(task)
        else:
            tasks.append({"name": f"t{depth}{n}", "ping": None})
    return tasks, held


@given(blocks(), st.booleans())
def test_a_blocks_rescue_and_always_tasks_are_named_with_their_lines(
        drawn: tuple[list[object], set[str]], play: bool) -> None:
    tasks, held = drawn
    text = yaml.safe_dump([{"hosts": "all", "tasks": tasks}] if play else tasks,
                          sort_keys=False)
    said = unchecked(text)

    assert (said is not None) == bool(held)
    for key in held:
        assert f"`{key}` (line " in (said or "")
    for line in [int(part.split(")")[0]) for part in (said or "").split("(line ")[1:]]:
        assert text.splitlines()[line - 2].strip() in ("rescue:", "always:"), (line, text)
