"""What a run's change did to the spec's other tasks (`writeback.others_changed`): every edit
of another task's mark, a task removed, added or renumbered is named; the run's own tick, its
parent's, a changed detail or an appended note are not. Generated: edits of a Kiro task list
applied one or several at a time, read by the real reader before and after."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import kiro
from reviewloop.spec.writeback import others_changed

BASE = ("# Implementation Plan\n\n- [ ] 1. Base\n- [ ] 2. Models\n  - [ ] 2.1 Model A\n"
        "  - [x] 2.2 Model B\n- [ ] 3. Service\n  - Detail\n- [x] 4. API\n- [ ] 5. Docs\n"
        "- [ ] 6. Cache\n- [ ] 7. Logs\n- [ ] 8. Metrics\n")
HARMLESS = {  # the run is task 2.1
    "own tick": ("- [ ] 2.1 Model A", "- [x] 2.1 Model A"),
    "own in progress": ("- [ ] 2.1 Model A", "- [-] 2.1 Model A"),
    "parent closed": ("- [ ] 2. Models", "- [x] 2. Models"),
    "detail changed": ("  - Detail", "  - Detail, reworded"),
    "note appended": ("- [ ] 8. Metrics\n", "- [ ] 8. Metrics\n  - note from the agent\n"),
}
HARMFUL = {
    "other ticked": ("- [ ] 5. Docs", "- [x] 5. Docs", "task 5 (Docs) open → done"),
    "done unticked": ("- [x] 4. API", "- [ ] 4. API", "task 4 (API) done → open"),
    "other in progress": ("- [ ] 3. Service", "- [-] 3. Service",
                          "task 3 (Service) open → in progress"),
    "other removed": ("- [ ] 6. Cache\n", "", "task 6 (Cache) removed"),
    "task added": ("- [ ] 8. Metrics\n", "- [ ] 8. Metrics\n- [ ] 9. Extra\n",
                   "task 9 (Extra) added"),
    "retitled": ("- [ ] 7. Logs", "- [ ] 7. Audit logs", "task 7 (Logs) removed"),
}


def _changes(edits: list[tuple[str, str]]) -> list[str]:
    text = BASE
    for old, new in edits:
        text = text.replace(old, new, 1)
    before = kiro.parse(BASE, "tasks.md").tasks
    return others_changed(before, kiro.parse(text, "tasks.md").tasks, "2.1")


@settings(max_examples=80, deadline=None, derandomize=True)
@given(harmless=st.lists(st.sampled_from(sorted(HARMLESS)), unique=True),
       harmful=st.lists(st.sampled_from(sorted(HARMFUL)), unique=True))
def test_every_edit_of_another_task_is_named_and_nothing_else(harmless: list[str],
                                                              harmful: list[str]) -> None:
    edits = [HARMLESS[k] for k in harmless] + [HARMFUL[k][:2] for k in harmful]
    found = _changes(edits)
    for kind in harmful:
        assert HARMFUL[kind][2] in found, (kind, found)
    if not harmful:
        assert found == [], (harmless, found)
