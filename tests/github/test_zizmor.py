"""The Action and the workflow templates are zizmor clean: zizmor (its PyPI wheel, in the dev
extra) audits them offline with no GitHub token in reach: every workflow with the default
(regular) persona, the action and the PR workflow with the pedantic one too."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS
from tests.support.paths import ROOT

AUDITED = [ROOT / "action.yml", *sorted((ROOT / "workflows").glob("*.yml"))]
PEDANTIC = [ROOT / "action.yml", ROOT / "workflows" / "reviewloop-pr.yml"]
_PINNED = re.compile(r"^\s*(?:-\s*)?uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40})\s+#\s*v\d[\w.]*\s*$")


def zizmor() -> str:
    found = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    if not Path(found).is_file():
        pytest.fail("zizmor is not installed: pip install -e '.[dev]'")
    return found


def audit(paths: list[Path], cache: Path, persona: str = "regular") -> list[dict]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN")}
    proc = subprocess.run(
        [zizmor(), "--offline", "--persona", persona, "--format", "json",
         "--cache-dir", str(cache), *map(str, paths)],
        capture_output=True, text=True, check=False, env=env, timeout=120)
    assert proc.returncode in (0, 10, 11, 12, 13, 14), proc.stderr  # 1x: findings by severity
    return json.loads(proc.stdout)


PLACEHOLDER = "reviewloop/reviewloop@v0"  # the user pins it to their release (README)


def _placeholder(finding: dict) -> bool:
    return finding["ident"] == "unpinned-uses" and PLACEHOLDER in json.dumps(finding)


def test_action_and_workflow_templates_are_zizmor_clean(tmp_path):
    """Clean but for the placeholder the user pins: the template carries no suppression, so
    the user's own zizmor asks them to pin it, as it should."""
    findings = audit(AUDITED, tmp_path)

    assert [f for f in findings if not _placeholder(f)] == [], \
        json.dumps(findings, indent=2)[:3000]
    assert len([f for f in findings if _placeholder(f)]) == 1


def test_action_and_pr_workflow_are_clean_for_the_pedantic_persona_too(tmp_path):
    findings = audit(PEDANTIC, tmp_path, persona="pedantic")

    assert [f for f in findings if not _placeholder(f)] == [], \
        json.dumps(findings, indent=2)[:3000]


def test_the_audit_is_not_vacuous(tmp_path):
    """The same run does flag what the files avoid: a tag ref and persisted credentials."""
    bad = tmp_path / "bad.yml"
    bad.write_text("name: bad\non: pull_request\npermissions: {}\njobs:\n  one:\n"
                   "    name: one\n    runs-on: ubuntu-latest\n    permissions: {}\n"
                   "    steps:\n      - uses: actions/checkout@v4\n")

    idents = {f["ident"] for f in audit([bad], tmp_path / "cache")}

    assert {"unpinned-uses", "artipacked"} <= idents


def test_every_third_party_action_is_pinned_to_a_sha_with_its_version():
    for path in AUDITED:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if not re.search(r"(^|[\s-])uses:", line) or line.lstrip().startswith("#"):
                continue
            if PLACEHOLDER in line:  # the user pins it to their release (README)
                assert "ignore" not in line  # no suppression handed to the user
                continue
            assert _PINNED.match(line), f"{path.name}:{number}: not pinned to a SHA: {line}"


def test_checkout_persists_no_credentials():
    text = (ROOT / "workflows" / "reviewloop-pr.yml").read_text()
    assert "persist-credentials: false" in text


def test_the_dev_extra_pins_the_zizmor_reviewloop_provisions():
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["dev"]
    assert f"zizmor=={TOOLS['zizmor'].version}" in dev
