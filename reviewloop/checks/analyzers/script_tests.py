"""The JavaScript test files a package's own `test` script names: `node --test tests/*.js`,
`mocha spec/` (rev11c D2). A file the script runs is a test whatever its folder or name.

Read from the trusted `package.json`'s `scripts.test`, never run: each command the script
chains (`&&`, `;`, `|`) that starts `node --test` or `mocha` gives its positional arguments,
and one that runs another script (`npm run unit`, `npm test`, `pnpm run unit`, `yarn unit`) is
followed into it, with the arguments the package manager appends to it (rev12 D4), and with
the `pre<name>` and `post<name>` scripts npm runs around it (rev13 D4), as is
each script an `npm-run-all` / `run-s` / `run-p` pattern names (`run-s lint test:*`,
`run_all`); a coverage wrapper in front of the runner (`c8 mocha`, `nyc --reporter=lcov node
--test`) is seen through.
An argument with a glob character is matched as the shell running the script expands it
(`*`, `?`, `[...]` within one folder, `**` as `*`), a quoted one as node's and mocha's own
globs read it (`**` across folders, or none); a module the runner preloads (`--require`,
`--import`, mocha's `--file`) is test code too. node runs a file it is given whatever its
name, and searches a folder it is given by its default names only (which
`checks.paths.collected_test` knows); mocha runs every `.js`, `.cjs`, `.mjs` file of a
folder it is given (of its subfolders too with `--recursive`).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

from reviewloop.checks.analyzers.run_all import run_all_calls, without_wrapper

MAX_DEPTH = 8  # scripts followed through `npm run <name>`
_COMMON = frozenset({"install", "i", "add", "remove", "rm", "uninstall", "update", "up",
                     "exec", "dlx", "create", "init", "publish", "pack", "link", "unlink",
                     "audit", "outdated", "list", "ls", "why", "rebuild", "config", "info"})
# the package managers' own commands, which `pnpm <word>` and `yarn <word>` run before a script
_BUILTINS = {"npm": frozenset(), "pnpm": _COMMON | {"x", "prune", "store", "import", "patch"},
             "yarn": _COMMON | {"workspace", "workspaces", "node", "bin", "cache", "global"}}
_SEGMENTS = re.compile(r"&&|\|\||[;|&]")
_GLOB = re.compile(r"[*?\[]")
_MOCHA_SUFFIXES = (".js", ".cjs", ".mjs")
_PRELOADS = frozenset({"-r", "--require", "--import", "--file"})
# options whose value is the next word (the positional arguments are the files)
_NODE_VALUED = frozenset({
    "-r", "--require", "--import", "--loader", "--experimental-loader", "--env-file",
    "--test-name-pattern", "--test-skip-pattern", "--test-reporter",
    "--test-reporter-destination", "--test-concurrency", "--test-timeout", "--test-shard",
    "--conditions", "-C", "--input-type", "--title"})
_MOCHA_VALUED = frozenset({
    "-r", "--require", "--reporter", "-R", "--reporter-option", "--reporter-options", "-O",
    "--ui", "-u", "--timeout", "-t", "--slow", "-s", "--grep", "-g", "--fgrep", "-f",
    "--config", "--package", "--extension", "--ignore", "--exclude", "--file", "--retries",
    "--jobs", "-j", "--node-option", "-n", "--delay-ms", "--watch-files", "--watch-ignore"})


@dataclass(frozen=True)
class ScriptTests:
    """The files and folders a package's test script hands its runner."""

    # paths and globs run whatever their names, each with whether `**` crosses folders
    files: tuple[tuple[str, bool], ...] = ()
    mocha_folders: tuple[str, ...] = ()  # folders whose script files mocha runs
    recursive: bool = False  # mocha's `--recursive`

    def runs(self, path: str) -> bool:
        if any(path == f or (_GLOB.search(f) and _glob(f, deep).fullmatch(path))
               for f, deep in self.files):
            return True
        if not path.endswith(_MOCHA_SUFFIXES):
            return False
        folder = path.rpartition("/")[0]
        return any(folder == d or (self.recursive and folder.startswith(f"{d}/"))
                   for d in self.mocha_folders)


