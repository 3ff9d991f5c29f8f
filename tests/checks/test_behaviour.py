"""Whether a change changes behaviour (checks/behaviour.py), by metamorphic generator: a
library of edits that change nothing a test could see (docstrings, comments, whitespace,
blank lines, a local renamed) applied in any number and order to seed programs never count
as a change; one edit that does (a constant, a condition) always counts, whatever neutral
edits surround it."""

from __future__ import annotations

import ast
import difflib
import io
import tokenize
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.behaviour import changes_behaviour, old_version
from reviewloop.git.diff import FileStatus, parse_diff

SEEDS = [
    '''"""Prices."""

RATE = 3


def total(items, discount=0):
    """Sum the items."""
    subtotal = 0
    for item in items:
        if item > 10:
            subtotal += item * RATE
        else:
            subtotal += item
    return subtotal - discount


class Cart:
    """A cart."""

    def __init__(self):
        self.items = []

    def add(self, price):
        """Add one."""
        count = len(self.items)
        self.items.append((count, price))
        return count + 1
''',
    '''import os


def path_of(name):
    base = os.environ.get("HOME", "/tmp")
    joined = os.path.join(base, name)
    while len(joined) > 200:
        joined = joined[1:]
    return joined if name != "" else base
''',
]
LOCALS = {0: ["subtotal", "count"], 1: ["joined", "base"]}
Edit = Callable[[str, st.DataObject], str]


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    return list(tokenize.generate_tokens(io.StringIO(text).readline))


def _replace_tokens(text: str, pick: Callable[[tokenize.TokenInfo], str | None]) -> str:
    out = []
    for tok in _tokens(text):
        new = pick(tok)
        out.append(tok if new is None else tok._replace(string=new))
    return tokenize.untokenize(out)


# --- edits that change nothing a test can see --------------------------------------------

def add_comment_line(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True)
    at = data.draw(st.integers(0, len(lines)))
    indent = data.draw(st.sampled_from(["", "    ", "        "]))
    return "".join([*lines[:at], f"{indent}# {data.draw(_words)}\n", *lines[at:]])


def add_trailing_comment(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True)
    code = [n for n, line in enumerate(lines) if line.strip() and '"""' not in line
            and not line.rstrip().endswith("\\")]
    n = data.draw(st.sampled_from(code))
    lines[n] = lines[n].rstrip("\n") + f"  # {data.draw(_words)}\n"
    return "".join(lines)


def add_blank_lines(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True)
    at = data.draw(st.integers(0, len(lines)))
    return "".join([*lines[:at], "\n" * data.draw(st.integers(1, 3)), *lines[at:]])


