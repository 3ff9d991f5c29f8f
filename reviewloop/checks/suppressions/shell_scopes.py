"""Which lines a `# shellcheck disable=` directive covers, as shellcheck scopes it
(`directive_scope`).

shellcheck attaches a directive to the command after it, not to a line: one before the
script's first command (after the shebang, after blank lines and other comments) covers the
whole file; any other covers the and-or list that follows it (`a | b && c`, up to a `;`, `&`
or the end of its line), with the whole of a compound command in it — a function
definition, `if`, `while`, `until`, `for`, `select`, `case`, `{ }`, `( )`, `[[ ]]`, `(( ))`
— its continuation lines, quotes and here-documents over several lines, and blank lines or
comments before it. The review read it as covering the next line only, and reported what
shellcheck waives (fuzz round 7, D12).

shellcheck scopes by position, findings are known here by line: where another command
starts on the last line of the one covered (`echo $1; echo $2`), that line is left out (a
finding there is reported, never waived for the other command). In a script the change
touched, the line must be in the directive's scope at the base too (`ShellScopes`): a change
that adds `{` above trusted lines under a trusted directive and `}` below them does not
bring them under it.

The scanner is lexical and small (`shell_tokens`): words, quotes, `$( )`, here-documents,
operators, and the reserved words that open and close compound commands where a command
starts; a Bats `@test name { … }` is a function to shellcheck. What it cannot read to the end
(an unbalanced construct) has no scope here (None): the caller then keeps the next line
alone, as before.

Measured with shellcheck 0.11: a directive above a misplaced shebang (line 1 is no `#!`, a
later comment line before the first command is: SC1128) is read as a plain comment and covers
nothing; a UTF-8 BOM before the shebang changes nothing; in a command substitution (`$(`, a
backquote) it covers the command after it there. A directive attached to no command (before
`then`, `do`, `else`, a closer, a case pattern or `;;`, after `&&` or `|` at a line's end, at
the end of the script) is a parse error to shellcheck (SC1123, SC1126, SC1072), which then
reports nothing else: here, with directives blanked, it covers nothing and what the script
breaks is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reviewloop.checks.suppressions.base_markers import base_of
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.checks.suppressions.shell_tokens import Token, Unreadable, tokens
from reviewloop.findings.schema import Finding

Scope = tuple[int, int]  # the first and last (1-based) line a directive covers

_CLOSE = {"if": "fi", "case": "esac", "while": "done", "until": "done", "for": "done",
          "select": "done", "{": "}"}
_CLOSERS = frozenset({*_CLOSE.values(), "esac"})
_COMPOUND = frozenset({*_CLOSE, "case", "[["})
_KEYWORDS = frozenset({"then", "elif", "else", "do"})  # inside a compound: no command
_SEPARATORS = frozenset({";", "&", "\n"})
_SHEBANG = re.compile(r"[ \t]*#[ \t]*!")  # as shellcheck finds a misplaced one


def directive_scope(lines: Sequence[str], number: int) -> Scope | None:
    """The lines the directive on line `number` of the script `lines` covers; None when
    the scanner cannot tell."""
    return _scope(_read(lines), number, len(lines))


class ShellScopes:
    """The scopes of a review's shell directives, each script (and its base) read once."""

    def __init__(self) -> None:
        self._head: dict[str, Script | None] = {}
        self._base: dict[str, tuple[Callable[[int], int | None], Script | None, int] | None] = {}

    def reaches(self, files: TrustedFiles, number: int, finding: Finding) -> bool:
        """Whether the directive on line `number` covers the finding: in its scope in the
        reviewed script and, in a script the change touched, in the base's too (a change
        that wraps trusted lines in a `{ }` under a trusted directive brings them under
        it)."""
        path, flagged = finding.file, finding.start_line
        if path not in self._head:
            self._head[path] = _read(files.lines(path))
        if not _covers(self._head[path], number, len(files.lines(path)), flagged):
            return False
        if files.trust.file(path) or files.trust.base is None:
            return True
        if path not in self._base:
            read = base_of(files, path)
            self._base[path] = (read[0], _read(read[1]), len(read[1])) if read else None
        known = self._base[path]
        if known is None:
            return False
        base_line, script, count = known
        old, was = base_line(number), base_line(flagged)
        return old is not None and was is not None and _covers(script, old, count, was)


