"""`reviewloop review` and the findings ledger, on real repositories with the real analyzers
(the LLM is off): identical lines, bandit's rule kinds, B's content for --head, health."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from reviewloop.checks.analyzers.provision import TOOLS, on_path
from tests.support.gitutil import git
from tests.support.review_cli import SARIF_SCHEMA, repo, review

SHELL = "    subprocess.call(cmd, shell=True)\n"
THREE = "import subprocess\n\n\ndef run(cmd):\n" + SHELL * 3


def test_three_identical_vulnerable_lines_are_three_findings_in_every_view(tmp_path: Path):
    root = repo(tmp_path)
    (root / "run.py").write_text(THREE)
    sarif = tmp_path / "out.sarif"

    done = review(root, "--format", "json", "--sarif", str(sarif))
    markdown = tmp_path / "out.md"
    shown = review(root, "--format", "markdown", "--output", str(markdown))

    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    b602 = [f for f in data["findings"]["remaining"] if f["rule"] == "B602"]
    assert [f["start_line"] for f in b602] == [5, 6, 7]
    log = json.loads(sarif.read_text())
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"]
             for r in log["runs"][0]["results"] if r["ruleId"] == "bandit/B602"]
    assert lines == [5, 6, 7]
    text = markdown.read_text()
    assert all(f"`run.py:{n}`" in text for n in (5, 6, 7))
    assert all(f"run.py:{n}" in shown.stdout for n in (5, 6, 7))  # the terminal panel


MANY_KINDS = '''import hashlib
import os
import pickle
import random
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import requests
import yaml

PASSWORD = "hunter2-secret"


def handle(cmd, data, url, text):
    subprocess.call(cmd, shell=True)
    subprocess.Popen(cmd, shell=True)
    os.system(cmd)
    os.popen(cmd)
    eval(text)
    exec(text)
    pickle.loads(data)
    yaml.load(text)
    hashlib.md5(data).hexdigest()
    hashlib.sha1(data).hexdigest()
    random.random()
    tempfile.mktemp()
    requests.get(url, verify=False)
    requests.get(url)
    ET.fromstring(text)
    assert cmd
    os.chmod(cmd, 0o777)
    try:
        pass
    except Exception:
        pass
    return "SELECT * FROM users WHERE name = '%s'" % text
'''


def bandit_alone(root: Path, path: str) -> set[tuple[str, int]]:
    proc = subprocess.run([sys.executable, "-m", "bandit", "-f", "json", "-q", path], cwd=root,
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return {(r["test_id"], r["line_number"]) for r in json.loads(proc.stdout)["results"]}


def test_the_security_reviewer_offline_finds_everything_bandit_alone_finds(tmp_path: Path):
    root = repo(tmp_path)
    (root / "handler.py").write_text(MANY_KINDS)
    expected = bandit_alone(root, "handler.py")  # every line of the new file is changed

    done = review(root, "--format", "json")

    data = json.loads(done.stdout)
    reported = {(r["rule"], line) for e in data["ledger"]["entries"]
                if e["status"] in ("open", "escalated") for r in e["reports"]
                if r["source"] == "bandit" for line in range(r["start_line"], r["end_line"] + 1)}
    assert len({rule for rule, _ in expected}) >= 15  # many rule kinds
    assert expected - reported == set()


def test_review_base_head_reports_the_head_commit_not_the_checkout(tmp_path: Path):
    root = repo(tmp_path)
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "switch", "-qc", "feature")
    (root / "run.py").write_text("import subprocess\n\n\ndef run(cmd):\n" + SHELL)
    git(root, "add", "run.py")
    git(root, "commit", "-qm", "shell")
    head = git(root, "rev-parse", "HEAD").strip()
    git(root, "switch", "-q", "main")  # the checkout has no run.py at all
    (root / "run.py").write_text("def run(cmd):\n    return cmd\n")  # nor B's content

    done = review(root, "--base", base, "--head", head, "--format", "json")

    data = json.loads(done.stdout)
    rules = {(f["rule"], f["start_line"]) for f in data["findings"]["remaining"]}
    assert ("B602", 5) in rules, done.stdout + done.stderr
    assert done.returncode == 1
    assert (root / "run.py").read_text() == "def run(cmd):\n    return cmd\n"


@pytest.mark.skipif(on_path(TOOLS["checkov"]) is not None,
                    reason="checkov is on PATH here: nothing missing")
def test_a_missing_analyzer_is_in_the_json_health_and_the_verdict(tmp_path: Path):
    root = repo(tmp_path)
    (root / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')

    done = review(root, "--format", "json")

    data = json.loads(done.stdout)
    (checkov,) = [h for h in data["health"]["analyzers"] if h["name"] == "checkov"]
    assert checkov["status"] == "missing"
    assert "reviewloop tools install checkov" in checkov["reason"]
    assert data["health"]["complete"] is False
    assert "incomplete: analyzer checkov (review-infrastructure) missing" in data["verdict"]


@pytest.mark.pypi  # the suite's shared tools cache, installed once (tests/support/iac_tools.py)
def test_live_checkov_keeps_every_check_on_one_resource(tmp_path: Path, iac_tools: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))  # installed: offline is fine
    root = repo(tmp_path)
    (root / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n'
                                  '  acl    = "public-read"\n}\n')

    data = json.loads(review(root, "--format", "json").stdout)

    rules = [r["rule"] for e in data["ledger"]["entries"] for r in e["reports"][:1]
             if r["source"] == "checkov"]
    assert len(rules) == len(set(rules)) >= 4
