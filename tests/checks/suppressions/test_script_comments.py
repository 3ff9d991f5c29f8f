"""`js_comment_view` and `shell_comment_view`: each line's comments alone, as ESLint and
shellcheck find them. Generated: a line of drawn code (strings of each kind holding comment
starters, template literals with `${…}`, regular expressions, divisions; shell quotes,
`$#`, `${x#y}`, here-documents) with a marker put after it in a string or in a comment: the
marker is in the view exactly when it is in a comment."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.suppressions.script_comments import js_comment_view, shell_comment_view

MARK = "eslint-disable-line"
JS_CODE = ('const a = "// x";', "const b = '/* y */';", "const c = `// ${'`'} z`;",
           "const d = a / b / c;", "const r = /[/]\\/'/g;", "if (x) return /\"/.test(s);",
           "const t = `${ {k: '//'}['k'] }`;", "f(a, /* note */ b);", "const e = 'it\\'s';")
JS_STRINGS = ('"{}"', "'{}'", "`{}`", "`${{'{}'}}`", "/{}/")
JS_COMMENTS = ("// {}", "/* {} */", "/*{}*/")
SH_CODE = ('echo "# x"', "echo '# y'", "echo $#", "x=${y#pre}", "a=$'it\\'s #'",
           'echo "a \\" # b"', "echo `echo '#'`")
SH_STRINGS = ('"{}"', "'{}'", "$'{}'")
SH_COMMENTS = ("# {}", "#{}")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(code=st.lists(st.sampled_from(JS_CODE), max_size=3),
       in_comment=st.booleans(), string=st.sampled_from(JS_STRINGS),
       comment=st.sampled_from(JS_COMMENTS))
def test_a_js_marker_is_seen_only_in_a_comment(code: list[str], in_comment: bool,
                                               string: str, comment: str) -> None:
    tail = comment.format(MARK) if in_comment else f"const m = {string.format(MARK)};"
    lines = [*code, " ".join([*code, tail])]
    view = js_comment_view(lines)
    assert len(view) == len(lines)
    assert (MARK in view[-1]) is in_comment, (lines[-1], view[-1])
    assert not any(MARK in v for v in view[:-1])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(code=st.lists(st.sampled_from(SH_CODE), max_size=3), in_comment=st.booleans(),
       string=st.sampled_from(SH_STRINGS), comment=st.sampled_from(SH_COMMENTS),
       heredoc=st.booleans())
def test_a_shell_marker_is_seen_only_in_a_comment(code: list[str], in_comment: bool,
                                                  string: str, comment: str,
                                                  heredoc: bool) -> None:
    mark = "shellcheck disable=SC2086"
    tail = comment.format(mark) if in_comment else f"echo {string.format(mark)}"
    lines = [*code, "; ".join([*code, "true"]) + " " + tail if in_comment
             else "; ".join([*code, tail])]
    if heredoc:  # a body line that looks like a directive is text
        lines = ["cat <<-'EOF'", f"\t# {mark}", "\tEOF", *lines]
    view = shell_comment_view(lines)
    assert len(view) == len(lines)
    assert (mark in view[-1]) is in_comment, (lines[-1], view[-1])
    assert not any(mark in v for v in view[:-1])


JSX_TEXT = ("<p>{}</p>", "<p>Don't {}</p>", "<div><b>x</b>{}</div>", "<>{}</>",
            "<div>\n{}\n</div>", '<p title="{}">x</p>', "<p>a/b {}</p>")
JSX_CODE = ("<p>{{{}}}</p>", "<p>x</p>; {}", '<img alt="x" />; {}',
            "<p {} title={{1}}>x</p>", "<div><p>Don't</p><>b</></div>; {}")
BREAK_ENDS = ("\n", "\r", "\u2028", "\u2029")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(code=st.lists(st.sampled_from(JS_CODE), max_size=2),
       place=st.sampled_from(JSX_TEXT + JSX_CODE), comment=st.sampled_from(JS_COMMENTS[1:]))
def test_jsx_text_holds_no_comment(code: list[str], place: str, comment: str) -> None:
    """JSX text is no comment to ESLint (the session's reviewer, H2); the code of a `{…}`,
    a tag's inside and what follows an element are code."""
    text = " ".join([*code, f"export const A = {place.format(comment.format(MARK))};"])
    view = js_comment_view(text.split("\n"))
    assert any(MARK in line for line in view) is (place in JSX_CODE), (text, view)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(end=st.sampled_from(BREAK_ENDS), string=st.sampled_from(JS_STRINGS[:3]),
       in_comment=st.booleans())
def test_a_line_comment_ends_at_each_line_terminator(end: str, string: str,
                                                     in_comment: bool) -> None:
    """ECMAScript ends a `//` comment at LF, CR, U+2028 and U+2029: what follows is code."""
    tail = f"/* {MARK} */" if in_comment else f"const m = {string.format(MARK)};"
    view = js_comment_view(f"const q = 1; // x{end}{tail}".split("\n"))
    assert any(MARK in line for line in view) is in_comment, view
