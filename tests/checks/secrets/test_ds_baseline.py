"""The project's detect-secrets baseline is run as `detect-secrets-hook --baseline` runs it:
its plugins and their limits, its filters and the secrets it already lists. A base whose
baseline lowered `HexHighEntropyString` to 2.0 and `Base64HighEntropyString` to 3.0 had the
hook report `SIGNING_SALT = "c0ffee42d00d"` and `WEBHOOK_TOKEN = "Zm9vYmFyYmF6cXV4"` while
the review passed (fuzz round 9a, D5b).

Generated (hypothesis, derandomized): the baseline's limits × the keyword plugin on or off
× a filter of its own (a line or a secret excluded by regex) × a secret it already lists.
The oracle is plain `detect-secrets-hook --baseline .secrets.baseline settings.py`: every
line it reports the review reports, and what the baseline's layer reports it reports; the
secrets gate finds the same."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.secrets.gate import SecretsGate
from reviewloop.config import Settings
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

SALT, TOKEN, PHRASE = "c0ffee42d00d", "Zm9vYmFyYmF6cXV4", "correct horse battery staple"
SETTINGS = (f'SIGNING_SALT = "{SALT}"\nWEBHOOK_TOKEN = "{TOKEN}"\n'
            f'password = "{PHRASE}"\nDEBUG = True\n')
HOOK = Path(sys.executable).with_name("detect-secrets-hook")
FILTERS = {
    "": [],
    "line": [{"path": "detect_secrets.filters.regex.should_exclude_line",
              "pattern": ["WEBHOOK"]}],
    "secret": [{"path": "detect_secrets.filters.regex.should_exclude_secret",
                "pattern": ["^c0ff"]}],
}


def baseline(hex_limit: float, b64_limit: float, keyword: bool, filters: str,
             known: bool) -> str:
    plugins = [{"name": "HexHighEntropyString", "limit": hex_limit},
               {"name": "Base64HighEntropyString", "limit": b64_limit},
               {"name": "AWSKeyDetector"}] + ([{"name": "KeywordDetector"}] if keyword else [])
    listed = [{"type": "Hex High Entropy String", "filename": "settings.py",
               "hashed_secret": hashlib.sha1(SALT.encode()).hexdigest(),
               "is_verified": False, "line_number": 1}]
    return json.dumps({
        "version": "1.5.0", "plugins_used": plugins,
        "filters_used": [{"path": "detect_secrets.filters.heuristic.is_templated_secret"},
                         *FILTERS[filters]],
        "results": {"settings.py": listed} if known else {},
        "generated_at": "2026-01-01T00:00:00Z"}, indent=2) + "\n"


def _hook(root: Path) -> set[int]:
    run = subprocess.run([str(HOOK), "--baseline", ".secrets.baseline", "--json",
                          "settings.py"], cwd=root, capture_output=True, text=True)
    assert run.returncode in (0, 1, 3), run.stderr  # 3: no new secret, the baseline rewritten
    if run.returncode != 1:
        return set()
    return {s["line_number"] for s in json.loads(run.stdout)["results"].get("settings.py", ())}


@settings(max_examples=16, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from((2.0, 3.0)), st.sampled_from((3.0, 4.5)), st.booleans(),
       st.sampled_from(tuple(FILTERS)), st.booleans())
def test_the_baselines_settings_find_what_the_hook_finds(
        tmp_path_factory, hex_limit, b64_limit, keyword, filters, known) -> None:
    repo = Repo(tmp_path_factory.mktemp("r") / "repo",
                {".secrets.baseline": baseline(hex_limit, b64_limit, keyword, filters, known)})
    diff = repo.change({"settings.py": SETTINGS})
    report = run_for_agent(agent("review-security", ("secrets",)), repo.root, diff)
    assert report.errors == [] and report.missing == []
    gate = SecretsGate().run(GateContext(
        root=repo.root, settings=Settings(), changed_files=("settings.py",), diff_text=diff,
        branch=None, default_branch=None, phase="review"))
    assert {(f.file, f.start_line, f.rule) for f in gate.findings} == \
        {(f.file, f.start_line, f.rule) for f in report.findings}
    plain = _hook(repo.root)  # last: the hook may rewrite the baseline
    lines = {f.start_line for f in report.findings if f.file == "settings.py"}
    layer = {f.start_line for f in report.findings if (f.rule or "").startswith("ds-")}
    assert plain <= lines, (plain, lines)
    assert layer <= plain, (layer, plain)


def test_a_plugin_of_the_repositorys_own_is_not_run_and_names_the_files(tmp_path: Path) -> None:
    data = json.loads(baseline(2.0, 3.0, True, "", False))
    data["plugins_used"].append({"name": "AcmeDetector", "path": "file://plugins/acme.py"})
    repo = Repo(tmp_path / "repo", {".secrets.baseline": json.dumps(data)})
    diff = repo.change({"settings.py": SETTINGS})
    report = run_for_agent(agent("review-security", ("secrets",)), repo.root, diff)
    health = next(h for h in report.health if h.name == "secrets")
    assert "AcmeDetector" in health.unread.get("settings.py", ""), health
    assert {1, 2, 3} <= {f.start_line for f in report.findings}  # the others still run


def test_a_plugin_detect_secrets_does_not_know_names_the_files(tmp_path: Path) -> None:
    data = json.loads(baseline(2.0, 3.0, True, "", False))
    data["plugins_used"].append({"name": "NoSuchDetector"})
    repo = Repo(tmp_path / "repo", {".secrets.baseline": json.dumps(data)})
    diff = repo.change({"settings.py": SETTINGS})
    report = run_for_agent(agent("review-security", ("secrets",)), repo.root, diff)
    health = next(h for h in report.health if h.name == "secrets")
    assert "cannot load" in health.unread.get("settings.py", ""), health
