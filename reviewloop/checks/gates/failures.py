"""The failing tests in what a JavaScript test runner printed: each one's name and its output.

pytest prints its failures together, right above its summary, so the tail of its output that
goes back to the implementer holds them. vitest does the same; jest, mocha and node's own
runner (TAP) print them among the passing tests or before a long tail, where a cut tail loses
them. The test gate puts these blocks first in what it sends back (`failure_report`).
Supported: vitest, jest, mocha, node's runner (TAP and spec reporters). None: no runner's
failures recognised (the plain tail is used, as for pytest).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BLOCK_CHARS = 1200  # one failure's share of the output sent back
MAX_BLOCKS = 8


@dataclass(frozen=True)
class FailedTest:
    """One failing test: its name as the runner prints it and its failure output."""

    name: str
    output: str


def failed_tests(output: str) -> list[FailedTest] | None:
    """The failing tests of the first runner whose failure format is in `output`."""
    text = _ANSI.sub("", output).replace("\r\n", "\n")
    for parser in _PARSERS:
        found = parser(text)
        if found:
            return found
    return None


def failure_report(output: str) -> str | None:
    """The failing tests' blocks, each bounded, for the gate's feedback; None when unknown."""
    found = failed_tests(output)
    if not found:
        return None
    blocks = [_bounded(f.output.rstrip()) for f in found[:MAX_BLOCKS]]
    more = len(found) - MAX_BLOCKS
    tail = [f"[… {more} more failing test(s) …]"] if more > 0 else []
    return f"{len(found)} failing test(s):\n\n" + "\n\n".join([*blocks, *tail]) + "\n"


def _bounded(block: str) -> str:
    if len(block) <= BLOCK_CHARS:
        return block
    return block[:BLOCK_CHARS].rsplit("\n", 1)[0] + "\n[… cut …]"


# -- vitest: `⎯⎯ Failed Tests 2 ⎯⎯`, then ` FAIL  file > suite > name` blocks split by `[1/2]`

_VITEST_START = re.compile(r"^⎯+ Failed Tests \d+ ⎯+\s*$", re.M)
_VITEST_FAIL = re.compile(r"^ ?FAIL +(.+)$", re.M)
_VITEST_RULE = re.compile(r"^⎯+(?:\[\d+/\d+\]⎯)?\s*$", re.M)
_VITEST_END = re.compile(r"^\s*Test Files\s", re.M)


def _vitest(text: str) -> list[FailedTest]:
    start = _VITEST_START.search(text)
    if start is None:
        return []
    end = _VITEST_END.search(text, start.end())
    section = text[start.end():end.start() if end else len(text)]
    return _split(section, _VITEST_FAIL, _VITEST_RULE)


# -- jest: `  ● suite › name` blocks, until the next one or an unindented line --------------

_JEST_FAIL = re.compile(r"^  ● (.+)$", re.M)
_JEST_STOP = re.compile(r"^(?=\S)", re.M)


def _jest(text: str) -> list[FailedTest]:
    if not re.search(r"^Tests:\s", text, re.M):
        return []
    return _split(text, _JEST_FAIL, _JEST_STOP)


# -- mocha: after `  2 failing`, `  1) suite` blocks ------------------------------------------

_MOCHA_START = re.compile(r"^\s*\d+ failing\s*$", re.M)
_MOCHA_FAIL = re.compile(r"^  \d+\) (.+)$", re.M)


def _mocha(text: str) -> list[FailedTest]:
    start = _MOCHA_START.search(text)
    if start is None:
        return []
    return [FailedTest(_second_line_named(f, r"^\s*(.+?):\s*$", "{head} {line}"), f.output)
            for f in _split(text[start.end():], _MOCHA_FAIL, None)]


def _second_line_named(failed: FailedTest, pattern: str, shape: str) -> str:
    """A name the runner splits over two lines: `1) suite` + `test:`, `test at f:1` + `✖ t`."""
    lines = failed.output.split("\n")
    match = re.match(pattern, lines[1]) if len(lines) > 1 else None
    return shape.format(head=failed.name, line=match.group(1)) if match else failed.name


# -- node --test, spec reporter: after `✖ failing tests:`, `test at file:line` blocks --------

_SPEC_START = re.compile(r"^✖ failing tests:\s*$", re.M)
_SPEC_FAIL = re.compile(r"^test at (.+)$", re.M)


def _node_spec(text: str) -> list[FailedTest]:
    start = _SPEC_START.search(text)
    if start is None:
        return []
    return [FailedTest(_second_line_named(f, r"^✖ (.+?)(?: \([\d.]+m?s\))?\s*$",
                                          "{line} ({head})"), f.output)
            for f in _split(text[start.end():], _SPEC_FAIL, None)]


# -- node --test, TAP: `not ok N - name` and its YAML block up to `...` (suites left out) ----

_TAP_FAIL = re.compile(r"^(?P<indent> *)not ok \d+ - (?P<name>.*)$", re.M)


def _node_tap(text: str) -> list[FailedTest]:
    if not text.lstrip().startswith("TAP version") and "\n# Subtest: " not in text:
        return []
    found = []
    for match in _TAP_FAIL.finditer(text):
        close = re.compile(rf"^{match.group('indent')}  \.\.\.\s*$", re.M).search(
            text, match.end())
        block = text[match.start():close.end() if close else len(text)]
        if "failureType: 'subtestsFailed'" not in block:  # a suite: its tests are listed
            said = _tap_diagnostics(text[:match.start()], match.group("indent"))
            found.append(FailedTest(match.group("name").strip(), _dedent(said + block)))
    return found


def _tap_diagnostics(before: str, indent: str) -> str:
    """The `# …` lines right above a failure's `# Subtest:` line: what a test file that
    could not even load printed (the import error), which its YAML block leaves out."""
    lines = before.rstrip("\n").split("\n")
    if lines and lines[-1].startswith(f"{indent}# Subtest: "):
        lines.pop()
    said: list[str] = []
    while lines and lines[-1].startswith(f"{indent}# ") and \
            not lines[-1].startswith(f"{indent}# Subtest: "):
        said.insert(0, lines.pop())
    return "\n".join(said) + "\n" if said else ""


def _split(section: str, head: re.Pattern[str], stop: re.Pattern[str] | None) -> list[FailedTest]:
    """Blocks that start at each `head` match and end at the next one (or `stop`)."""
    heads = list(head.finditer(section))
    found = []
    for index, match in enumerate(heads):
        limit = heads[index + 1].start() if index + 1 < len(heads) else len(section)
        if stop is not None:
            ended = stop.search(section, match.end() + 1, limit)
            limit = ended.start() if ended else limit
        found.append(FailedTest(match.group(1).strip(),
                                _dedent(section[match.start():limit].strip("\n"))))
    return found


def _dedent(block: str) -> str:
    lines = block.rstrip().split("\n")
    indent = min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()),
                 default=0)
    return "\n".join(line[indent:] for line in lines)


_PARSERS: tuple[Callable[[str], list[FailedTest]], ...] = (
    _vitest, _jest, _node_spec, _node_tap, _mocha)
