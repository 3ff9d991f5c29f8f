"""The ESLint analyzers: reviewloop's rule set, run once for three reviewers, on the changed
JS/TS files only, with nothing from the reviewed tree configuring it; and what a review says
when ESLint cannot run (no npm, no node, offline)."""

from __future__ import annotations

import os
import shutil
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reviewloop.agent.tools import Workspace
from reviewloop.checks.analyzers import eslint_rules
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.eslint import (
    ESLINT_MAINTAINABILITY,
    ESLINT_PERFORMANCE,
    ESLINT_SECURITY,
    to_findings,
)
from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.findings.schema import Severity
from reviewloop.git.diff import parse_diff
from reviewloop.review.definitions import load_agents
from reviewloop.review.evidence import run_for_agent
from reviewloop.review.model_review import run_reviewer
from reviewloop.review.reviewer import ReviewInput
from tests.support.analyzers import Repo, agent
from tests.support.chat import ScriptedChatModel, message_text, tool_call

VIEWS = (ESLINT_SECURITY, ESLINT_MAINTAINABILITY, ESLINT_PERFORMANCE)
SERVICE = """\
import { exec } from "child_process";
import * as fs from "fs";

export async function handle(cmd: string, ids: string[], el: HTMLElement, name: any) {
  exec("ls " + cmd);
  el.innerHTML = name;
  for (const id of ids) {
    await fetch("/items/" + id); // eslint-disable-line
  }
  return fs.readFileSync(cmd); /* eslint-disable-line n/no-sync */
}
"""
UNTOUCHED = 'export function old(code) {\n  return eval(code);\n}\n'
# a project config in the reviewed tree that would switch everything off and ignore it all
GAGS = {"eslint.config.js": "export default [{ ignores: ['**/*'] }, { rules: {} }];\n",
        ".eslintignore": "**/*\n",
        "package.json": '{"eslintConfig": {"ignorePatterns": ["**/*"]}}\n'}


def test_every_named_rule_has_a_reviewer_and_the_rest_go_to_maintainability() -> None:
    assert eslint_rules.category("no-unsanitized/property") == "security"
    assert eslint_rules.category("no-await-in-loop") == "performance"
    assert eslint_rules.category("no-dupe-keys") == "maintainability"  # recommended, unnamed
    assert eslint_rules.severity("no-new-func", "suggestion") is Severity.MUST_FIX
    assert eslint_rules.severity("security/detect-object-injection", "error") is Severity.NIT
    assert eslint_rules.severity("no-dupe-keys", "problem") is Severity.SHOULD_FIX
    assert eslint_rules.severity("prefer-const", "suggestion") is Severity.NIT
    assert '"complexity": ["warn", 10]' in eslint_rules.config_json()


def test_the_report_is_split_by_category_and_parse_errors_are_left_to_the_gates(
        tmp_path: Path) -> None:
    report = {"results": [{"filePath": str(tmp_path / "src/a.ts"), "messages": [
        {"ruleId": "no-new-func", "line": 3, "endLine": 3, "message": "The Function "
         "constructor is eval."},
        {"ruleId": "no-await-in-loop", "line": 5, "message": "Unexpected `await`."},
        {"ruleId": "no-dupe-keys", "line": 7, "message": "Duplicate key 'a'."},
        {"ruleId": None, "fatal": True, "line": 9, "message": "Parsing error"}]}],
        "metadata": {"rulesMeta": {"no-dupe-keys": {"type": "problem", "docs": {
            "description": "Disallow duplicate keys", "url": "https://eslint.org/r"}}}}}
    ctx = AnalyzerContext(root=tmp_path, changes=parse_diff(""), diff_text="", agent="a")

    by_view = {c: [(f.rule, f.severity, f.source) for f in to_findings(report, ctx, c)]
               for c in ("security", "maintainability", "performance")}

    assert by_view == {
        "security": [("no-new-func", Severity.MUST_FIX, "eslint-security")],
        "maintainability": [("no-dupe-keys", Severity.SHOULD_FIX, "eslint-maintainability")],
        "performance": [("no-await-in-loop", Severity.SHOULD_FIX, "eslint-performance")]}
    (dupe,) = to_findings(report, ctx, "maintainability")
    assert dupe.file == "src/a.ts" and dupe.rationale == (
        "ESLint no-dupe-keys: Duplicate key 'a'. (Disallow duplicate keys). See "
        "https://eslint.org/r")