@dataclass(frozen=True)
class Script:
    """A script as read: its tokens, and what a directive before each of them covers."""

    lines: tuple[str, ...]
    tokens: list[Token]
    scopes: dict[int, Scope]  # an and-or list's first token → its lines
    header: int  # the misplaced shebang's line (SC1128), 0 without one


def _covers(script: Script | None, number: int, count: int, flagged: int) -> bool:
    """Whether the directive on line `number` covers line `flagged`: the next line alone
    where its scope is not known."""
    scope = _scope(script, number, count)
    return flagged == number + 1 if scope is None else scope[0] <= flagged <= scope[1]


def _scope(script: Script | None, number: int, count: int, top: bool = True
           ) -> Scope | None:
    """`top`: in the script itself, not in a command substitution in it."""
    if script is None:
        return None
    found = script.tokens
    if inside := next((t for t in found if t.first < number - 1 <= t.last), None):
        return _substituted(script.lines, inside, number) or (number + 1, number)
    after = next((i for i, t in enumerate(found) if t.first >= number and t.text != "\n"),
                 None)
    if after is None:
        return None if top else (number + 1, number)
    if top and all(t.text == "\n" for t in found[:after]):
        if number < script.header:
            return (number + 1, number)  # above a misplaced shebang: read as a comment
        return (1, max(count, 1))  # before the first command: the whole script
    return script.scopes.get(after)


def _substituted(lines: tuple[str, ...], word: Token, number: int) -> Scope | None:
    """The scope of a directive on line `number` inside the word `word`, where that is in a
    command substitution whose `$(` or backquote ends a line and whose closer starts one:
    the command after it there (never the whole script). None elsewhere (an array, a quote,
    a here-document, a substitution it cannot read): a directive there covers nothing."""
    opener = next((at for at in range(number - 2, word.first - 1, -1)
                   if lines[at].rstrip().endswith(("$(", "`"))), None)
    if opener is None:
        return None
    closer = ")" if lines[opener].rstrip().endswith("(") else "`"
    end = next((at for at in range(number, word.last + 1)
                if lines[at].lstrip().startswith(closer)), None)
    if end is None:
        return None
    inner = _read(lines[opener + 1:end])
    scope = _scope(inner, number - opener - 1, end - opener - 1, top=False)
    return None if scope is None else (scope[0] + opener + 1, scope[1] + opener + 1)


def _read(lines: Sequence[str]) -> Script | None:
    """The script's tokens and scopes; None when it cannot be read."""
    text = tuple(lines)
    if text and text[0].startswith("\ufeff"):  # shellcheck reads past a UTF-8 BOM
        text = (text[0][1:], *text[1:])
    try:
        read = tokens(text)
        parser = _Parser(read)
        parser.parse_list(frozenset())
    except (Unreadable, IndexError):
        return None
    return Script(text, read, parser.scopes, _misplaced(text, read))


