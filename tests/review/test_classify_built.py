"""Built output its ecosystem marks is classified as generated from the trusted side (the
base's package.json and tsconfig.json, a `.d.ts` beside the base's compiled `.js`, the CDK's
`cdk.out/`): kept from the model reviewers, still analysed; what the change declares itself
counts for nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.git.repository import Repository, open_repository
from tests.support.classify import classified_pr
from tests.support.repos import init_repo

PACKAGE = json.dumps({"name": "lib", "main": "./dist/index.cjs", "types": "./dist/index.d.ts",
                      "exports": {".": {"import": "./dist/index.mjs"}}, "files": ["dist"]})
BASE = {"README.md": "x\n", "package.json": PACKAGE, "tsconfig.json": "{}\n",
        "src/index.ts": "export const a = 1;\n", "dist/index.cjs": "exports.a = 1;\n",
        "dist/index.mjs": "export const a = 1;\n", "dist/index.d.ts": "export declare const a;\n",
        "dist/util.js": "exports.u = 1;\n", "dist/util.js.map": "{}\n",
        "types/global.d.ts": "declare const G: 1;\n",
        "infra/cdk.out/AppStack.template.json": "{}\n",
        "infra/test/integ.app.js.snapshot/AppStack.assets.json": "{}\n"}


@pytest.fixture
def repo(tmp_path: Path) -> Repository:
    return open_repository(init_repo(tmp_path / "r"))


def _touched(files: dict[str, str]) -> dict[str, str]:
    return {name: text + "// changed\n" for name, text in files.items() if name != "README.md"}


def test_what_the_base_package_publishes_and_the_cdk_builds_is_generated(repo):
    found = classified_pr(repo, BASE, _touched(BASE))

    assert set(found.skipped) == {
        "dist/index.cjs", "dist/index.mjs", "dist/index.d.ts", "dist/util.js",
        "dist/util.js.map", "infra/cdk.out/AppStack.template.json",
        "infra/test/integ.app.js.snapshot/AppStack.assets.json"}
    assert "package.json publishes (`main`)" in found.skipped["dist/index.cjs"]
    assert found.flags == ()


def test_a_javascript_package_publishes_its_sources(repo):
    # no tsconfig.json: `main` is the hand-written source, reviewed like any other
    base = {k: v for k, v in BASE.items() if k != "tsconfig.json"}
    found = classified_pr(repo, base, {"dist/index.cjs": "exports.a = 2;\n"})

    assert found.skipped == {}


def test_a_declaration_is_generated_beside_its_compiled_javascript_only(repo):
    base = {"README.md": "x\n", "lib/a.js": "exports.a = 1;\n", "lib/a.d.ts": "x\n",
            "lib/b.d.ts": "y\n"}
    found = classified_pr(repo, base, {"lib/a.d.ts": "x2\n", "lib/b.d.ts": "y2\n"})

    assert set(found.skipped) == {"lib/a.d.ts"}


def test_what_the_change_declares_itself_does_not_count(repo):
    # the change makes src/ published output and adds a tsconfig: the base's say still holds
    base = {k: v for k, v in BASE.items() if k != "tsconfig.json"}
    head = {"package.json": json.dumps({"name": "lib", "files": ["src", "dist"]}),
            "tsconfig.json": "{}\n", "src/index.js": "exports.b = 1;\n"}
    found = classified_pr(repo, base, head)

    assert "src/index.js" not in found.skipped


def test_javascript_with_a_source_map_beside_it_in_the_base_is_generated(repo):
    # a published tarball ships no tsconfig.json (ky's distribution/, axios' dist/): the
    # base's source map beside a bundle says a bundler wrote it; one the change adds does not
    base = {"README.md": "x\n", "package.json": json.dumps({"name": "lib", "main": "dist/a.js"}),
            "dist/a.js": "exports.a = 1;\n", "dist/a.js.map": "{}\n", "dist/b.mjs": "b;\n",
            "lib/c.js": "exports.c = 1;\n"}
    head = {"dist/a.js": "exports.a = 2;\n", "dist/b.mjs": "b2;\n", "dist/b.mjs.map": "{}\n",
            "lib/c.js": "exports.c = 2;\n"}
    found = classified_pr(repo, base, head)

    assert set(found.skipped) == {"dist/a.js"}
    assert "source map" in found.skipped["dist/a.js"]
