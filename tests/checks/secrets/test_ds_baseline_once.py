"""A review runs the project's detect-secrets baseline once a changed file: the secrets
analyzer and the secrets gate both ask for its hits (`ds_baseline`), and the scan is shared
as the scan's other layers are (docs/costs.md: "scans each added line for secrets once").
Before, detect-secrets read every changed file twice a round.

Generated (hypothesis, derandomized): the baseline's plugins and limits × the changed files
(how many, which of them carry a hex or base64 string or a password). The oracle is plain
`detect-secrets-hook --baseline .secrets.baseline FILES`: every line it reports, the review
reports; and detect-secrets scanned each changed file once."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest
from detect_secrets.core.secrets_collection import SecretsCollection
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.cli_main import run_cli
from tests.support.repos import branch_repo

HOOK = Path(sys.executable).with_name("detect-secrets-hook")
LINES = ('SIGNING_SALT = "c0ffee42d00d{tag}"', 'WEBHOOK_TOKEN = "Zm9vYmFyYmF6cXV4{tag}"',
         'password = "correct horse {tag}"', "DEBUG = True  # {tag}",
         "def f_{n}(a):\n    return os.path.join(a, '{tag}')")


def _baseline(hex_limit: float, b64_limit: float, keyword: bool) -> str:
    plugins = [{"name": "HexHighEntropyString", "limit": hex_limit},
               {"name": "Base64HighEntropyString", "limit": b64_limit}] + (
        [{"name": "KeywordDetector"}] if keyword else [])
    return json.dumps({"version": "1.5.0", "plugins_used": plugins,
                       "filters_used": [], "results": {},
                       "generated_at": "2026-01-01T00:00:00Z"}, indent=2) + "\n"


def _hook(root: Path, files: list[str]) -> set[tuple[str, int]]:
    run = subprocess.run([str(HOOK), "--baseline", ".secrets.baseline", "--json", *files],
                         cwd=root, capture_output=True, text=True)
    assert run.returncode in (0, 1, 3), run.stderr
    if run.returncode != 1:
        return set()
    return {(path, s["line_number"]) for path, found in json.loads(run.stdout)["results"].items()
            for s in found}


@settings(max_examples=5, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from((2.0, 3.0)), st.sampled_from((3.0, 4.5)), st.booleans(),
       st.lists(st.lists(st.sampled_from(range(len(LINES))), min_size=1, max_size=3),
                min_size=1, max_size=3))
def test_detect_secrets_reads_each_changed_file_once_a_review(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], hex_limit: float, b64_limit: float, keyword: bool,
        files: list[list[int]]) -> None:
    tmp = tmp_path_factory.mktemp("r")
    monkeypatch.setenv("HOME", str(tmp / "home"))
    tag = uuid.uuid4().hex[:8]  # no earlier scan of these files is remembered
    names = [f"mod{i}.py" for i in range(len(files))]
    # each file does something (a function), so that the reviewers read it
    head = {name: "import os\n" + "".join(LINES[i].format(tag=tag, n=n) + "\n"
                                          for n, i in enumerate([*chosen, 4]))
            for name, chosen in zip(names, files, strict=True)}
    repo = branch_repo(tmp / "repo", {".secrets.baseline": _baseline(hex_limit, b64_limit,
                                                                     keyword),
                                      "app.py": "X = 1\n"}, head)
    scanned: Counter[str] = Counter()
    scan_file = SecretsCollection.scan_file

    def counting(self: SecretsCollection, filename: str) -> None:
        scanned[filename] += 1
        scan_file(self, filename)

    monkeypatch.setattr(SecretsCollection, "scan_file", counting)
    monkeypatch.chdir(repo)
    code, out, err = run_cli(capsys, "review", "--base", "main", "--head", "feature", "--json",
                             "--fail-on", "never")
    monkeypatch.undo()
    assert code == 0, err
    assert scanned == Counter(names), scanned
    found = {(e["finding"]["file"], e["finding"]["start_line"])
             for e in json.loads(out)["ledger"]["entries"]}
    plain = _hook(repo, names)
    assert plain <= found, (plain, found)
