"""A CDK app started through a package runner's script, the runner given options first
(`runners.script_name`).

Before, the runner's first word not starting with a dash was taken for its command: an option
that takes a value (`npm --prefix . run synth`, `yarn --cwd . synth`, `pnpm -C . run synth`,
`npm -w a run synth`) shifted it, no script was found, and a Python app was told by the runner
itself, TypeScript, its changed `.py` files no source of it (review round 8, D11). Now each
runner's options are read as it reads them (npm's as npm 11 does, measured with npm
itself): a value is the option's, an option naming the app's own folder (`--prefix .`) leaves
the script told, and an option running another folder's or package's script, or one the
runner is not known to take before the script, leaves the language untold (`UNKNOWN`: the
files named as not read).

Generated: each runner × each way it names a script × where the option stands (before the
command, between `run` and the script, after the script) × what kind of option it is × the
script's language; each option's value is also the name of a script of the other language,
so a value read as the script's name is caught."""

from __future__ import annotations

import itertools

import pytest

from reviewloop.checks.cdk.language import UNKNOWN, language_of

UNTOLD = UNKNOWN.name
# how each runner names a script: (its command, the script's name after it, the script's key)
FORMS = {"npm": (("run", "synth", "synth"), ("run-script", "synth", "synth"),
                 ("start", "", "start"), ("t", "", "test")),
         "yarn": (("run", "synth", "synth"), ("synth", "", "synth")),
         "pnpm": (("run", "synth", "synth"), ("run-script", "synth", "synth"),
                  ("synth", "", "synth")),
         "bun": (("run", "synth", "synth"),)}
# each runner's options, by kind: taking no value, taking one, naming the app's own folder,
# running another folder's or package's script, not known
OPTIONS = {
    "npm": {"flag": ("--silent", "-s", "--no-progress", "--if-present", "--fund false", "-g",
                     "-iwr"),
            "valued": ("--loglevel warn", "--loglevel=warn", "--registry infra", "-L infra"),
            "here": ("--prefix .", "-C .", "--prefix=./"),
            "elsewhere": ("--prefix infra", "-C infra", "-w a", "--workspace=a",
                          "--workspaces", "-ws")},
    "yarn": {"flag": ("--silent", "--frozen-lockfile", "-s"),
             "valued": ("--network-timeout 1000", "--mutex=file:infra", "--registry infra"),
             "here": ("--cwd .", "--cwd=."),
             "elsewhere": ("--cwd infra", "--cwd=a")},
    "pnpm": {"flag": ("--silent", "-s", "--if-present", "--stream"),
             "valued": ("--reporter warn", "--loglevel=warn", "--workspace-concurrency 1"),
             "here": ("-C .", "--dir .", "--dir=."),
             "elsewhere": ("-C infra", "--dir=a", "--filter a", "-F a", "-r", "-w")},
    "bun": {"flag": ("--silent", "--bun", "-b"),
            "valued": ("--env-file infra", "--env-file=a", "--shell system"),
            "here": ("--cwd .",),
            "elsewhere": ("--cwd infra", "--filter a", "-F a")},
}
UNLISTED = ("--frobnicate", "--frobnicate infra", "-Z")
SCRIPTS = {"Python": "python3 app.py", "TypeScript/JavaScript": "npx ts-node bin/app.ts"}
PLACES = ("before", "between", "after")


def _command(runner: str, form: tuple[str, str, str], place: str, option: str) -> str:
    before, between, after = (option if place == p else "" for p in PLACES)
    return " ".join(w for w in (runner, before, form[0], between, form[1], after) if w)


def _expected(runner: str, kind: str, place: str, language: str) -> str:
    if place == "after" and runner != "npm":
        return language  # the script's own arguments
    if kind == "elsewhere" or (kind == "unlisted" and place != "after"):
        return UNTOLD
    return language


CASES = [(runner, form, place, kind, option, language)
         for runner, forms in FORMS.items() for form in forms
         for place in PLACES if place != "between" or form[1]
         for kind, options in (*OPTIONS[runner].items(), ("unlisted", UNLISTED))
         for option in options for language in SCRIPTS]


def test_a_runners_options_leave_its_script_told_or_untold_as_the_runner_reads_them() -> None:
    wrong = []
    for runner, form, place, kind, option, language in CASES:
        command = _command(runner, form, place, option)
        other = next(lang for lang in SCRIPTS if lang != language)
        key = form[2]
        scripts = {w: SCRIPTS[other] for w in option.split() if not w.startswith("-")}
        scripts.update({key: SCRIPTS[language], "run": SCRIPTS[other]})
        said = language_of(command, scripts).name
        if said != _expected(runner, kind, place, language):
            wrong.append((command, kind, said))
    assert len(CASES) > 500 and not wrong, wrong


@pytest.mark.parametrize(("command", "told"), [
    ("yarn workspace a synth", False), ("yarn workspaces foreach run synth", False),
    ("npm run -- synth", True), ("npm --silent true run synth", True),
    ("npm --prefix", False), ("npm run synth -- --prefix infra", True),
    ("pnpm run synth --filter a", True), ("npm ci --silent", True)])
def test_a_runners_command_words_tell_its_script(command: str, told: bool) -> None:
    said = language_of(command, {"synth": "python3 app.py", "a": "node a.js"}).name
    if command.startswith("npm ci"):
        assert said == "TypeScript/JavaScript"  # runs no script: the runner tells it
    else:
        assert said == ("Python" if told else UNTOLD), command


@pytest.mark.parametrize(("runner", "option"), list(itertools.product(
    FORMS, ("--prefix .", "--cwd .", "-C .", "--silent"))))
def test_scripts_that_run_no_script_are_told_by_the_runner(runner: str, option: str) -> None:
    """`npm ci` and the like start no script: the runner tells the language as before."""
    assert language_of(f"{runner} ci {option}".strip(), {"synth": "python3 app.py"}).name in \
        ("TypeScript/JavaScript", UNTOLD)
