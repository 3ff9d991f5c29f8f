"""What an analyzer's failed row says: the per-analyzer boundary's words.

Whatever an analyzer's code does wrong — raises anything but Ctrl-C (`sys.exit()`,
`GeneratorExit`, a `BaseException` of its own, an exception whose `__str__` raises or
exits), gives what its contract does not take, or outlasts its deadline — is that
analyzer's failed row, counted in the verdict (incomplete), never the review's crash. A
plugin's row says it as `plugins.Boundary` does: the analyzer, its package and the fix
(`pip uninstall PACKAGE`, or upgrade it); a built-in's is reviewloop's own. An
`AnalyzerError` an analyzer raised on purpose (its tool failed) is said as it is, with the
files it left unanalysed.
"""

from __future__ import annotations

from reviewloop import plugins
from reviewloop.checks.analyzers.base import AnalyzerError
from reviewloop.checks.analyzers.deadline import PastDeadline
from reviewloop.checks.analyzers.registry import package_of


def failed(name: str, exc: BaseException) -> tuple[str, tuple[str, ...]]:
    """(why the analyzer `name` failed, the changed files the failure names) for what one
    of its calls raised. Ctrl-C (SIGTERM, SIGHUP, unwound as it) is raised again."""
    if isinstance(exc, KeyboardInterrupt):
        raise exc
    if isinstance(exc, AnalyzerError) and not isinstance(exc, PastDeadline):
        text = plugins.said(exc)
        if text is not None:
            return text, _paths(getattr(exc, "files", ()))
    why = str(exc) if isinstance(exc, PastDeadline) else f"crashed: {plugins.raised(exc)}"
    package = package_of(name)
    if package is None:
        return why, ()
    error = plugins.blamed("analyzer", name, package, why.removeprefix(f"{name}: "))
    return f"{error.args[0]}; fix: {error.fix}", ()


def _paths(files: object) -> tuple[str, ...]:
    """The files an `AnalyzerError` names, when they are paths (a plugin's may be anything)."""
    if isinstance(files, tuple) and all(isinstance(f, str) for f in files):
        return tuple(str.__str__(f) for f in files)
    return ()


def skipped(exc: BaseException) -> str:
    """Why an analyzer was skipped by the user's choice (`AnalyzerSkipped`), read safely."""
    text = plugins.said(exc)
    return text if text is not None else plugins.raised(exc)

