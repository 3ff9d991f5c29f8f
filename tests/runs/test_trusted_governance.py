"""`.kiro/governance.yaml` is trusted configuration: a review of two commits reads the base
commit's, and a change to it is flagged like any other review configuration."""

from __future__ import annotations

from pathlib import Path

from reviewloop.config import load_settings
from reviewloop.git.repository import open_repository
from reviewloop.policy.governance import load_policy
from reviewloop.runs.trusted import base_config, config_findings
from tests.support.repos import branch_repo


def test_the_base_commits_governance_is_read_and_the_change_is_flagged(tmp_path: Path) -> None:
    path = ".kiro/governance.yaml"
    root = branch_repo(tmp_path / "repo", {path: "require_human_approval:\n  files_changed: 1\n"},
                       {path: "require_human_approval:\n  files_changed: 1000\n"},
                       branch="loosen", message="loosen governance")
    repo = open_repository(root)

    with base_config(repo, "main", "loosen", lambda r, c: load_settings(r, environ={}),
                     None) as trusted:
        assert trusted.root is not None
        policy = load_policy(trusted.root, trusted.settings)
        flagged = config_findings(repo, trusted)

    assert policy.human.files_changed == 1
    assert [(f.file, f.rule) for f in flagged] == [(".kiro/governance.yaml", "config-change")]