def script_tests(manifest_text: str | None) -> ScriptTests:
    """What the `test` script of the `package.json` text runs; nothing when it names no file."""
    parts = [_segment(segment) for segment in script_commands(manifest_text)]
    return ScriptTests(tuple(f for part in parts for f in part.files),
                       tuple(d for part in parts for d in part.mocha_folders),
                       any(part.recursive for part in parts))


def script_commands(manifest_text: str | None) -> tuple[str, ...]:
    """The commands the `test` script of the `package.json` text runs, the scripts it runs by
    name followed into."""
    try:
        manifest = json.loads(manifest_text) if manifest_text is not None else None
    except ValueError:
        return ()
    scripts = manifest.get("scripts") if isinstance(manifest, dict) else None
    if not isinstance(scripts, dict):
        return ()
    return _script(scripts, "test", (), ())


def _script(scripts: dict, name: str, extra: tuple[str, ...],
            seen: tuple[str, ...]) -> tuple[str, ...]:
    """The commands script `name` runs with `extra` arguments appended (as the package
    manager runs it), following the scripts it runs by name (`npm run unit`) up to
    `MAX_DEPTH` deep and never into a script already being followed."""
    script = scripts.get(name)
    if not isinstance(script, str) or name in seen or len(seen) >= MAX_DEPTH:
        return ()
    if extra:
        script = f"{script} {shlex.join(extra)}"
    if any(name.startswith(s) and name[len(s):] in scripts for s in ("pre", "post")):
        hooks: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
    else:  # npm runs `pre<name>` before the script and `post<name>` after it (rev13 D4)
        hooks = (_script(scripts, f"pre{name}", (), (*seen, name)),
                 _script(scripts, f"post{name}", (), (*seen, name)))
    return (*hooks[0], *_commands(scripts, name, script, seen), *hooks[1])


def _commands(scripts: dict, name: str, script: str, seen: tuple[str, ...]) -> tuple[str, ...]:
    """The commands of script `name`'s text, the scripts it runs by name followed into."""
    commands: list[str] = []
    for segment in _SEGMENTS.split(script):
        for command in _run_all(segment, scripts) or (segment,):
            call = _script_call(command)
            commands.extend(_script(scripts, call[0], call[1], (*seen, name))
                            if call is not None else (command,))
    return tuple(commands)


def _run_all(segment: str, scripts: dict) -> tuple[str, ...] | None:
    """The `npm run` commands of an `npm-run-all` / `run-s` / `run-p` segment, else None."""
    try:
        return run_all_calls(runner_argv(shlex.split(segment)), scripts)
    except ValueError:
        return None


def _script_call(segment: str) -> tuple[str, tuple[str, ...]] | None:
    """`(name, arguments)` for a command that runs another script of the package, with the
    arguments the package manager hands it (`npm run unit x -- --y`, `npm test`, `pnpm run
    unit`, `yarn unit`), else None."""
    try:
        argv = shlex.split(segment)
    except ValueError:
        return None
    argv = runner_argv(argv)  # `FOO=1 npm run unit`, `nyc npm run unit`
    if len(argv) < 2 or argv[0] not in _BUILTINS:
        return None
    before, _, after = _partition(argv[1:], "--")  # after `--`: handed on as they are
    words = [w for w in before if not w.startswith("-")]  # the manager's options left out
    if not words:
        return None
    if words[0] in ("test", "t", "tst"):
        return "test", (*words[1:], *after)
    if words[0] in ("run", "run-script"):
        return (words[1], (*words[2:], *after)) if len(words) > 1 else None
    if argv[0] == "npm" or words[0] in _BUILTINS[argv[0]]:
        return None  # the manager's own command: `npm ci`, `pnpm exec`, `yarn add`
    return words[0], (*words[1:], *after)  # `pnpm unit`, `yarn unit`


def _partition(words: list[str], separator: str) -> tuple[list[str], str, list[str]]:
    if separator not in words:
        return words, "", []
    at = words.index(separator)
    return words[:at], separator, words[at + 1:]


