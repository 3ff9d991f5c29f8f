"""The levers that can lower a verdict, decided in one place, and whose lines are trusted."""

from __future__ import annotations

import pytest

from reviewloop.git.diff import ChangeSet, parse_diff
from reviewloop.policy.trust import Lever, LeverKind, Trust, lever
from tests.support.analyzers import Repo


@pytest.mark.parametrize(("path", "kind", "owner"), [
    (".reviewloop.toml", LeverKind.CONFIG, "reviewloop"),
    ("pyproject.toml", LeverKind.CONFIG, "reviewloop"),
    (".kiro/agents/review-security.json", LeverKind.CONFIG, "kiro"),
    (".kiro/steering/tech.md", LeverKind.CONFIG, "kiro"),
    (".kiro/governance.yaml", LeverKind.CONFIG, "kiro"),
    (".reviewloop-baseline.json", LeverKind.SUPPRESSION, "reviewloop"),
    (".secrets.baseline", LeverKind.SUPPRESSION, "detect-secrets"),
    # the analyzers' tools' own files: tests/checks/suppressions/test_config_files.py
    ("src/.gitattributes", LeverKind.CLASSIFICATION, "git"),
    (".githooks/pre-commit", LeverKind.HOOK, "git"),
    (".husky/pre-commit", LeverKind.HOOK, "husky"),
    (".pre-commit-config.yaml", LeverKind.HOOK, "pre-commit"),
    ("lefthook.yml", LeverKind.HOOK, "lefthook"),
    (".overcommit.yml", LeverKind.HOOK, "overcommit"),
    (".vscode/tasks.json", LeverKind.EXECUTED, "editors"),
    ("app.code-workspace", LeverKind.EXECUTED, "editors"),
    (".devcontainer/devcontainer.json", LeverKind.EXECUTED, "dev containers"),
    (".envrc", LeverKind.EXECUTED, "direnv, dotenv"),
    ("svc/.env.local", LeverKind.EXECUTED, "direnv, dotenv"),
    (".python-version", LeverKind.EXECUTED, "version managers"),
    (".nvmrc", LeverKind.EXECUTED, "version managers"),
    (".tool-versions", LeverKind.EXECUTED, "version managers"),
    (".npmrc", LeverKind.EXECUTED, "package managers"),
    (".pnpmfile.cjs", LeverKind.EXECUTED, "package managers"),
    (".gitmodules", LeverKind.EXECUTED, "package managers"),
    ("src/sitecustomize.py", LeverKind.EXECUTED, "debuggers, Python's start-up"),
    (".github/workflows/ci.yml", LeverKind.EXECUTED, "CI"),
    (".gitlab-ci.yml", LeverKind.EXECUTED, "CI"),
    (".coveragerc", LeverKind.EXECUTED, "coverage and test settings"),
    ("web/.nycrc.json", LeverKind.EXECUTED, "coverage and test settings"),
    (".c8rc", LeverKind.EXECUTED, "coverage and test settings"),
    ("jest.config.ts", LeverKind.EXECUTED, "coverage and test settings"),
])
def test_a_lever_is_named_with_its_kind_and_owner(path: str, kind: LeverKind, owner: str) -> None:
    found = lever(path)
    assert found is not None and (found.kind, found.owner) == (kind, owner)


@pytest.mark.parametrize("path", ["app.py", "docs/pyproject.toml.md", "src/hooks.py",
                                  "kiro/agents/x.json", "tests/test_app.py"])
def test_ordinary_files_are_no_lever(path: str) -> None:
    assert lever(path) is None


def test_a_repository_lever_comes_first() -> None:
    hooks = Lever("/tools/git-hooks/**", LeverKind.HOOK, "git (core.hooksPath)")
    assert lever("tools/git-hooks/pre-push", [hooks]) == hooks
    assert lever("tools/git-hooks/pre-push") is None


def test_trust_says_whose_a_line_and_a_file_are() -> None:
    trust = Trust(added={"app.py": frozenset({3})}, touched=frozenset({"app.py"}))
    assert trust.line("app.py", 2) and not trust.line("app.py", 3)
    assert trust.line("other.py", 3)
    assert not trust.file("app.py") and trust.file("other.py")
    everything = Trust.everything()
    assert everything.line("app.py", 3) and everything.file("app.py")


def test_trust_from_a_change_holds_its_added_lines_and_paths(tmp_path) -> None:
    repo = Repo(tmp_path, {"app.py": "a = 1\nb = 2\n"})
    diff = repo.change({"app.py": "a = 1\nb = 3\nc = 4\n", "new.py": "x = 1\n"})

    trust = Trust.from_changes(parse_diff(diff))

    assert not trust.line("app.py", 2) and not trust.line("app.py", 3)
    assert trust.line("app.py", 1) and not trust.line("new.py", 1)
    assert trust.touched == {"app.py", "new.py"} and not trust.file("new.py")
    assert not trust.trusted_all



def _changes() -> ChangeSet:
    return parse_diff(
        "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,3 @@\n"
        " a = 1\n+b = 2  # nosec\n c = 3\n"
        "diff --git a/old.py b/new.py\nsimilarity index 100%\nrename from old.py\n"
        "rename to new.py\n"
        "diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n"
        "+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n")


def test_trust_from_a_change_distrusts_its_added_lines_and_every_path_it_touches() -> None:
    trust = Trust.from_changes(_changes(), base="abc", head="def")
    assert dict(trust.added) == {"app.py": frozenset({2})}
    assert trust.touched == {"app.py", "old.py", "new.py", "gone.py"}
    assert (trust.base, trust.head) == ("abc", "def")
    assert not trust.line("app.py", 2) and trust.line("app.py", 1)
    assert not any(trust.file(p) for p in ("app.py", "old.py", "new.py", "gone.py"))
    assert trust.file("other.py")


def test_a_trusted_marker_vouches_only_for_trusted_code() -> None:
    trust = Trust(added={"app.py": frozenset({6, 9})}, touched=frozenset({"app.py"}))
    assert trust.vouches(5, "app.py", 5)  # a base marker on base code
    assert not trust.vouches(5, "app.py", 6)  # a base marker above code the change wrote
    assert not trust.vouches(9, "app.py", 9)  # a marker the change wrote
    assert Trust.everything().vouches(9, "app.py", 9)


def test_two_trusts_of_one_change_share_its_lines_and_keep_their_own_commits() -> None:
    changes, other = _changes(), parse_diff(
        "diff --git a/lib.py b/lib.py\n--- a/lib.py\n+++ b/lib.py\n@@ -1 +1,2 @@\n"
        " a = 1\n+b = 2\n")
    local = Trust.from_changes(changes)
    pull = Trust.from_changes(changes, base="abc", head="def")
    elsewhere = Trust.from_changes(other)
    again = Trust.from_changes(changes)

    assert (local.base, local.head, pull.base, pull.head) == (None, None, "abc", "def")
    assert (pull.added, pull.touched, pull.removals) == \
        (local.added, local.touched, local.removals)
    # another change between two asks of the first is read as itself, and the first again
    assert dict(elsewhere.added) == {"lib.py": frozenset({2})}
    assert elsewhere.touched == {"lib.py"}
    assert again.touched == {"app.py", "old.py", "new.py", "gone.py"}
