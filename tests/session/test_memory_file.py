"""`handoff --learn` on the memory.md a team already has, over a fixed product of its forms
(BOM, LF/CRLF, final line end, front matter): what the file says is kept byte for byte, the
new lines end as its lines do, and one that would not reach every agent is refused, untouched.
The oracle is the file itself: its bytes must be a prefix of the result, and
`spec.steering.read_steering` (what every run reads) must still see the same inclusion."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from reviewloop.errors import ConfigError
from reviewloop.session import memory
from reviewloop.spec.steering import Inclusion, read_steering

FRONT = {"none": "", "always": "---\ninclusion: always\n---\n",
         "fileMatch": '---\ninclusion: fileMatch\nfileMatchPattern: "docs/**"\n---\n',
         "manual": "---\ninclusion: manual\n---\n", "auto": "---\ninclusion: auto\n"
         "description: memory\n---\n", "unclosed": "---\ninclusion: always\n"}
VARIANTS = list(itertools.product(FRONT, ["", "\ufeff"], ["\n", "\r\n"], [True, False]))
LEARNED = ["- 2026-01-02: Use SQLite for the store", "- Preference: small commits"]


@pytest.mark.parametrize("front, bom, end, final", VARIANTS)
def test_learn_keeps_the_files_bytes_or_refuses_it_untouched(
        tmp_path: Path, front: str, bom: str, end: str, final: bool) -> None:
    text = bom + (FRONT[front] + "# Memory\n- old learning" + ("\n" if final else ""))
    original = text.replace("\n", end).encode("utf-8")
    path = tmp_path / memory.MEMORY_MD
    path.parent.mkdir(parents=True)
    path.write_bytes(original)
    if front in ("fileMatch", "manual", "auto", "unclosed"):
        with pytest.raises(ConfigError) as caught:
            memory.append(tmp_path, LEARNED)
        assert path.read_bytes() == original
        assert caught.value.where == f"{memory.MEMORY_MD}:{1 if front == 'unclosed' else 2}"
        assert "inclusion: always" in (caught.value.fix or "")
        return
    assert memory.append(tmp_path, LEARNED) == LEARNED
    after = path.read_bytes()
    assert after.startswith(original)
    added = after[len(original):]
    assert added == ((b"" if final else end.encode()) +
                     "".join(line + end for line in LEARNED).encode())
    item = read_steering(path)
    assert item.inclusion is Inclusion.ALWAYS and item.diagnostic is None
    assert memory.append(tmp_path, LEARNED) == [] and path.read_bytes() == after
