"""A package's `lint` script that runs another (`npm run lint:ci`, `yarn lint:ci`, `pnpm run
lint:ci`, `run-s`, `npm-run-all`, `&&` chains, behind env prefixes) is followed to the ESLint
command it ends in, as `npm run lint` runs it; a cycle names nothing. Each script's ESLint
command applies its config to the paths it names only. Generated: the spellings users write,
each read against what npm and the shell do with them."""

from __future__ import annotations

import itertools
import json
import shlex
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.eslint_named import NamedConfigs
from reviewloop.checks.analyzers.eslint_scripts import script_recipes
from reviewloop.policy.npm_scripts import MAX_CALLS, MAX_DEPTH

# how a script runs the script `{}` (and what npm then puts after its text)
CALLS = st.sampled_from([
    "npm run {}", "npm run-script {}", "npm --silent run {}", "npm run -s {}", "yarn {}",
    "yarn run {}", "pnpm {}", "pnpm run {}", "bun run {}", "npm-run-all {}",
    "npm-run-all -s {}", "npm-run-all --serial typecheck {}", "run-s {}", "run-p {}",
    "run-s --max-parallel 2 {}", "./node_modules/.bin/run-s {}"])
PREFIXES = st.sampled_from(["", "NODE_ENV=ci ", "cross-env NODE_ENV=ci ", "env CI=1 ",
                            "FOO=1 BAR=2 ", "cross-env-shell NODE_ENV=production "])
BEFORE = st.sampled_from(["", "tsc -p . && ", "npm run typecheck && ", "prettier -c . ; "])
SPELLINGS = st.sampled_from(["-c {}", "--config {}", "--config={}", "-c '{}'", '--config "{}"'])
RUNNERS = st.sampled_from(["eslint", "npx eslint", "node_modules/.bin/eslint", "pnpm exec eslint"])
NAMES = st.sampled_from(["lint:ci", "lint:strict", "ci:lint", "eslint-ci", "check"])
SCRIPTS = {"typecheck": "tsc -p .", "build": "tsc"}


def _named(scripts: dict[str, str], file: str, folder: str = "web") -> tuple[str, str] | None:
    texts = {f"{folder}/package.json": json.dumps({"scripts": {**SCRIPTS, **scripts}})}
    found = NamedConfigs(texts.get).named(file)
    return None if found is None else (found.config, found.source)


@given(CALLS, PREFIXES, BEFORE, SPELLINGS, RUNNERS, NAMES, st.integers(1, 3))
def test_a_script_that_runs_another_is_followed_to_its_eslint_command(
        call: str, prefix: str, before: str, spelling: str, runner: str, name: str,
        depth: int) -> None:
    # `lint` → step1 → … → `name`, whose ESLint command names the config
    chain = ["lint", *(f"step{n}" for n in range(1, depth)), name]
    scripts = {a: f"{before}{prefix}{call.format(b)}" for a, b in itertools.pairwise(chain)}
    scripts[name] = f"{prefix}{runner} --max-warnings 0 {spelling.format('ci/strict.mjs')} ."
    through = ", ".join(f"`{c}`" for c in chain[1:])
    assert _named(scripts, "web/src/a.js") == (
        "web/ci/strict.mjs", f"web/package.json script `lint` (through {through})")


@given(st.sampled_from(["npm run lint:ci -- {}", "yarn lint:ci {}", "pnpm run lint:ci {}",
                        "npm run lint:ci {}", 'run-s "lint:ci -- {}"']), SPELLINGS)
def test_the_words_after_the_called_script_are_put_after_its_text_as_npm_puts_them(
        call: str, spelling: str) -> None:
    scripts = {"lint": call.format(spelling.format("ci/late.mjs")),
               "lint:ci": "eslint -c early.mjs ."}
    assert _named(scripts, "web/a.js") == (
        "web/ci/late.mjs", "web/package.json script `lint` (through `lint:ci`)")


@given(st.sampled_from(["lint:*", "lint:**"]), st.permutations(["lint:a", "lint:b", "lint:c"]))
def test_an_npm_run_all_glob_runs_the_scripts_it_takes_in_the_package_order(
        pattern: str, order: list[str]) -> None:
    # `*` takes one `:` part (`lint:a`), `**` any (`lint:x:deep` too), in the package's order
    scripts = {"lint:x:deep": "eslint -c deep.mjs .", **dict.fromkeys(order, "eslint .")}
    scripts[order[1]] = "eslint -c one.mjs ."
    texts = {"package.json": json.dumps({"scripts": {
        "lint": f"run-s build {shlex.quote(pattern)}", **scripts}})}
    found = NamedConfigs(texts.get).named("a.js")
    first = "lint:x:deep" if pattern == "lint:**" else order[1]
    assert found is not None and (found.config, found.source) == (
        "deep.mjs" if pattern == "lint:**" else "one.mjs",
        f"package.json script `lint` (through `{first}`)")


