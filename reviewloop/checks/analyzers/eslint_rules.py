"""reviewloop's ESLint rule set: which rule feeds which reviewer, at which severity.

One ESLint run serves three analyzers (`eslint.py`): `eslint-security`,
`eslint-maintainability` and `eslint-performance`. The rules named here run on every JS/TS
file; ESLint's own recommended rules (`@eslint/js`) and typescript-eslint's recommended ones
(on TypeScript files) run as well and go to maintainability, as a problem (`should_fix`) or
a suggestion (`nit`) by the rule's own `meta.type`.

Why these plugins (what the popular JS review tools run — GitHub's CodeQL default suites aside,
SonarJS, DeepSource's and Codacy's JS analyzers all ship an ESLint core with a security
plugin): `eslint-plugin-security` (Node injection sinks: child_process, eval, fs paths,
RegExp, timing attacks), `eslint-plugin-no-unsanitized` (Mozilla's DOM XSS sinks:
`innerHTML`, `insertAdjacentHTML`, `document.write`), `eslint-plugin-n` (deprecated and
unsafe Node APIs such as `new Buffer()`, and synchronous I/O that blocks the event loop),
`typescript-eslint` (parsing TS, and its correctness rules). Type-aware rules
(no-floating-promises) are left out: they need the project's tsconfig and installed types,
i.e. running the project's toolchain, which the build gate (`tsc`) does.

Severity:

* must_fix — code execution or markup injection from a string: `eval`, `new Function`,
  string `setTimeout` (security/detect-eval-with-expression, no-implied-eval,
  no-new-func), unsanitized DOM sinks (no-unsanitized/*), disabled template escaping,
  Trojan-source bidi and invisible characters;
* should_fix — a sink that is dangerous when its argument is attacker-controlled, which the
  rule cannot tell (child_process with a variable, non-literal require/RegExp, ReDoS-prone
  regex, timing-unsafe comparison, weak randomness, deprecated Buffer API); `await` in a
  loop and synchronous fs/child_process calls (serialised I/O, a blocked event loop);
  cyclomatic complexity over 10 (as ruff's C901);
* nit — the two rules with the most false positives in the field (detect-object-injection
  flags every `obj[key]`, detect-non-literal-fs-filename every path in a variable): shown to
  the reviewer as leads, never acted on alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from reviewloop.findings.schema import Severity

SECURITY, MAINTAINABILITY, PERFORMANCE = "security", "maintainability", "performance"
_MUST, _SHOULD, _NIT = Severity.MUST_FIX, Severity.SHOULD_FIX, Severity.NIT
COMPLEXITY = 10  # the same limit as ruff's C901 default


@dataclass(frozen=True)
class Rule:
    """Where one rule's findings go, and how heavy they are."""

    category: str
    severity: Severity
    options: tuple[object, ...] = ()


def _rules(category: str, severity: Severity, names: str) -> dict[str, Rule]:
    return {name: Rule(category, severity) for name in names.split()}


RULES: dict[str, Rule] = {
    # no-eval is left out: detect-eval-with-expression flags the same calls (but an
    # `eval("literal")`), and two rules on one call would be two findings
    **_rules(SECURITY, _MUST, "no-implied-eval no-new-func "
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
    **_rules(MAINTAINABILITY, _SHOULD, "n/handle-callback-err no-unreachable-loop "
             "no-promise-executor-return no-self-compare no-template-curly-in-string"),
    **_rules(MAINTAINABILITY, _NIT, "no-unused-vars @typescript-eslint/no-unused-vars "
             "@typescript-eslint/no-explicit-any @typescript-eslint/ban-ts-comment "
             "n/no-process-exit"),
}
# The recommended sets' rules not named above: maintainability, severity by their meta.type.
BY_TYPE = {"problem": _SHOULD, "suggestion": _NIT, "layout": _NIT}


def category(rule: str) -> str:
    return RULES[rule].category if rule in RULES else MAINTAINABILITY


def severity(rule: str, rule_type: str | None) -> Severity:
    if rule in RULES:
        return RULES[rule].severity
    return BY_TYPE.get(rule_type or "", _NIT)


def config_json() -> str:
    """The named rules as the flat config's `rules` (REVIEWLOOP_ESLINT_RULES): all "warn",
    since severity is decided here, not by ESLint."""
    return json.dumps({name: ["warn", *rule.options] for name, rule in RULES.items()})