def reindent(text: str, data: st.DataObject) -> str:
    width = data.draw(st.sampled_from([2, 3, 8]))
    lines = text.splitlines(keepends=True)
    unit = min((len(line) - len(line.lstrip(" ")) for line in lines
                if line.strip() and line.startswith(" ")), default=4)
    return "".join(" " * ((len(line) - len(line.lstrip(" "))) // unit * width)
                   + line.lstrip(" ") for line in lines)


def space_operators(text: str, data: st.DataObject) -> str:
    return _replace_tokens(text, lambda t: f" {t.string} " if t.type == tokenize.OP
                           and t.string in ("+", "-", "*", ">", "=", ",") else None)


def rewrite_docstrings(text: str, data: st.DataObject) -> str:
    words = data.draw(_words)
    return _replace_tokens(text, lambda t: f'"""{words}"""' if t.type == tokenize.STRING
                           and t.string.startswith('"""') else None)


def add_docstring(text: str, data: st.DataObject) -> str:
    lines = text.splitlines(keepends=True)
    defs = [n for n, line in enumerate(lines) if line.lstrip().startswith("def ")]
    n = data.draw(st.sampled_from(defs))
    body = next(line for line in lines[n + 1:] if line.strip() and not line.lstrip()
                .startswith("#"))
    indent = len(body) - len(body.lstrip())  # the body's own indentation
    lines.insert(n + 1, " " * indent + f'"""{data.draw(_words)}"""\n')
    return "".join(lines)


def rename_local(seed: int) -> Edit:
    def edit(text: str, data: st.DataObject) -> str:
        name = data.draw(st.sampled_from(LOCALS[seed]))
        # a name no other variable has: two locals merged into one is a real change
        fresh = f"v_{name}_" + data.draw(st.text("abcdefgh", min_size=1, max_size=6))
        return _replace_tokens(text, lambda t: fresh if t.type == tokenize.NAME
                               and t.string == name else None)
    return edit


_words = st.text("abcdefgh ", min_size=1, max_size=20).map(lambda s: s.strip() or "note")
NEUTRAL: list[Edit] = [add_comment_line, add_trailing_comment, add_blank_lines, reindent,
                       space_operators, rewrite_docstrings, add_docstring]


# --- edits that do ------------------------------------------------------------------------

def change_constant(text: str, data: st.DataObject) -> str:
    numbers = [n for n, t in enumerate(_tokens(text)) if t.type == tokenize.NUMBER]
    pick = data.draw(st.sampled_from(numbers))
    return _replace_tokens(text, lambda t: str(int(t.string) + data.draw(st.integers(1, 9)))
                           if t.type == tokenize.NUMBER and _index(text, t) == pick else None)


def flip_condition(text: str, data: st.DataObject) -> str:
    flips = {">": ">=", "!=": "==", "<": "<=", "==": "!="}
    spots = [n for n, t in enumerate(_tokens(text)) if t.type == tokenize.OP
             and t.string in flips]
    pick = data.draw(st.sampled_from(spots))
    return _replace_tokens(text, lambda t: flips[t.string] if t.type == tokenize.OP
                           and _index(text, t) == pick else None)


def _index(text: str, token: tokenize.TokenInfo) -> int:
    return next(n for n, t in enumerate(_tokens(text)) if t.start == token.start)


def diff_of(old: str, new: str):
    text = "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True), "a/m.py", "b/m.py"))
    return parse_diff(f"diff --git a/m.py b/m.py\n{text}").files[0]


def _neutral(seed: int, text: str, data: st.DataObject) -> str:
    for edit in data.draw(st.lists(st.sampled_from([*NEUTRAL, rename_local(seed)]),
                                   min_size=1, max_size=4)):
        text = edit(text, data)
    return text


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(range(len(SEEDS))), st.data())
def test_neutral_edits_never_change_behaviour(seed: int, data: st.DataObject) -> None:
    old = SEEDS[seed]
    new = _neutral(seed, old, data)
    compile(new, "m.py", "exec")  # the edit kept the program valid
    if new == old:
        return
    diff = diff_of(old, new)
    assert old_version(diff, new) == old
    assert not changes_behaviour(diff, new), new


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(range(len(SEEDS))), st.sampled_from([change_constant, flip_condition]),
       st.data())
def test_a_constant_or_a_condition_always_changes_behaviour(seed: int, edit: Edit,
                                                           data: st.DataObject) -> None:
    old = SEEDS[seed]
    new = _neutral(seed, edit(old, data), data)
    compile(new, "m.py", "exec")
    assert changes_behaviour(diff_of(old, new), new), new


@pytest.mark.parametrize(("old", "new"), [
    ("def f(x):\n    y = x\n    return y\n", "def f(z):\n    y = z\n    return y\n"),  # param
    ("def f():\n    y = 1\n    return lambda: y\n", "def f():\n    z = 1\n    return lambda: z\n"),
    ("def f():\n    y = 1\n    return locals()\n", "def f():\n    z = 1\n    return locals()\n"),
    ("def f():\n    y = g\n    return y\n", "def f():\n    y = h\n    return y\n"),  # global
    ("x = 1\n", "y = 1\n"),  # a module's name is seen from outside
])
def test_renames_that_can_be_seen_are_changes(old: str, new: str) -> None:
    assert changes_behaviour(diff_of(old, new), new)


@pytest.mark.parametrize(("path", "old", "new", "changed"), [
    ("ui.ts", "export const a = 1;\n", "// why\nexport const a = 1; /* more */\n", False),
    ("ui.ts", "export const a = 1;\n", "export const a = 2;\n", True),
    ("ui.js", "const s = '// not a comment';\n", "const s = '// not  a comment';\n", True),
    ("main.go", "func a() int {\n\treturn 1\n}\n", "func a() int {\n\n    return 1\n}\n", False),
    ("main.go", "func a() int {\n\treturn 1\n}\n", "// doc\nfunc a() int {\n\treturn 1\n}\n",
     True),  # no parser for Go: a comment counts, strictly
])
def test_other_languages(path: str, old: str, new: str, changed: bool) -> None:
    text = "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True), f"a/{path}",
                                        f"b/{path}"))
    diff = parse_diff(f"diff --git a/{path} b/{path}\n{text}").files[0]
    assert changes_behaviour(diff, new) is changed


@pytest.mark.parametrize(("old", "new"), [
    ("def f(x):\n    y = x\n    return y\n",
     "def f(x):\n    total = x  # kept\n    return total\n"),
    ("def f():\n    try:\n        g()\n    except E as e:\n        h(e)\n",
     "def f():\n    try:\n        g()\n    except E as err:\n        h(err)\n"),
    ('def f():\n    return 1\n', 'def f():\n    """Now documented."""\n    return 1\n'),
    ("", '"""An empty module, documented."""\n'),
])
def test_neutral_examples(old: str, new: str) -> None:
    diff = diff_of(old, new)
    assert not changes_behaviour(diff, new)


