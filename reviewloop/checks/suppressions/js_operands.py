"""Whether an operand may start at a point of JavaScript/TypeScript code (`Operands.allowed`):
there a `/` starts a regular expression and a `<` a JSX element, elsewhere each is an
operator. ESLint's parser decides it from the grammar; this follows the tokens read so far
and the brackets open, as acorn's token contexts do (`tokContext`, `exprAllowed`), with what
acorn leaves to its parser decided here too:

* a `)` closing the head of `if`, `for` (`for await`), `while` or `with` ends no operand
  (`if (c) /re/.test(s)`); one closing a call or a group does;
* a `}` closing a block, a declaration's body (a function's, a class's) or a switch's ends
  none; one closing an object literal, a function or class expression's body does (what a
  `{` opens: what comes before it, and which `:` it follows: a label's, a `case`'s, a
  ternary's, a property's);
* keywords that take an operand (`return`, `typeof`, `case`, `default`, `in`, `of` after an
  operand, …) end none; a keyword read as a property name (`x.return`) does;
* `++`, `--` and TypeScript's postfix `!` leave it as it was, or start an operand after a
  line break (no postfix operator follows one).

Where the tokens cannot tell (after `yield` and `await`, which are names outside a generator
or an async function of a script; after an unmatched closing bracket), `allowed` is None:
the lexer reads the text both ways and keeps the comments both readings find.
"""

from __future__ import annotations

from dataclasses import dataclass

# keywords after which an operand starts (acorn's `beforeExpr` keywords; after `break`,
# `continue` and `debugger` only a new statement's, past a line break)
_OPERAND_AFTER = frozenset({"return", "typeof", "case", "do", "else", "in", "new", "delete",
                            "void", "throw", "instanceof", "default", "extends", "break",
                            "continue", "debugger"})
_UNSURE_AFTER = frozenset({"yield", "await"})  # operators in a generator, an async function
_HEADS = frozenset({"if", "for", "while", "with", "switch", "catch"})  # `(`: a statement's
_BLOCK_AFTER = frozenset({"", ";", "}", ")", "=>", "else", "do"})  # a `{` here opens a block
_STATEMENT_AFTER = frozenset({"", "}", ")", "else", "do", "default"})
_NAME = "name"  # a word read after `.`: a property's name, whatever word it is


@dataclass
class _Frame:
    """An open bracket: `kind` "block", "object", "body" (a function's or class's), "(",
    "head(" (a statement's head) or "["; `declared` for a body: whether its function or
    class is a declaration (None: cannot tell); `ternary`: the `?` read in it awaiting `:`."""

    kind: str
    declared: bool | None = True
    ternary: int = 0


class Operands:
    """The state of one stretch of code: the whole text (`block`), or a `${…}` or a JSX
    `{…}` (an expression): fed each token in order, `allowed` tells whether the next one
    may start an operand."""

    def __init__(self, *, block: bool):
        self.frames = [_Frame("block" if block else "object")]
        self.allowed: bool | None = True
        self.prev = ""  # the last token: a punctuator, a word, `_NAME` or "literal"
        self.before = ""  # the token before it
        self.newline = False  # a line terminator read since the last token
        self.body: tuple[int, bool | None] | None = None  # after `function`/`class`:
        # (the depth its body's `{` opens at, whether it declares)
        self.after_body = False  # the last token closed a body (`allowed`: it declared)
        self.async_declares: bool | None = False

    @property
    def depth(self) -> int:
        """The brackets open (0: at this stretch's own level)."""
        return len(self.frames) - 1

    def _token(self, token: str, allowed: bool | None, body: bool = False) -> None:
        self.before, self.prev, self.allowed = self.prev, token, allowed
        self.newline, self.after_body = False, body

    def operand(self) -> None:
        """A literal (string, number, template, regular expression) or a JSX element."""
        self._token("literal", False)

    def word(self, word: str) -> None:
        """An identifier, a keyword or a number."""
        if self.prev == ".":
            self._token(_NAME, False)
        elif word in _OPERAND_AFTER:
            self._token(word, True)
        elif word in _UNSURE_AFTER:
            self._token(word, None)
        elif word == "of":  # after an operand the operator (`for (x of /re/)`), else a name
            self._token(word, None if self.allowed is None else not self.allowed)
        elif word in ("function", "class"):
            declares = self._statement_starts()
            if self.prev == "async" and not self.newline and not self.async_declares:
                declares = None  # an expression's: acorn reads its end as a statement's
            self.body = (self.depth, declares)
            self._token(word, False)
        else:
            if word == "async":
                self.async_declares = self._statement_starts()
            self._token(word, False)

    def _statement_starts(self) -> bool | None:
        """Whether a statement starts at the next token (a `function` there declares)."""
        if self.allowed is None:
            return None
        if self.allowed is False or self.prev in _STATEMENT_AFTER:
            return True  # after an operand, a new statement starts only past a line break
        if self.prev == ";":
            return self.frames[-1].kind not in ("(", "head(")  # `for (;;)`: its parts
        if self.prev in ("{", ":"):
            return self.frames[-1].kind in ("block", "body")
        return False

    def open(self, bracket: str) -> None:
        if bracket == "(":
            head = self.prev in _HEADS or (self.prev == "await" and self.before == "for")
            self.frames.append(_Frame("head(" if head else "("))
        elif bracket == "[":
            self.frames.append(_Frame("["))
        else:
            self.frames.append(self._brace())
        self._token(bracket, True)

    def _brace(self) -> _Frame:
        """What a `{` opens."""
        if self.body is not None and self.body[0] == self.depth:
            frame = _Frame("body", self.body[1])
            self.body = None
            return frame
        if self.after_body:  # a body after a body: the first was a TypeScript type's
            return _Frame("body", self.allowed)  # (`function f(): {a: T} {`)
        if self.allowed is False or self.prev in _BLOCK_AFTER or \
                (self.prev == "return" and self.newline):
            return _Frame("block")
        if self.prev in ("{", ":"):  # a label's or a `case`'s `:`, not a property's
            return _Frame("block" if self.frames[-1].kind in ("block", "body") else "object")
        return _Frame("object")

    def close(self, bracket: str) -> None:
        if not self.depth:  # unmatched: the text is no JavaScript
            self._token(bracket, None)
            return
        frame = self.frames.pop()
        if self.body is not None and self.body[0] > self.depth:
            self.body = None
        if frame.kind == "body":
            self._token(bracket, frame.declared, body=True)
        else:
            self._token(bracket, frame.kind in ("block", "head("))

    def punctuator(self, token: str, ahead: str) -> None:
        """Any other punctuator; `ahead` the character after it."""
        if token in ("++", "--", "!"):  # postfix (TypeScript's non-null `!`) after an
            # operand on its line, prefix after an operator or past a line break
            if self.allowed is False and not self.newline:
                self._token(token, False)
            else:
                self._token(token, None if self.allowed is None else True)
        elif token in (".", "?."):
            self._token(".", False)
        elif token == "?" and ahead != ":":  # (TypeScript's optional `a?:` is no ternary)
            self.frames[-1].ternary += 1
            self._token("?", True)
        elif token == ":" and self.frames[-1].ternary:
            self.frames[-1].ternary -= 1
            self._token(":?", True)
        else:
            if token == ";" and self.body is not None and self.body[0] == self.depth:
                self.body = None  # a TypeScript signature without a body
            self._token(token, True)

    def unknown(self) -> None:
        """A character no JavaScript token starts with."""
        self._token("unknown", None)
