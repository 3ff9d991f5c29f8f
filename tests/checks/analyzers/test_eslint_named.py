"""The ESLint config a project names itself (`eslint -c <path>` in its `lint` scripts, its
lint-staged config, its Makefile or its pre-commit hook) lints the changed files, as the
project's own command does; one that is no file of the tree is named, with the fix. Each of
the project's files is read once for all the changed files."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers.eslint_commands import config_arg, script_config
from reviewloop.checks.analyzers.eslint_named import NamedConfigs
from reviewloop.checks.analyzers.eslint_staged import matches
from reviewloop.policy.trust import Trust
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.minimatch_oracle import micromatch_grid

paths = st.from_regex(r"[a-z]{1,6}(/[a-z]{1,6}){0,2}/eslint\.[a-z]{1,6}\.m?js", fullmatch=True)
flags = st.lists(st.sampled_from(["--max-warnings", "0", "--cache", "--fix", "src", "."]),
                 max_size=3)
runners = st.sampled_from(["eslint", "npx eslint", "node_modules/.bin/eslint", "npx --yes eslint"])
others = st.sampled_from(["", "tsc -p . && ", "prettier -c . && ", "npm run build; "])
spellings = st.sampled_from(["-c {}", "--config {}", "--config={}"])


@given(paths, flags, flags, runners, others, spellings)
def test_a_scripts_eslint_command_names_its_config_however_it_is_spelled(
        path: str, before: list[str], after: list[str], runner: str, other: str,
        spelling: str) -> None:
    script = (f"{other}{runner} {shlex.join(before)} {spelling.format(shlex.quote(path))} "
              f"{shlex.join(after)} && tsc --config other.json")
    assert script_config(script) == path


@given(paths, st.sampled_from(["prettier -c {}", "tsc --config {}", "eslint . && stylelint -c {}"]))
def test_another_tools_config_is_not_eslints(path: str, command: str) -> None:
    assert script_config(command.format(path)) is None


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_lint_script_wins_then_lint_star_in_name_order_then_the_pre_commit_hook(
        tmp_path: Path) -> None:
    hook = ("repos:\n- repo: https://github.com/pre-commit/mirrors-eslint\n  hooks:\n"
            "  - id: eslint\n    files: ^(tools|web)/\n    args: [--config, ci/eslint.mjs]\n")
    tree = _tree(tmp_path, {
        "web/package.json": json.dumps({"scripts": {
            "lint:z": "eslint -c z.mjs .", "lint:ci": "eslint -c ../ci/strict.mjs .",
            "lint": "eslint ."}}),
        "app/package.json": json.dumps({"scripts": {"lint": "eslint --config=app.mjs src",
                                                    "lint:ci": "eslint -c other.mjs ."}}),
        "tools/package.json": json.dumps({"scripts": {"test": "node --test"}}),
        ".pre-commit-config.yaml": hook})

    configs = NamedConfigs.of_tree(tree)
    web = configs.named("web/src/a.js")
    assert web is not None and (web.config, web.cwd) == ("ci/strict.mjs", "web")
    assert web.source == "web/package.json script `lint:ci`"
    app = configs.named("app/src/a.js")
    assert app is not None and (app.config, app.cwd) == ("app/app.mjs", "app")
    tools = configs.named("tools/a.js")  # its package names none: the hook's, from the root
    assert tools is not None and (tools.config, tools.cwd) == ("ci/eslint.mjs", ".")
    assert configs.named("lib/a.js") is None  # the hook's `files` do not take it


def test_a_named_config_that_is_no_file_of_the_tree_is_an_error_with_the_fix(
        tmp_path: Path) -> None:
    tree = _tree(tmp_path / "t", {"package.json": json.dumps({"scripts": {
        "lint": "eslint -c eslint.strict.config.js ."}}), "up/package.json": json.dumps(
        {"scripts": {"lint": "eslint -c ../../outside.mjs ."}}), "outside.mjs": ""})
    (tmp_path / "outside.mjs").write_text("", encoding="utf-8")

    missing = NamedConfigs.of_tree(tree).named("src/a.js")
    assert missing is not None
    assert missing.problem(tree) == (
        "package.json script `lint` runs ESLint with the config eslint.strict.config.js, "
        "which is not a file of the project's tree: the project's rules were not run; fix: "
        "commit eslint.strict.config.js, or correct the path in package.json script `lint`")
    outside = NamedConfigs.of_tree(tree).named("up/a.js")
    assert outside is not None and "not a file of the project's tree" in str(
        outside.problem(tree))
    _tree(tree, {"eslint.strict.config.js": ""})
    assert missing.problem(tree) is None


# a lenient default for editors, and the strict config the CI's `lint:ci` runs
LENIENT = 'export default [{ rules: { "no-console": "off" } }];\n'
STRICT = 'export default [{ rules: { "no-console": "error", "prefer-const": "error" } }];\n'
CODE = "let kept = 1;\nconsole.log(kept);\n"
MAINTAINABILITY = "eslint-maintainability"


@pytest.mark.npm
def test_the_config_the_lint_script_names_lints_the_changed_files(
        tmp_path: Path, eslint_tools: Path) -> None:
    repo = Repo(tmp_path / "repo", {
        "eslint.config.mjs": LENIENT, "config/strict.mjs": STRICT,
        "package.json": json.dumps({"type": "module", "scripts": {
            "lint": "eslint .", "lint:ci": "eslint -c config/strict.mjs --max-warnings 0 ."}})})
    diff = repo.change({"src/run.js": CODE})

    report = run_for_agent(agent(MAINTAINABILITY, (MAINTAINABILITY,)), repo.root, diff,
                           trust=Trust.everything())

    assert report.complete, report.errors
    said = {(f.rule, f.start_line): f.rationale for f in report.findings
            if f.rationale.startswith(f"ESLint {f.rule} (the project's own")}
    assert set(said) == {("prefer-const", 1), ("no-console", 2)}
    assert "config/strict.mjs, as package.json script `lint:ci` runs it" in said["no-console", 2]


@pytest.mark.npm
def test_a_named_config_that_does_not_exist_leaves_the_file_not_read(
        tmp_path: Path, eslint_tools: Path) -> None:
    repo = Repo(tmp_path / "repo", {"eslint.config.mjs": LENIENT, "package.json": json.dumps(
        {"type": "module", "scripts": {"lint": "eslint -c eslint.strict.config.js ."}})})
    diff = repo.change({"src/run.js": CODE})

    report = run_for_agent(agent(MAINTAINABILITY, (MAINTAINABILITY,)), repo.root, diff,
                           trust=Trust.everything())

    unread = {p: why for h in report.health for p, why in h.unread.items()}
    assert "eslint.strict.config.js, which is not a file" in unread["src/run.js"]
    assert not [f for f in report.findings if "(the project's own" in f.rationale]


@given(st.lists(st.tuples(st.sampled_from(["-c", "--config", "--config="]), paths), min_size=1,
                max_size=3), flags)
def test_the_last_config_option_wins_as_eslint_reads_it(
        given_: list[tuple[str, str]], other: list[str]) -> None:
    args = [*other]
    for spelling, path in given_:
        args += [f"{spelling}{path}"] if spelling.endswith("=") else [spelling, path]
    assert config_arg(args) == given_[-1][1]
    assert config_arg(["-cstrict.mjs", *other]) is None  # optionator refuses `-cPATH`


SOURCES = ("script", "staged", "make", "hook")  # eslint_named's order
WRITES = {  # how each source names `<source>.mjs` for web/src/a.js
    "script": {"web/package.json": json.dumps({"scripts": {"lint": "eslint -c script.mjs ."}})},
    "staged": {"web/.lintstagedrc.json": json.dumps({"*.js": "eslint -c staged.mjs --fix"})},
    "make": {"Makefile": "lint:\n\tnpx eslint -c make.mjs .\n"},
    "hook": {".pre-commit-config.yaml": "repos:\n- repo: local\n  hooks:\n  - id: eslint\n"
                                        "    args: [-c, hook.mjs]\n"},
}
WHERE = {"script": ("web/script.mjs", "web"), "staged": ("web/staged.mjs", "web"),
         "make": ("make.mjs", "."), "hook": ("hook.mjs", ".")}


@given(st.sets(st.sampled_from(SOURCES), min_size=1))
def test_the_first_source_in_the_documented_order_wins(present: set[str]) -> None:
    texts = {path: text for source in present for path, text in WRITES[source].items()}
    found = NamedConfigs(texts.get).named("web/src/a.js")
    first = next(source for source in SOURCES if source in present)
    assert found is not None and (found.config, found.cwd) == WHERE[first], found


STAGED_FILES = {
    ".lintstagedrc": json.dumps, ".lintstagedrc.json": json.dumps,
    ".lintstagedrc.yaml": yaml.safe_dump, ".lintstagedrc.yml": yaml.safe_dump,
    ".lintstagedrc@yaml-flow": lambda data: yaml.safe_dump(data, default_flow_style=True),
    "package.json": lambda data: json.dumps({"name": "w", "lint-staged": data}),
    "package.yaml": lambda data: yaml.safe_dump({"name": "w", "lint-staged": data}),
}
TAKING = ["*.js", "**/*.js", "*.{js,ts}", "src/**/*.js", "src/*.js", "*.?s", "**/a.js",
          "+(src)/**"]
LEAVING = ["*.ts", "lib/**/*.js", "a.js/**", "*.{ts,tsx}", "*.md"]


@given(st.sampled_from(sorted(STAGED_FILES)), st.sampled_from(TAKING),
       st.sampled_from(LEAVING), st.booleans(), st.sampled_from(["-c {}", "--config={}"]))
def test_lint_staged_in_each_form_names_the_config_of_the_glob_that_takes_the_file(
        form: str, taking: str, leaving: str, listed: bool, spelling: str) -> None:
    name = form.partition("@")[0]
    command = f"eslint {spelling.format('../ci/strict.mjs')} --fix"
    config = {leaving: "eslint -c wrong.mjs", taking: ["prettier -c .", command]
              if listed else command}
    texts = {f"web/{name}": STAGED_FILES[form](config)}
    found = NamedConfigs(texts.get).named("web/src/a.js")
    assert found is not None and (found.config, found.cwd) == ("ci/strict.mjs", "web")
    assert found.source == f"web/{name} `{taking}`"
    assert NamedConfigs(texts.get).named("web/lib/b.css") is None  # no glob takes it
    assert NamedConfigs(texts.get).named("other/a.js") is None  # not under its folder


@pytest.mark.parametrize("name", ["lint-staged.config.js", ".lintstagedrc.mjs",
                                  ".lintstagedrc.cjs", "lint-staged.config.ts"])
def test_a_lint_staged_config_in_code_is_named_not_read_when_it_runs_eslint_with_a_config(
        name: str) -> None:
    code = 'export default { "*.js": (files) => `eslint --config ci/x.mjs ${files.join(" ")}` };'
    named_ = NamedConfigs({name: code, "Makefile": "lint:\n\teslint -c m.mjs lib\n"}.get)
    found = named_.named("src/a.js")
    assert found is not None and found.problem(lambda _: "") == (
        f"the project's lint-staged config {name} is "
        f"{'TypeScript' if name.endswith('ts') else 'JavaScript'}, which reviewloop does not "
        "run, and it runs ESLint with a config of its own (-c/--config): that config was not "
        "applied, the project's rules were not run; fix: write it as .lintstagedrc.json")
    plain = NamedConfigs({name: 'export default { "*.js": "eslint --fix" };',
                          "Makefile": "lint:\n\teslint -c m.mjs .\n"}.get)
    found = plain.named("src/a.js")  # the config lint-staged uses names none: the next source
    assert found is not None and found.source == "Makefile target `lint`"
    # a source after it that names a config for the file is one the project runs: it wins
    found = NamedConfigs({name: code, "Makefile": "lint:\n\teslint -c m.mjs .\n"}.get
                         ).named("src/a.js")
    assert found is not None and (found.config, found.unread) == ("m.mjs", "")


RECIPES = [  # (Makefile, the config it names from the root)
    ("lint:\n\tnpx eslint -c ci/eslint.mjs src\n", "ci/eslint.mjs"),
    ("lint: deps\n\t@eslint --config ci/eslint.mjs .\n", "ci/eslint.mjs"),
    ("ESLINT = node_modules/.bin/eslint\nCONFIG := ci/eslint.mjs\nlint:\n"
     "\t-$(ESLINT) -c $(CONFIG) .\n", "ci/eslint.mjs"),
    ("CONFIG ?= ci/${NAME}\nNAME = eslint.mjs\ncheck:\n\teslint -c ${CONFIG} .\n",
     "ci/eslint.mjs"),
    ("lint:\n\tnpx eslint \\\n\t  --config ci/eslint.mjs \\\n\t  .\n", "ci/eslint.mjs"),
    ("build:\n\ttsc -p .\n\n.PHONY: lint\nlint:\n\tnpx tsc -p web && npx prettier -c . && "
     "npx eslint -c=x.mjs --config=ci/eslint.mjs .\n", "ci/eslint.mjs"),
]


@given(st.sampled_from(RECIPES), st.sampled_from(["Makefile", "makefile", "GNUmakefile"]),
       st.sampled_from(["", "tools"]))
def test_a_makefile_recipe_names_the_config_as_make_runs_it(
        recipe: tuple[str, str], name: str, folder: str) -> None:
    text, config = recipe
    where = f"{folder}/{name}".lstrip("/")
    found = NamedConfigs({where: text}.get).named(f"{folder}/src/a.js".lstrip("/"))
    assert found is not None and found.config == f"{folder}/{config}".lstrip("/")
    assert found.cwd == (folder or ".") and found.source.startswith(f"{where} target `")
    assert found.problem(lambda _: "") is None


def test_a_config_make_takes_from_outside_the_makefile_is_named_not_applied() -> None:
    found = NamedConfigs({"Makefile": "include ci.mk\nlint:\n\teslint -c $(CFG) .\n"}.get
                         ).named("src/a.js")
    assert found is not None and "make takes from outside the Makefile" in str(
        found.problem(lambda _: ""))


@given(st.lists(st.from_regex(r"(web|app|tools)(/[a-z]{1,3}){0,3}/[a-z]\.m?js", fullmatch=True),
                min_size=1, max_size=40))
def test_each_project_file_is_read_once_for_all_the_changed_files(files: list[str]) -> None:
    texts = {**WRITES["hook"], **WRITES["make"], **WRITES["staged"],
             "app/package.json": json.dumps({"scripts": {"lint": "eslint -c a.mjs ."}})}
    reads: list[str] = []

    def read(path: str) -> str | None:
        reads.append(path)
        return texts.get(path)

    configs = NamedConfigs(read)
    found = configs.of(files)
    assert len(reads) == len(set(reads))
    assert {f: n.config for f, n in found.items()} == {
        f: NamedConfigs(texts.get).named(f).config for f in files}  # type: ignore[union-attr]


@pytest.mark.npm
def test_a_named_config_that_cannot_be_applied_names_its_files_not_read(
        tmp_path: Path, eslint_tools: Path) -> None:
    lint_staged = 'export default { "*.js": "eslint --config config/strict.mjs --fix" };\n'
    repo = Repo(tmp_path / "repo", {
        "eslint.config.mjs": LENIENT, "config/strict.mjs": STRICT,
        "package.json": json.dumps({"type": "module"}),
        "web/package.json": json.dumps({"type": "module"}),
        "web/lint-staged.config.mjs": lint_staged,
        "Makefile": "include ci.mk\nlint:\n\tnpx eslint -c $(STRICT) .\n"})
    diff = repo.change({"web/run.js": CODE, "src/run.js": CODE, "web/old.es6": CODE})

    report = run_for_agent(agent(MAINTAINABILITY, (MAINTAINABILITY,)), repo.root, diff,
                           trust=Trust.everything())

    assert report.complete, report.errors  # the analyzer ran; the files are not read (the
    unread = {p: why for h in report.health for p, why in h.unread.items()}  # verdict: incomplete)
    assert "lint-staged config web/lint-staged.config.mjs is JavaScript" in unread["web/run.js"]
    # a file of no language of its own: whether the config lints it is not known either
    assert "lint-staged config web/lint-staged.config.mjs is JavaScript" in unread["web/old.es6"]
    assert "Makefile target `lint` runs ESLint with the config ${STRICT}, which make takes " \
           "from outside the Makefile" in unread["src/run.js"]
    assert not [f for f in report.findings if "(the project's own" in f.rationale]


# the globs lint-staged's users write, and paths relative to the config's folder
STAGED_GLOBS = ("*.js", "*.{js,jsx,ts,tsx}", "**/*.js", "src/**/*.js", "src/*.js", "*.?s",
                "!(*.test).js", "*.{cjs,mjs}", "**/a.js", "+(src|lib)/**", ".*.js",
                "src/**", "**", "*", "[ab].js", "{src,lib}/**/*.js", "*.test.js",
                "packages/*/src/**/*.{ts,tsx}", "**/.eslintrc.js", "src/**/!(*.d).ts")
STAGED_PATHS = ("a.js", "src/a.js", "src/deep/a.js", "lib/b.ts", "c.test.js", ".hidden.js",
                "src/.hidden/x.js", "b.js", "x.cjs", "src/types.d.ts", "src/x.ts",
                "packages/ui/src/button.tsx", "docs/README.md", "a.jsx", "lib/.eslintrc.js")


@pytest.mark.long(seconds=16)
@pytest.mark.npm
def test_lint_staged_globs_take_what_micromatch_takes_with_lint_stageds_options() -> None:
    oracle = micromatch_grid(STAGED_GLOBS, STAGED_PATHS)
    ours = {(p, f): matches(p, f) for p in STAGED_GLOBS for f in STAGED_PATHS}
    assert {k for k, v in ours.items() if v != oracle[k]} == set()
