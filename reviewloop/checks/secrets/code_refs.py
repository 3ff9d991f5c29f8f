"""What in a secret-named assignment's value is code, not a literal: a reference in the
file's language (`code_reference`: any language's accessors in a program, Python's in
Python, a plain dotted name in data), a call or a subscript on a data line (`code_value`),
a template literal's interpolations and a private field cut off the value (`literal_text`);
for the keyword layer (`assignments`, `assigned_values`)."""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from reviewloop.checks.secrets.syntax import Syntax

# code on a data line, not data: a call or a subscript (`os.environ["DB_PASSWORD"]`,
# `Optional[str]`), a statement or an object's entry (`getPassword();`, `pw: user.pw,`)
_CODE_VALUE = re.compile(r"[\w$.\]][(\[].*[)\]]|[;,(]$")
# in YAML a plain scalar is a string whatever it holds (`hunter2#x(y)`: a comment starts
# only after a blank): code there only as a whole call or subscript (`getPassword()`,
# `env[DB_PASSWORD]`) or a statement's end
_YAML_CODE_VALUE = re.compile(r"[A-Za-z_$][\w$.]*(?:\(.*\)|\[.*\])|.*[;,(]")

# a member (`!!_config.withCredentials`: negated, as minifiers and bundlers write it; PHP's,
# Ruby's and C++'s `self::DEFAULT`, `Config::PASSWORD`, `config->password`, `$this->x`,
# `@config.password`; JavaScript's optional chaining `req.headers?.authorization` and
# TypeScript's non-null `obj!.token`) or a constant's name
_MEMBER = r"[A-Za-z_$][\w$]*!?"
_PRIVATE = re.compile(r"#([A-Za-z_$][\w$]*)")  # a JavaScript class's private field
CODE_REF = re.compile(
    rf"^(?:!{{0,2}}(?:\$|@{{1,2}})?{_MEMBER}(?:(?:[?!]?\.|::|\??->){_MEMBER})+"
    r"|[A-Z]+(?:_[A-Z0-9]+)*|(?i:true|false|null|none|nil|"
    r"undefined|yes|no|on|off|required|optional|str|string|bytes|int|bool))$")
# Those accessors and a Ruby instance or class variable (`@password`, `@@db_password`:
# lower-case words, `CODE_VARIABLE`) are code only in a program (`Syntax.CODE`): in data, a
# shell script or a flag (`.env`, YAML, INI, properties, `--password=`) `Summer2024!.Pass`,
# `Xy7?.Zz8Qw` and `@dminpass` are values, and only a plain dotted, `::` or `->` reference is
# code (`DATA_REF`, as before `CODE_REF` learned the other languages' accessors)
CODE_VARIABLE = re.compile(r"@{1,2}[a-z_][a-z0-9_]*$")
DATA_REF = re.compile(
    r"^(?:!{0,2}[A-Za-z_]\w*(?:(?:\.|::|->)[A-Za-z_]\w*)+|[A-Z]+(?:_[A-Z0-9]+)*|(?i:true|"
    r"false|null|none|nil|undefined|yes|no|on|off|required|optional|str|string|bytes|int|bool))$")
# an inline image or file (`data:image/png;base64,…`): content, not a credential
DATA_URI = re.compile(r"data:[\w.+-]+/[\w.+-]+(?:;[\w.+=-]+)*;base64,", re.IGNORECASE)
# a template literal's interpolation (`${user.token}`): code, not the literal's text
INTERPOLATION = re.compile(r"\$\{[^{}`]*\}")


def literal_text(match: re.Match[str], group: str) -> str:
    """The value of `_ASSIGN`'s match as written: a template literal's without its
    interpolations (`'${f(node)}'` is `''`, code around quotes); a backtick after a blank is
    no string set to the word before it (`pass `ecmaVersion`` in prose, a shell's command
    substitution): no value there. A bare value cut before a private field
    (`options?.#data`) is given the field's name, a member's reference then."""
    value = match.group(group)
    private = _PRIVATE.match(match.string, match.end(group)) if group == "bare" else None
    if private is not None and value.endswith("."):
        return value + private.group(1)  # `this.#secret`: judged as `this.secret`, code
    if group != "quoted" or match.group("q") != "`":
        return value
    if not match.group("op").strip():
        return ""
    return INTERPOLATION.sub("", value)


def code_reference(value: str, syntax: Syntax) -> bool:
    """Whether an unquoted value names something the file's program holds, not a literal:
    in a program any language's accessors and a Ruby `@x` (`CODE_REF`, `CODE_VARIABLE`); in
    Python those only when Python parses the value as an expression (`self.password`, a
    constant's name; `Summer2024!.Pass`, `x?.y`, `$this->x`, `@admin` are no Python: the
    value is set as written); elsewhere a plain dotted, `::` or `->` reference (`DATA_REF`)."""
    if not syntax.program:
        return DATA_REF.match(value) is not None
    shaped = CODE_REF.match(value) is not None or CODE_VARIABLE.match(value) is not None
    return shaped and (syntax is not Syntax.PYTHON or _python_expression(value))


@lru_cache(maxsize=4096)
def _python_expression(value: str) -> bool:
    """Whether Python parses `value` as an expression (what `CODE_REF` passes holds no
    literal, so the parse warns of nothing)."""
    try:
        ast.parse(value, mode="eval")
    except (SyntaxError, ValueError):
        return False
    return True


def code_value(value: str, *, yaml: bool) -> bool:
    """Whether a data line's value is code: a call or a subscript in it, or in YAML's kinds
    (`yaml`) the whole value one (`_YAML_CODE_VALUE`)."""
    return (_YAML_CODE_VALUE.fullmatch(value) if yaml else _CODE_VALUE.search(value)) is not None
