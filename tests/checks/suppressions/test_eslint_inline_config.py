"""An `eslint-disable` comment waives nothing where the project's ESLint reads no inline
configuration: its lint command says `--no-inline-config` (however the script, its chain,
lint-staged, the Makefile or the pre-commit hook spells it), or its eslintrc says
`noInlineConfig: true` (JSON with comments, YAML, `.eslintrc`, `package.json`'s
`eslintConfig`, the cascade up to `root: true`, `overrides`, a config named with `-c`). The
flat config's `linterOptions.noInlineConfig` is held to plain ESLint in
test_eslint_inline_config_runs.py. Generated: the spellings and places, each against a model
of what ESLint does with them; a real git repository each."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.suppressions.eslint_inline_config import InlineConfig
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.checks.suppressions.suppressor import Suppressor
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust
from tests.support.suppression_trust import pr_repo

CODE = ("// eslint-disable-next-line no-eval -- reviewed\n"   # 1
        "eval(a);\n"                                           # 2
        "eval(b); // eslint-disable-line\n"                    # 3
        "/* eslint-disable */\n"                               # 4
        "eval(c);\n")                                          # 5
LINES = (2, 3, 5)
SPELLINGS = st.sampled_from(["-c {}", "--config {}", "--config={}", "-c '{}'"])
PREFIXES = st.sampled_from(["", "CI=1 ", "cross-env NODE_ENV=ci ", "npx "])
OFF = st.sampled_from(["--no-inline-config", "--no-inline-config --max-warnings 0",
                       "--fix --no-inline-config"])
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _finding(line: int, file: str) -> Finding:
    return Finding(severity=Severity.MUST_FIX, file=file, start_line=line, end_line=line,
                   title="eval", rationale="r", confidence=0.9, agent="review-security",
                   source="eslint-security", rule="no-eval")


def _waived(root: Path, files: dict[str, str], file: str) -> set[int]:
    """The lines of `file` (holding `CODE`) whose no-eval finding its comments waive, in a
    repository of `files` reviewed as a whole (everything trusted)."""
    pr_repo(root, {**files, file: CODE})
    repo = open_repository(root)
    trusted = TrustedFiles(repo, repo.root, Trust.everything())
    suppress = Suppressor(trusted, eslint_inline=InlineConfig(trusted))
    return {line for line in LINES if suppress(_finding(line, file)) is not None}


_root = iter(range(10**9))


def _fresh(tmp_path: Path) -> Path:
    return tmp_path / f"r{next(_root)}"


@SETTINGS
@given(PREFIXES, OFF, SPELLINGS, st.sampled_from(["script", "chain", "staged", "make", "hook"]),
       st.booleans(), st.booleans())
def test_a_lint_command_with_no_inline_config_leaves_the_findings(
        tmp_path: Path, prefix: str, off: str, spelling: str, where: str, on: bool,
        named: bool) -> None:
    flag = "" if on else off
    # with a config of its own, or the one ESLint finds (eslint.config.mjs)
    command = f"{prefix}eslint {flag} {spelling.format('ci.mjs') if named else ''} src"
    files = {"ci.mjs": "export default [];\n", "eslint.config.mjs": "export default [];\n"}
    if where == "script":
        files["package.json"] = json.dumps({"scripts": {"lint:ci": command}})
    elif where == "chain":  # npm puts the words after `yarn ci` after its script's text
        files["package.json"] = json.dumps({"scripts": {
            "lint": "npm run typecheck && run-s lint:all", "typecheck": "tsc",
            "lint:all": f"yarn ci {flag}".rstrip(),
            "ci": f"{prefix}eslint {'-c ci.mjs' if named else ''} src"}})
    elif where == "staged":  # lint-staged adds the staged files its glob takes
        files[".lintstagedrc.json"] = json.dumps({"src/**/*.js": command})
    elif where == "make":
        files["Makefile"] = "include mk/lint.mk\n"
        files["mk/lint.mk"] = f"lint:\n\t@{command}\n"
    else:  # pre-commit adds the files its `files` pattern takes
        words = shlex.split(command)
        files[".pre-commit-config.yaml"] = yaml.safe_dump({"repos": [{"repo": "local", "hooks": [
            {"id": "eslint", "name": "eslint", "entry": "eslint", "language": "system",
             "files": "^src/", "args": words[words.index("eslint") + 1:]}]}]})
    assert _waived(_fresh(tmp_path), files, "src/a.js") == (set(LINES) if on else set())
    # a file the command does not lint keeps its waivers
    assert _waived(_fresh(tmp_path), files, "lib/b.js") == set(LINES)


RC_FORMS = {
    ".eslintrc.json": lambda d: "// the project's\n" + json.dumps(d, indent=1) + "\n",
    ".eslintrc.yaml": yaml.safe_dump, ".eslintrc.yml": yaml.safe_dump,
    ".eslintrc": json.dumps, "package.json": lambda d: json.dumps({"eslintConfig": d}),
}


@SETTINGS
@given(st.sampled_from(sorted(RC_FORMS)), st.sampled_from(["src/a.js", "src/sub/a.js"]),
       st.sampled_from([None, True, False]), st.sampled_from([None, True, False]),
       st.booleans(), st.booleans())
def test_an_eslintrc_cascade_decides_as_eslint_8_merges_it(
        tmp_path: Path, form: str, file: str, top: bool | None, near: bool | None,
        root_near: bool, flat: bool) -> None:
    files: dict[str, str] = {}
    if top is not None:
        files[".eslintrc.yml"] = yaml.safe_dump({"root": True, "noInlineConfig": top})
    nearer: dict[str, object] = {"root": root_near}
    if near is not None:
        nearer["noInlineConfig"] = near
    files[f"src/{form}"] = RC_FORMS[form](nearer)
    if flat:  # a flat config: ESLint 9 reads no eslintrc (its own setting is asked of node)
        files["eslint.config.js"] = "export default [];\n"
    # the model: the nearest that sets it, up to a `root: true`; none sets it: on
    chain = [near] + ([] if root_near else [top])
    off = not flat and next((s for s in chain if s is not None), False)
    assert _waived(_fresh(tmp_path), files, file) == (set() if off else set(LINES))


@SETTINGS
@given(st.sampled_from(["*.js", "src/**", "**/*.js", "src/*.js", "a.js"]),
       st.sampled_from([[], ["**/a.js"], ["*.ts"]]), SPELLINGS,
       st.sampled_from([".eslintrc.ci.json", "config/ci.yaml"]))
def test_an_eslintrc_named_with_c_and_its_overrides(
        tmp_path: Path, pattern: str, excluded: list[str], spelling: str, named: str) -> None:
    config = {"root": True, "overrides": [{"files": [pattern], "excludedFiles": excluded,
                                           "noInlineConfig": True}]}
    text = json.dumps(config) if named.endswith(".json") else yaml.safe_dump(config)
    files = {named: text, ".eslintrc.json": json.dumps({"noInlineConfig": False}),
             "package.json": json.dumps({"scripts": {
                 "lint": f"eslint {spelling.format(named)} ."}})}
    off = excluded != ["**/a.js"]
    assert _waived(_fresh(tmp_path), files, "src/a.js") == (set() if off else set(LINES))
