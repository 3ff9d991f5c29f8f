"""A handoff.json nested deeper than Python's JSON decoder follows (f_a D1): `pickup` names it
as damaged (exit 2, never a RecursionError's exit 3), and `handoff`, the fix it names, keeps
it aside byte for byte and writes a new one. Nestings are generated: arrays, objects and both
mixed, at the top or inside the handoff's own keys, at depths around and far past the limit."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.cli_main import run_cli
from tests.support.repos import init_repo

_OPEN = {"array": ("[", "]"), "object": ('{"a":', "}")}


@st.composite
def nested(draw: st.DrawFn) -> bytes:
    depth = draw(st.integers(500, 120_000))  # the decoder stops near 1,000 levels
    kinds = draw(st.lists(st.sampled_from(sorted(_OPEN)), min_size=1, max_size=3))
    body = "".join(_OPEN[kinds[n % len(kinds)]][0] for n in range(depth)) + "1" + \
        "".join(_OPEN[kinds[n % len(kinds)]][1] for n in reversed(range(depth)))
    where = draw(st.sampled_from(["top", "facts", "notes"]))
    text = {"top": body, "facts": f'{{"facts": {body}}}',
            "notes": f'{{"facts": {{"created": "x", "branch": null, "head": null, '
                     f'"notes": {body}}}}}'}[where]
    return text.encode()


# capsys is read out after every command (run_cli), so examples never see each other's words
@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damaged=nested())
def test_a_deeply_nested_handoff_is_damaged_and_replaced(capsys, damaged):
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        root = init_repo(Path(folder) / "repo", {"app.py": "x = 1\n"}).resolve()
        patch.chdir(root)
        assert run_cli(capsys, "handoff")[0] == 0
        saved = root / ".reviewloop/handoff.json"
        saved.write_bytes(damaged)
        code, out, err = run_cli(capsys, "pickup")
        said = " ".join(err.split())
        assert code == 2 and "the handoff is damaged" in said, out + err
        assert "reviewloop handoff" in said
        assert run_cli(capsys, "handoff")[0] == 0
        kept = list((root / ".reviewloop").glob("handoff.json.damaged-*"))
        assert [p.read_bytes() for p in kept] == [damaged]
        assert json.loads(saved.read_text())["facts"]["branch"]
        assert run_cli(capsys, "pickup")[0] == 0
