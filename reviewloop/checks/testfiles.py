"""Which paths are tests: the file names pytest, go, jest/vitest and mocha projects use.

The test gate, the test-changes and bandit analyzers and the coverage check all ask here.
"""

from __future__ import annotations

import re

_TEST_FILE = re.compile(
    r"(^|/)(tests?|__tests__|spec)/|(^|/)test_[^/]*\.py$|_test\.(py|go)$|"
    r"\.(test|spec)\.[cm]?[jt]sx?$")


def looks_like_test(path: str) -> bool:
    """True for the usual test file names of pytest, go, jest/vitest and mocha projects."""
    return bool(_TEST_FILE.search(path))
