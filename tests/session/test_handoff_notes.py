"""Which `reviewloop note`s a handoff lists: none is dropped before a later session can read
it — not by writing the handoff again, not by a note stamped in the handoff's own second —
and `pickup` shows the ones its handoff holds."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.session.facts import Facts, handed_over
from reviewloop.session.notes import Note
from tests.support.cli_main import run_cli
from tests.support.gitutil import git
from tests.support.repos import init_repo


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = init_repo(tmp_path / "repo", {"app.py": "print('v1')\n"})
    monkeypatch.chdir(root)
    return root.resolve()


def _handoff_decisions(repo) -> list[str]:
    data = json.loads((repo / ".reviewloop/handoff.json").read_text())
    return [n["text"] for n in data["facts"]["notes"] if n["kind"] == "decision"]


def test_a_handoff_written_again_keeps_the_note_and_pickup_shows_it(repo, capsys):
    assert run_cli(capsys, "note", "use an LRU: reads dominate")[0] == 0
    assert run_cli(capsys, "note", "--preference", "small commits")[0] == 0
    for _ in range(2):  # the second one refreshes the first, nothing committed between
        assert run_cli(capsys, "handoff")[0] == 0
        assert _handoff_decisions(repo) == ["use an LRU: reads dominate"]
        assert "use an LRU: reads dominate" in (repo / ".reviewloop/handoff.md").read_text()
    code, out, _ = run_cli(capsys, "pickup", "--json")
    report = json.loads(out)
    assert code == 0
    assert [d.split(": ", 1)[1] for d in report["decisions"]] == ["use an LRU: reads dominate"]
    assert report["preferences"] == ["small commits"]
    code, out, _ = run_cli(capsys, "pickup")
    assert "Key decisions:" in out and "use an LRU: reads dominate" in out


def test_a_commit_after_the_handoff_ends_its_notes_and_a_new_one_is_listed(repo, capsys):
    run_cli(capsys, "note", "use an LRU")
    run_cli(capsys, "handoff")
    (repo / "app.py").write_text("print('v2')\n")
    git(repo, "commit", "-qam", "v2")
    run_cli(capsys, "note", "evict on write")
    run_cli(capsys, "handoff")
    assert _handoff_decisions(repo) == ["evict on write"]


def test_a_note_stamped_in_the_handoffs_second_reaches_the_next_handoff(repo, capsys):
    run_cli(capsys, "handoff")
    created = json.loads((repo / ".reviewloop/handoff.json").read_text())["facts"]["created"]
    (repo / "app.py").write_text("print('v2')\n")
    git(repo, "commit", "-qam", "v2")
    with (repo / ".reviewloop/notes.jsonl").open("a", encoding="utf-8") as notes:
        notes.write(Note(created=created, kind="decision", text="same second").model_dump_json()
                    + "\n")
    run_cli(capsys, "handoff")
    assert _handoff_decisions(repo) == ["same second"]


# A session as a sequence of steps on a clock of whole seconds that often stands still.
_STEP = st.tuples(st.sampled_from(["note", "handoff", "commit"]), st.integers(0, 1))


@given(st.lists(_STEP, max_size=14))
def test_every_note_reaches_a_handoff_and_a_refresh_drops_none(steps):
    clock, head, recorded = 0, 0, []
    handoffs: list[tuple[Facts, int]] = []  # each handoff and how many notes existed then
    for kind, tick in steps:
        clock += tick
        stamp = f"2026-11-29T10:00:{clock:02d}+00:00"
        if kind == "note":
            recorded.append(Note(created=stamp, kind="decision", text=f"n{len(recorded)}"))
        elif kind == "commit":
            head += 1
        else:
            previous = handoffs[-1][0] if handoffs else None
            notes = handed_over(list(recorded), previous, str(head))
            if previous is not None and previous.head == str(head):
                assert set(previous.notes) <= set(notes)  # a refresh keeps every note
            handoffs.append((Facts(created=stamp, branch="main", head=str(head), notes=notes),
                             len(recorded)))
    for index, note in enumerate(recorded):
        later = [facts for facts, count in handoffs if count > index]
        assert not later or note in later[0].notes  # the first handoff after it lists it