def _counting_node(folder: Path, before: str = "") -> Path:
    """A `node` on PATH that notes each start in a file, then runs the real node (after the
    shell lines `before`)."""
    real = shutil.which("node")
    assert real is not None
    folder.mkdir()
    shim = folder / "node"
    shim.write_text(f'#!/bin/sh\necho started "$@" >> "{folder}/starts"\n{before}'
                    f'exec "{real}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.mark.npm
def test_one_isolated_run_serves_three_reviewers_on_the_changed_files_only(
        tmp_path: Path, eslint_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(tmp_path / "repo", {"src/old.js": UNTOUCHED, **GAGS})
    diff = repo.change({"src/service.ts": SERVICE})
    counted = _counting_node(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{counted}{os.pathsep}{os.environ['PATH']}")

    with ThreadPoolExecutor(max_workers=3) as pool:  # the reviewers run side by side
        reports = list(pool.map(
            lambda view: run_for_agent(agent(view.name, (view.name,)), repo.root, diff),
            VIEWS))

    assert len((counted / "starts").read_text().splitlines()) == 1
    assert all(r.complete and r.errors == [] for r in reports)
    rules = [sorted((f.rule, f.start_line, f.severity.value) for f in r.findings)
             for r in reports]
    assert rules == [
        [("no-unsanitized/property", 6, "must_fix"),
         ("security/detect-child-process", 5, "should_fix"),
         ("security/detect-non-literal-fs-filename", 10, "nit")],
        [("@typescript-eslint/no-explicit-any", 4, "nit")],
        [("n/no-sync", 10, "should_fix"), ("no-await-in-loop", 8, "should_fix")]]
    # the tree's own eslint.config.js, .eslintignore and eslintConfig gagged nothing, the
    # `eslint-disable-line` comments were not the tool's to honour, and src/old.js (eval,
    # unchanged) was never looked at
    assert all(f.file == "src/service.ts" for r in reports for f in [*r.findings, *r.outside])

    # a fix changes the file: the next round runs ESLint afresh instead of reusing the report
    diff = repo.change({"src/service.ts": "export const parse = (s: string) => JSON.parse(s);\n"})
    again = run_for_agent(agent("s", ("eslint-security",)), repo.root, diff)
    assert again.complete and again.findings == []
    assert len((counted / "starts").read_text().splitlines()) == 2


@pytest.mark.npm
def test_a_failing_eslint_fails_once_for_the_three_reviewers(
        tmp_path: Path, eslint_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(tmp_path / "repo")
    diff = repo.change({"src/service.ts": SERVICE})
    # the real ESLint, handed a rule table it cannot read: its config throws, it exits 2
    counted = _counting_node(tmp_path / "bin", "export REVIEWLOOP_ESLINT_RULES='{broken'\n")
    monkeypatch.setenv("PATH", f"{counted}{os.pathsep}{os.environ['PATH']}")

    with ThreadPoolExecutor(max_workers=3) as pool:
        reports = list(pool.map(
            lambda view: run_for_agent(agent(view.name, (view.name,)), repo.root, diff),
            VIEWS))
    later = run_for_agent(agent("s", ("eslint-security",)), repo.root, diff)  # same tree

    assert len((counted / "starts").read_text().splitlines()) == 1
    for view, report in zip((*VIEWS, ESLINT_SECURITY), (*reports, later), strict=True):
        (error,) = report.errors
        assert error.startswith(f"{view.name}: node exited with 2: "), error
        assert not report.complete and report.findings == []


@pytest.mark.npm
def test_the_security_reviewer_is_shown_eslint_s_finding_and_keeps_it(
        tmp_path: Path, eslint_tools: Path) -> None:
    """The built-in security reviewer lists eslint-security: its real finding reaches the
    model's prompt, and stays in the outcome when the model answers nothing."""
    repo = Repo(tmp_path / "repo")
    diff = repo.change({"web/view.js": "export const show = (el, html) => {\n"
                                       "  el.innerHTML = html;\n};\n"})
    security = next(a for a in load_agents(repo.root).agents if a.name == "review-security")
    evidence = run_for_agent(security, repo.root, diff)
    model = ScriptedChatModel().enqueue(tool_call("submit_findings", {"findings": []}))

    outcome = run_reviewer(model, security, ReviewInput(round=1, diff_text=diff,
                                                        evidence=evidence.findings),
                           Workspace(root=repo.root))

    (xss,) = evidence.findings
    assert (xss.rule, xss.start_line, xss.source) == ("no-unsanitized/property", 2,
                                                      "eslint-security")
    prompt = "".join(message_text(m) for m in model.history[0])
    assert "web/view.js:2" in prompt and "Unsafe assignment to innerHTML" in prompt
    assert xss in outcome.findings


def _bare_path(tmp_path: Path, keep: tuple[str, ...]) -> str:
    """A PATH with only the named commands (and the shell's basics)."""
    folder = tmp_path / "path"
    folder.mkdir()
    for name in keep:
        found = shutil.which(name)
        assert found is not None
        (folder / name).symlink_to(found)
    return str(folder)


def test_without_npm_the_analyzer_says_so_and_names_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEWLOOP_TOOLS_OFFLINE")  # it would install, if it could
    monkeypatch.setenv("PATH", _bare_path(tmp_path, ("node",)))
    assert ESLINT_SECURITY.available() == (
        "eslint needs npm, which is not on PATH; fix: install Node.js 20 or later (it "
        "brings npm) and make sure `npm` is on PATH")


def test_without_node_the_analyzer_says_so_and_names_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _bare_path(tmp_path, ("git",)))
    assert ESLINT_MAINTAINABILITY.available() == (
        "ESLint needs Node.js, which is not on PATH; fix: install Node.js 20 or later and "
        "make sure `node` is on PATH")


def test_offline_with_nothing_cached_a_review_with_js_says_eslint_is_missing(
        tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    diff = repo.change({"a.js": "export const f = (s) => eval(s);\n"})
    report = run_for_agent(agent("s", ("eslint-security",)), repo.root, diff)
    (missing,) = report.missing
    assert missing.startswith(f"eslint-security: eslint {TOOLS['eslint'].version} is not "
                              f"cached in ")
    assert missing.endswith("fix: run `reviewloop tools install eslint` where the npm "
                            "registry is reachable (or point REVIEWLOOP_TOOLS_DIR at a cache "
                            "that has it)")
    assert not report.complete


def test_a_change_without_js_does_not_ask_for_eslint(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    diff = repo.change({"app.py": "x = 1\n"})
    report = run_for_agent(agent("s", ("eslint-security",)), repo.root, diff)
    assert report.complete and report.missing == []
