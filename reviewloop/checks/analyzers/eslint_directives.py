"""The ESLint comments that declare instead of disabling, as suppression markers:
`/* global a, b:writable */` (or `globals`), `/* eslint-env node */` and `/* exported a */`.

A change that adds `/* global process */` silences ESLint's no-undef on `process` as surely
as an `// eslint-disable-line no-undef` would (`/* eslint-env */` switched the environment's
globals on under ESLint 8's eslintrc, `/* exported */` no-unused-vars in a script); the
review reported the `eslint-disable` and passed the `global` in silence. Each is now a marker
of ESLint's (`eslint.MARKERS`), so the change that adds one gets an `adds-suppression`
finding. It names no rule: a marker silences no finding here, since what a trusted comment
declares is honoured where the globals are read (`eslint_env.declared_globals`), and one on a
line the change wrote is not.

ESLint reads them in block comments only, the directive word first (`/*global a*/` too).
"""

from __future__ import annotations

import re

from reviewloop.git.languages import JAVASCRIPT, TYPESCRIPT
from reviewloop.policy.markers import MarkerSyntax, Reach


def _declares(match: re.Match[str]) -> frozenset[str] | None:
    """No rule: a declaration is honoured by the globals it adds, not by waiving findings."""
    return frozenset()


DECLARING = (MarkerSyntax(
    "eslint", r"/\*\s*(?:globals?|eslint-env|exported)(?=[\s*])(?:[^*]|\*(?!/))*(?:\*/|$)",
    Reach.FILE, _declares, r"/\*\s*(?:global|eslint-env|exported)",
    frozenset({JAVASCRIPT, TYPESCRIPT}), in_comments=True),)
