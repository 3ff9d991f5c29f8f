"""action.yml and the workflow template parse, and what they pass matches the CLI."""

from __future__ import annotations

import yaml

from reviewloop.cli.app import cli
from tests.paths import ROOT


def review_params() -> dict:
    return {p.name: p for p in cli.commands["review"].params}


def test_action_inputs_map_onto_review_options() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"model", "aws-region", "fail-on", "config", "sarif",
                                     "github-token", "python-version"}
    assert set(action["outputs"]) == {"must-fix", "should-fix", "nit", "sarif"}
    script = action["runs"]["steps"][-1]["run"]
    assert "review --github --fail-on" in script and "--sarif" in script
    params = review_params()
    assert action["inputs"]["fail-on"]["default"] in params["fail_on"].type.choices
    assert {"github", "fail_on", "sarif"} <= set(params)
    assert any(p.name == "config" for p in cli.params)


def test_workflow_template_has_minimal_permissions_and_uploads_sarif() -> None:
    flow = yaml.safe_load((ROOT / "workflows" / "reviewloop-pr.yml").read_text())
    assert list(flow[True]) == ["pull_request"]  # YAML reads the `on` key as True
    assert flow["permissions"] == {"contents": "read", "pull-requests": "write",
                                   "security-events": "write", "id-token": "write"}
    steps = flow["jobs"]["review"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("aws-actions/configure-aws-credentials") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
    assert "pull_request_target" not in (ROOT / "workflows" / "reviewloop-pr.yml").read_text() \
        .split("name:", 1)[1]
