"""A secret's finding is titled by its rule's description, which a rule set kept by others
may write at any length: gitleaks' fine-grained GitHub token rule says 121 characters, and
its finding failed validation (titles hold 120), which threw away every other secret of the
change (the analyzer failed) or, in the branch's history scan, stopped the review. Every
description now makes a valid title, cut to one line of at most 120 characters."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.history import branch_history
from reviewloop.checks.secrets.scanner import SecretHit, to_findings
from reviewloop.findings.titles import TITLE_LENGTH
from reviewloop.git.diff import parse_diff
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo

FINE_GRAINED = ("github_pat_11AQ7ZP3Y0mXq8RtW2vB5n_Kd9Lp3Zx7Cv1Bn5Mq8Wr2Ty6Ui4Op0As3Df7Gh1Jk5"
                "Lz9Xc3Vb7Nm2Qw6Er8Ty4Ui")
SECOND = "github_pat_11" + FINE_GRAINED.removeprefix("github_pat_11")[::-1]  # kept by the head


@settings(derandomize=True, max_examples=200)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=400))
def test_any_description_makes_a_valid_title(description: str) -> None:
    hit = SecretHit(rule="r", description=description, path="a.py", line=1, column=1,
                    end_column=5, preview="ab…", confidence=0.9, start=0, end=4)
    [finding] = to_findings([hit])
    assert 0 < len(finding.title) <= TITLE_LENGTH and "\n" not in finding.title
    assert finding.title.startswith("Hard-coded secret")


def test_a_fine_grained_token_in_the_change_and_in_its_history_is_named(tmp_path: Path
                                                                          ) -> None:
    init_repo(tmp_path, {"README.md": "base\n"})
    git(tmp_path, "checkout", "-qb", "feature")
    commit(tmp_path, {"gh.sh": f"export GH={FINE_GRAINED}\n"})
    commit(tmp_path, {"gh.sh": "export GH=\"$GH_TOKEN\"\n", "now.sh": f"T={SECOND}\n"})
    repo = open_repository(tmp_path)
    net = parse_diff(repo.diff_refs("main", "feature"))
    from reviewloop.checks.secrets.diff_scan import scan_changes

    assert [hit.path for hit in scan_changes(net)] == ["now.sh"]
    [kept] = to_findings(scan_changes(net))
    assert "Fine-Grained" in kept.title and len(kept.title) <= TITLE_LENGTH
    [history] = branch_history(repo, "main", "feature", net).findings
    assert history.file == "gh.sh" and len(history.title) <= TITLE_LENGTH
