"""A `spec new` answer that is not UTF-8, or holds a control character (a terminal's escape
sequence), is refused and asked again, never stored altered or raw in the spec (r17 fz1
D10). Generated: where in the answer the bad bytes sit, and which bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.cli.asking import unfit

# bytes a Latin-1 or Windows terminal sends, and the C0 controls bar tab (ESC, BEL, CR, …)
NOT_UTF8 = st.sampled_from([b"\xe9", b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80"])
CONTROL = st.integers(0, 31).filter(lambda c: c not in (9, 10)).map(lambda c: bytes([c])) \
    | st.just(b"\x7f") | st.just(b"\x1b]0;pwned\x07") | st.just(b"\x1b[2J")
WORDS = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd", "Zs")), max_size=12)


@given(before=WORDS, bad=NOT_UTF8 | CONTROL, after=WORDS)
def test_an_answer_with_bad_bytes_is_unfit(before: str, bad: bytes, after: str) -> None:
    raw = before.encode() + bad + after.encode()
    assert unfit(raw.decode("utf-8", errors="surrogateescape")) is not None
    assert unfit(before + after) is None


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=NOT_UTF8 | CONTROL, before=WORDS)
def test_a_bad_feedback_is_asked_again_and_never_reaches_the_spec(
        tmp_path_factory: pytest.TempPathFactory, bad: bytes, before: str) -> None:
    root = tmp_path_factory.mktemp("repo")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    answers = (b"feedback\nzqzq" + before.encode() + bad + b"x\n" + b"clean note\n"
               + b"approve\n" * 8)
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWLOOP_MODEL")}
    done = subprocess.run([sys.executable, "-m", "reviewloop", "spec", "new", "a widget cache",
                           "--name", "wc"], input=answers, cwd=root, env=env,
                          capture_output=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert b"type the answer again" in done.stderr
    spec = (Path(root) / "docs/wc-spec.md").read_bytes()
    assert b"> Review note: clean note\n" in spec
    assert spec.count(b"> Review note:") == 1 and b"zqzq" not in spec  # the refused answer
