"""Any spelling git gives a commit names the same change: a branch, a full or short id, a
tag, `feature~0`, `refs/heads/feature`, or a search of commit messages (`:/text`, which
was refused as "names a commit, not a commit": `:/text^{commit}` searches for the text
`text^{commit}`). An empty one (an unset variable in CI) is refused with exit 2, not read
as "no revision", which reviewed another change."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.cli_main import run_cli
from tests.support.gitutil import git
from tests.support.repos import feature_branch


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    app = b"import subprocess\nimport sys\n\nsubprocess.call(sys.argv[1], shell=True)\n"
    root = feature_branch(tmp_path_factory.mktemp("spell") / "repo", {"app.py": app})
    git(root, "tag", "base-tag", "main")
    git(root, "tag", "-a", "-m", "annotated", "head-tag", "feature")
    git(root, "commit", "--amend", "-qm", "add the app")
    git(root, "tag", "-f", "head-tag", "feature")
    git(root, "checkout", "-q", "main")  # the checkout is neither side
    return root


def _spellings(root: Path, ref: str, message: str) -> list[str]:
    full = git(root, "rev-parse", ref).strip()
    return [ref, full, full[:10], f"{ref}~0", f"refs/heads/{ref}", f":/{message}",
            f"{ref}^{{commit}}"]


def _shown(rev: str) -> str:
    """A revision as the report's title writes it: a full commit id cut to 12 digits."""
    return rev[:12] if re.fullmatch(r"[0-9a-f]{40}", rev) else rev


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.integers(0, 7), head=st.integers(0, 7))
def test_every_spelling_of_a_commit_names_the_same_change(
        root: Path, base: int, head: int, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(root)
    bases = [*_spellings(root, "main", "base"), "base-tag"]
    heads = [*_spellings(root, "feature", "add the app"), "head-tag"]

    code, out, err = run_cli(capsys, "review", "--base", bases[base], "--head", heads[head],
                             "--format", "json", "--fail-on", "never")

    assert code == 0, err
    report = json.loads(out)
    assert report["files"] == {"created": ["app.py"], "modified": [], "deleted": []}
    assert report["task"]["title"] == f"{_shown(bases[base])}...{_shown(heads[head])}"
    assert {f["rule"] for f in report["findings"]["remaining"]} >= {"B602"}


@pytest.mark.parametrize("args", [("--base", ""), ("--base", "main", "--head", ""),
                                  ("--base", "", "--head", "feature")])
def test_an_empty_revision_is_refused(root: Path, args: tuple[str, ...],
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(root)
    code, out, err = run_cli(capsys, "review", *args)
    assert code == 2 and out == ""
    assert "need a revision (one was empty)" in err
