"""The levers a change touches: named for the approval, refused when they weaken the host's
protection, reported as 🟡 findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.suppressions.config_files import lever as config_lever
from reviewloop.checks.suppressions.config_files import tool_levers
from reviewloop.findings.schema import Severity
from reviewloop.git.changes import Version
from reviewloop.policy import globs
from reviewloop.policy.lever_files import LEVERS, Lever, LeverKind, first_lever, lever
from reviewloop.policy.levers import (
    ApprovalRefused,
    Contents,
    lever_report,
    refuse,
    repository_levers,
    run_findings,
)


def _read(texts: dict[str, tuple[str | None, str | None]]):
    """A reader of (before, after) texts of regular files, recording what it was asked."""
    asked: list[list[str]] = []

    def read(paths: list[str]) -> Contents:
        asked.append(paths)
        return {p: (Version(texts[p][0]), Version(texts[p][1])) for p in paths}

    return read, asked


TOOLS = tool_levers()  # the analyzers' tools' config files, as a run's summary passes them
PYPROJECT = '[project]\nname = "app"\ndependencies = []\n\n[tool.ruff]\nline-length = 100\n'


def test_each_lever_is_named_with_what_it_changes_and_only_levers_are_read():
    texts = {".reviewloop.toml": ("", "max_rounds = 2\n"), ".gitleaksignore": (None, "x:y:1\n"),
             ".githooks/pre-commit": (None, "#!/bin/sh\n"), "app.py": ("", "x = 1\n")}
    read, asked = _read(texts)
    report = lever_report(texts, read, tools=TOOLS)
    assert asked == [[".githooks/pre-commit", ".gitleaksignore", ".reviewloop.toml"]]
    assert report.approval_reasons() == [
        "needs approval: .githooks/pre-commit (hook): adds code that runs at commit",
        "needs approval: .gitleaksignore (suppression): suppresses findings",
        "needs approval: .reviewloop.toml (configuration): reconfigures the review"]
    assert report.refused == [] and report.refusal_reasons() == []


def test_pyproject_is_a_lever_when_a_tool_table_changes_not_for_a_dependency():
    deps = PYPROJECT.replace("dependencies = []", 'dependencies = ["requests"]')
    ruff = PYPROJECT.replace("line-length = 100", 'line-length = 100\nignore = ["S"]')
    poetry = PYPROJECT + '\n[tool.poetry.dependencies]\nrequests = "*"\n'
    assert lever_report(["pyproject.toml"], _read({"pyproject.toml": (PYPROJECT, deps)})[0],
                        tools=TOOLS).changes == ()
    assert lever_report(["pyproject.toml"], _read({"pyproject.toml": (PYPROJECT, poetry)})[0],
                        tools=TOOLS).changes == ()
    [change] = lever_report(["pyproject.toml"],
                            _read({"pyproject.toml": (PYPROJECT, ruff)})[0], tools=TOOLS).changes
    assert change.describe() == "pyproject.toml (configuration): reconfigures the review"


def test_a_lower_review_is_named_in_the_reason():
    read, _ = _read({".reviewloop.toml": ("", "[gates]\ntest = []\n")})
    assert lever_report([".reviewloop.toml"], read, tools=TOOLS).approval_reasons() == [
        "needs approval: .reviewloop.toml (configuration): reconfigures the review: "
        "gates.test set to [] (the gate is off)"]


def test_a_weaker_sandbox_is_refused_with_the_file_key_and_fix():
    after = '[tool.reviewloop]\nsandbox = "off"\n'
    read, _ = _read({"pyproject.toml": ("", after)})
    report = lever_report(["pyproject.toml"], read, tools=TOOLS)
    assert report.refusal_reasons() == [
        'refused: pyproject.toml: tool.reviewloop.sandbox set to "off" (commands would run '
        "unsandboxed); a run may not weaken the sandbox or the command policy: make that "
        "change yourself"]
    with pytest.raises(ApprovalRefused) as refused:
        refuse(report, "1-abc", "/repo/.reviewloop/worktrees/1-abc")
    text = str(refused.value)
    assert 'pyproject.toml: tool.reviewloop.sandbox set to "off"' in text
    assert "make the change yourself in your checkout" in text
    assert "reviewloop reject 1-abc" in text and "/repo/.reviewloop/worktrees/1-abc" in text
    assert refused.value.exit_code == 1


def test_every_lever_is_a_file_level_should_fix_finding_with_its_rule():
    read, _ = _read({".reviewloop.toml": ("", "max_rounds = 2\n"),
                     ".checkov.yaml": (None, "skip-check: [CKV_AWS_3]\n"),
                     ".gitattributes": ("", "*.py -diff\n"), ".pre-commit-config.yaml": (None, "")})
    found = run_findings(lever_report(
        [".reviewloop.toml", ".checkov.yaml", ".gitattributes", ".pre-commit-config.yaml"],
        read, tools=TOOLS))
    assert {(f.file, f.rule, f.title) for f in found} == {
        (".reviewloop.toml", "config-change", "changes review configuration"),
        (".checkov.yaml", "suppression-change", "changes what the review suppresses"),
        (".gitattributes", "classification-change", "changes which files the review sees"),
        (".pre-commit-config.yaml", "hook-change", "changes code that runs at commit")}
    assert all(f.severity is Severity.SHOULD_FIX and f.level == "file" for f in found)
    assert "--yes does not give it" in found[0].rationale


def test_the_repository_s_reviewer_folders_are_levers(tmp_path: Path):
    extra = repository_levers(tmp_path, [tmp_path / "reviewers", Path("/elsewhere")])
    read, _ = _read({"reviewers/security.json": (None, "{}")})
    [change] = lever_report(["reviewers/security.json", "app.py"], read, extra,
                            tools=TOOLS).changes
    assert change.path == "reviewers/security.json" and change.lever.kind == "configuration"


def test_a_settings_file_made_a_symlink_is_refused():
    # the loader would follow it to a file no check here reads (docs/x.toml: sandbox = "off")
    def read(paths: list[str]) -> Contents:
        return {p: (Version("max_rounds = 2\n"), Version(link=True)) for p in paths}

    report = lever_report([".reviewloop.toml", "pyproject.toml", ".gitleaksignore"], read,
                          tools=TOOLS)
    assert [(w.path, w.change) for w in report.refused] == [
        (".reviewloop.toml", "made a symlink"), ("pyproject.toml", "made a symlink")]


def test_a_lever_is_the_first_match_of_extra_then_the_list_whatever_holds_the_levers() -> None:
    """`lever_files.lever` remembers its answers by the levers' content (their hash taken
    once, `_Levers`): a list, an equal tuple and the same tuple answer alike, and levers of
    another content are not answered from them."""
    mine = (Lever("*.tool", LeverKind.SUPPRESSION, "tool"),
            Lever("/.vscode/tasks.json", LeverKind.HOOK, "mine"))
    for extra in (mine, tuple(mine), list(mine), mine):
        assert lever("a/b.tool", extra) == mine[0]
        assert lever(".vscode/tasks.json", extra) == mine[1]  # before the list's own
        assert lever("src/app.py", extra) is None
    assert lever(".vscode/tasks.json").owner == "editors"
    assert lever("a/b.tool") is None
    other = (Lever("*.tool", LeverKind.CONFIG, "other"),)
    assert lever("a/b.tool", other) == other[0]
    assert lever("x.code-workspace", other).owner == "editors"  # a wildcard of the list


_LEVER_NAMES = [".vscode", "tasks.json", ".kiro", "agents", "a.json", "pyproject.toml", "src",
                "ruff.toml", ".eslintrc.js", "x.code-workspace", ".envrc", "jest.config.ts",
                "app.py", ".github", "workflows", "ci.yml", ".husky", "pre-commit", "a.tool", ""]


@settings(max_examples=400, deadline=None)
@given(path=st.lists(st.sampled_from(_LEVER_NAMES), min_size=1, max_size=4).map("/".join),
       mine=st.booleans())
def test_a_lever_is_the_first_lever_whose_glob_matches_asked_or_remembered(path: str,
                                                                           mine: bool) -> None:
    """Whether asked anew (`first_lever`, for a caller keeping its own answers) or through
    the remembered answers (`lever`), a path's lever is the first of `extra` then the list
    whose glob matches it, as a scan of every glob finds it."""
    extra = (Lever("*.tool", LeverKind.SUPPRESSION, "tool"),
             Lever("/.vscode/tasks.json", LeverKind.HOOK, "mine")) if mine else ()
    expected = next((x for x in (*extra, *LEVERS) if globs.matches(x.glob, path)), None)
    assert first_lever(path, extra) == expected
    assert lever(path, extra) == expected
    assert config_lever(path) == next(
        (x for x in (*tool_levers(), *LEVERS) if globs.matches(x.glob, path)), None)


# the files ordinary tools load from a checkout and run code from, each at the places its
# tool reads it (the root, or anywhere for a tool run in a sub-project)
EXECUTED = {".gitea/workflows/{s}.yml": True, ".forgejo/workflows/{s}.yaml": True,
            ".gitlab/ci/{s}.yml": True, ".drone.yml": True, ".woodpecker.yml": True,
            ".woodpecker/{s}.yaml": True, "appveyor.yml": True, "cloudbuild.yaml": True,
            ".readthedocs.yaml": True, "netlify.toml": True, "vercel.json": True,
            ".cargo/config.toml": True, "flake.nix": True,
            ".pylintrc": False, "pylintrc": False, ".bazelrc": False, "bunfig.toml": False,
            ".mocharc.yml": False, ".mocharc.{s}": False, ".babelrc": False,
            ".babelrc.json": False, "babel.config.{s}": False, "mkdocs.yml": False,
            "devbox.json": False, "shell.nix": False}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(name=st.sampled_from(sorted(EXECUTED)), stem=st.sampled_from(("ci", "js", "build-1")),
       folder=st.sampled_from(("", "pkg/", "a/b/")))
def test_a_file_a_tool_runs_by_itself_is_an_executed_lever(name: str, stem: str,
                                                           folder: str) -> None:
    path = name.format(s=stem)
    found = lever(path)
    assert found is not None and found.kind is LeverKind.EXECUTED, path
    nested = lever(f"{folder}{path}")
    rooted = EXECUTED[name]  # read at the root only: a nested copy is no lever
    assert (nested is not None and nested.kind is LeverKind.EXECUTED) is (
        not rooted or folder == ""), (folder, path)


@given(glob=st.sampled_from(("tools/bootstrap.cfg", "/ops/*.run", "**/hooks.conf")),
       folder=st.sampled_from(("", "x/")))
def test_a_project_names_its_own_executed_files(glob: str, folder: str) -> None:
    extra = repository_levers(Path("/r"), [], [glob])
    path = glob.lstrip("/").replace("*", "deploy").replace("**/", folder)
    found = lever(path, extra)
    assert found is not None and found.kind is LeverKind.EXECUTED
    assert found.owner == "the project (review.executed_files)"
    assert lever(path) is None or lever(path) != found
