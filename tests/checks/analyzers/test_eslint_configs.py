"""Which ESLint config the project's `eslint` reads for a file, and why reviewloop's ESLint
cannot run it: the nearest flat config (a TypeScript one needs jiti), else a legacy one."""

from __future__ import annotations

from pathlib import Path

from reviewloop.checks.analyzers.eslint_configs import legacy, nearest, unrunnable
from reviewloop.checks.analyzers.eslint_project import first_error


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_nearest_flat_config_wins_in_eslints_order_at_one_folder(tmp_path: Path) -> None:
    tree = _tree(tmp_path, {"eslint.config.mjs": "", "web/eslint.config.ts": "",
                            "web/eslint.config.cjs": "", "web/.eslintrc.json": "{}"})
    assert nearest(tree, "web/src/a.js") == "web/eslint.config.cjs"
    assert nearest(tree, "lib/a.js") == "eslint.config.mjs"
    assert nearest(tree / "web", "a.js") == "eslint.config.cjs"
    assert legacy(tree, "web/a.js") == "web/.eslintrc.json"
    assert unrunnable(tree, tmp_path / "tools", "web/a.js") is None  # the flat one runs


def test_a_typescript_config_needs_jiti_and_a_legacy_one_cannot_run(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "t", {"ts/eslint.config.mts": "", "old/.eslintrc.yml": "",
                                  "pkg/package.json": '{"eslintConfig": {}}',
                                  "plain/package.json": '{"name": "p"}'})
    tools = tmp_path / "tools"
    assert "loads only with jiti" in str(unrunnable(tree, tools, "ts/a.js"))
    _tree(tools, {"node_modules/jiti/package.json": "{}"})
    assert unrunnable(tree, tools, "ts/a.js") is None
    said = str(unrunnable(tree, tools, "old/a.js"))
    assert "old/.eslintrc.yml is a legacy one" in said and "migrate-config old/.eslintrc.yml" \
        in said
    said = str(unrunnable(tree, tools, "pkg/src/a.js"))
    assert "pkg/package.json#eslintConfig" in said and "migrate-config" not in said
    assert unrunnable(tree, tools, "plain/a.js") is None  # no ESLint config at all


def test_the_reason_is_the_error_line_node_gave() -> None:
    output = """node:internal/modules/esm/resolve:854
  const err = new Error(message);  // the source excerpt node shows first
        ^

Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'globals' imported from eslint.config.mjs
    at packageResolve (node:internal/modules/esm/resolve:854:9)
"""
    assert first_error(output) == ("Error [ERR_MODULE_NOT_FOUND]: Cannot find package "
                                   "'globals' imported from eslint.config.mjs")
    assert first_error("") == ""
