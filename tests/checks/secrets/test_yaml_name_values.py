"""A long unquoted YAML value under a key that names no secret (`name: <60 characters>`):
gitleaks 8 reports none (its generic rule wants a secret word in the key) and plain
detect-secrets only through its entropy plugins, which the scan runs only as a project's
`.secrets.baseline` sets them (docs/security.md, "on purpose"). With such a baseline the
review reports every line `detect-secrets-hook --baseline` reports, in each YAML placement
(generated: plain, nested, a list item, after an anchor, in a flow mapping, a block scalar);
with none, the value is no finding, as in gitleaks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

HOOK = Path(sys.executable).with_name("detect-secrets-hook")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
PLACES = ["name: {v}\n", "service:\n  name: {v}\n", "items:\n  - name: {v}\n",
          "name: &n {v}\n", "a: {{name: {v}, b: 1}}\n", "name: |\n  {v}\n"]
BASELINE = json.dumps({
    "version": "1.5.0", "plugins_used": [{"name": "Base64HighEntropyString", "limit": 4.5},
                                         {"name": "HexHighEntropyString", "limit": 3.0}],
    "filters_used": [], "results": {}, "generated_at": "2026-01-01T00:00:00Z"}) + "\n"


def _hook(root: Path) -> set[int]:
    run = subprocess.run([str(HOOK), "--baseline", ".secrets.baseline", "--json",
                          "config.yaml"], cwd=root, capture_output=True, text=True)
    assert run.returncode in (0, 1, 3), run.stderr
    return set() if run.returncode != 1 else \
        {s["line_number"] for s in json.loads(run.stdout)["results"].get("config.yaml", ())}


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(PLACES),  # 60 characters, each once: an entropy of ~5.9 bits
       value=st.permutations(ALPHABET).map(lambda chars: "".join(chars[:60])),
       with_baseline=st.booleans())
def test_a_long_name_value_is_reported_as_the_hook_reports_it(
        tmp_path_factory, place: str, value: str, with_baseline: bool) -> None:
    repo = Repo(tmp_path_factory.mktemp("r") / "repo",
                {".secrets.baseline": BASELINE} if with_baseline else {})
    diff = repo.change({"config.yaml": place.format(v=value)})

    report = run_for_agent(agent("review-security", ("secrets",)), repo.root, diff)

    lines = {f.start_line for f in report.findings if f.file == "config.yaml"}
    assert report.errors == [] and report.missing == []
    if with_baseline:
        plain = _hook(repo.root)
        assert plain <= lines, (place, plain, lines)
        assert plain or place.startswith(("name: |", "a: {")), place  # the hook reads it
    else:
        assert lines == set(), (place, report.findings)
