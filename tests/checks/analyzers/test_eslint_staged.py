"""Which command of a lint-staged config in code or of a Makefile names the ESLint config of a
changed file: only an ESLint command's own `-c` (not `prettier --config` on the same line), not
the config ESLint finds for the file anyway; a Makefile recipe's after its `cd DIR &&`, and
only for the files its ESLint command lints (not one in a container). Generated: the shapes
users write, each read against a model of what the shell and ESLint do with it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers.eslint_commands import runs
from reviewloop.checks.analyzers.eslint_named import NamedConfigs

CODE_NAMES = st.sampled_from(["lint-staged.config.js", ".lintstagedrc.mjs", ".lintstagedrc.cjs",
                              "lint-staged.config.ts", ".lintstagedrc.js"])
# another tool's config option on the line of an ESLint command that names none
OTHERS = st.sampled_from(["prettier --config .prettierrc.json --write", "prettier -c",
                          "cspell -c cspell.json", "vitest related -c vitest.config.ts --run",
                          "stylelint --config .stylelintrc --fix"])
ESLINTS = st.sampled_from(["eslint --fix", "npx eslint --max-warnings 0", "eslint --cache"])
JOINS = st.sampled_from(["array", "&&", ";", "|"])  # array elements, or one shell line
DEFAULTS = st.sampled_from(["eslint.config.js", "eslint.config.mjs", "eslint.config.cjs"])
MODULES = st.sampled_from(["export default {{ '*.{{js,ts}}': {0} }};\n",
                           "module.exports = {{\n  \"*.js\": {0},\n}};\n"])
QUOTES = st.sampled_from(["'{}'", '"{}"', "(files) => `{} ${{files.join(' ')}}`"])


def _code(module: str, quote: str, commands: list[str], join: str) -> str:
    """A lint-staged config in code running `commands`: array elements, or one line."""
    if join == "array":
        return module.format("[" + ", ".join(quote.format(c) for c in commands) + "]")
    return module.format(quote.format(f" {join} ".join(commands)))


@given(CODE_NAMES, MODULES, QUOTES, ESLINTS, OTHERS, JOINS, DEFAULTS, st.booleans())
def test_another_tools_config_in_code_names_no_eslint_config(
        name: str, module: str, quote: str, eslint: str, other: str, join: str, default: str,
        before: bool) -> None:
    commands = [other, eslint] if before else [eslint, other]
    texts = {f"web/{name}": _code(module, quote, commands, join), f"web/{default}": ""}
    assert NamedConfigs(texts.get).named("web/src/a.js") is None


@given(CODE_NAMES, MODULES, QUOTES, OTHERS, JOINS, DEFAULTS,
       st.sampled_from(["-c", "--config"]), st.sampled_from(["{}", "./{}"]))
def test_a_config_in_code_naming_the_config_eslint_finds_anyway_names_nothing(
        name: str, module: str, quote: str, other: str, join: str, default: str,
        spelling: str, form: str) -> None:
    eslint = f"eslint {spelling} {form.format(default)} --fix"
    texts = {f"web/{name}": _code(module, quote, [other, eslint], join), f"web/{default}": ""}
    assert NamedConfigs(texts.get).named("web/src/a.js") is None
    # a nearer config of its own: the named one is not the one ESLint finds, so not read
    found = NamedConfigs({**texts, f"web/src/{default}": ""}.get).named("web/src/a.js")
    assert found is not None and "reviewloop does not run" in found.unread
    # a config that is not the default: not read, unless a later source names one
    named = {f"web/{name}": _code(module, quote, [other, f"eslint {spelling} ci/strict.mjs"],
                                  join),
             f"web/{default}": ""}
    found = NamedConfigs(named.get).named("web/src/a.js")
    assert found is not None and f"web/{name} is " in found.unread
    hook = ("repos:\n- repo: local\n  hooks:\n  - id: eslint\n"
            f"    args: [{spelling}, web/ci/strict.mjs]\n")
    found = NamedConfigs({**named, ".pre-commit-config.yaml": hook}.get).named("web/src/a.js")
    assert found is not None and (found.config, found.unread) == ("web/ci/strict.mjs", "")


DIRS = st.from_regex(r"(web|app|packages/[a-z]{1,4})", fullmatch=True)
RUNNERS = st.sampled_from(["eslint", "npx eslint", "npx --yes eslint", "node_modules/.bin/eslint",
                           "pnpm exec eslint"])


@given(DIRS, RUNNERS, st.sampled_from(["&&", ";"]), st.sampled_from(["", ".", "src", "./src"]),
       st.sampled_from(["", "@", "-"]), st.booleans())
def test_a_recipe_after_cd_names_its_config_from_that_folder(
        folder: str, runner: str, sep: str, paths: str, prefix: str, variable: bool) -> None:
    where = "$(WEB)" if variable else folder
    make = (f"WEB = {folder}\n" if variable else "") + (
        f"lint:\n\t{prefix}cd {where} {sep} {runner} -c eslint.config.js {paths}\n")
    found = NamedConfigs({"Makefile": make}.get).named(f"{folder}/src/a.ts")
    assert found is not None and (found.config, found.cwd) == (
        f"{folder}/eslint.config.js", folder)
    assert found.problem(lambda _: "") is None
    # the shell's `cd` takes the command elsewhere: not a file of the tree the recipe lints
    outside = NamedConfigs({"Makefile": make.replace(f"cd {where}", "cd /app")}.get)
    assert outside.named(f"{folder}/src/a.ts") is None


# recipes that each lint their own folder with their own config, in file order
SCOPES = st.lists(st.tuples(st.sampled_from(["legacy", "web", "web/src", "tools", "."]),
                            st.sampled_from(["", "/", "/**/*.js", "/**"])),
                  min_size=1, max_size=4, unique_by=lambda t: t[0])
FILES = ["legacy/a.js", "web/a.js", "web/src/b.js", "tools/x/c.js", "d.js", "webapp/e.js"]


def _takes(folder: str, file: str) -> bool:
    return folder == "." or file.startswith(f"{folder}/")


@given(SCOPES, st.booleans())
def test_a_recipes_config_applies_only_to_the_files_its_command_lints(
        scopes: list[tuple[str, str]], docker: bool) -> None:
    lines = []
    for n, (folder, tail) in enumerate(scopes):
        lines.append(f"lint-{n}:\n\tnpx eslint --max-warnings 0 -c c{n}.mjs {folder}{tail}\n")
    if docker:  # a container's command lints the container's files: left out
        lines.insert(0, "docker-lint:\n\tdocker run --rm -v $$PWD:/app node:20 npx eslint "
                        "-c /app/eslint.config.js /app\n\tdocker compose exec web npx eslint -c "
                        "eslint.config.js .\n")
    configs = NamedConfigs({"Makefile": "\n".join(lines)}.get)
    for file in FILES:
        found = configs.named(file)
        first = next((n for n, (folder, _) in enumerate(scopes) if _takes(folder, file)), None)
        expected = None if first is None else f"c{first}.mjs"
        assert (found and found.config) == expected, (file, found)


@given(st.sampled_from(["prettier --config p.json .", "tsc -p .", "cspell -c c.json",
                        "echo done"]), st.sampled_from(["&&", ";", "|", "||"]), RUNNERS)
def test_only_an_eslint_commands_own_config_counts(other: str, sep: str, runner: str) -> None:
    line = f"{other} {sep} {runner} --fix src {sep} {other}"
    assert [(r.config, r.paths) for r in runs(line)] == [(None, ("src",))]
    assert [r.config for r in runs(f"{runner} -c e.mjs . {sep} {other}")] == ["e.mjs"]
