"""The project's own ESLint rules reach the reviewers: its flat config, as the trusted side has
it, run by reviewloop's ESLint in the sandbox on the changed files — its security rules to the
security view, the rest to maintainability — and a change cannot weaken it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.eslint_project import category
from reviewloop.git.diff import parse_diff
from reviewloop.policy.trust import Trust
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.review_cli import review

# A project config with a rule of its own (an inline plugin: nothing to install), ESLint's
# no-eval (reviewloop's set runs it too: one finding, reviewloop's) and no-console as a
# warning; under legacy/ a nested config (the nearest config wins, as in the project's own
# `eslint`) has no-console off.
CONFIG = """\
const local = { rules: { "no-todo-names": {
  meta: { type: "suggestion" },
  create: (context) => ({ Identifier(node) {
    if (node.name.startsWith("todo")) context.report({ node, message: "a name left as todo" });
  } }),
} } };
export default [{ plugins: { local }, rules: {
  "local/no-todo-names": "error", "no-eval": "error", "no-console": "warn" } }];
"""
NESTED = CONFIG.replace('"no-console": "warn"', '"no-console": "off"')
GAGGED = "export default [];\n"  # what the change would like the config to say
OLD = "export const todoOld = 1;\n"  # unchanged: never looked at
CODE = """export function run(todoList) {
  console.log(todoList);
  return eval("1 + 1");
}
"""
SECURITY, MAINTAINABILITY = "eslint-security", "eslint-maintainability"


def _base(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo", {"eslint.config.mjs": CONFIG, "src/old.js": OLD,
                                    "legacy/eslint.config.mjs": NESTED,
                                    "package.json": '{"type": "module"}\n'})


def _found(repo: Repo, diff: str, trust: Trust | None, view: str) -> set[tuple[str, str, int, str]]:
    report = run_for_agent(agent(view, (view,)), repo.root, diff, trust=trust)
    assert report.complete, report.errors
    return {(f.rule or "", f.file, f.start_line, f.severity.value) for f in report.findings
            if f.rationale.startswith(f"ESLint {f.rule} (the project's own")}


def test_security_plugin_rules_go_to_security_and_the_rest_to_maintainability() -> None:
    assert category("no-eval") == "security"
    assert category("security-node/detect-crlf") == "security"
    assert category("no-unsanitized/method") == "security"  # reviewloop's own table decides
    assert category("no-await-in-loop") == "performance"
    assert category("local/no-todo-names") == "maintainability"
    assert category("import/no-cycle") == "maintainability"


@pytest.mark.npm
def test_a_pull_request_meets_the_bases_rules_whatever_it_does_to_the_config(
        tmp_path: Path, eslint_tools: Path) -> None:
    repo = _base(tmp_path)
    base = repo.git("rev-parse", "HEAD").strip()
    diff = repo.change({"src/run.js": CODE, "legacy/run.js": CODE,
                        "eslint.config.mjs": GAGGED})
    trust = Trust.from_changes(parse_diff(diff), base=base)

    security = _found(repo, diff, trust, SECURITY)
    maintainability = _found(repo, diff, trust, MAINTAINABILITY)

    # the base's config ran: the change's empty config switched nothing off; its no-eval is
    # left to reviewloop's own run, which reports the same line
    assert security == set()
    assert maintainability == {
        ("local/no-todo-names", "src/run.js", 1, "should_fix"),
        ("local/no-todo-names", "src/run.js", 2, "should_fix"),
        ("no-console", "src/run.js", 2, "nit"),  # a warning in the project's config
        ("local/no-todo-names", "legacy/run.js", 1, "should_fix"),
        ("local/no-todo-names", "legacy/run.js", 2, "should_fix")}  # nested: no-console off


@pytest.mark.npm
@pytest.mark.parametrize("imported", ["shared/rules.mjs", "src/rules.js"])
def test_a_file_the_bases_config_imports_is_the_bases_whatever_the_change_writes(
        tmp_path: Path, eslint_tools: Path, imported: str) -> None:
    """A config's import (`./shared/rules.mjs`, or a `.js` file the config itself lints) is
    read from the base: the change emptying it switches nothing off, though the changed file
    is itself linted with the change's text."""
    rules = ('export default { "local/no-todo-names": "error", "no-eval": "error", '
             '"no-console": "warn" };\n')
    split = CONFIG.replace('rules: {\n  "local/no-todo-names": "error", "no-eval": "error", '
                           '"no-console": "warn" } }];', 'rules }];')
    assert split != CONFIG
    config = f'import rules from "./{imported}";\n' + split
    repo = Repo(tmp_path / "repo", {"eslint.config.mjs": config, imported: rules,
                                    "package.json": '{"type": "module"}\n'})
    base = repo.git("rev-parse", "HEAD").strip()
    diff = repo.change({"src/run.js": CODE, imported: "export default {};\n"})
    trust = Trust.from_changes(parse_diff(diff), base=base)

    assert _found(repo, diff, trust, MAINTAINABILITY) == {
        ("local/no-todo-names", "src/run.js", 1, "should_fix"),
        ("local/no-todo-names", "src/run.js", 2, "should_fix"),
        ("no-console", "src/run.js", 2, "nit")}