def _segment(segment: str) -> ScriptTests:
    """What one command of the script hands node's runner or mocha."""
    try:
        found = _runner_arguments(shlex.split(segment))
    except ValueError:
        found = None
    if found is None:
        return ScriptTests()
    runner, arguments = found
    words, preloaded = _positional(arguments,
                                   _MOCHA_VALUED if runner == "mocha" else _NODE_VALUED)
    files = [(_plain(w), False) for w in preloaded if w.startswith((".", "/")) or "/" in w]
    folders = []
    for word in words:
        path = _plain(word)
        if runner == "mocha" and not _GLOB.search(path) and not path.endswith(_MOCHA_SUFFIXES):
            folders.append(path)
        else:
            files.append((path, f"'{word}'" in segment or f'"{word}"' in segment))
    return ScriptTests(tuple(files), tuple(folders),
                       runner == "mocha" and "--recursive" in arguments)


def unread_commands(manifest_text: str | None) -> tuple[str, ...]:
    """The commands the `test` script runs (its `pretest`/`posttest` too) whose test files are
    not read here: any but jest, `node --test` and mocha (`tsx --test e2e/`, `ts-mocha`,
    `qunit`, `node e2e/run.js` … may run any file, rev13 D4b)."""
    unread = []
    for command in script_commands(manifest_text):
        try:
            argv = runner_argv(shlex.split(command))
        except ValueError:
            argv = None  # not read: may be one
        if argv == [] or (argv and (argv[0] == "jest" or _runner_arguments(argv))):
            continue
        unread.append(command.strip())
    return tuple(dict.fromkeys(unread))


def runner_argv(argv: list[str]) -> list[str]:
    """`argv` from the program it runs: without `FOO=1`, `npx`, `env`, `cross-env` or a
    coverage wrapper (`c8`, `nyc` and their options) before it, and the program named by its
    file name (`node_modules/.bin/jest` as `jest`); none for a wrapper's own `c8 report`."""
    while True:
        while argv and (("=" in argv[0] and not argv[0].startswith("-"))
                        or argv[0] in ("npx", "exec", "env", "cross-env")):
            argv = argv[1:]  # `FOO=1 node --test`, `npx mocha`
        unwrapped = without_wrapper(argv)
        if unwrapped is None:
            return []
        if unwrapped is argv:
            return [argv[0].rsplit("/", 1)[-1], *argv[1:]] if argv else []
        argv = unwrapped


def _runner_arguments(argv: list[str]) -> tuple[str, list[str]] | None:
    """`("node", arguments)` for `node ... --test ...`, `("mocha", arguments)` for mocha
    (also through `npx`), else None."""
    argv = runner_argv(argv)
    if not argv:
        return None
    command = argv[0]
    if command == "node" and "--test" in argv[1:]:
        return "node", argv[1:]
    if command in ("mocha", "_mocha"):
        return "mocha", argv[1:]
    return None


def _positional(arguments: list[str], valued: frozenset[str]) -> tuple[list[str], list[str]]:
    """The positional arguments, and the modules the runner preloads."""
    words: list[str] = []
    preloaded: list[str] = []
    option = None
    for word in arguments:
        if option is not None:
            if option in _PRELOADS:
                preloaded.append(word)
            option = None
        elif word.startswith("-"):
            name, equals, value = word.partition("=")
            if equals and name in _PRELOADS:
                preloaded.append(value)
            option = word if word in valued else None
        else:
            words.append(word)
    return words, preloaded


def _plain(word: str) -> str:
    word = word.removeprefix("./").rstrip("/")
    while word.startswith("./"):
        word = word[2:]
    return word


def _glob(pattern: str, deep: bool) -> re.Pattern[str]:
    """A glob as a regex over repository paths (`deep`: `**/` any folders, or none; else the
    shell's `**`, one `*`)."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if not deep and pattern.startswith("**", i):
            out.append("[^/]*")
            i += 2
            continue
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1:end]
            out.append(f"[{'^' + body[1:] if body.startswith('!') else body}]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))

