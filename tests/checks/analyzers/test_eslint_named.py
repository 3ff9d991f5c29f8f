"""The ESLint config a project names itself (`eslint -c <path>` in its `lint` scripts or its
pre-commit hook) lints the changed files, as the project's own command does; one that is no
file of the tree is named, with the fix."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers.eslint_named import named, script_config
from reviewloop.policy.trust import Trust
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

paths = st.from_regex(r"[a-z]{1,6}(/[a-z]{1,6}){0,2}/eslint\.[a-z]{1,6}\.m?js", fullmatch=True)
flags = st.lists(st.sampled_from(["--max-warnings", "0", "--cache", "--fix", "src", "."]),
                 max_size=3)
runners = st.sampled_from(["eslint", "npx eslint", "node_modules/.bin/eslint", "npx --yes eslint"])
others = st.sampled_from(["", "tsc -p . && ", "prettier -c . && ", "npm run build; "])
spellings = st.sampled_from(["-c {}", "--config {}", "--config={}"])


@given(paths, flags, flags, runners, others, spellings)
def test_a_scripts_eslint_command_names_its_config_however_it_is_spelled(
        path: str, before: list[str], after: list[str], runner: str, other: str,
        spelling: str) -> None:
    script = (f"{other}{runner} {shlex.join(before)} {spelling.format(shlex.quote(path))} "
              f"{shlex.join(after)} && tsc --config other.json")
    assert script_config(script) == path


@given(paths, st.sampled_from(["prettier -c {}", "tsc --config {}", "eslint . && stylelint -c {}"]))
def test_another_tools_config_is_not_eslints(path: str, command: str) -> None:
    assert script_config(command.format(path)) is None


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_lint_script_wins_then_lint_star_in_name_order_then_the_pre_commit_hook(
        tmp_path: Path) -> None:
    hook = ("repos:\n- repo: https://github.com/pre-commit/mirrors-eslint\n  hooks:\n"
            "  - id: eslint\n    files: ^(tools|web)/\n    args: [--config, ci/eslint.mjs]\n")
    tree = _tree(tmp_path, {
        "web/package.json": json.dumps({"scripts": {
            "lint:z": "eslint -c z.mjs .", "lint:ci": "eslint -c ../ci/strict.mjs .",
            "lint": "eslint ."}}),
        "app/package.json": json.dumps({"scripts": {"lint": "eslint --config=app.mjs src",
                                                    "lint:ci": "eslint -c other.mjs ."}}),
        "tools/package.json": json.dumps({"scripts": {"test": "node --test"}}),
        ".pre-commit-config.yaml": hook})

    web = named(tree, "web/src/a.js")
    assert web is not None and (web.config, web.cwd) == ("ci/strict.mjs", "web")
    assert web.source == "web/package.json script `lint:ci`"
    app = named(tree, "app/src/a.js")
    assert app is not None and (app.config, app.cwd) == ("app/app.mjs", "app")
    tools = named(tree, "tools/a.js")  # its package names none: the hook's, from the root
    assert tools is not None and (tools.config, tools.cwd) == ("ci/eslint.mjs", ".")
    assert named(tree, "lib/a.js") is None  # the hook's `files` do not take it


def test_a_named_config_that_is_no_file_of_the_tree_is_an_error_with_the_fix(
        tmp_path: Path) -> None:
    tree = _tree(tmp_path / "t", {"package.json": json.dumps({"scripts": {
        "lint": "eslint -c eslint.strict.config.js ."}}), "up/package.json": json.dumps(
        {"scripts": {"lint": "eslint -c ../../outside.mjs ."}}), "outside.mjs": ""})
    (tmp_path / "outside.mjs").write_text("", encoding="utf-8")

    missing = named(tree, "src/a.js")
    assert missing is not None
    assert missing.problem(tree) == (
        "package.json script `lint` runs ESLint with the config eslint.strict.config.js, "
        "which is not a file of the project's tree: the project's rules were not run; fix: "
        "commit eslint.strict.config.js, or correct the path in package.json script `lint`")
    outside = named(tree, "up/a.js")
    assert outside is not None and "not a file of the project's tree" in str(
        outside.problem(tree))
    _tree(tree, {"eslint.strict.config.js": ""})
    assert missing.problem(tree) is None


# a lenient default for editors, and the strict config the CI's `lint:ci` runs
LENIENT = 'export default [{ rules: { "no-console": "off" } }];\n'
STRICT = 'export default [{ rules: { "no-console": "error", "prefer-const": "error" } }];\n'
CODE = "let kept = 1;\nconsole.log(kept);\n"
MAINTAINABILITY = "eslint-maintainability"


@pytest.mark.npm
def test_the_config_the_lint_script_names_lints_the_changed_files(
        tmp_path: Path, eslint_tools: Path) -> None:
    repo = Repo(tmp_path / "repo", {
        "eslint.config.mjs": LENIENT, "config/strict.mjs": STRICT,
        "package.json": json.dumps({"type": "module", "scripts": {
            "lint": "eslint .", "lint:ci": "eslint -c config/strict.mjs --max-warnings 0 ."}})})
    diff = repo.change({"src/run.js": CODE})

    report = run_for_agent(agent(MAINTAINABILITY, (MAINTAINABILITY,)), repo.root, diff,
                           trust=Trust.everything())

    assert report.complete, report.errors
    said = {(f.rule, f.start_line): f.rationale for f in report.findings
            if f.rationale.startswith(f"ESLint {f.rule} (the project's own")}
    assert set(said) == {("prefer-const", 1), ("no-console", 2)}
    assert "config/strict.mjs, as package.json script `lint:ci` runs it" in said["no-console", 2]


@pytest.mark.npm
def test_a_named_config_that_does_not_exist_leaves_the_file_not_read(
        tmp_path: Path, eslint_tools: Path) -> None:
    repo = Repo(tmp_path / "repo", {"eslint.config.mjs": LENIENT, "package.json": json.dumps(
        {"type": "module", "scripts": {"lint": "eslint -c eslint.strict.config.js ."}})})
    diff = repo.change({"src/run.js": CODE})

    report = run_for_agent(agent(MAINTAINABILITY, (MAINTAINABILITY,)), repo.root, diff,
                           trust=Trust.everything())

    unread = {p: why for h in report.health for p, why in h.unread.items()}
    assert "eslint.strict.config.js, which is not a file" in unread["src/run.js"]
    assert not [f for f in report.findings if "(the project's own" in f.rationale]
