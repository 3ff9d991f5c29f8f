"""A TypeScript file whose tsconfig typescript-eslint cannot load is named as not fully analysed:
its type-aware rules did not run. Before, the typed run failed (`extends` a package the
review's checkout has not installed, `@tsconfig/node20`), the file was linted again without
types as if no tsconfig included it, and the review said complete while plain `eslint` in the
installed project reported `no-floating-promises` (the fuzzer's D15).

Every kind × whether its tsconfig includes the files, in one review: each TypeScript project
side by side in its own folder with its own tsconfig and a changed caller leaving a promise
floating — a tsconfig that `extends` a package not installed (a file of it or the bare name),
a missing relative file (beside it or a folder up), an `extends` list with one missing; and
twins that must keep their type-aware rules: `extends` a file that is there, no `extends`,
and a file its tsconfig does not include (linted without types, as the project's ESLint
cannot type it either, and not named). The whole product costs one review (one typed lint,
and one untyped lint of the files whose project could not be loaded); two reviews of a
sample of it cost more.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

pytestmark = pytest.mark.npm

LIB = "export async function save(): Promise<void> {}\n"
CALLER = 'import { save } from "./lib";\nexport function run(): void {\n  save();\n}\n'
OPTIONS = {"strict": True, "module": "ES2022", "moduleResolution": "bundler"}
FLOATING = "@typescript-eslint/no-floating-promises"

# kind → (extends, extra files of the folder, whether the typed rules are lost)
KINDS: dict[str, tuple[Any, dict[str, str], bool]] = {
    "package file": ("@tsconfig/node20/tsconfig.json", {}, True),
    "package name": ("@tsconfig/strictest", {}, True),
    "missing beside": ("./tsconfig.base.json", {}, True),
    "missing above": ("../tsconfig.shared.json", {}, True),
    "missing base file": ("./missing/tsconfig.base.json", {"missing/.keep": ""}, True),
    "list with one missing": (["./base.json", "@tsconfig/node22"],
                              {"base.json": json.dumps({"compilerOptions": OPTIONS})}, True),
    "present file": ("./base.json", {"base.json": json.dumps({"compilerOptions": OPTIONS})},
                     False),
    "no extends": (None, {}, False),
}


def _project(folder: str, kind: str, included: bool) -> dict[str, str]:
    extends, extra, _ = KINDS[kind]
    config: dict[str, Any] = {"compilerOptions": OPTIONS, "include": ["src"]}
    if extends is not None:
        config["extends"] = extends
    where = "src" if included else "other"
    return {f"{folder}/tsconfig.json": json.dumps(config),
            **{f"{folder}/{name}": text for name, text in extra.items()},
            f"{folder}/{where}/lib.ts": LIB, f"{folder}/{where}/caller.ts": CALLER,
            f"{folder}/src/keep.ts": "export const kept = 1;\n"}


def test_a_tsconfig_typescript_eslint_cannot_load_names_its_files(
        tmp_path: Path, eslint_tools: Path) -> None:
    # each side: broken tsconfigs, working ones, files a working one leaves out
    cases = list(itertools.product(sorted(KINDS), (False, True)))
    files: dict[str, str] = {}
    base: dict[str, str] = {"package.json": '{"name": "x", "type": "module"}\n'}
    for i, (kind, included) in enumerate(cases):
        project = _project(f"p{i}", kind, included)
        files |= {p: t for p, t in project.items() if p.endswith(("lib.ts", "caller.ts"))}
        base |= {p: t for p, t in project.items() if p not in files}
    root = init_repo(tmp_path / "r", base)
    git(root, "checkout", "-qb", "feature")
    commit(root, files, "the change")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    unread = {row["path"]: row["not_read"] for row in report["health"]["files"]
              if row["not_read"]}
    floating = {f["file"] for bucket in ("remaining", "nits")
                for f in report["findings"][bucket] if f["rule"] == FLOATING}
    for i, (kind, included) in enumerate(cases):
        caller = f"p{i}/{'src' if included else 'other'}/caller.ts"
        lost = KINDS[kind][2]  # included or not: the project could not be loaded to say
        assert (caller in unread) == lost, (kind, included, unread.get(caller))
        if lost:
            assert all("type-aware rules did not run" in why for why in unread[caller])
            assert any("TS" in why for why in unread[caller])
            # named by repository paths, never a scratch folder's
            assert not any(w in why for why in unread[caller]
                           for w in ("/tmp/", "/dev/shm/", "reviewloop-")), unread[caller]
        # typed where its tsconfig loads and includes it: the floating promise is reported
        assert (caller in floating) == (included and not KINDS[kind][2]), (kind, included)
    assert report["health"]["complete"] is False  # a broken tsconfig is always among them
