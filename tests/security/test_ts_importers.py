"""A change to a TypeScript module that makes an unchanged importer fail a type-aware rule is
the change's: `save(): void` made `async save(): Promise<void>` leaves the untouched
`save();` in `caller.ts` a floating promise, which plain `eslint` over the project reports.
Before, only the changed files were linted and the review was clean and complete (the
fuzzer's D8). Now the unchanged importers are linted with the change and at its base, and
what the change brought about is shown on the changed module.

Generated: one review holds every case side by side under one tsconfig, each in its own
folder — how the caller imports the module (a named, namespace or default import, a `.js`
specifier, a dynamic `import()`, the module as a folder's `index.ts`, from a folder up) ×
the change, and twins that must report nothing: a caller floating at the base already (the
change edits the module elsewhere), a change that makes the function synchronous, and a
caller of another module. The whole product costs one review (one typed lint at the head,
one at the base).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

pytestmark = pytest.mark.npm

FLOATING = "@typescript-eslint/no-floating-promises"
SYNC = "export function save(): void {}\n"
ASYNC = "export async function save(): Promise<void> {}\n"
DEFAULT_SYNC = "export default function save(): void {}\n"
DEFAULT_ASYNC = "export default async function save(): Promise<void> {}\n"

# style → (module path, caller path, the caller's text, default export?)
STYLES = {
    "named": ("lib.ts", "caller.ts", 'import { save } from "./lib";\n', False),
    "namespace": ("lib.ts", "caller.ts", 'import * as lib from "./lib";\nconst save = lib.save;\n',
                  False),
    "default": ("lib.ts", "caller.ts", 'import save from "./lib";\n', True),
    "js specifier": ("lib.ts", "caller.ts", 'import { save } from "./lib.js";\n', False),
    "index": ("lib/index.ts", "caller.ts", 'import { save } from "./lib";\n', False),
    "folder up": ("lib.ts", "sub/caller.ts", 'import { save } from "../lib";\n', False),
}
CALL = "export function run(): void {\n  save();\n}\n"


def _case(folder: str, style: str, twin: str) -> tuple[dict[str, str], dict[str, str], str]:
    """(base files, the change's files, the module the finding must be shown on, or "")."""
    module, caller, imports, default = STYLES[style]
    sync, async_ = (DEFAULT_SYNC, DEFAULT_ASYNC) if default else (SYNC, ASYNC)
    base = {f"{folder}/{module}": sync, f"{folder}/{caller}": imports + CALL,
            f"{folder}/other.ts": "export const other = 1;\n"}
    if twin == "floating already":
        base[f"{folder}/{module}"] = async_
        return base, {f"{folder}/{module}": async_ + "export const more = 2;\n"}, ""
    if twin == "made synchronous":
        base[f"{folder}/{module}"] = async_
        base[f"{folder}/{caller}"] = imports + CALL.replace("save();", "void save();")
        return base, {f"{folder}/{module}": sync}, ""
    if twin == "another module":
        return base, {f"{folder}/other.ts": "export const other = 2;\n"}, ""
    return base, {f"{folder}/{module}": async_}, f"{folder}/{module}"


@pytest.mark.long(seconds=17)
def test_what_a_change_does_to_an_unchanged_importer_is_the_changes(
        tmp_path: Path, eslint_tools: Path) -> None:
    # every style × every twin (and the change itself)
    cases = list(itertools.product(sorted(STYLES), ("", "floating already", "made synchronous",
                                                    "another module")))
    options = {"strict": True, "module": "ES2022", "moduleResolution": "bundler",
               "target": "ES2022"}
    base = {"tsconfig.json": json.dumps({"compilerOptions": options}),
            "package.json": '{"name": "x", "type": "module"}\n'}
    change: dict[str, str] = {}
    shown: dict[str, str] = {}
    for i, (style, twin) in enumerate(cases):
        before, after, module = _case(f"p{i}", style, twin)
        base |= before
        change |= after
        if module:
            shown[module] = f"p{i}/{STYLES[style][1]}"
    root = init_repo(tmp_path / "r", base)
    git(root, "checkout", "-qb", "feature")
    commit(root, change, "the change")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    floating = {f["file"]: f for bucket in ("remaining", "nits")
                for f in report["findings"][bucket] if f["rule"] == FLOATING}
    assert set(floating) == set(shown), (cases, sorted(floating))
    for module, caller in shown.items():
        assert f"It is on {caller} line " in floating[module]["rationale"], floating[module]


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.sampled_from((-1, 0, 1, 7)))
def test_importers_past_the_bound_name_the_changed_module(
        tmp_path_factory: pytest.TempPathFactory, extra: int) -> None:
    """At most `MAX_IMPORTERS` unchanged importers are linted with a change; past that the
    changed module is named as not fully analysed (no ESLint run needed to tell)."""
    from reviewloop.checks.analyzers.base import AnalyzerContext
    from reviewloop.checks.analyzers.eslint_env import tsconfig_folder
    from reviewloop.checks.analyzers.eslint_importers import MAX_IMPORTERS, importers
    from reviewloop.git.diff import parse_diff

    count = MAX_IMPORTERS + extra
    files = {"app/tsconfig.json": "{}\n", "app/lib.ts": SYNC,
             **{f"app/c{i}.ts": STYLES["named"][2] + CALL for i in range(count)}}
    root = init_repo(tmp_path_factory.mktemp("many") / "r", files)
    git(root, "checkout", "-qb", "feature")
    commit(root, {"app/lib.ts": ASYNC}, "the change")
    diff = git(root, "diff", "main", "feature")
    ctx = AnalyzerContext(root, parse_diff(diff), diff, "review-maintainability",
                          files=("app/lib.ts",))
    found = importers(ctx, ["app/lib.ts"], lambda path: tsconfig_folder(root, path))
    assert len(found.files) == min(count, MAX_IMPORTERS)
    assert set(found.files.values()) == {("app/lib.ts",)}
    named = found.left_out_named()
    assert (named != {}) == (count > MAX_IMPORTERS)
    if named:
        assert f"{count} unchanged files import" in named["app/lib.ts"]