def test_a_file_whose_name_holds_spaces_or_a_form_feed_is_judged_too(tmp_path) -> None:
    """The old version is rebuilt from the diff as the review reads it: a name with spaces
    (git writes its header ambiguously) and a form feed in the text (no line end for git)
    still give a docstring edit no behaviour change."""
    import subprocess

    old = 'def f():\n    """Old."""\n    return 1\n\x0c\nX = 2\n'
    new = 'def f():\n    """New words."""\n    return 1\n\x0c\nX = 2\n'
    path = tmp_path / "my pkg" / "mod a.py"
    path.parent.mkdir()
    path.write_text(old)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    path.write_text(new)
    diff = subprocess.run(["git", "diff"], cwd=tmp_path, capture_output=True, text=True,
                          check=True).stdout
    (changed,) = parse_diff(diff).files
    assert old_version(changed, new) == old
    assert not changes_behaviour(changed, new)


_STATEMENTS = ['"""A docstring."""', "'text'", "42", "...", "pass", "x = 1", "# a comment",
               "", "def f():\n    'doc'", "import os", "if True:\n    'only a constant'",
               "def (", "print(1)",
               # what a file's first lines can hide from a look at its head: code inside a
               # string, a statement or bracket continued on the next top-level line, a
               # clause or decorator that needs the next line, an indent, a late error
               '"""\nimport os\n"""', "r'''\nx = 1\n'''", "x = (\n1)", "x = 1 + \\\n2",
               "else:\n    pass", "@decorator", "    y = 2", "from __future__ import annotations",
               "'a' \\\n'b'", "f(\n", "\x00"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_STATEMENTS), max_size=6))
def test_a_new_file_is_judged_as_an_edit_of_an_empty_one(statements: list[str]) -> None:
    """An added Python file takes a short path (no local renamed): its answer is always the
    one the full comparison gives for the same text written over an empty file."""
    text = "\n".join(statements) + "\n"
    body = "".join(difflib.unified_diff([], text.splitlines(keepends=True), "/dev/null",
                                        "b/m.py"))
    added = parse_diff(f"diff --git a/m.py b/m.py\nnew file mode 100644\n{body}").files[0]
    edited = diff_of("\n", "\n" + text)  # a one-line file, edited: the full comparison
    assert added.status is FileStatus.ADDED

    assert changes_behaviour(added, text) == changes_behaviour(edited, "\n" + text)


_FIRST_LINES = ["None", "True", "False", "None.x", "b'x'", "rb'x'", "f'x'", "print'x'",
                "  x = 1", "\tpass", "\fx = 1", "x\\\n= 1", '"""\ndef f(): pass\n"""',
                "'''", "# a comment", "#", "", "   ", "\ufeffx = 1", "é = 1", "_ = 1",
                "import os", "def f(): ...", "class A: 'doc'", "lambda: 0", "x\x00", "...",
                "(1)", "-1", "'a' 'b'", "match x:\n    case 1: pass", "del x", "None # c",
                '"""doc"""', "'''doc'''", '"""a\\"""b"""', '"""x""" + y', '"""x"""; y = 1',
                '"""a\n  b"""  # c', 'r"""doc"""', '"""doc""" \\', '""""', '"""a"""\'\'',
                "'''a\\\\'''", '"""\\\n"""', '"""a""" \'\'\'', "'''a''' \"\"\"  # c"]


def _added(text: str) -> bool:
    """The answer by the AST alone: a new file does something when it does not parse or
    has a statement that is not a bare constant (an Ellipsis counts as code)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return True
    return any(not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                    and s.value.value is not Ellipsis) for s in tree.body)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_FIRST_LINES), min_size=1, max_size=4),
       st.sampled_from(["\n", "\r\n", "\r"]))
def test_a_new_file_s_first_line_decides_only_when_the_ast_would_agree(
        lines: list[str], newline: str) -> None:
    """Most new files are judged by their first line, without parsing (a 5,000-file change
    parsed every one): whatever leads the file (a constant's name, a string's prefix, an
    indent, a BOM, a carriage return), the answer is the AST's."""
    text = newline.join(lines) + newline
    added = parse_diff("diff --git a/m.py b/m.py\nnew file mode 100644\n--- /dev/null\n"
                       "+++ b/m.py\n@@ -0,0 +1 @@\n+x\n").files[0]

    assert changes_behaviour(added, text) == _added(text)
