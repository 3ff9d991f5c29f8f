"""The language of a CDK app, told by the program its `cdk.json` `app` command starts it with
(`launcher.program`), and an app started by a program no language names named as not read.

Before, the first word of the command that named a known executable decided, and a command
none named was taken for TypeScript: `./app.py` (a Python app run by its shebang) or `make
synth` gave a Python app's changed `.py` files to no analyzer and said nothing, the TypeScript
app having no `.py` source. Now the program that starts the app decides, read as the shell
reads the command: the last command that does something, past assignments, wrappers and a
shell's `-c` script; the app's own script by its suffix; and a program no language names is
`UNKNOWN`: not synthesized, every changed source of the app named with the launchers that
are known.

Generated: a launcher of each language (and unknown ones) × rewrites that keep the program
(an assignment before it, a wrapper, a step before or after it, a redirection, a subshell, a
shell's `-c`), nested as drawn; and each launcher under each wrapper that takes words of its
own before the command (`nice -n 10`, `timeout 60`, `env -u NAME`, `stdbuf -oL`, `chrt -f
10`…), which read as an unknown launcher (`nice`, `timeout`, the variable's name) before."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError
from reviewloop.checks.cdk.analyzers import CdkCheckov, CdkNag
from reviewloop.checks.cdk.app import find_apps
from reviewloop.checks.cdk.gate import SynthGate
from reviewloop.checks.cdk.language import UNKNOWN, language_of
from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.config import Settings
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import init_repo, write_files

UNTOLD = UNKNOWN.name
LAUNCHERS = {  # how users start an app, by the language reviewloop is to take it for
    "Python": ("python3 app.py", "python app.py", "python3.12 app.py", ".venv/bin/python app.py",
               "python.exe app.py", "py -3 app.py", "pipenv run python app.py",
               "poetry run python3 app.py", "uv run app.py", "pdm run app.py",
               "hatch run python app.py", "./app.py", "app.py", "$VIRTUAL_ENV/bin/python app.py"),
    "TypeScript/JavaScript": ("npx ts-node --prefer-ts-exts bin/app.ts", "npx tsx bin/app.ts",
                              "tsx bin/app.ts", "node bin/app.js", "bun bin/app.ts",
                              "yarn ts-node bin/app.ts", "pnpm exec ts-node bin/app.ts",
                              "./bin/app.js", "node_modules/.bin/ts-node bin/app.ts"),
    "Java": ("./gradlew run", "gradlew.bat run", "mvn -e -q compile exec:java", "java -jar a.jar"),
    "C#": ("dotnet run -p src/App", "dotnet.exe run"),
    "Go": ("go run app.go", "go mod download && go run app.go"),
    UNTOLD: ("make synth", "./synth.sh", "sh synth.sh", "deno run -A main.ts", "cargo run",
             "ruby app.rb", "bin/app", "just synth", "bash -c", "npx ts-node 'bin/app.ts"),
}
# wrappers that take words of their own (an option's value, a duration) before the command
WRAPPERS = ("nice -n 10", "nice -10", "nice --adjustment=5", "nice --", "timeout 60",
            "timeout -k 5 -s INT 10m", "env -u AWS_PROFILE", "env -C infra -i", "stdbuf -oL",
            "stdbuf -o L -e 0", "ionice -c 3", "ionice -c2 -n 7", "chrt -f 10", "taskset 0x3",
            "taskset -c 0,1", "time -f %e", "time -o t.log -p", "exec -a app",
            "sudo -u deploy", "nohup nice -n 5", "doas -u deploy")
# rewrites of a command that leave the program starting the app as it was
REWRITES: tuple[Callable[[str], str], ...] = (
    lambda c: f"CDK_DEFAULT_REGION=eu-west-1 {c}", lambda c: f"LAUNCHER=/usr/bin/mvn {c}",
    lambda c: f"env -i {c}", lambda c: f"exec {c}", lambda c: f"time {c}",
    lambda c: f"cd infra && {c}", lambda c: f"npm ci && {c}", lambda c: f"python3 gen.py; {c}",
    lambda c: f"mvn package && {c}", lambda c: f"echo python; {c}",
    lambda c: f"{c}; echo done", lambda c: f"{c} > synth.log 2>&1", lambda c: f"({c})",
    lambda c: f"  {c}  ", lambda c: f"sh -c '{c}'", lambda c: f'bash -lc "{c}"',
    *(lambda c, w=wrapper: f"{w} {c}" for wrapper in WRAPPERS))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(sorted((language, command) for language, commands in LAUNCHERS.items()
                              for command in commands)),
       st.lists(st.sampled_from(REWRITES), max_size=2))
def test_the_program_that_starts_the_app_tells_its_language(
        launcher: tuple[str, str], rewrites: list[Callable[[str], str]]) -> None:
    language, command = launcher
    if "'" in command and any("'{c}'" in _source(r) for r in rewrites):
        return  # a quote of the command itself would close the wrapper's
    for rewrite in rewrites:
        command = rewrite(command)
    assert language_of(command).name == language, command


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_wrapper_with_words_of_its_own_leaves_the_program(wrapper: str) -> None:
    wrong = [(language, command) for language, commands in LAUNCHERS.items()
             for command in commands if language_of(f"{wrapper} {command}").name != language]
    assert not wrong, wrong


def _source(rewrite: Callable[[str], str]) -> str:
    return rewrite("{c}")


def _ctx(root: Path, files: tuple[str, ...]) -> AnalyzerContext:
    """The change adding `files` to the repository at `root` (staged), as a review sees it."""
    git(root, "add", "-A")
    diff = git(root, "diff", "--cached", "HEAD")
    return AnalyzerContext(root=root, changes=parse_diff(diff), diff_text=diff,
                           agent="review-infrastructure", files=files, tests=ProjectTests())


@settings(max_examples=12, deadline=None, derandomize=True)
@given(st.sampled_from(LAUNCHERS[UNTOLD]), st.sampled_from(("", "infra")),
       st.lists(st.sampled_from(("app.py", "stacks/storage.py", "lib/stack.ts", "bin/app.js",
                                 "src/Stack.java", "cdk.context.json")),
                min_size=1, max_size=3, unique=True))
def test_an_app_no_launcher_tells_names_each_changed_source_as_not_read(
        tmp_path_factory: pytest.TempPathFactory, command: str, folder: str,
        sources: list[str]) -> None:
    root = tmp_path_factory.mktemp("untold")
    at = f"{folder}/" if folder else ""
    changed = (*(f"{at}{s}" for s in sources), f"{at}README.md")
    init_repo(root, {f"{at}cdk.json": json.dumps({"app": command})})
    write_files(root, dict.fromkeys(changed, "changed\n"))

    (app,) = [a for a in find_apps(root, changed) if a.folder == folder]
    assert app.language is UNKNOWN and app.sources(changed) == list(changed[:-1])
    for analyzer in (CdkCheckov(), CdkNag()):
        with pytest.raises(AnalyzerError) as raised:
            analyzer.run(_ctx(root, changed))
        said = str(raised.value)
        assert "cannot tell the language of the CDK app" in said and "fix:" in said, said
        assert sorted(raised.value.files or []) == sorted(changed[:-1]), raised.value.files
    gate = SynthGate().run(GateContext(
        root=root, settings=Settings(), changed_files=changed, diff_text="", branch="w",
        default_branch="main", phase="implement"))
    assert gate.skipped and UNTOLD in gate.summary, gate.summary


# a package runner running the app's package.json script (the script's key after `:`)
RUNNERS = ("npm run synth:synth", "npm run-script synth:synth", "npm run --silent synth:synth",
           "yarn synth:synth", "yarn run synth:synth", "pnpm run synth:synth",
           "pnpm synth:synth", "bun run synth:synth", "npm start:start", "npm test:test",
           "npm t:test")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sampled_from(sorted((language, command) for language, commands in LAUNCHERS.items()
                              for command in commands)),
       st.sampled_from(RUNNERS), st.lists(st.sampled_from(REWRITES), max_size=1))
def test_a_package_script_is_told_by_what_it_starts(
        launcher: tuple[str, str], runner: str, rewrites: list[Callable[[str], str]]) -> None:
    """`npm run synth` running `python3 app.py` is a Python app, whose changed `.py` files
    are its sources (fuzz round 7, D3: it was taken for TypeScript and they passed)."""
    language, script = launcher
    command, key = runner.split(":")
    for rewrite in rewrites:
        command = rewrite(command)
    assert language_of(command, {key: script, "other": "python3 x.py"}).name == language, \
        (command, script)


@pytest.mark.parametrize("command", ("npm ci", "npm exec synth", "bun synth", "npx synth",
                                     "npm run other", "yarn run", "node synth"))
def test_a_runner_running_no_script_of_the_app_is_told_by_itself(command: str) -> None:
    assert language_of(command, {"synth": "python3 app.py"}).name == "TypeScript/JavaScript"


def test_the_changed_python_of_an_app_a_package_script_starts_is_its_source(
        tmp_path: Path) -> None:
    init_repo(tmp_path, {"infra/cdk.json": json.dumps({"app": "npm run synth"}),
                         "infra/package.json": json.dumps(
                             {"scripts": {"synth": ". .venv/bin/activate && python app.py"}})})
    changed = ("infra/app.py", "infra/stacks/bucket.py", "infra/README.md")
    (app,) = find_apps(tmp_path, changed)
    assert app.language.name == "Python" and app.sources(changed) == list(changed[:2])
