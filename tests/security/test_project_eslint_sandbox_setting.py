"""The project's own ESLint config runs as the `sandbox` setting says, where bubblewrap runs
or not: its rules (`eslint_project`), the files it lints (`eslint_files`) and what it ignores
(`suppressions/eslint_project`) alike.

The config is code. With `sandbox = "auto"` or `"bwrap"` it runs in the sandbox (a canary
beside the tree is hidden from it); where no bwrap works (macOS, a locked-down container) each
file it would lint is named with the user's own setting and the fix (`sandbox = "off"`), so
that fix helps. With `sandbox = "off"` it runs unsandboxed, as the project's other commands
then do, and finds: the canary is seen.

Generated over the three settings × a working bwrap, none installed (a REVIEWLOOP_BWRAP that
names no file: the only bwrap tried, whatever the machine has), one that cannot make its
namespaces. ESLint for real (`eslint_tools`)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.eslint_files import declared
from reviewloop.checks.analyzers.eslint_project import project_lint
from reviewloop.checks.suppressions.eslint_project import ProjectEslint
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust
from reviewloop.sandbox.bubblewrap import MODES
from tests.support.gitutil import git
from tests.support.project_eslint import no_sandbox
from tests.support.repos import init_repo
from tests.support.review_cli import review

BWRAPS = ("working", "missing", "no-namespaces")
ASKED = {"auto": 'setting sandbox = "auto" (the default)', "bwrap": 'setting sandbox = "bwrap"'}
# what the config's rule says: whether it saw the canary outside the tree
SEEN, HIDDEN = "outside seen", "outside hidden"
CONFIG = """import { existsSync } from "node:fs";
const seen = existsSync(%s) ? "%s" : "%s";
const local = { rules: { "no-todo-names": { meta: { type: "problem" }, create: (context) => ({
  Identifier(node) {
    if (node.name.startsWith("todo")) context.report({ node, message: `todo (${seen})` });
  } }) } } };
export default [{ files: ["**/*.js", "**/*.es6"], plugins: { local },
                  rules: { "local/no-todo-names": "error" } }, { ignores: ["legacy/**"] }];
"""
CODE = "export const todoA = 1;\n"


def _bwrap(kind: str, folder: Path) -> str | None:
    """The REVIEWLOOP_BWRAP for `kind` (None: the one found as usual, which works here)."""
    if kind == "missing":
        return str(folder / "no-bwrap")
    if kind == "no-namespaces":
        return str(no_sandbox(folder))
    return None


def _project(top: Path) -> Path:
    """A repository whose config reports `todo…` names, saying whether it sees the canary (a
    file beside the tree, which the sandbox hides), and ignores `legacy/`; a change adding
    `src/a.js` and `src/b.es6` (a suffix only the config makes ESLint's)."""
    canary = top / "outside" / "canary"
    canary.parent.mkdir(parents=True)
    canary.write_text("x\n")
    root = init_repo(top / "r", {"eslint.config.mjs": CONFIG % (f'"{canary}"', SEEN, HIDDEN),
                                 "package.json": '{"type": "module"}\n',
                                 "legacy/old.js": CODE})
    (root / "src").mkdir()
    for name in ("src/a.js", "src/b.es6"):
        (root / name).write_text(CODE)
    git(root, "add", "-N", "src")
    return root


def _eslint(file: str) -> Finding:
    return Finding(severity=Severity.MUST_FIX, file=file, start_line=1, end_line=1, title="x",
                   rationale="r", confidence=0.9, agent="review-security",
                   source="eslint-security", rule="no-eval")


@pytest.mark.npm
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MODES), st.sampled_from(BWRAPS))
def test_the_project_config_runs_as_the_setting_says_with_or_without_bwrap(
        eslint_tools: Path, mode: str, bwrap: str) -> None:
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        root = _project(Path(scratch))
        if (chosen := _bwrap(bwrap, Path(scratch))) is not None:
            patch.setenv("REVIEWLOOP_BWRAP", chosen)
        else:
            patch.delenv("REVIEWLOOP_BWRAP", raising=False)
        diff = git(root, "diff", "HEAD")
        ctx = AnalyzerContext(root, parse_diff(diff), diff, "review-security",
                              files=("src/a.js", "src/b.es6"), trust=Trust.everything(),
                              sandbox=mode)  # type: ignore[arg-type]
        rules = project_lint(ctx, ["src/a.js"])
        files = declared(ctx, ["src/a.js"])
        repo = open_repository(root)
        ignores = ProjectEslint(TrustedFiles(repo, root, Trust.everything()), repo,
                                mode)(_eslint("legacy/old.js"))  # type: ignore[arg-type]
    said = {(path, m["ruleId"], m["message"]) for path, m in rules.messages}
    if mode == "off" or bwrap == "working":
        seen = SEEN if mode == "off" else HIDDEN  # sandboxed: the canary is hidden
        assert said == {("src/a.js", "local/no-todo-names", f"todo ({seen})")}, said
        assert not rules.unread and not files.unread, (rules.unread, files.unread)
        assert files.js == ("src/b.es6",), files
        assert ignores is not None and "ignores legacy/old.js" in (ignores.reason or ""), ignores
        return
    # no working sandbox under "auto" or "bwrap": each file named, with the user's setting
    # and a fix that applies here; nothing the config decides is taken
    assert said == set() and files.js == () and ignores is None, (said, files, ignores)
    for why in (rules.unread.get("src/a.js"), files.unread.get("src/b.es6")):
        assert why is not None and ASKED[mode] in why and "no working sandbox" in why, why
        assert 'set sandbox = "off"' in why, why


@pytest.mark.npm
def test_sandbox_off_without_bwrap_runs_the_project_config_in_a_review(
        eslint_tools: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review with `sandbox = "off"` where no bwrap exists (macOS): the project's rules
    report, the file only its config lints is linted, what it ignores is suppressed (listed),
    and the review is complete — the setting reaches all three runs."""
    root = _project(tmp_path)
    (root / ".reviewloop.toml").write_text('sandbox = "off"\n')
    git(root, "add", ".reviewloop.toml")
    git(root, "commit", "-qm", "off")
    (root / "legacy/old.js").write_text('export const run = (x) => eval(x);\n')
    (root / "src/b.es6").write_text('export const run = (x) => eval(x);\n')
    monkeypatch.setenv("REVIEWLOOP_BWRAP", str(tmp_path / "no-bwrap"))
    done = review(root, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    found = report["findings"]["remaining"] + report["findings"]["nits"]
    assert {(f["file"], f["rule"]) for f in found if "(the project's own" in f["rationale"]} \
        == {("src/a.js", "local/no-todo-names")}, found
    assert ("src/b.es6", "no-eval") in {(f["file"], f["rule"]) for f in found}, found
    suppressed = report["findings"]["suppressed"]
    assert {f["file"] for f in suppressed} == {"legacy/old.js"} and "no-eval" in {
        f["rule"] for f in suppressed}, suppressed
    assert report["health"]["complete"] is True, report["health"]
