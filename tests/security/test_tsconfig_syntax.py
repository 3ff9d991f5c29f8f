"""A tsconfig TypeScript reads past without a word is named: its typed files were not fully
analysed. `extends` that cannot be followed is TypeScript's own error (`test_tsconfig_types`);
a syntax error in the tsconfig itself is not — TypeScript reads what it can, drops the options
after it (`strict` among them), and typescript-eslint says nothing, so the review said
complete (the class of the fuzzer's D15). Nor is a `references` entry naming a project that
is not there.

Generated: the syntax errors (a doubled comma, a missing one, an unclosed brace or comment, a
stray word) and their twins TypeScript reads as it should (comments, trailing commas, a
`"@/*"` path holding a comment's opener, a BOM, an empty file) — the pure check on all of
them, and a review with several projects side by side, each its own tsconfig and a changed
caller leaving a promise floating.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.tsconfigs import syntax_error
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

LIB = "export async function save(): Promise<void> {}\n"
CALLER = 'import { save } from "./lib";\nexport function run(): void {\n  save();\n}\n'
FLOATING = "@typescript-eslint/no-floating-promises"
OPTIONS = '"strict": true, "module": "ES2022", "moduleResolution": "bundler"'
INCLUDE = '"include": ["src"]'

# kind → the tsconfig's text (broken: TypeScript reads past a syntax error)
BROKEN = {
    "doubled comma": f'{{"compilerOptions": {{"strict": true,, "module": "ES2022"}}, {INCLUDE}}}',
    "missing comma": f'{{"compilerOptions": {{"strict": true "module": "ES2022"}}, {INCLUDE}}}',
    "unclosed brace": f'{{"compilerOptions": {{{OPTIONS}}}, {INCLUDE}',
    "unclosed comment": f'{{"compilerOptions": {{{OPTIONS}}}, {INCLUDE}}} /* to do',
    "stray word": f'{{"compilerOptions": {{{OPTIONS}, strict}}, {INCLUDE}}}',
}
VALID = {
    "comments": f'// the app\n{{/* opts */ "compilerOptions": {{{OPTIONS}}}, {INCLUDE}}}\n',
    "trailing commas": f'{{"compilerOptions": {{{OPTIONS},}}, {INCLUDE},}}',
    "paths": f'{{"compilerOptions": {{{OPTIONS}, "paths": {{"@/*": ["./src/*"]}}}}, {INCLUDE}}}',
    "bom": f'\ufeff{{"compilerOptions": {{{OPTIONS}}}, {INCLUDE}}}',
    "plain": json.dumps({"compilerOptions": {"strict": True}, "include": ["src"]}),
}
REFERENCES = {  # kind → (tsconfig, the referenced project's files, whether it is missing)
    "missing reference": ('{"files": [], "references": [{"path": "./tsconfig.app.json"}]}',
                          {}, True),
    "present reference": ('{"files": [], "references": [{"path": "./app"}]}',
                          {"app/tsconfig.json": f'{{"compilerOptions": {{{OPTIONS}, '
                                                '"composite": true}, "include": ["."]}'},
                          False),
}


@settings(max_examples=30, deadline=None, derandomize=True)
@given(kind=st.sampled_from(sorted(BROKEN)), valid=st.sampled_from(sorted(VALID)),
       pad=st.sampled_from(["", "\n", "  // note\n"]))
def test_the_syntax_check_reads_a_tsconfig_as_typescript_does(kind: str, valid: str,
                                                              pad: str) -> None:
    assert syntax_error(BROKEN[kind] + pad) is not None, kind
    assert syntax_error(VALID[valid] + pad) is None, valid
    assert syntax_error(pad) is None  # empty, or a comment alone: `{}`


@pytest.mark.npm
@settings(max_examples=1, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(broken=st.lists(st.sampled_from(sorted(BROKEN)), min_size=2, max_size=2, unique=True),
       valid=st.lists(st.sampled_from(sorted(VALID)), min_size=2, max_size=2, unique=True))
def test_a_tsconfig_typescript_reads_past_names_its_files(
        tmp_path_factory: pytest.TempPathFactory, eslint_tools: Path, broken: list[str],
        valid: list[str]) -> None:
    projects = {**{f"b{i}": (BROKEN[k], {}, True) for i, k in enumerate(broken)},
                **{f"v{i}": (VALID[k], {}, False) for i, k in enumerate(valid)},
                **{k.replace(" ", "-"): v for k, v in REFERENCES.items()}}
    base: dict[str, str] = {"package.json": '{"name": "x", "type": "module"}\n'}
    files: dict[str, str] = {}
    for folder, (tsconfig, extra, _) in projects.items():
        base |= {f"{folder}/tsconfig.json": tsconfig, f"{folder}/src/lib.ts": LIB,
                 **{f"{folder}/{p}": t for p, t in extra.items()}}
        files[f"{folder}/{_where(folder, extra)}/caller.ts"] = CALLER
        base[f"{folder}/{_where(folder, extra)}/lib.ts"] = LIB
    root = init_repo(tmp_path_factory.mktemp("tsconfig") / "r", base)
    git(root, "checkout", "-qb", "feature")
    commit(root, files, "the change")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    unread = {row["path"]: row["not_read"] for row in report["health"]["files"]
              if row["not_read"]}
    floating = {f["file"] for bucket in ("remaining", "nits")
                for f in report["findings"][bucket] if f["rule"] == FLOATING}
    for folder, (_, extra, named) in projects.items():
        caller = f"{folder}/{_where(folder, extra)}/caller.ts"
        assert (caller in unread) == named, (folder, unread.get(caller))
        if named:
            assert all(f"{folder}/tsconfig.json" in why for why in unread[caller])
        else:  # typed as the project sets it: the floating promise is reported
            assert caller in floating, folder
    assert report["health"]["complete"] is False


def _where(folder: str, extra: dict[str, str]) -> str:
    """The folder of a project's sources: the referenced project's own, or `src`."""
    return "app" if any(p.startswith("app/") for p in extra) else "src"
