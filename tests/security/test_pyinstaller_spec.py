"""A PyInstaller `.spec` is Python that `pyinstaller app.spec` executes: bandit and ruff read
it (fz1 D6: it was nobody's, complete, exit 0), the names PyInstaller defines for it
(`Analysis`, `PYZ`, `EXE`, …) are no undefined names, and an RPM spec stays unread.
Generated: spec layouts x targets; then a real review."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.pyinstaller_spec import NAMESPACE, injected
from tests.support.repos import feature_branch
from tests.support.review_cli import review

HEADS = st.sampled_from(["", "# -*- mode: python ; coding: utf-8 -*-\n", "block_cipher = None\n"])
_CHAIN = ["pyz = PYZ(a.pure)\n", "exe = EXE(pyz, a.scripts)\n",
          "coll = COLLECT(exe, a.binaries)\n"]
TARGETS = st.integers(0, len(_CHAIN)).map(lambda n: _CHAIN[:n])  # each defined before use


@given(name=st.sampled_from(sorted(NAMESPACE)),
       other=st.from_regex(r"[a-z]{3,8}_x", fullmatch=True),
       spec=st.sampled_from(["app.spec", "build/App.SPEC"]))
def test_only_pyinstallers_own_names_in_a_spec_are_defined(name: str, other: str, spec: str
                                                           ) -> None:
    assert injected("F821", spec, f"Undefined name `{name}`")
    assert not injected("F821", spec, f"Undefined name `{other}`")
    assert not injected("F821", "app.py", f"Undefined name `{name}`")
    assert not injected("F841", spec, f"Undefined name `{name}`")


@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(head=HEADS, targets=TARGETS)
def test_a_review_reads_a_pyinstaller_spec_as_python(head: str, targets: list[str]) -> None:
    spec = (f"{head}import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, "
            f"shell=True)\n\n\na = Analysis(['app.py'])\n{''.join(targets)}print(undefined_x)\n")
    rpm = "Name: app\nVersion: 1\n%description\nAnalysis(\n"
    with tempfile.TemporaryDirectory() as scratch:
        root = feature_branch(Path(scratch) / "r", {"app.spec": spec.encode(),
                                                    "pkg/app.spec": rpm.encode()})
        done = review(root, "--base", "main", "--head", "feature", "--json")
    report = json.loads(done.stdout)
    found = {(f["file"], f["rule"], f["title"]) for f in report["findings"]["remaining"]}
    assert {(p, r) for p, r, _ in found} >= {("app.spec", "B602"), ("app.spec", "F821")}
    assert [t for p, r, t in found if r == "F821"] == ["Undefined name `undefined_x`"], found
    rows = {row["path"]: row for row in report["health"]["files"]}
    assert any(a.startswith("bandit") for a in rows["app.spec"]["analysed_by"])
    assert not any(a.startswith(("bandit", "ruff")) for a in rows["pkg/app.spec"]["analysed_by"])
    assert done.returncode == 1
