"""The comments of C-like files, as bench's SZZ reads them (`bench.noise` through
`bench.c_comments`): a block comment's middle lines are comments, never code to trace; the
lines it shares with code are code; a `/*` inside a string, a character literal, a raw
string or a text block opens nothing. Generated: random code of each language with block
comments placed anywhere, their middle lines any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.bench.c_comments import SYNTAX
from reviewloop.bench.noise import comment_only

# Per file: units of lines that stay whole (a string spanning lines), each line with
# whether it holds a comment and nothing else.
Unit = list[tuple[str, bool]]
_C_CODE: list[Unit] = [
    [("int x = 1;", False)], [('char *s = "/* not a comment";', False)],
    [("char c = '/'; char d = '*';", False)], [("x = a / *p;", False)],
    [('s = "a\\" /* b";', False)], [("#define A 1", False)], [("*p = 1;", False)],
    [("// a note", True)], [("/* a note */", True)], [("int y; /* a note */", False)],
    [("/* a */ int z; /* b */", False)], [("/* a */ /* b */", True)]]
_LANGUAGES: dict[str, list[Unit]] = {
    "m.c": _C_CODE,
    "m.cpp": [*_C_CODE, [('auto r = R"x(/* raw )x";', False)],
              [('auto t = R"(', False), ("/* in a raw string", False), (')";', False)]],
    "m.java": [*_C_CODE, [('String t = """', False), ("/* in a text block", False),
                          ('""";', False)], [("char q = '\\'';", False)]],
    "m.go": [*_C_CODE, [("s := `/* raw`", False)], [("x := *p", False)],
             [("s := `", False), ("/* in a raw string", False), ("`", False)]],
    "m.rs": [*_C_CODE, [("fn f<'a>(x: &'a str) -> &'a str { x }", False)],
             [("let c = '\"';", False)], [('let r = r#"/* "raw" "#;', False)],
             [('let s = "a', False), ("/* in a string", False), ('";', False)],
             [("/* outer /* inner */", True), ("still the outer comment */", True)],
             [("#[derive(Debug)]", False)], [("/// a doc comment", True)]],
    "m.cs": [*_C_CODE, [('var p = @"C:\\dir\\/*";', False)],
             [('var q = @"say ""/*"" ";', False)]],
    "m.kt": [*_C_CODE, [('val t = """', False), ("/* in a raw string", False),
                        ('"""', False)], [("/* a /* b */ c */", True)]],
    "m.swift": [*_C_CODE, [("/* a /* b */ c */", True)]],
    "m.css": [[("a { color: red; }", False)], [('b::after { content: "/*"; }', False)],
              [("c::after { content: '*/'; }", False)], [("/* a note */", True)],
              [("// no comment in CSS { }", False)]],
    "m.js": [*_C_CODE, [("const t = `", False), ("/* in a template", False), ("`;", False)]],
    "m.ts": [*_C_CODE, [("let u: number = 2;", False)]],
}
_CODE_AROUND = st.sampled_from(["", "", "int a = 0; ", "f(x); "])
_INSIDE = st.text(alphabet="ab */\"'`#\\", max_size=20)


@st.composite
def _block(draw: st.DrawFn, name: str) -> Unit:
    """A block comment over 2-5 lines, code before its `/*` and after its `*/` or not; its
    text anything but a closing `*/` (nor an opening `/*` where comments nest)."""
    nests = name.endswith((".rs", ".kt", ".swift"))
    inside = _INSIDE.filter(lambda t: "*/" not in t and not (nests and "/*" in t)
                            and not t.endswith("/") and not t.startswith("*"))
    before, after = draw(_CODE_AROUND), draw(_CODE_AROUND).strip()
    middle = draw(st.lists(inside, min_size=0, max_size=3))
    first, last = draw(inside), draw(inside)
    return [(f"{before}/*{first}", not before), *[(line, True) for line in middle],
            (f"{last}*/ {after}".rstrip(), not after)]


@st.composite
def files(draw: st.DrawFn) -> tuple[str, list[tuple[str, bool]]]:
    name = draw(st.sampled_from(sorted(_LANGUAGES)))
    units = draw(st.lists(st.sampled_from(_LANGUAGES[name]) | _block(name),
                          min_size=1, max_size=10))
    return name, [line for unit in units for line in unit]


@given(files())
def test_a_block_comments_lines_are_comments_and_a_string_opens_none(drawn):
    name, lines = drawn
    text = "".join(f"{line}\n" for line, _ in lines)
    numbers = range(1, len(lines) + 1)
    expected = {n for n, (line, comment) in zip(numbers, lines, strict=True)
                if comment or not line.strip()}
    assert comment_only(name, text, numbers) == expected, text


def test_every_c_like_language_the_brief_names_has_its_syntax():
    for suffix in (".c", ".h", ".cpp", ".java", ".go", ".rs", ".cs", ".kt", ".swift", ".css"):
        assert suffix in SYNTAX


def test_an_unclosed_block_comment_runs_to_the_end_and_an_unclosed_string_to_its_line():
    text = 'int a; /* open\nstill\n'
    assert comment_only("m.c", text, [1, 2]) == {2}
    text = 'char *s = "open\n/* a comment */\n'  # a string ends at its line in C
    assert comment_only("m.c", text, [1, 2]) == {2}