def _misplaced(lines: tuple[str, ...], found: list[Token]) -> int:
    """The line (1-based) of a shebang below line 1 before the first command (SC1128):
    shellcheck reads the comments above it as comments, not directives; 0 if none."""
    if not lines or lines[0].startswith("#!"):
        return 0
    first = next((t.first for t in found if t.text != "\n"), len(lines))
    return next((number + 1 for number in range(1, first)
                 if _SHEBANG.match(lines[number])), 0)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = [*tokens, Token("op", "", -1, -1)]  # the end
        self.at = 0
        self.scopes: dict[int, Scope] = {}

    def peek(self) -> Token:
        return self.tokens[self.at]

    def parse_list(self, until: frozenset[str]) -> None:
        """And-or lists up to a word (or operator) of `until` where a command starts."""
        while True:
            token = self.peek()
            if token.text == "" and token.first < 0:
                if until:
                    raise Unreadable("the script ends inside a compound command")
                return
            if token.text in until:
                return
            if token.text in _SEPARATORS or (token.kind == "word" and token.text in _KEYWORDS):
                self.at += 1
                continue
            self.and_or()

    def and_or(self) -> None:
        start = self.at
        self.pipeline()
        while self.peek().text in ("&&", "||"):
            self.at += 1
            self.skip_lines()
            self.pipeline()
        last = self.tokens[self.at - 1].last
        if self.peek().text == "\n":  # its here-documents' bodies
            last = max(last, self.peek().last)
        elif self.shares(last):
            last -= 1  # another command on its last line: a finding there may be that one's
        self.scopes[start] = (self.tokens[start].first + 1, last + 1)  # may be empty

    def shares(self, line: int) -> bool:
        """Whether another command starts on `line` after the list ends (its findings are
        known by line only)."""
        for token in self.tokens[self.at:]:
            if token.text == "\n" or token.first != line or token.first < 0:
                return False
            if (token.kind == "word" and token.text not in _CLOSERS) or token.text == "(":
                return True
        return False

    def pipeline(self) -> None:
        while self.peek().text in ("!", "time") and self.peek().kind == "word":
            self.at += 1  # `! cmd`, `time { …; }`
        self.command()
        while self.peek().text in ("|", "|&"):
            self.at += 1
            self.skip_lines()
            self.command()

    def skip_lines(self) -> None:
        while self.peek().text == "\n":
            self.at += 1

    def command(self) -> None:
        token = self.peek()
        if token.kind == "op" and token.text != "(":
            raise Unreadable(f"no command at {token.text!r}")
        self.at += 1
        word = token.text if token.kind == "word" else ""
        if token.text == "(":
            self.parse_list(frozenset({")"}))
            self.expect(")")
        elif word == "case":
            self.case()
        elif word in ("for", "select"):
            self.words_to("do")
            self.parse_list(frozenset({"done"}))
            self.expect("done")
        elif word in _CLOSE:
            self.parse_list(frozenset({_CLOSE[word]}))
            self.expect(_CLOSE[word])
        elif word == "[[":
            self.words_to("]]", separators=False)
        elif word == "@test":  # Bats: `@test name {` … `}`, a function to shellcheck
            self.words_to("{", separators=False)
            self.parse_list(frozenset({"}"}))
            self.expect("}")
        elif word == "function" or (self.peek().text == "(" and
                                    self.tokens[self.at + 1].text == ")"):
            self.definition(word == "function")
            return
        self.words()

    def definition(self, keyword: bool) -> None:
        """`name ( )` or `function name [( )]`, then its body: a compound command."""
        if keyword:
            self.at += 1  # the name
        if self.peek().text == "(":
            self.expect("(")
            self.expect(")")
        self.skip_lines()
        body = self.peek()
        if not (body.text == "(" or (body.kind == "word" and (
                body.text in _COMPOUND or body.text.startswith("((")))):
            raise Unreadable("a function body that is no compound command")
        self.command()

    def case(self) -> None:
        self.words_to("in", separators=False)
        while True:
            self.skip_lines()
            if self.peek().text == "esac":
                self.at += 1
                return
            if self.peek().text == "(":
                self.at += 1
            while self.peek().text != ")":  # the pattern
                if self.peek().kind != "word" and self.peek().text != "|":
                    raise Unreadable("a case pattern")
                self.at += 1
            self.at += 1
            self.parse_list(frozenset({";;", ";&", ";;&", "esac"}))
            if self.peek().text != "esac":
                self.at += 1

    def words_to(self, word: str, separators: bool = True) -> None:
        """Past the word `word` (after a `;` or a line's end, with `separators`)."""
        before = "\n"
        while not (self.peek().kind == "word" and self.peek().text == word and
                   (not separators or before in _SEPARATORS)):
            if self.peek().first < 0:
                raise Unreadable(f"no {word!r}")
            before = self.peek().text
            self.at += 1
        self.at += 1

    def words(self) -> None:
        """The words (arguments, redirections) to the end of the command."""
        while self.peek().kind == "word":
            self.at += 1

    def expect(self, text: str) -> None:
        if self.peek().text != text:
            raise Unreadable(f"{text!r} expected")
        self.at += 1
