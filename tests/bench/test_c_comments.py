"""The comments of C-like files, as bench's SZZ reads them (`bench.noise` through
`bench.c_comments`): a block comment's middle lines are comments, never code to trace; the
lines it shares with code are code; a `/*` inside a string, a character literal, a raw
string or a text block opens nothing. A language whose literals the lexer does not model
(`SLASH_LINES`: Kotlin/Scala templates, Swift raw strings and regexes, Groovy/Dart
single-quoted strings, PHP `#` comments and heredocs, C# interpolation) counts only a line
starting `//`: no line of code is ever a comment. Generated: random code of each language,
with the literals that hold `/*`, and block comments placed anywhere, their lines any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.bench.c_comments import SLASH_LINES, SYNTAX
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
_QUOTED_GLOBS: list[Unit] = [[("g = '**/*.x';", False)], [("h = '/*' + \"*/\";", False)]]
_LANGUAGES: dict[str, list[Unit]] = {
    "m.c": [*_C_CODE, [("char c = '\\\\'; char *g = \"/*\";", False)]],
    "m.cpp": [*_C_CODE, [('auto r = R"x(/* raw )x";', False)],
              [('auto t = R"(', False), ("/* in a raw string", False), (')";', False)],
              [("int n = 1'000'000; const char* g = \"/*\";", False)]],
    "m.java": [*_C_CODE, [('String t = """', False), ("/* in a text block", False),
                          ('""";', False)], [("char q = '\\'';", False)],
               [('String e = """', False), ('say \\""" /* still in the text block', False),
                ('""";', False)]],
    "m.go": [*_C_CODE, [("s := `/* raw`", False)], [("x := *p", False)],
             [("s := `", False), ("/* in a raw string", False), ("`", False)],
             [("r := '\\U0001F600'; q := '\"'; g := \"/*\"", False)]],
    "m.rs": [*_C_CODE, [("fn f<'a>(x: &'a str) -> &'a str { x }", False)],
             [("let c = '\"';", False)], [('let r = r#"/* "raw" "#;', False)],
             [('let s = "a', False), ("/* in a string", False), ('";', False)],
             [("/* outer /* inner */", True), ("still the outer comment */", True)],
             [("#[derive(Debug)]", False)], [("/// a doc comment", True)],
             [('let k = cr#"/* "c" "#;', False)]],
    "m.sol": [*_C_CODE, *_QUOTED_GLOBS, [("string u = unicode'/*';", False)]],
    "m.proto": [*_C_CODE, *_QUOTED_GLOBS],
    "m.css": [[("a { color: red; }", False)], [('b::after { content: "/*"; }', False)],
              [("c::after { content: '*/'; }", False)], [("/* a note */", True)],
              [("// no comment in CSS { }", False)],
              [("d { background: url(img/*.png); }", False)],
              [(".w-1\\/*x { width: 50%; }", False)]],
    "m.scss": [[("a { color: red; }", False)], [("// a note", True)],
               [("e { background: url(//cdn/*.png); }", False)], [("/* a note */", True)]],
    "m.js": [*_C_CODE, [("const t = `", False), ("/* in a template", False), ("`;", False)]],
    "m.ts": [*_C_CODE, [("let u: number = 2;", False)]],
    # no block comment is read in these: their `/*` lines below must stay code
    "m.cs": [*_C_CODE, [('var p = @"C:\\dir\\/*";', False)],
             [('var q = @"say ""/*"" ";', False)], [('var i = $"{"/*"}";', False)]],
    "m.kt": [*_C_CODE, [('val t = """', False), ("/* in a raw string", False),
                        ('"""', False)], [("/* a /* b */ c */", True)],
             [('val s = "${"/*"}"', False)]],
    "m.swift": [*_C_CODE, [("/* a /* b */ c */", True)], [('let s = #"say "/*" here"#', False)],
                [("let r = /\\/*[a-z]+/", False)]],
    "m.scala": [*_C_CODE, [('val g = s"${"/*"}"', False)]],
    "m.php": [*_C_CODE, [("# see /* the docs", False)],
              [("$s = <<<EOT", False), ("glob **/*.php", False), ("EOT;", False)]],
    "m.groovy": [*_C_CODE, *_QUOTED_GLOBS, [("def s = /\\/*x/", False)]],
    "m.gradle": [*_C_CODE, *_QUOTED_GLOBS, [("exclude '**/*IT.class'", False)]],
    "m.dart": [*_C_CODE, *_QUOTED_GLOBS, [("final r = r'/*';", False)]],
}
_CODE_AROUND = st.sampled_from(["", "", "int a = 0; ", "f(x); "])
_INSIDE = st.text(alphabet="ab */\"'`#\\", max_size=20)


@st.composite
def _block(draw: st.DrawFn, name: str) -> Unit:
    """A block comment over 2-5 lines, code before its `/*` and after its `*/` or not; its
    text anything but a closing `*/` (nor an opening `/*` where comments nest)."""
    nests, slashes = name.endswith(".rs"), name.endswith(tuple(SLASH_LINES))
    inside = _INSIDE.filter(lambda t: "*/" not in t and not (nests and "/*" in t)
                            and not t.endswith("/") and not t.startswith("*")
                            and not (slashes and t.lstrip().startswith("//")))
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
    slashes = name.endswith(tuple(SLASH_LINES))
    expected = {n for n, (line, comment) in zip(numbers, lines, strict=True)
                if (comment and not (slashes and not line.lstrip().startswith("//")))
                or not line.strip()}
    assert comment_only(name, text, numbers) == expected, text


def test_every_c_like_language_the_brief_names_has_its_syntax():
    for suffix in (".c", ".h", ".cpp", ".java", ".go", ".rs", ".css"):
        assert suffix in SYNTAX
    for suffix in (".cs", ".kt", ".swift", ".scala", ".dart", ".groovy", ".gradle", ".php"):
        assert suffix in SLASH_LINES and suffix not in SYNTAX


def test_a_block_comment_that_never_closes_is_a_misread_of_its_line_only():
    """It would not compile: a literal the lexer took for code opened it, and the lines
    after it are code (taking them for comments loses a case)."""
    text = 'int a; /* open\nstill\n'
    assert comment_only("m.c", text, [1, 2]) == set()
    text = '/* open\nstill\n'
    assert comment_only("m.c", text, [1, 2]) == {1}


def test_an_unclosed_string_runs_to_its_line_end():
    text = 'char *s = "open\n/* a comment */\n'  # a string ends at its line in C
    assert comment_only("m.c", text, [1, 2]) == {2}
