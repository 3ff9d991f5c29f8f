"""`noInlineConfig` in a config written as code (`.eslintrc.js`, `.eslintrc.cjs`, a flat
`eslint.config.*` ESLint was not asked about) is read as written, never run; where code
stands for it the review says it cannot tell, and the comments waive nothing.

Generated: JavaScript object literals rendered in the spellings people write (quoted or
bare keys, either quote, trailing commas, comments, `module.exports =` or `export default`)
read back as the value they hold; eslintrcs in code in a cascade, against the model the
JSON and YAML ones are held to; code in the setting's place (an environment variable, a
spread, a call); flat configs' `linterOptions` with and without `files`. A real git
repository each.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.suppressions.eslint_inline_config import InlineConfig
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.checks.suppressions.js_object import UNKNOWN, exported, value_of
from reviewloop.checks.suppressions.suppressor import Suppressor
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust
from tests.support.suppression_trust import pr_repo

CODE = "// eslint-disable-next-line no-eval -- reviewed\neval(a);\n"
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
_root = iter(range(10**9))

keys = st.text("abcdefghijklmnopqrstuvwxyz_$", min_size=1, max_size=8)
scalars = st.one_of(st.booleans(), st.none(), st.integers(-999, 999).map(float),
                    st.text("abc xyz-_/.*'\"\\", max_size=10))
literals = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=12)
styles = st.fixed_dictionaries({"quote": st.sampled_from(["'", '"']),
                                "quoted_keys": st.booleans(), "trailing": st.booleans(),
                                "comment": st.booleans(),
                                "space": st.sampled_from(["", " ", "\n  "])})


def _js(value: Any, style: dict[str, Any]) -> str:
    """`value` as a JavaScript literal, in `style`."""
    space = style["space"]
    if isinstance(value, dict):
        items = [f"{_key(k, style)}:{space}{_js(v, style)}" for k, v in value.items()]
        return "{" + space + f",{space}".join(items) + ("," * style["trailing"] * bool(items)) \
            + space + "}"
    if isinstance(value, list):
        items = [_js(v, style) for v in value]
        comment = "/* a, b */ " if style["comment"] else ""
        return "[" + comment + f", {space}".join(items) + "," * style["trailing"] * bool(items) \
            + "]"
    if isinstance(value, str):
        quote = style["quote"]
        return quote + value.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote
    if isinstance(value, float):
        return str(int(value))
    return json.dumps(value)


def _key(key: str, style: dict[str, Any]) -> str:
    return json.dumps(key) if style["quoted_keys"] else key


@settings(max_examples=200)
@given(value=st.dictionaries(keys, literals, max_size=5), style=styles,
       head=st.sampled_from(["module.exports = ", "module.exports=", "export default "]),
       before=st.sampled_from(["", "// module.exports = {}\n", "'use strict';\n",
                               "const x = require('x');\n"]))
def test_a_literal_reads_back_as_the_value_it_writes(
        value: dict[str, Any], style: dict[str, Any], head: str, before: str) -> None:
    text = f"{before}{head}{_js(value, style)};\n"
    assert exported(text) == value


CODE_VALUES = ["process.env.CI === 'true'", "!!process.env.CI", "isCi()", "ci ? true : false",
               "true || x"]


@given(code=st.sampled_from(CODE_VALUES), style=styles)
def test_code_in_the_settings_place_cannot_be_told(code: str, style: dict[str, Any]) -> None:
    text = "module.exports = {root: true, noInlineConfig: " + code + ", rules: " \
        + _js({"a": "off"}, style) + "};\n"
    data = exported(text)
    assert value_of(data, "noInlineConfig") is UNKNOWN
    assert value_of(data, "root") is True and value_of(data, "rules") == {"a": "off"}
    assert value_of(exported("module.exports = {...base, rules: {}};"), "noInlineConfig") \
        is UNKNOWN


def _finding(file: str) -> Finding:
    return Finding(severity=Severity.MUST_FIX, file=file, start_line=2, end_line=2,
                   title="eval", rationale="r", confidence=0.9, agent="review-security",
                   source="eslint-security", rule="no-eval")


def _off(tmp_path: Path, files: dict[str, str], file: str) -> tuple[bool, str | None]:
    """(whether `file`'s comment waives its no-eval finding, why inline config is off)."""
    root = tmp_path / f"r{next(_root)}"
    pr_repo(root, {**files, file: CODE})
    repo = open_repository(root)
    trusted = TrustedFiles(repo, repo.root, Trust.everything())
    inline = InlineConfig(trusted)
    waived = Suppressor(trusted, eslint_inline=inline)(_finding(file)) is not None
    return waived, inline.off(file)


@SETTINGS
@given(name=st.sampled_from([".eslintrc.js", ".eslintrc.cjs"]),
       near=st.sampled_from([None, True, False, "code"]), top=st.sampled_from([None, True]),
       root_near=st.booleans(), style=styles, file=st.sampled_from(["src/a.js", "src/b/a.js"]))
def test_an_eslintrc_in_code_decides_as_written(
        tmp_path: Path, name: str, near: bool | str | None, top: bool | None, root_near: bool,
        style: dict[str, Any], file: str) -> None:
    files = {".eslintrc.json": json.dumps({"root": True, "noInlineConfig": top})} \
        if top is not None else {}
    setting = "" if near is None else "noInlineConfig: process.env.CI, " if near == "code" \
        else f"noInlineConfig: {json.dumps(near)}, "
    files[f"src/{name}"] = "// lint\nmodule.exports = {" + setting + "root: " \
        + json.dumps(root_near) + ", rules: " + _js({"no-eval": "error"}, style) + "};\n"
    waived, why = _off(tmp_path, files, file)
    chain = [near] + ([] if root_near else [top])
    decided = next((s for s in chain if s is not None), False)
    assert waived == (decided is False)
    if decided == "code":
        assert why is not None and "cannot be told" in why and f"src/{name}" in why
    elif decided is True:
        assert why is not None and "cannot be told" not in why


@SETTINGS
@given(value=st.sampled_from([True, False, "code"]),
       files=st.sampled_from([None, ["**/*.js"], ["test/**"], "code"]),
       name=st.sampled_from(["eslint.config.js", "eslint.config.mjs", "eslint.config.cjs"]),
       shared=st.booleans())
def test_a_flat_config_eslint_was_not_asked_about_is_read_as_written(
        tmp_path: Path, value: bool | str, files: list[str] | str | None, name: str,
        shared: bool) -> None:
    setting = "process.env.CI" if value == "code" else json.dumps(value)
    element = "{" + ("" if files is None else "files: globs(), " if files == "code" else
                     f"files: {json.dumps(files)}, ") \
        + f"linterOptions: {{ reportUnusedDisableDirectives: true, noInlineConfig: {setting} }}}}"
    head = "module.exports = " if name.endswith("cjs") else "export default "
    text = head + "[" + ("js.configs.recommended, " if shared else "") + element + "];\n"
    waived, why = _off(tmp_path, {name: text}, "src/a.js")
    takes = files is None or files == "code" or files == ["**/*.js"]
    if not takes or value is False:
        assert waived and why is None
    elif value == "code" or files == "code":
        assert not waived and why is not None and "cannot be told" in why
    else:
        assert not waived and why is not None and name in why
