"""A file's language as its modeline or shellcheck directive states it (`git.modelines`):
generated over vim's and Emacs's spellings, the comment around them and where in the file
they stand; text that only mentions a mode states nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.git.languages import JAVASCRIPT, PYTHON, SHELL, TYPESCRIPT
from reviewloop.git.modelines import by_modeline

NAMES = {"python": PYTHON, "python3": PYTHON, "javascript": JAVASCRIPT, "js": JAVASCRIPT,
         "typescript": TYPESCRIPT, "sh": SHELL, "bash": SHELL}
VIM = ("vim: ft={n}", "vim: set ft={n} :", "vim:set filetype={n}:", "vi: syntax={n}",
       "ex: ts=4 sw=4 ft={n}", "vim: set ts=4 sw=4 et ft={n} :")
EMACS = ("-*- mode: {n} -*-", "-*- {n} -*-", "-*- coding: utf-8; mode: {n} -*-",
         "-*- Mode: {n}; indent-tabs-mode: nil -*-")
COMMENTS = ("# {m}", "// {m}", "/* {m} */", "#{m}")
VIM_COMMENTS = COMMENTS[:3]  # vim wants a blank before `vim:` (or the line's start)
BODY = ["x = 1", "y = 2", "z = 3", "w = 4", "v = 5", "u = 6", "t = 7", "s = 8"]


@given(st.sampled_from(sorted(NAMES)), st.sampled_from(VIM), st.sampled_from(VIM_COMMENTS),
       st.sampled_from(("first", "last", "second")))
def test_a_vim_modeline_in_the_first_or_last_lines(name, modeline, comment, where):
    line = comment.format(m=modeline.format(n=name))
    lines = [line, *BODY] if where == "first" else [*BODY, line] if where == "last" \
        else [BODY[0], line, *BODY]
    told = by_modeline("\n".join(lines) + "\n")
    number = {"first": 1, "second": 2, "last": len(lines)}[where]
    assert told is not None and told[:2] == (NAMES[name], number), (lines, told)
    if NAMES[name] == SHELL:
        assert told[2] == name


@given(st.sampled_from(sorted(NAMES)), st.sampled_from(EMACS), st.sampled_from(COMMENTS),
       st.booleans())
def test_an_emacs_mode_on_the_first_line_or_after_a_shebang(name, mode, comment, shebang):
    line = comment.format(m=mode.format(n=name))
    lines = (["#!/usr/local/bin/tool"] if shebang else []) + [line, *BODY]
    told = by_modeline("\n".join(lines))
    assert told is not None and told[:2] == (NAMES[name], 2 if shebang else 1)


@given(st.sampled_from(("sh", "bash", "dash", "ksh")), st.integers(0, 30))
def test_a_shellcheck_directive_near_the_top(shell, at):
    lines = [*(["echo a"] * at), f"# shellcheck shell={shell}", "rm -rf $X"]
    assert by_modeline("\n".join(lines)) == (SHELL, at + 1, shell)


@given(st.sampled_from(("the vim editor is nice", "mode: python", "see ft=python docs",
                        "-*- text -*-", "vim: ft=ruby", "# shellcheck disable=SC2086",
                        "-*- mode: org -*-", "#vim: ft=python")),
       st.sampled_from(("first", "middle")))
def test_a_mention_or_another_language_states_nothing(line, where):
    lines = [line, *BODY] if where == "first" else [*BODY, line, *BODY]
    assert by_modeline("\n".join(lines)) is None


def test_a_modeline_in_the_middle_of_a_long_file_is_not_vim_s():
    lines = [*BODY, *BODY, "# vim: ft=python", *BODY, *BODY]
    assert by_modeline("\n".join(lines)) is None