# (base files, the change): what the importer reports is its own, at the base already
OWN_FINDINGS = {
    # an importer the tsconfig does not include: linted without types at the head, and its
    # untyped findings (eval) are no change's
    "outside include": (
        {"tsconfig.json": json.dumps({"compilerOptions": {"strict": True, "module": "ES2022",
                                                          "moduleResolution": "bundler"},
                                      "include": ["src"]}),
         "src/lib.ts": SYNC,
         "scripts/use.ts": 'import { save } from "../src/lib";\nexport function run(x: string)'
                           ': void {\n  save();\n  eval(x);\n}\n'},
        {"src/lib.ts": "export function save(): void { return; }\n"}),
    # a package's tsconfig extends the repository's base config: the base copy has it too
    "extends above": (
        {"tsconfig.base.json": json.dumps({"compilerOptions": {
            "strict": True, "module": "ES2022", "moduleResolution": "bundler",
            "target": "ES2022"}}),
         "packages/a/tsconfig.json": '{"extends": "../../tsconfig.base.json"}\n',
         "packages/a/lib.ts": "export function save(): Promise<void> { return "
                              "Promise.resolve(); }\n",
         "packages/a/caller.ts": STYLES["named"][2] + CALL},
        {"packages/a/lib.ts": "export function save(): Promise<void> { return "
                              "Promise.resolve(undefined); }\n"}),
}


@pytest.mark.parametrize("case", sorted(OWN_FINDINGS))
def test_an_importers_own_findings_are_not_the_changes(tmp_path: Path, eslint_tools: Path,
                                                       case: str) -> None:
    base, change = OWN_FINDINGS[case]
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      **base})
    git(root, "checkout", "-qb", "feature")
    commit(root, change, "the change")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    eslint = [(f["rule"], f["file"]) for bucket in ("remaining", "nits")
              for f in report["findings"][bucket] if f["source"].startswith("eslint")]
    assert eslint == [], eslint
