"""The analyzer evidence as every reviewer reads it: one line per finding, and how to read
the analyzers that reported.

It sits in the round's shared, cached prefix. What an analyzer's findings mean (which
rules fire, which are leads rather than verdicts) is said here, next to its findings and
only when it reported some, instead of in every persona, where each reviewer paid for it
in full on every call, whatever the change held.
"""

from __future__ import annotations

from collections.abc import Sequence

from reviewloop.findings.schema import Finding

HEADER = ("# Analyzer evidence\n\nFound by analyzers, per reviewer. Each stays open until its "
          "analyzer stops reporting it or a human suppresses it: leaving one out does not "
          "remove it, and a suppression the change adds is reported itself. Repeat one of "
          "yours only to add to it (a sharper rationale, a fix, a higher severity); report "
          "what they missed.\n")

# Keyed by `Finding.source`. Only analyzers whose findings need reading a certain way; a
# message that explains itself (bandit, ruff, checkov) needs no note.
NOTES: dict[str, str] = {
    "eslint-security": (
        "ESLint with eslint-plugin-security (Node sinks: `child_process` with a variable, "
        "`eval` with an expression, non-literal `require`, `RegExp` and fs paths, "
        "timing-unsafe comparisons, ReDoS-prone regexes), eslint-plugin-no-unsanitized (DOM "
        "XSS sinks: `innerHTML`, `insertAdjacentHTML`, `document.write`) and "
        "eslint-plugin-n's deprecated Node APIs. Leads, not verdicts: "
        "`security/detect-object-injection` and `detect-non-literal-fs-filename` flag every "
        "variable key or path; say whether the value can come from a user."),
    "shellcheck-security": "shellcheck's quoting and `rm -rf \"$var/\"` checks.",
    "eslint-maintainability": (
        "ESLint's recommended and typescript-eslint's recommended rules, plus `complexity` "
        "over 10."),
    "eslint-performance": (
        "`no-await-in-loop`: requests made one after another that could run together; "
        "`n/no-sync`: synchronous fs or child_process calls that block Node's event loop for "
        "every request."),
    "coverage": (
        "measured, not guessed: the project's own test run executed no line of that "
        "function's body (Python: coverage.py; JavaScript/TypeScript: V8 coverage of the "
        "package's test script, mapped through source maps, for exported functions, default "
        "exports and exported classes' public methods). Say which case the missing test "
        "should cover. The test gate's output names the failing tests of pytest, vitest, "
        "jest, mocha and node's runner."),
}


def evidence_section(findings: Sequence[Finding]) -> str:
    """The section, or "" without findings: per reviewer (in the order given) one short line
    per problem, its places joined when an analyzer reported the same thing in several
    (`a.py:3,9, b.py:4`: a path once per line), then a note for each of the reviewer's
    analyzers that has one."""
    if not findings:
        return ""
    groups: dict[str, dict[tuple[str, str], dict[str, list[str]]]] = {}
    for f in findings:
        lines = str(f.start_line) if f.end_line == f.start_line \
            else f"{f.start_line}-{f.end_line}"
        places = groups.setdefault(f.agent, {}).setdefault((f.severity.value, f.title), {})
        places.setdefault(f.file, []).append(lines)
    out = HEADER
    for agent, problems in groups.items():
        out += f"\n## {agent}\n" + "".join(
            f"- {severity} {_places(places)} {title}\n"
            for (severity, title), places in problems.items()) + _notes(agent, findings)
    return out


def _places(places: dict[str, list[str]]) -> str:
    return ", ".join(f"{path}:{','.join(lines)}" for path, lines in places.items())


def _notes(agent: str, findings: Sequence[Finding]) -> str:
    sources = dict.fromkeys(f.source for f in findings if f.agent == agent)
    return "".join(f"{source}: {NOTES[source]}\n" for source in sources if source in NOTES)
