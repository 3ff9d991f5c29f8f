"""An offline `reviewloop review` loads only what it needs (issue #41, item 3): no model
client, no graph, no HTTP library, no GitPython (its git runs as plain subprocesses), and
detect-secrets (which imports requests) only when a line could hold one of its secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import ROOT
from tests.support.review_cli import repo

# The click command as `python -m reviewloop review` runs it, the panel drawn; then every
# module the process loaded, every pydantic model whose validator was built, and every
# suppression-marker syntax whose pattern was compiled, written to the file named by the
# first argument.
PROBE = """
import json, sys
out = sys.argv.pop(1)
from reviewloop.cli.app import main

def built():
    from pydantic import BaseModel
    seen, todo = set(), [BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__pydantic_complete__:
                seen.add(f"{sub.__module__}.{sub.__qualname__}")
            todo.append(sub)
    return sorted(seen)

def compiled():
    import gc
    from reviewloop.policy.markers import MarkerSyntax
    return sorted(s.pattern for s in gc.get_objects()
                  if isinstance(s, MarkerSyntax) and "compiled" in vars(s))

try:
    main()
finally:
    with open(out, "w") as fh:
        json.dump({"modules": sorted(sys.modules), "built": built(), "compiled": compiled()},
                  fh)
"""

# top-level packages an offline review must not import, and why each is not needed
NOT_NEEDED = {
    "langgraph": "the offline round runs without the graph",
    "langchain_core": "no chat model",
    "langchain_aws": "no chat model",
    "langsmith": "no chat model",
    "boto3": "no Bedrock client",
    "botocore": "no Bedrock client",
    "requests": "no HTTP (detect-secrets imports it: only when it has a line to look at)",
    "urllib3": "no HTTP",
    "git": "GitPython: the repository's git runs as plain subprocesses",
    "gitdb": "GitPython's object database",
    "detect_secrets": "no line of this change could hold one of its secrets",
    "tree_sitter": "no JavaScript or TypeScript file is parsed",
    "tree_sitter_typescript": "no JavaScript or TypeScript file is parsed",
    "sqlite3": "no run is registered: a review's record is its summary's JSON file",
    "packaging": "no pyproject.toml declares a `requires-python` for ruff's target version",
}

# reviewloop's own modules an offline review must not import, and why each is not needed
NOT_NEEDED_HERE = {
    "reviewloop.checks.gates.branch": "a review asks git for no branch",
    "reviewloop.checks.gates.build": "a review runs no build",
    "reviewloop.checks.gates.test": "a review runs the tests only with --tests",
    "reviewloop.checks.gates.failures": "no test gate ran, so there are no failures to read",
    "reviewloop.checks.gates.kiro_hooks": "a review runs no Kiro hook",
    "reviewloop.checks.gates.hook_files": "a review reads no Kiro hook file",
    "reviewloop.checks.gates.hooks": "a review runs no pre-commit hook",
    "reviewloop.git.hooks": "a review finds no hooks folder",
    "reviewloop.checks.cdk.gate": "a review synthesizes no CDK app",
    "reviewloop.checks.cdk.synth": "no CDK app is synthesized (the tests were not run)",
    "reviewloop.checks.coverage.check": "no coverage is measured: the tests were not run",
    "reviewloop.checks.coverage.collectors": "no test run is collected",
    "reviewloop.checks.coverage.measure": "no test runs under coverage",
    "reviewloop.checks.coverage.junit": "no test report is read",
    "reviewloop.checks.coverage.lines": "no changed line's coverage is counted",
    "reviewloop.checks.coverage.newcode": "no new function is looked for",
    "reviewloop.checks.gates.detect": "no test or build command is looked for",
    "reviewloop.checks.gates.counts": "no test runner's output is counted",
    "reviewloop.spec.model": "no spec is read and no steering front matter failed",
    "reviewloop.checks.notebooks": "no notebook is changed",
    "reviewloop.checks.cdk.assembly": "no CDK cloud assembly is read",
    "rich.prompt": "a review asks no question",
    "reviewloop.reports.timeline": "no trace is read back into steps (`report` of a review "
                                   "still running does)",
    "reviewloop.policy.weakening": "no lever file is changed: nothing to read for what it loosens",
    "reviewloop.policy.approval": "no governance file: no approval rule applies",
    "reviewloop.checks.complexity": "no governance file sets a complexity limit",
    "reviewloop.checks.analyzers.eslint_env": "ESLint does not run: no JavaScript or TypeScript",
    "reviewloop.checks.analyzers.eslint_project": "ESLint does not run, so neither do the "
                                                  "project's own rules",
    "reviewloop.checks.suppressions.js_lexer": "no JavaScript or TypeScript file's comments "
                                               "are read",
    # the other commands' modules: the CLI imports a command's module when it is named
    "reviewloop.cli.bench": "`bench` is not run",
    "reviewloop.cli.mcp_server": "`mcp` is not run",
    "reviewloop.cli.tools": "`tools` is not run",
    "reviewloop.cli.spec_commands": "`spec` is not run",
    "reviewloop.cli.session_commands": "`handoff`, `pickup` and `note` are not run",
    "reviewloop.cli.report_commands": "`report` and `stats` are not run",
}

# pydantic models an offline review imports but never validates: built at first use
# (`defer_build`), not at import
NOT_BUILT = {
    "reviewloop.git.carry.Packed": "no run's work is packed",
    "reviewloop.git.worktrees.RunTree": "no run worktree",
    "reviewloop.runs.registry.RunRecord": "no run record is read back",
    "reviewloop.findings.schema.FindingDraft": "no model replies",
    "reviewloop.findings.schema.ReviewReply": "no model replies",
    "reviewloop.agent.models.UsageRecord": "no model call is counted",
    "reviewloop.spec.steering_set.SavedSteering": "the review's steering is not saved",
    "reviewloop.findings.ledger.Suppression": "no finding is suppressed",
    "reviewloop.git.untracked.SkippedPath": "no untracked path is left out",
    "reviewloop.review.matrix.FileCoverage": "the panel lists no file's coverage row",
}


def test_an_offline_review_loads_no_module_it_does_not_need(tmp_path: Path) -> None:
    root = repo(tmp_path)
    # bandit's B307 (its message and link hold nothing detect-secrets' plugins look for)
    (root / "app.py").write_text("def run(expression):\n    return eval(expression)\n")
    loaded = tmp_path / "modules.json"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
           "FORCE_COLOR": "1", "COLUMNS": "120"}
    done = subprocess.run(
        [sys.executable, "-P", "-c", PROBE, str(loaded), "review", "--fail-on", "never"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "Use of possibly insecure function" in done.stdout  # bandit ran; the panel drawn
    probed = json.loads(loaded.read_text())
    modules = probed["modules"]
    assert "reviewloop.runs.offline" in modules
    found = {name.split(".")[0] for name in modules} & NOT_NEEDED.keys()
    assert not found, {name: NOT_NEEDED[name] for name in sorted(found)}
    # PyYAML is loaded (~13 ms) by bandit's config module, bandit run in this process
    # (`checks/analyzers/bandit_api.py`) as its own interpreter loaded it before; no YAML file
    # of the project is read here (steering front matter, Kiro hooks, checkov/hadolint settings)
    # and `xml` by its XML formatter, loaded with its other formatters (no JUnit report read)
    assert "bandit.core.config" in modules and "bandit.formatters.xml" in modules
    ours = NOT_NEEDED_HERE.keys() & set(modules)
    assert not ours, {name: NOT_NEEDED_HERE[name] for name in sorted(ours)}
    built = NOT_BUILT.keys() & set(probed["built"])
    assert not built, {name: NOT_BUILT[name] for name in sorted(built)}
    # no added line holds a marker's word: no syntax of the ~30 the analyzers and
    # `policy.markers` declare is compiled (each cost ~0.1-0.5 ms at import)
    assert probed["compiled"] == []


def test_the_models_a_review_imports_are_built_without_parsing_a_signature() -> None:
    """pydantic reads each field factory's signature while it builds a model, and a builtin's
    (`list`) it parses from text with `tokenize`: ~2 ms the first time, ~0.1 ms each after,
    at import. The models a review imports name `list[T]` instead, whose signature it does not
    parse. `Finding` is built once, at its own import: deferred, its schema was built again
    inside every model holding findings (a gate's result, a ledger entry, an outcome)."""
    from pydantic import BaseModel

    import reviewloop.app.review
    import reviewloop.cli.app  # noqa: F401  (with app.review: every model a review imports)
    from reviewloop.findings.schema import Finding

    builtin, todo = [], [BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("reviewloop."):
                builtin += [f"{sub.__module__}.{sub.__qualname__}.{name}"
                            for name, field in sub.model_fields.items()
                            if field.default_factory in (list, tuple, set, frozenset)]
    assert builtin == []
    assert Finding.__pydantic_complete__
