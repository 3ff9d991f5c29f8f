"""Public functions in languages whose coverage reviewloop does not measure (Go, Rust, Java,
Kotlin, C#, Swift, Ruby, PHP): found only so that a change adding or editing one names it
"not measured" — in the coverage analyzer's row and, under `gates.coverage = "strict"`, in
the gate's failure — never a clean "ok" or "no public function added".

Line-based, not a parser: a declaration is a line carrying the language's own mark of a
public function (Go's capital, Rust's `pub fn`, Java's, C#'s and PHP's `public`, Swift's
`public`/`open`, Kotlin's default, Ruby's `def` outside a `private` section); it ends where
the braces opened after it close (Ruby: at its `end`, indented as the `def`), with string
literals and line comments set aside. A declaration with no body (an interface's or an
abstract method, `;` before any `{`) has nothing to run and is left out. No test file of the
language (`*_test.go`, `src/test/`, `*Test.java`, `*_spec.rb`, a Rust `tests/` folder …)
holds one: its functions are the tests.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from reviewloop.checks.coverage.spans import FunctionSpan

__all__ = ["UNMEASURED", "DeclaredFunctions", "measured_languages"]

_STRING = re.compile(r'"(?:\\.|[^"\\])*"|`[^`]*`')
_CHAR = re.compile(r"'(?:\\.|[^'\\])'")  # not Rust's lifetimes: `'a` has no closing quote
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/")
_RUBY_PRIVATE = re.compile(r"^(\s*)(?:private|protected)\s*(?:#.*)?$")
_RUBY_PUBLIC = re.compile(r"^(\s*)public\s*(?:#.*)?$")


@dataclass(frozen=True)
class DeclaredFunctions:
    """The `FunctionFinder` of one language coverage is not measured in: by declaration lines."""

    language: str
    suffixes: tuple[str, ...]
    declaration: re.Pattern[str]  # a public function's first line; its name in group "name"
    tests: re.Pattern[str]  # a test file's path: its functions are the tests
    block: Literal["braces", "end"] = "braces"
    comment: str = "//"

    def is_test(self, path: str) -> bool:
        return bool(self.tests.search(path))

    def new_public_functions(self, path: str, new_source: str,
                             changed_lines: Collection[int]) -> list[FunctionSpan]:
        changed = set(changed_lines)
        return [span for span in self.functions(path, new_source)
                if any(span.start <= n <= span.end for n in changed)]

    def functions(self, path: str, source: str) -> Iterator[FunctionSpan]:
        """Every public function of `source` with a body, in source order."""
        # git's lines, as the diff's changed lines count them (not `str.splitlines`, which
        # also ends one at a form feed, NEL or U+2028)
        lines = [line.removesuffix("\r") for line in source.split("\n")]
        code = [self._code(line) for line in lines]
        hidden = _ruby_private(lines) if self.block == "end" else set()
        for index, line in enumerate(lines):
            found = self.declaration.match(line)
            if not found or index in hidden:
                continue
            end = _ruby_end(lines, index) if self.block == "end" else _brace_end(code, index)
            if end is not None:
                yield FunctionSpan(path=path, name=found["name"], qualname=found["name"],
                                   start=index + 1, end=end + 1, body_start=index + 1)

    def _code(self, line: str) -> str:
        """The line without its string literals and line comment: braces that count."""
        line = _STRING.sub('""', line)
        if self.comment == "//":
            line = _CHAR.sub("''", _BLOCK_COMMENT.sub("", line))
        return line.split(self.comment, 1)[0]


def _brace_end(code: Sequence[str], start: int) -> int | None:
    """The index of the line closing the body the declaration at `start` opens; None when
    it has none (`;` before any `{`). An expression body (`= …`, `=> …`: Kotlin's, C#'s)
    ends on the first line where every bracket opened since the declaration is closed."""
    depth = 0
    opened = expression = False
    for index in range(start, len(code)):
        text = code[index]
        for at, char in enumerate(text):
            if char in "({[":
                opened = opened or (char == "{" and depth == 0 and not expression)
                depth += 1
            elif char in ")}]":
                depth -= 1
                if opened and depth == 0:
                    return index
            elif depth == 0 and not opened and char == ";":
                return index if expression else None
            elif depth == 0 and not opened and char == "=" and _assigns(text, at):
                expression = True
        if expression and depth == 0:
            return index
    return None


def _assigns(text: str, at: int) -> bool:
    """Whether the `=` at `at` starts an expression body (not `==`, `!=`, `<=`, `>=`)."""
    return text[at + 1:at + 2] != "=" and text[at - 1:at] not in ("=", "!", "<", ">")


def _ruby_end(lines: Sequence[str], start: int) -> int | None:
    """The `end` of the `def` at `start`, indented as it is; the line itself for a one-line
    or endless `def` (`def x; 1; end`, `def x = 1`)."""
    line = lines[start]
    if re.search(r"\bend\s*(?:#.*)?$", line) or re.match(r"^\s*def\s+[\w.?!]+(?:\(.*\))?\s*=",
                                                         line):
        return start
    indent = len(line) - len(line.lstrip())
    for index in range(start + 1, len(lines)):
        text = lines[index]
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            return index if re.match(r"end\b", text.strip()) else index - 1
    return len(lines) - 1


def _ruby_private(lines: Sequence[str]) -> set[int]:
    """The indexes of lines after a bare `private`/`protected` line and before the class ends
    or a bare `public` at the same indent: the `def`s there are not public."""
    hidden: set[int] = set()
    section: int | None = None  # the indent of the open private section
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if section is not None and (indent < section or (
                indent == section and _RUBY_PUBLIC.match(line))):
            section = None
        if (private := _RUBY_PRIVATE.match(line)) is not None:
            section = len(private[1])
        elif section is not None:
            hidden.add(index)
    return hidden


UNMEASURED: tuple[DeclaredFunctions, ...] = (
    DeclaredFunctions(
        "go", (".go",),
        re.compile(r"^func\s+(?:\([^)]*\)\s*)?(?P<name>[A-Z]\w*)\s*[\[(]"),
        re.compile(r"_test\.go$")),
    DeclaredFunctions(
        "rust", (".rs",),
        re.compile(r"^\s*pub\s+(?:(?:const|async|unsafe|extern(?:\s+\"[^\"]*\")?)\s+)*"
                  r"fn\s+(?P<name>\w+)"),
        re.compile(r"(?:^|/)(?:tests|benches)/")),
    DeclaredFunctions(
        "java", (".java",),
        re.compile(r"^\s*public\s+(?!.*\b(?:class|record|interface|enum)\s)"
                  r"(?:(?:static|final|synchronized|abstract|native|default|"
                  r"strictfp)\s+|<[^>]*>\s+)*[\w<>\[\],.?]+(?:\s*<[^>]*>)?(?:\[\])*\s+"
                  r"(?P<name>\w+)\s*\("),
        re.compile(r"(?:^|/)src/test/|(?:Test|Tests|IT)\.java$")),
    DeclaredFunctions(
        "kotlin", (".kt",),
        re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|open|override|final|suspend|"
                  r"inline|operator|infix|tailrec|external|actual)\s+)*fun\s+(?:<[^>]*>\s*)?"
                  r"(?:[\w.<>?]+\.)?(?P<name>\w+)\s*\("),
        re.compile(r"(?:^|/)src/test/|(?:Test|Tests)\.kt$")),
    DeclaredFunctions(
        "csharp", (".cs",),
        re.compile(r"^\s*public\s+(?!.*\b(?:class|record|interface|enum|struct)\s)"
                  r"(?:(?:static|virtual|override|async|sealed|abstract|extern|"
                  r"new|unsafe|partial|readonly)\s+)*[\w<>\[\],.?]+(?:\s*<[^>]*>)?\s+"
                  r"(?P<name>\w+)\s*(?:<[^>]*>)?\s*\("),
        re.compile(r"(?:Test|Tests)\.cs$|(?:^|/)[^/]*\.Tests?/")),
    DeclaredFunctions(
        "swift", (".swift",),
        re.compile(r"^\s*(?:@\w+\s+)*(?:public|open)\s+(?:(?:static|class|final|override|"
                  r"mutating|nonisolated)\s+)*func\s+(?P<name>\w+)"),
        re.compile(r"(?:^|/)Tests/|Tests?\.swift$")),
    DeclaredFunctions(
        "ruby", (".rb",),
        re.compile(r"^\s*def\s+(?:self\.)?(?P<name>[A-Za-z]\w*[?!]?)"),
        re.compile(r"(?:_spec|_test)\.rb$|(?:^|/)(?:spec|test)/"), block="end", comment="#"),
    DeclaredFunctions(
        "php", (".php",),
        re.compile(r"^\s*(?:(?:public|final|static|abstract)\s+)*function\s+&?(?P<name>\w+)"
                  r"\s*\("),
        re.compile(r"Test\.php$|(?:^|/)tests/")),
)


def measured_languages() -> str:
    """What the coverage check measures, for a note on what it does not."""
    return "reviewloop measures new-code coverage of Python and JavaScript/TypeScript only"
