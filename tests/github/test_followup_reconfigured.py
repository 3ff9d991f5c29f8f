"""Which files of a moved base make a follow-up push review the whole PR
(`github.followup.reconfigured`, asking `runs.trusted.configures`): those the review takes from
the trusted side — settings, reviewer definitions and prompts, steering, a tool's config or
ignore file, a shared file holding a tool's table, a hook — added, edited, deleted or renamed
on the base since the last review; never a file of code or prose the base changed.

Generated (hypothesis): sets of files of each kind, each added, edited, deleted or renamed
by the base's new commit, in a real repository. The oracle is the list of kinds below,
written from docs/security.md's table, not from the code."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.config import Settings
from reviewloop.git.repository import open_repository
from reviewloop.github.followup import reconfigured
from reviewloop.runs.trusted import CONFIG_PATHS, TrustedConfig, configures
from tests.support.repos import init_repo

# the trusted side's files, by kind (each read from the base by the review)
TRUSTED = {
    "settings": [".reviewloop.toml", "pyproject.toml"],
    "reviewer definitions": [".kiro/agents/extra.json", "review/agents/style.json",
                             "prompts/style.md"],
    "steering": [".kiro/steering/product.md"],
    "secrets rules": [".gitleaks.toml", ".gitleaksignore", ".secrets.baseline"],
    "linter configs": ["ruff.toml", ".ruff.toml", ".bandit", "bandit.yaml", ".shellcheckrc",
                       ".hadolint.yaml", "sub/.eslintrc.json"],
    "a shared file's tables": ["package.json", "web/package.json"],
    "suppressions and classification": [".reviewloop-baseline.json", ".semgrepignore",
                                        ".gitattributes", ".reviewloopignore"],
    "hooks, coverage settings": [".pre-commit-config.yaml", ".coveragerc"],
}
PLAIN = ["src/app.py", "README.md", "docs/guide.md", "web/util.js", "tests/test_app.py",
         "ruff.toml.bak", "src/ruff/rules.py", "Dockerfile", "notes.toml"]
FILES = sorted({p for paths in TRUSTED.values() for p in paths} | set(PLAIN))
# the configuration's own folders and prompt files (`TrustedConfig.paths`)
PATHS = (*CONFIG_PATHS, "review/agents", "prompts/style.md")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(name="repo", scope="module")
def base_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`main`: every file of the lists, so that the base may edit, delete or rename each."""
    return init_repo(tmp_path_factory.mktemp("moved") / "repo",
                     {path: f"# {path}\n" for path in FILES})


Change = tuple[str, str]  # (how, path)
changes = st.lists(st.tuples(st.sampled_from(["added", "edited", "deleted", "renamed"]),
                             st.sampled_from(FILES)), max_size=5,
                   unique_by=lambda change: change[1])


def moved_base(root: Path, made: list[Change]) -> tuple[str, str]:
    """The base the last review judged (`main`, without the files the base then adds) and
    a commit on top of it that makes `made`."""
    git(root, "switch", "-q", "--force", "-C", "moved", "main")
    for path in (path for how, path in made if how == "added"):
        git(root, "rm", "-q", path)
    git(root, "commit", "-qm", "the base the last review judged", "--allow-empty")
    old = git(root, "rev-parse", "HEAD")
    for how, path in made:
        if how in ("added", "edited"):
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(f"# {path}, {how}\n")
        elif how == "deleted":
            git(root, "rm", "-q", path)
        else:
            (root / "attic").mkdir(exist_ok=True)  # a plain name: the old one is what counts
            git(root, "mv", path, f"attic/moved-{FILES.index(path)}.txt")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the base moves", "--allow-empty")
    return old, git(root, "rev-parse", "HEAD")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=changes)
def test_a_base_that_moved_reconfigures_the_review_only_through_trusted_files(
        made: list[Change], repo: Path) -> None:
    old, new = moved_base(repo, made)
    trusted = {p for paths in TRUSTED.values() for p in paths}
    found = reconfigured(open_repository(repo), old, new,
                         configures(TrustedConfig(Settings(), paths=PATHS)))
    assert sorted(found) == sorted(p for _, p in made if p in trusted)


def test_an_old_base_git_cannot_read_counts_as_reconfigured(repo: Path) -> None:
    """A base the last review judged that the clone does not hold (a base branch
    force-pushed): nothing says the rules are the same, so the push is reviewed whole."""
    gone = "0123456789abcdef" * 2 + "01234567"
    found = reconfigured(open_repository(repo), gone, git(repo, "rev-parse", "main"),
                         configures(TrustedConfig(Settings(), paths=PATHS)))
    assert found == (gone,)
