"""The test gate when no test command runs (none configured, none detected): skipped, or not
verified when the change adds or edits tests a runner would collect.

Only files a runner collects by its conventions count (`checks.paths.runner_collects`, the
project's pytest `python_files`, its package.json test script and jest configuration): never
data, fixtures, snapshots, READMEs, `conftest.py`, `__init__.py` or a helper under `tests/`.
Tests nothing runs are not a gate failure (a run that landed without them still lands): the
gate passes as "not verified", naming the files, why no command was found and the command
that fits their language (`fix_for`), and the run's verdict says its tests were not run
(`reports.report.verdict_reasons`). `gates.test = []` turns the tests off on purpose: skipped,
the tests not run named.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from reviewloop.checks.gates.base import NOT_RUN, GateContext, GateResult
from reviewloop.checks.gates.verified import tests_in
from reviewloop.checks.paths import runner_collects
from reviewloop.git.diff import FileStatus

_NAMED = 5  # test files named in a summary; the rest counted
_SET = 'set `[gates] test = ["{}"]` in .reviewloop.toml'


def not_run(ctx: GateContext, reason: str) -> GateResult:
    """The test gate with no command to run (`reason`: why there is none; module docstring)."""
    is_test = tests_in(ctx.root, ctx.changes, ctx.diff_text, ctx.trust, rule=runner_collects)
    files = [d.path for d in ctx.changes.files if d.status is not FileStatus.DELETED
             and d.added and is_test(d.path) and (ctx.root / d.path).is_file()]
    if not files:
        return GateResult.skip("test", f"no test command ({reason})")
    named = ", ".join(files[:_NAMED]) + (f" and {len(files) - _NAMED} more"
                                         if len(files) > _NAMED else "")
    if ctx.settings.gates.test is not None:  # `test = []`: off on purpose
        return GateResult.skip("test", f"no test command ({reason}); not run: {named}")
    # what was found, not which other gate is configured (`gates.build configured`)
    why = "; ".join(p for p in reason.split("; ") if not p.startswith("gates."))
    why = f"found {why.removeprefix('detected ')}, none runs tests" \
        if why.startswith("detected ") else why
    return GateResult(name="test", passed=True, skipped=True, summary=(
        f"{NOT_RUN} ({named}): no test command runs them ({why}); fix: "
        f"{fix_for(ctx.root, files)}"))


def fix_for(root: Path, files: list[str]) -> str:
    """What makes a command run `files`, by their language and the projects around them."""
    fixes = dict.fromkeys(_fix(root, PurePosixPath(f)) for f in files)
    return "; or ".join(fixes) + ", which reviewloop then runs"


def _fix(root: Path, path: PurePosixPath) -> str:
    if path.suffix == ".go":
        module = _nearest(root, path, "go.mod")
        return (_SET.format(f"cd {module} && go test ./...") if module not in (None, ".")
                else _SET.format("go test ./...") + (" after `go mod init`" if module is None
                                                     else ""))
    if path.suffix == ".rs":
        crate = _nearest(root, path, "Cargo.toml")
        return _SET.format(f"cargo test --manifest-path {crate}/Cargo.toml"
                           if crate not in (None, ".") else "cargo test")
    if path.suffix == ".rb":
        return _SET.format("bundle exec rspec")
    if path.suffix in (".java", ".kt"):
        return _SET.format("mvn -B test") + " (or `gradle test`)"
    if path.suffix == ".py":
        return _SET.format("python -m pytest")
    package = _nearest(root, path, "package.json")
    if package not in (None, "."):
        return (f"give {package}/package.json a `test` script and " + _SET.format(
            f"npm test --prefix {package}") + " (or list the package under the root "
            "package.json's `workspaces`)")
    return ("give package.json a `test` script (`node --test`, `jest`, `vitest run`), or "
            + _SET.format("npx jest"))


def _nearest(root: Path, path: PurePosixPath, marker: str) -> str | None:
    """The closest folder above `path` (up to the root, ".") that holds `marker`; None."""
    for folder in path.parents:
        if (root / folder / marker).is_file():
            return folder.as_posix()
    return None
