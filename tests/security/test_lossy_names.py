"""A changed Python file whose name holds a byte that is not UTF-8 is read by ruff, and ruff
prints its name with U+FFFD in that byte's place: the review took the printed name for a file
it was not given, dropped every ruff finding on the real one and still said ruff had read it
(fuzz round 8, D1). Now a printed name that one given file alone could have printed is that
file's; one that several print alike (`c\\xe9.py`, `c\\xe8.py`, a file really named `c�.py`)
names each of them as not read.

Generated: names of one or two parts, each made of pieces that are ASCII, valid UTF-8
(`é`, U+FFFD itself) or not UTF-8 (a Latin-1 byte, a cut-short sequence, a lone continuation
byte). The oracle is plain ruff: each file run alone gives the name ruff prints for it; a
file whose printed name no other file shares must have ruff's F401 in the review, and one
whose printed name is shared must be named as not read by ruff."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.git.names import shown
from tests.support.review_cli import review_feature

PIECES = (b"a", b"b", b"\xc3\xa9", b"\xef\xbf\xbd", b"\xe9", b"\xe8", b"\xe2\x82", b"\x80",
          b"\xff")
part = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map(b"".join)
name = st.one_of(part.map(lambda p: p + b".py"),
                 st.tuples(part, part).map(lambda pp: pp[0] + b"_d/" + pp[1] + b".py"))


def _printed(root: Path, names: list[bytes]) -> dict[bytes, str]:
    """The name plain ruff prints for each of `names`, each run alone."""
    out = {}
    for raw in names:
        done = subprocess.run([*ruff_command(), "check", "--isolated", "--no-cache",
                               "--select", "F401", "--output-format", "json", "--exit-zero",
                               os.path.join(os.fsencode(root), raw)],
                              capture_output=True, text=True, check=True)
        (diagnostic,) = json.loads(done.stdout)
        out[raw] = diagnostic["filename"]
    return out


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(name, min_size=2, max_size=5, unique=True))
@example([b"c\xe9.py", b"c\xe8.py", b"c\xef\xbf\xbd.py", b"d\xe9_d/m.py", b"ok.py"])
def test_ruff_s_findings_follow_a_name_it_prints_lossily(tmp_path_factory, names) -> None:
    root = tmp_path_factory.mktemp("lossy")
    for raw in names:
        path = os.path.join(os.fsencode(root), raw)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(b"import os\n")
    printed = _printed(root, names)
    shared = Counter(printed.values())
    report = review_feature(dict.fromkeys(names, b"import os\n"))
    reported = {f["file"] for bucket in ("remaining", "nits") for f in report["findings"][bucket]
                if f["rule"] == "F401"}
    unread = {row["path"] for row in report["health"]["files"]
              if any(str(why).startswith("ruff") for why in row["not_read"])}
    for raw in names:
        path = shown(os.fsdecode(raw))  # as the report spells a name
        if shared[printed[raw]] == 1:
            assert path in reported and path not in unread, (names, path)
        else:
            assert path in unread and path not in reported, (names, path)
