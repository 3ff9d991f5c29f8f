"""A changed file whose name git C-quotes (backslashes, quotes, what looks like git's octal
escapes, a leading dash) is named in every view by its real name: `reviewloop review` as a
user runs it. (`a\\\\b.py`, two backslashes, was reported with three, so SARIF and GitHub
pointed at a file that does not exist.)"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import unquote

from tests.support.repos import feature_branch
from tests.support.review_cli import review

RISKY = b"import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
NAMES = ["a\\\\b.py", "c\\303\\251.py", '-q \\"d\\".py', "e\\\\\\f.py"]


def test_a_quoted_name_is_reported_as_git_has_it(tmp_path: Path) -> None:
    root = feature_branch(tmp_path / "r", dict.fromkeys(NAMES, RISKY))
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, check=True,
                            capture_output=True).stdout.decode().split("\0")
    assert set(NAMES) <= set(listed)  # the names are git's, as written here

    report = json.loads(review(root, "--base", "main", "--head", "feature", "--json").stdout)
    assert sorted(report["files"]["created"]) == sorted(NAMES)
    flagged = {f["file"] for f in report["findings"]["remaining"] if f["rule"] == "B602"}
    assert flagged == set(NAMES)

    sarif = json.loads(review(root, "--base", "main", "--head", "feature", "--format",
                              "sarif").stdout)
    uris = {unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
            for r in sarif["runs"][0]["results"] if r["ruleId"].endswith("B602")}
    assert uris == set(NAMES)
