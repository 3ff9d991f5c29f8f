"""What a command line runs as a language (`git.command_words.runs`): generated over the
interpreters, the wrappers and options before them, the separators around the command and
the path's spellings; and what runs no file (`-c`, `-m`, a program on PATH)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.git.command_words import Run, interpreter, runs
from reviewloop.git.languages import JAVASCRIPT, PYTHON, PYTHON2, SHELL, TYPESCRIPT, ZSH

INTERPRETERS = {"python3": (PYTHON, None), "python": (PYTHON, None),
                "python3.12": (PYTHON, None), "/usr/bin/python3": (PYTHON, None),
                "pypy3": (PYTHON, None), "python2": (PYTHON2, None),
                "node": (JAVASCRIPT, None), "nodejs": (JAVASCRIPT, None),
                "ts-node": (TYPESCRIPT, None), "bash": (SHELL, "bash"), "sh": (SHELL, "sh"),
                "/bin/sh": (SHELL, "sh"), "dash": (SHELL, "dash"), "ksh": (SHELL, "ksh"),
                "busybox sh": (SHELL, "sh"), "zsh": (ZSH, None)}
BEFORE = ("", "env ", "env A=1 ", "A=1 B=2 ", "nice -n 5 ", "timeout 60 ", "sudo -u app ",
          "exec ", "time ", "nohup ")
OPTIONS = {PYTHON: ("", "-u ", "-W ignore ", "-X dev ", "-B "),
           PYTHON2: ("", "-u "), JAVASCRIPT: ("", "--trace-warnings ", "-r ./hook.js "),
           TYPESCRIPT: ("", "--transpile-only "), SHELL: ("", "-e ", "-eux ", "-o errexit "),
           ZSH: ("", "-f ")}
PATHS = ("scripts/migrate", "./scripts/migrate", "../up/migrate", '"$DIR"/migrate',
         "'scripts/with space'", "$(dirname \"$0\")/migrate")
AROUND = (("", ""), ("cd app && ", ""), ("", " && echo done"), ("set -e; ", " | tee log"),
          ("(", ")"), ("if true; then ", "; fi"), ("", " # a comment"))


def _word(path: str) -> str:
    """The path as the shell's words give it: unquoted, a command substitution an expansion
    (resolved by its literal tail, `git.run_by`)."""
    return path.replace("'", "").replace('"', "").replace("$(dirname $0)", "$_")


@given(st.sampled_from(sorted(INTERPRETERS)), st.sampled_from(BEFORE), st.data(),
       st.sampled_from(PATHS), st.sampled_from(AROUND))
def test_an_interpreter_runs_the_path_after_its_options(program, before, data, path, around):
    language, dialect = INTERPRETERS[program]
    option = data.draw(st.sampled_from(OPTIONS[language]))
    line = f"{around[0]}{before}{program} {option}{path} --flag arg{around[1]}"
    assert Run(_word(path), language, dialect) in list(runs(line)), line


@given(st.sampled_from((".", "source")), st.sampled_from(("sh", "bash")),
       st.sampled_from(PATHS), st.sampled_from(AROUND))
def test_a_sourced_file_is_shell_in_the_caller_s_dialect(word, shell, path, around):
    line = f"{around[0]}{word} {path}{around[1]}"
    dialect = "bash" if word == "source" else shell
    assert next(iter(runs(line, shell))) == Run(_word(path), SHELL, dialect), line


@given(st.sampled_from(("./tools/setup", "tools/setup", "/setup", "../x/run")),
       st.sampled_from(BEFORE), st.sampled_from(("sh", "bash")))
def test_a_path_run_as_a_command_is_read_by_the_shell_running_it(path, before, shell):
    assert list(runs(f"{before}{path} --now", shell)) == [Run(path, SHELL, shell)]


@given(st.sampled_from(("python3 -c 'import x'", "python3 -m scripts.migrate", "node -e 1",
                        "bash -c 'rm -rf x'", "make build", "npm test", "echo scripts/x",
                        "python3", "cat file | sh", "git commit -m x", "node --eval x.js",
                        "python3 -", "# python3 scripts/x")),
       st.sampled_from(AROUND[:4]))
def test_what_runs_no_file_is_nothing(line, around):
    assert list(runs(f"{around[0]}{line}{around[1]}")) == []


@given(st.sampled_from(("uv run", "poetry run python", "pipenv run python3", "pdm run",
                        "uv run --script", "hatch run python")))
def test_a_runner_runs_its_language(runner):
    assert list(runs(f"{runner} tools/gen")) == [Run("tools/gen", PYTHON, None)]


def test_an_open_quote_is_a_line_of_a_longer_command():
    assert list(runs("python3 scripts/migrate 'first line of")) == [
        Run("scripts/migrate", PYTHON, None)]


@given(st.sampled_from(("ruby", "perl", "make", "cat", "x y", "$PY", "", "py'x")))
def test_no_interpreter_of_an_analysed_language(name):
    assert interpreter(name) is None
