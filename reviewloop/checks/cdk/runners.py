"""The package.json script a package runner (npm, yarn, pnpm, bun) runs, read past its options.

A runner's options come before its command and the script's name, and some take the next word
as their value (`npm --prefix . run synth`, `yarn --cwd . synth`, `pnpm -C . run synth`): read
as words of their own they hid the script, and a Python app started through one was told by
the runner itself, TypeScript (review round 8, D11). Each runner here lists the options it
takes with a value and those it takes without; an option it does not list may be either, so
which word is the script cannot be told (`UNTOLD`), nor can it where an option runs another
package's script (`npm -w a`, `pnpm --filter a`). An option naming the folder whose
package.json the runner reads (`npm --prefix infra`, `yarn --cwd infra`, `pnpm -C infra`) is
told: the script is that folder's (`Script.folder`), whose package.json the caller reads.
Nothing here reads a file or runs anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, NamedTuple


class Untold:
    """Which script a runner runs cannot be told from its command."""

    def __repr__(self) -> str:
        return "UNTOLD"


UNTOLD: Final = Untold()
_HERE = frozenset((".", "./"))  # the value of a folder option naming the app's own folder
HERE = "."


class Script(NamedTuple):
    """A package.json script a runner runs: its name, and the folder whose package.json
    holds it as the runner's folder option wrote it (`HERE`: the folder it runs in)."""

    name: str
    folder: str = HERE


@dataclass(frozen=True)
class Runner:
    """One package runner: the commands that run a script (`run`), the options that take the
    next word as their value and those that take none, the options that run another folder's
    or package's script (`elsewhere`; with a value of `.` a folder option names the app's
    own), whether a word no command names is a script (`yarn synth`), the commands that run
    the script of their name (`npm start`), and whether its options after the script's name
    are still its own (npm's are; the others pass them to the script)."""

    runs: tuple[str, ...]
    valued: frozenset[str]
    flags: frozenset[str]
    elsewhere: frozenset[str]
    bare: bool = False
    lifecycle: Mapping[str, str] = field(default_factory=dict)
    options_after: bool = False
    negated: bool = False  # any `--no-NAME` is an option without a value (npm's)
    booleans_take: frozenset[str] = frozenset()  # `--silent true`: npm reads the word too
    folders: frozenset[str] = frozenset()  # of `elsewhere`, those naming the script's folder


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# from npm 11's config definitions (@npmcli/config): the usual ones; any other is not told
RUNNERS: dict[str, Runner] = {
    "npm": Runner(
        ("run", "run-script", "rum", "urn"),
        _words("--prefix -C --workspace -w --loglevel --userconfig --globalconfig --cache "
               "--registry --reg --script-shell --node-options --include --omit --location -L "
               "--before --tag --otp --scope --shell --logs-dir --logs-max --call -c"),
        _words("--silent -s --quiet -q --verbose -d -dd -ddd --if-present --ignore-scripts "
               "--foreground-scripts --workspaces -ws --include-workspace-root -iwr --yes -y "
               "--no -n --offline --prefer-offline --prefer-online --json --parseable -p "
               "--long -l --force -f --global -g --dry-run --timing --progress --unicode "
               "--audit --fund --update-notifier"),
        _words("--prefix -C --workspace -w --workspaces -ws"),  # -g still runs the app's
        lifecycle={"start": "start", "test": "test", "t": "test", "tst": "test",
                   "stop": "stop", "restart": "restart"},
        options_after=True, negated=True, booleans_take=frozenset(("true", "false")),
        folders=_words("--prefix -C")),
    # yarn 1's global options and yarn 2+'s `--cwd`; `yarn workspace a synth` runs a's
    "yarn": Runner(
        ("run",),
        _words("--cwd --modules-folder --cache-folder --global-folder --link-folder "
               "--preferred-cache-folder --mutex --registry --network-concurrency "
               "--network-timeout --use-yarnrc --https-proxy --proxy --otp"),
        _words("--silent -s --verbose --offline --prefer-offline --frozen-lockfile "
               "--pure-lockfile --json --ignore-scripts --non-interactive --no-progress "
               "--no-default-rc --no-bin-links --ignore-engines --ignore-optional "
               "--ignore-platform --force --no-lockfile --no-color --color --har "
               "--top-level -T --binaries-only -B"),
        _words("--cwd workspace workspaces"), bare=True, folders=_words("--cwd")),
    "pnpm": Runner(
        ("run", "run-script"),
        _words("--dir -C --filter -F --reporter --loglevel --workspace-concurrency "
               "--resume-from --filter-prod --test-pattern --changed-files-ignore-pattern"),
        _words("--silent -s --if-present --parallel --stream --aggregate-output "
               "--sequential --no-bail --bail --use-stderr --shell-mode --color --no-color "
               "--reverse --recursive -r --workspace-root -w --report-summary"),
        _words("--dir -C --filter -F --filter-prod --recursive -r --workspace-root -w"),
        bare=True, folders=_words("--dir -C")),
    "bun": Runner(
        ("run",),
        _words("--cwd --filter -F --env-file --preload -r --tsconfig-override --define -d "
               "--loader -l --main-fields --conditions --shell --elide-lines --port"),
        _words("--silent --bun -b --if-present --watch --hot --smol --no-install "
               "--prefer-offline --prefer-latest --no-clear-screen --workspaces"),
        _words("--cwd --filter -F --workspaces"), folders=_words("--cwd")),
}


def script_name(runner: Runner, words: list[str]) -> Script | Untold | None:
    """The package.json script `runner` given `words` runs, and whose: None when it runs
    none (`npm ci`, `bun app.ts`), `UNTOLD` when which it runs, or whose, cannot be told."""
    command: str | None = None
    script: str | None = None
    folder = HERE
    at, options = 0, True
    while at < len(words):
        word = words[at]
        at += 1
        if options and word == "--":
            options = False
        elif options and word.startswith("-") and word != "-":
            if script is not None and not runner.options_after:
                break  # the script's own arguments
            name, attached, value = word.partition("=")
            if name in runner.folders:  # the last one names the folder, as the runner reads
                given = value if attached else (words[at] if at < len(words) else None)
                if given is None:
                    return UNTOLD
                folder, at = given, at + (not attached)
                continue
            took = _option(runner, word, words[at] if at < len(words) else None)
            if isinstance(took, Untold) or (took is None and script is None):
                return UNTOLD
            at += took or 0  # an option it does not list after the script: the script is told
        elif command is None:
            command = word
            if command in runner.elsewhere:
                return UNTOLD  # `yarn workspace a synth`: package a's script
            if command in runner.lifecycle:
                script = runner.lifecycle[command]
            elif command not in runner.runs:
                if not runner.bare:
                    return None  # `npm ci`, `bun app.ts`
                script = command  # `yarn synth`
        elif script is None:
            script = word  # `npm run synth`
        elif not runner.options_after:
            break
    return Script(script, folder) if script is not None else None


def _option(runner: Runner, word: str, following: str | None) -> int | Untold | None:
    """How many words after its option `word` `runner` takes as the option's value (the word
    `following` it, or none); `UNTOLD` where the option runs another folder's or package's
    script, None for an option it does not list (it may take the next word or not)."""
    name, attached, value = word.partition("=")
    if name in runner.valued:
        if name in runner.elsewhere and (value if attached else following) not in _HERE:
            return UNTOLD
        return 0 if attached else 1
    if name in runner.elsewhere:
        return UNTOLD
    if name in runner.flags or (runner.negated and name.startswith("--no-")):
        return int(not attached and following in runner.booleans_take)
    return None