@pytest.mark.npm
def test_a_local_review_runs_the_users_own_config(tmp_path: Path, eslint_tools: Path) -> None:
    repo = _base(tmp_path)
    diff = repo.change({"src/run.js": CODE})

    found = _found(repo, diff, Trust.everything(), MAINTAINABILITY)

    assert found == {("local/no-todo-names", "src/run.js", 1, "should_fix"),
                     ("local/no-todo-names", "src/run.js", 2, "should_fix"),
                     ("no-console", "src/run.js", 2, "nit")}


@pytest.mark.npm
def test_with_changed_manifests_the_bases_rules_run_without_the_changes_packages(
        tmp_path: Path, eslint_tools: Path) -> None:
    """The base's config imports nothing installed: it runs with no `node_modules` at all, so
    nothing the change's manifests installed is loaded (one that needs them: `tests/security/
    test_project_eslint_absence.py`). Without a trust the project's rules never run."""
    repo = _base(tmp_path)
    base = repo.git("rev-parse", "HEAD").strip()
    diff = repo.change({"src/run.js": CODE, "package.json": '{"type": "module", "x": 1}\n'})
    trust = Trust.from_changes(parse_diff(diff), base=base)

    assert _found(repo, diff, trust, MAINTAINABILITY) == {
        ("local/no-todo-names", "src/run.js", 1, "should_fix"),
        ("local/no-todo-names", "src/run.js", 2, "should_fix"),
        ("no-console", "src/run.js", 2, "nit")}
    assert _found(repo, diff, None, MAINTAINABILITY) == set()


@pytest.mark.npm
def test_a_review_of_a_head_commit_runs_the_bases_rules_through_the_round(
        tmp_path: Path, eslint_tools: Path) -> None:
    """The whole path, as `reviewloop review --base main --head work` takes it (offline):
    the round gives the analyzers the base as the trusted side, so the project's rules run
    and the change's emptied config counts for nothing."""
    repo = _base(tmp_path)
    repo.git("switch", "-qc", "work")
    repo.change({"src/run.js": CODE, "eslint.config.mjs": GAGGED})
    repo.git("commit", "-qm", "the change")

    done = review(repo.root, "--base", "main", "--head", "work", "--format", "json")

    assert done.returncode in (0, 1), done.stdout + done.stderr
    findings = [e["finding"] for e in json.loads(done.stdout)["ledger"]["entries"]]
    found = {(f["rule"], f["file"], f["start_line"]) for f in findings
             if f["rationale"].startswith(f"ESLint {f['rule']} (the project's own")}
    assert found == {("local/no-todo-names", "src/run.js", 1),
                     ("local/no-todo-names", "src/run.js", 2), ("no-console", "src/run.js", 2)}
    assert "crashed" not in done.stderr  # reviewloop's own ESLint views ran as well
