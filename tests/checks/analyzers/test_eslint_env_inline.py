"""A trusted `/* global */` comment declares nothing to reviewloop's ESLint run where the
project's own ESLint reads no inline configuration (a lint command's `--no-inline-config`,
an eslintrc's `noInlineConfig: true` — JSON or code —, a flat config's `linterOptions`):
ESLint would report no-undef on the name there, so the review does too.

Generated: where the project switches it off × whether it does; a real git repository each
(reviewloop's own run always passes `--no-inline-config`: the comment is read only here).
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers import eslint_env
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.git.diff import parse_diff
from reviewloop.policy.trust import Trust
from tests.support.suppression_trust import pr_repo

PAGE = "/* global compute, jQuery: writable */\ncompute(jQuery);\n"
_root = iter(range(10**9))


def _config(where: str, off: bool) -> dict[str, str]:
    if where == "script":
        flag = " --no-inline-config" if off else ""
        return {"package.json": json.dumps({"scripts": {"lint": f"eslint{flag} src"}})}
    if where == "eslintrc.json":
        return {".eslintrc.json": json.dumps({"root": True, "noInlineConfig": off})}
    if where == "eslintrc.js":
        return {".eslintrc.js": f"module.exports = {{ root: true, noInlineConfig: "
                                f"{json.dumps(off)} }};\n"}
    return {"eslint.config.mjs": "export default [{ linterOptions: { noInlineConfig: "
                                 f"{json.dumps(off)} }} }}];\n"}


@settings(max_examples=16, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(["script", "eslintrc.json", "eslintrc.js", "flat"]),
       off=st.booleans())
def test_global_comments_declare_nothing_where_inline_configuration_is_off(
        tmp_path: Path, where: str, off: bool) -> None:
    root = pr_repo(tmp_path / f"r{next(_root)}", {**_config(where, off), "src/page.js": PAGE})
    ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="a",
                          files=("src/page.js",), trust=Trust.everything())
    found = eslint_env.facts(ctx, ["src/page.js"])[str((root / "src/page.js").absolute())]
    assert found.declared == (() if off else (("compute", "readonly"),
                                              ("jQuery", "writable")))
    why = eslint_env.inline_off(ctx)
    assert why is not None and (why("src/page.js") is not None) == off
