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
