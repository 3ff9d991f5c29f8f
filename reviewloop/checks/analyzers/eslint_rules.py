"""reviewloop's ESLint rule set: which rule feeds which reviewer, at which severity.

One ESLint run serves three analyzers (`eslint.py`): `eslint-security`,
`eslint-maintainability` and `eslint-performance`. The rules named here run on every JS/TS
file; ESLint's own recommended rules (`@eslint/js`), typescript-eslint's recommended ones
(on TypeScript files) and its type-aware recommended ones (`recommended-type-checked`, on
TypeScript files under a `tsconfig.json`: `eslint_env.py`) run as well and go to
maintainability, as a problem (`should_fix`) or a suggestion (`nit`) by the rule's own
`meta.type`.

Why these plugins (what the popular JS review tools run — GitHub's CodeQL default suites aside,
SonarJS, DeepSource's and Codacy's JS analyzers all ship an ESLint core with a security
plugin): `eslint-plugin-security` (Node injection sinks: child_process, eval, fs paths,
RegExp, timing attacks), `eslint-plugin-no-unsanitized` (Mozilla's DOM XSS sinks:
`innerHTML`, `insertAdjacentHTML`, `document.write`), `eslint-plugin-n` (deprecated and
unsafe Node APIs such as `new Buffer()`, and synchronous I/O that blocks the event loop),
`typescript-eslint` (parsing TS, its correctness rules, and with types: `any` leaking into
typed code — no-unsafe-* —, promises nobody awaits, and strings run as code).

Severity:

* must_fix — code execution or markup injection from a string: `eval` in any spelling
  (no-eval: `window.eval(x)`, `(0, eval)(x)`, `globalThis.eval`;
  security/detect-eval-with-expression), `new Function` (no-new-func), a string given to
  `setTimeout`/`setInterval` (no-implied-eval, and typescript-eslint's typed one, which also
  sees `setTimeout(makeCode())`), unsanitized DOM sinks (no-unsanitized/*), disabled template
  escaping, Trojan-source bidi and invisible characters. Running a string as code is CWE-95
  whenever any part of the string can come from outside, the rule fires only where that
  construct is (never on a function passed instead), a Content-Security-Policy without
  `unsafe-eval` breaks it, and there is always a form without it; an `eval` of a literal is
  the rare exception a reviewer dismisses;
* should_fix — a sink that is dangerous when its argument is attacker-controlled, which the
  rule cannot tell (child_process with a variable, non-literal require/RegExp, ReDoS-prone
  regex, timing-unsafe comparison, weak randomness, deprecated Buffer API, a `javascript:`
  URL); `await` in a loop and synchronous fs/child_process calls (serialised I/O, a blocked
  event loop); cyclomatic complexity over 10 (as ruff's C901); and by `meta.type` the
  recommended problems, typed ones included (no-unsafe-*, no-floating-promises);
* nit — the two rules with the most false positives in the field (detect-object-injection
  flags every `obj[key]`, detect-non-literal-fs-filename every path in a variable): shown to
  the reviewer as leads, never acted on alone; no-undef (a name the project may define
  where ESLint cannot see it); and a no-unsafe-* finding on a value whose type
  TypeScript could not resolve (an import whose package is not installed): the build gate's
  `tsc` names the cause, the lint finding only repeats it on every use.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from reviewloop.findings.schema import Severity
from reviewloop.memo import compiled_on_first_use

SECURITY, MAINTAINABILITY, PERFORMANCE = "security", "maintainability", "performance"
_MUST, _SHOULD, _NIT = Severity.MUST_FIX, Severity.SHOULD_FIX, Severity.NIT
COMPLEXITY = 10  # the same limit as ruff's C901 default


@dataclass(frozen=True)
class Rule:
    """Where one rule's findings go, and how heavy they are."""

    category: str
    severity: Severity
    options: tuple[object, ...] = ()
    typed: bool = False  # enabled by the type-aware set, on typed files only (not named)


def _rules(category: str, severity: Severity, names: str) -> dict[str, Rule]:
    return {name: Rule(category, severity) for name in names.split()}


