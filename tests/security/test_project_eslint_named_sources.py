"""The ESLint config a project names with `eslint -c` — in a `lint` script, a lint-staged
config, a Makefile recipe or a pre-commit hook's args — decides what the review does with a
changed file as plain `eslint -c <config>` decides it, run from where that command runs:

* which files are ESLint's (`project-files.mjs`): a `.es6` file only the named config's
  `files` takes is linted, as plain ESLint lints it;
* which of reviewloop's findings the project's config suppresses (`project-config.mjs`): a
  rule the nearest `eslint.config.mjs` turns off but the named one runs is reported, a folder
  only the named one ignores is suppressed;
* what it says of directive comments (`linterOptions.reportUnusedDisableDirectives`).

Before, the nearest config answered the first two, so the review passed what the project's
CI (`eslint -c strict.mjs`) fails. Plain ESLint, run as each source runs it, is the oracle;
one repository holds the sources side by side, reviewed once: a pre-commit hook whose
`files` is merged from an anchor, a Makefile recipe after `cd DIR &&` beside recipes for
another folder and in a container, and a lint-staged config in code that names the config
ESLint finds anyway beside prettier's `--config` (rev1's E1-E4).
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import outcomes, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

MODULE = {"type": "module"}
# the config ESLint finds by itself: lenient (eval allowed, unused directives not reported)
LENIENT = ('export default [{ files: ["**/*.js"], rules: { "no-eval": "off" }, '
           'linterOptions: { reportUnusedDisableDirectives: "off" } }];\n')
# the config the project's CI names: `.es6` files too, eval an error, `legacy/` ignored
STRICT = ('export default [{ files: ["**/*.js", "**/*.es6"], rules: { "no-eval": "error" }, '
          'linterOptions: { reportUnusedDisableDirectives: "error" } }, '
          '{ ignores: ["**/legacy/**"] }];\n')
PACKAGES = {  # folder → the files that name its config, and how plain ESLint is run for it
    "web": ({"web/package.json": json.dumps({**MODULE, "scripts": {
        "lint": "eslint --max-warnings 0 -c strict.mjs ."}})}, "web", "strict.mjs"),
    "staged": ({"staged/package.json": json.dumps(MODULE), "staged/.lintstagedrc.json":
                json.dumps({"*.{js,es6}": ["prettier -c", "eslint -c strict.mjs --fix"]})},
               "staged", "strict.mjs"),
    "made": ({"made/package.json": json.dumps(MODULE), "made/Makefile":
              "CONFIG = strict.mjs\n.PHONY: lint\nlint:\n\t@npx eslint -c $(CONFIG) .\n"},
             "made", "strict.mjs"),
    # an anchor merged into the hook, as pre-commit reads it (rev1 E1)
    "hooked": ({"hooked/package.json": json.dumps(MODULE), ".pre-commit-config.yaml":
                "x-ours: &ours\n  files: ^hooked/\n"
                "repos:\n- repo: https://github.com/pre-commit/mirrors-eslint\n  rev: v9.0.0\n"
                "  hooks:\n  - id: eslint\n    <<: *ours\n"
                "    args: [--config, hooked/strict.mjs]\n"}, ".", "hooked/strict.mjs"),
    # a root Makefile's recipe after `cd` (E3); its recipe for another folder and its
    # container's command name nothing for the other packages' files (E4)
    "cded": ({"cded/package.json": json.dumps(MODULE), "Makefile":
              "lint:\n\tcd cded && npx eslint -c strict.mjs .\nlint-legacy:\n\tnpx eslint "
              "-c ci/gone.mjs legacy/\ndocker:\n\tdocker run --rm -v $$PWD:/app node:22 npx "
              "eslint -c /app/eslint.config.mjs /app\n"}, "cded", "strict.mjs"),
    # a lint-staged config in code naming the config ESLint finds anyway, beside prettier's
    # own `--config` (E2): the file is linted by it, not named as not read
    "coded": ({"coded/package.json": json.dumps(MODULE), "coded/eslint.config.mjs": STRICT,
               "coded/lint-staged.config.mjs": "export default {\n  '*.{js,es6}': ["
               "'prettier --config .prettierrc.json --write', 'eslint -c eslint.config.mjs "
               "--fix'],\n};\n"}, "coded", "eslint.config.mjs"),
}
CHANGED = {
    "src/run.js": "export const run = (s) => eval(s);\n",
    "src/old.es6": 'eval("1");\n',
    "legacy/l.js": "export const l = (s) => eval(s);\n",
    "src/unused.js": "// eslint-disable-next-line no-console\nexport const u = 1;\n",
}
UNUSED = "reportUnusedDisableDirectives"


def test_each_source_s_named_config_decides_as_plain_eslint_c_does(
        tmp_path: Path, eslint_tools: Path) -> None:
    base = {"package.json": json.dumps({"name": "x", **MODULE}), "eslint.config.mjs": LENIENT}
    for folder, (files, _, _) in PACKAGES.items():
        base |= {**files, f"{folder}/strict.mjs": STRICT, f"{folder}/src/keep.js": "export {};\n"}
    root = init_repo(tmp_path / "r", base)
    git(root, "checkout", "-qb", "feature")
    write_files(root, {f"{folder}/{name}": text for folder in PACKAGES
                       for name, text in CHANGED.items()})
    evals: set[str] = set()
    unused: set[tuple[str, int]] = set()
    for folder, (_, cwd, config) in PACKAGES.items():
        for result in plain_eslint(root / cwd, "-c", config):
            path = f"{cwd}/{result['filePath']}".removeprefix("./")
            if not path.startswith(f"{folder}/"):
                continue
            evals |= {path for m in result["messages"] if m.get("ruleId") == "no-eval"}
            unused |= {(path, m["line"]) for m in result["messages"]
                       if m.get("ruleId") is None and not m.get("fatal")}
    assert {p.partition("/")[2] for p in evals} == {"src/run.js", "src/old.es6"}, evals
    assert {p.partition("/")[2] for p, _ in unused} == {"src/unused.js"}, unused

    report = reviewed_in(root, "head")

    suppressed, reported = outcomes(report, "no-eval")
    assert reported == evals, (sorted(reported ^ evals), report["health"]["files"])
    assert suppressed == {f"{folder}/legacy/l.js" for folder in PACKAGES}, suppressed
    by = {(f.get("finding") or f)["file"]: f.get("reason")
          for f in report["findings"]["suppressed"]}
    assert by == {f"{folder}/legacy/l.js": f"suppressed by {PurePosixPath(cwd, config)} (the "
                  "project's ESLint config)" for folder, (_, cwd, config) in PACKAGES.items()
                  }, by  # not the nearest, lenient one
    said = {(f["file"], f["start_line"]) for bucket in ("remaining", "nits", "out_of_scope")
            for f in report["findings"][bucket] if f["rule"] == UNUSED}
    assert said == unused, (sorted(said), sorted(unused))
    unread = {f["path"]: f["not_read"] for f in report["health"]["files"] if f["not_read"]}
    assert not unread, unread