@given(st.integers(2, 5), CALLS)
def test_a_cycle_of_scripts_names_nothing_and_ends(length: int, call: str) -> None:
    chain = ["lint", *(f"s{n}" for n in range(1, length))]
    scripts = {a: call.format(b) for a, b in zip(chain, [*chain[1:], chain[0]], strict=True)}
    assert _named(scripts, "web/a.js") is None
    # a chain running past MAX_DEPTH scripts is not followed to its end
    deep = ["lint", *(f"d{n}" for n in range(1, MAX_DEPTH + 2))]
    scripts = {a: f"npm run {b}" for a, b in itertools.pairwise(deep)}
    scripts[deep[-1]] = "eslint -c deep.mjs ."
    assert _named(scripts, "web/a.js") is None


@given(st.sampled_from(["cd api && npm run lint:ci", "npm --prefix api run lint:ci",
                        "npm run lint:ci --workspace=api", "pnpm --filter api lint:ci",
                        "yarn --cwd api lint:ci", "npm test", "npm exec lint:ci",
                        "docker compose run web npm run lint:ci"]))
def test_a_script_of_another_package_or_no_script_is_not_followed(call: str) -> None:
    assert _named({"lint": call, "lint:x": "tsc", "x": "eslint -c x.mjs ."}
                  | {"lint:ci": "eslint ."}, "web/a.js") is None
    assert _named({"lint": call, "lint:ci": "eslint -c ci.mjs ."}, "web/a.js") == (
        "web/ci.mjs", "web/package.json script `lint:ci`")  # asked on its own, as a lint:*


# (its folder, the paths its command names, written as users write them)
SCOPED = st.lists(st.tuples(st.sampled_from(["web", "api", "packages/ui", "tools"]),
                            st.sampled_from(["{}", "{}/", "./{}", "{}/src", "'{}/**/*.ts'"])),
                  min_size=1, max_size=3, unique_by=lambda t: t[0])
FILES = ["web/a.ts", "api/src/b.ts", "packages/ui/c.tsx", "tools/x/d.js", "lib/e.js",
         "webapp/f.js"]


def _takes(path: str, file: str) -> bool:
    """What ESLint lints of `path` (a folder, or a `**/*.ts` glob): a model of it."""
    path = path.strip("'").removeprefix("./").removesuffix("/")
    folder, glob, _ = path.partition("/**/*.ts")
    return file.startswith(f"{folder}/") and (not glob or file.endswith(".ts"))


@given(SCOPED, st.booleans(), SPELLINGS)
def test_each_lint_scripts_config_applies_to_the_paths_its_command_names(
        scoped: list[tuple[str, str]], chained: bool, spelling: str) -> None:
    scripts = {}
    names = [f"lint:{n}" for n in range(len(scoped))]
    for name, (folder, path) in zip(names, scoped, strict=True):
        config = spelling.format(f"{folder.replace('/', '-')}.config.js")
        scripts[name] = f"eslint {config} {path.format(folder)}"
    if chained:  # `lint` runs them all: the first whose paths take the file wins
        scripts["lint"] = " && ".join(f"npm run {n}" for n in names)
    configs = NamedConfigs({"package.json": json.dumps({"scripts": scripts})}.get)
    for file in FILES:
        first = next((folder for folder, path in scoped if _takes(path.format(folder), file)),
                     None)
        found = configs.named(file)  # a file none takes: ESLint's own lookup (None here)
        expected = None if first is None else f"{first.replace('/', '-')}.config.js"
        assert (found and found.config) == expected, (file, scripts, found)



@settings(max_examples=10, deadline=None)
@given(st.integers(6, 30), st.sampled_from(["run-s 's*'", "npm-run-all -p 's*'", "run-p s:**"]))
def test_chains_that_fan_out_are_read_at_most_max_calls_scripts_far(
        count: int, call: str) -> None:
    # every script runs every script: count^MAX_DEPTH chains, were they all followed
    names = [f"s{n}" if "*'" in call else f"s:{n}" for n in range(count)]
    scripts = {"lint": call, **dict.fromkeys(names, call)}
    reads: list[str] = []

    class Counted(Mapping[str, str]):
        def __getitem__(self, key: str) -> str:
            reads.append(key)
            return scripts[key]

        def __iter__(self) -> Iterator[str]:
            return iter(scripts)

        def __len__(self) -> int:
            return len(scripts)

    assert script_recipes(Counted(), PurePosixPath(".")) == ()
    assert len(reads) <= 2 * MAX_CALLS + count  # each script read, and asked of once
    texts = {"package.json": json.dumps({"scripts": scripts})}
    assert NamedConfigs(texts.get).named("a.js") is None