RULES: dict[str, Rule] = {
    # no-eval and detect-eval-with-expression both flag `eval(x)` (two findings, as plain
    # ESLint with the security plugin shows them); no-eval alone sees the other spellings
    **_rules(SECURITY, _MUST, "no-eval no-implied-eval no-new-func "
             "security/detect-eval-with-expression no-unsanitized/method "
             "no-unsanitized/property security/detect-disable-mustache-escape "
             "security/detect-bidi-characters security/detect-invisible-characters"),
    **_rules(SECURITY, _SHOULD, "security/detect-child-process "
             "security/detect-non-literal-require security/detect-unsafe-regex "
             "security/detect-non-literal-regexp security/detect-buffer-noassert "
             "security/detect-new-buffer security/detect-no-csrf-before-method-override "
             "security/detect-pseudoRandomBytes security/detect-possible-timing-attacks "
             "n/no-deprecated-api no-script-url"),
    **_rules(SECURITY, _NIT, "security/detect-object-injection "
             "security/detect-non-literal-fs-filename"),
    **_rules(PERFORMANCE, _SHOULD, "no-await-in-loop n/no-sync"),
    "complexity": Rule(MAINTAINABILITY, _SHOULD, (COMPLEXITY,)),
    "@typescript-eslint/no-implied-eval": Rule(SECURITY, _MUST, typed=True),
    # node:test's `test()`/`describe()` return promises the runner awaits itself:
    # typescript-eslint's documented example of `allowForKnownSafeCalls`
    "@typescript-eslint/no-floating-promises": Rule(MAINTAINABILITY, _SHOULD, (
        {"allowForKnownSafeCalls": [{"from": "package", "package": "node:test",
                                     "name": ["test", "it", "describe", "suite"]}]},),
        typed=True),
    **_rules(MAINTAINABILITY, _SHOULD, "n/handle-callback-err no-unreachable-loop "
             "no-promise-executor-return no-self-compare no-template-curly-in-string"),
    # no-undef with the globals of each file's environment (`eslint_env.py`); a nit: a
    # project may define more (build-time constants, a framework's), which tsc and the tests
    # know; typescript-eslint turns it off on TypeScript, where tsc checks every name
    **_rules(MAINTAINABILITY, _NIT, "no-undef no-unused-vars @typescript-eslint/no-unused-vars "
             "@typescript-eslint/no-explicit-any @typescript-eslint/ban-ts-comment "
             "n/no-process-exit"),
}
# The recommended sets' rules not named above: maintainability, severity by their meta.type.
BY_TYPE = {"problem": _SHOULD, "suggestion": _NIT, "layout": _NIT}


def category(rule: str) -> str:
    return RULES[rule].category if rule in RULES else MAINTAINABILITY


def severity(rule: str, rule_type: str | None, message: Mapping[str, object] | None = None,
             ) -> Severity:
    """A finding's severity: the rule's own here, else by its `meta.type`; a nit when the
    `message` (ESLint's) is about a type TypeScript could not resolve."""
    if message is not None and unresolved(rule, message):
        return _NIT
    if rule in RULES:
        return RULES[rule].severity
    return BY_TYPE.get(rule_type or "", _NIT)


# how typescript-eslint's no-unsafe-* rules name a type that could not be resolved: message
# ids `error*` (no-unsafe-call, -member-access), "an error typed value" (-assignment,
# -argument), "of type error." (-return)
_unresolved = compiled_on_first_use(r"\berror typed\b|\btype `?error`?(?:[.\s]|$)")


def unresolved(rule: str, message: Mapping[str, object]) -> bool:
    if not rule.startswith("@typescript-eslint/no-unsafe-"):
        return False
    return (str(message.get("messageId") or "").startswith("error")
            or _unresolved().search(str(message.get("message") or "")) is not None)


def config_json() -> str:
    """The named rules as the flat config's `rules` (REVIEWLOOP_ESLINT_RULES): those for
    every file (`all`) and those for typed files only (`typed`); all "warn", since severity
    is decided here, not by ESLint."""
    def rules(typed: bool) -> dict[str, list[object]]:
        return {name: ["warn", *rule.options] for name, rule in RULES.items()
                if rule.typed == typed}
    return json.dumps({"all": rules(False), "typed": rules(True)})
