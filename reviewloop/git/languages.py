"""Which language a changed file is in: by its suffix or name, and by its shebang.

A runtime decides by neither alone: `python3 bin/deploy` and `./bin/deploy` with a
`#!/usr/bin/env python3` line both run Python, whatever the name says. So a file is code
of a language when its suffix (or well-known name) says so, or when its first line is a
shebang naming that language's interpreter. The analyzers select their files here
(`AnalyzerContext.files_for`), and the coverage matrix asks here which analyzers apply to
a file, so the two never disagree.

A file of a known language is text even with a NUL byte in it: `node` runs a script with a
NUL in a comment, bash one whose NUL is past its first line. A file of no known language
is binary when its first 8,000 bytes hold a NUL (git's own test) *and* look like a binary
format: a tenth or more of them control bytes, or, after a known signature (PNG, ZIP, ELF,
…), bytes no text holds (control bytes, bytes that are not UTF-8). One NUL in a config file
or a note does not make it binary, nor does a signature before text: a `.env` the change
starts with a PNG's signature and a NUL, a token on its next line, is text, and analyzers
(the secrets scan first) read it like any text: a change's own first bytes never exempt
its lines. Nor is text in UTF-16 or UTF-32 binary, all its NULs notwithstanding
(`reviewloop.git.encodings`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from reviewloop.git.binary_formats import BINARY_PROBE as BINARY_PROBE
from reviewloop.git.binary_formats import SIGNATURES as SIGNATURES
from reviewloop.git.binary_formats import TEXTLIKE as TEXTLIKE
from reviewloop.git.binary_formats import looks_binary
from reviewloop.git.dockerfile_names import builds_an_image, docker_stem, dockerfile_name
from reviewloop.git.env_split import split_string
from reviewloop.git.hand_over import command_string, handing_program
from reviewloop.git.names import name_suffix, posix_name
from reviewloop.git.pyinstaller_spec import is_pyinstaller_spec
from reviewloop.memo import compiled_on_first_use

PYTHON = "python"
JAVASCRIPT = "javascript"
TYPESCRIPT = "typescript"
SHELL = "shell"
DOCKERFILE = "dockerfile"
TERRAFORM = "terraform"
JUPYTER = "jupyter"  # a notebook: JSON whose code cells are Python (`checks/notebooks.py`)
# shells of their own that no analyzer here reads (shellcheck checks sh, bash, dash, ksh and
# busybox sh only): a script of one is still code the change runs, so it is named as not
# analysed (`checks.analyzers.shellcheck`), never silently nobody's
ZSH = "zsh"
FISH = "fish"
CSH = "csh"  # and tcsh, its successor
UNCHECKED_SHELLS = frozenset({ZSH, FISH, CSH})
SHELLS = UNCHECKED_SHELLS | {SHELL}
# Python 2 (CPython 2, Jython, IronPython): bandit and ruff judge Python 3, whose meaning
# differs (`input()` runs what it reads in Python 2), so such a script is named as not
# analysed (`checks.analyzers.bandit`), never judged as Python 3 or left unread
PYTHON2 = "python2"

SUFFIXES: dict[str, str] = {
    ".py": PYTHON, ".pyi": PYTHON, ".pyw": PYTHON,
    # Python run by its name (linguist's): mod_wsgi's scripts, twistd's `-y` application
    # files, ArcGIS's Python toolboxes
    ".wsgi": PYTHON, ".tac": PYTHON, ".pyt": PYTHON,
    ".js": JAVASCRIPT, ".mjs": JAVASCRIPT, ".cjs": JAVASCRIPT, ".jsx": JAVASCRIPT,
    ".ts": TYPESCRIPT, ".mts": TYPESCRIPT, ".cts": TYPESCRIPT, ".tsx": TYPESCRIPT,
    ".sh": SHELL, ".bash": SHELL, ".ksh": SHELL, ".dash": SHELL,
    ".bats": SHELL,  # Bats tests: bash with `@test` blocks, which shellcheck reads as bash
    ".tf": TERRAFORM, ".tofu": TERRAFORM,  # OpenTofu reads both
    ".zsh": ZSH, ".fish": FISH, ".csh": CSH, ".tcsh": CSH,
    ".ipynb": JUPYTER,
}
# files Python runs by their name, with no shebang: SCons's build files (`scons` execs
# `SConstruct`, or `Sconstruct`/`sconstruct`, and the `SConscript`s it names) and waf's
# `wscript`; bandit and ruff read any file they are given by path as Python
PYTHON_FILES = frozenset({"SConstruct", "Sconstruct", "sconstruct", "SConscript", "wscript"})
# files a shell runs by their name, with no shebang: bash's start-up files, the POSIX
# shell's, and direnv's `.envrc` (bash, run on `cd` into the folder)
SHELL_FILES = frozenset({".bashrc", ".bash_profile", ".bash_login", ".bash_logout",
                         ".bash_aliases", ".profile", ".envrc"})
# more of what a shell sources by name, with no shebang: ksh's start-up files, the system's
# (`/etc/bash.bashrc`, `/etc/profile`), X sessions', a dotfile repository's copies without
# their dot (`bashrc`), a `.local` variant (`.profile.local`), Arch's and Alpine's build
# recipes (bash and sh), and the files of the folders a shell reads whole: husky's hooks
# (`.husky/pre-commit`, run by sh), bash-completion's, and `~/.bashrc.d/` (Fedora's and
# RHEL's default `~/.bashrc` sources every file there); bash-completion sources
# `~/.bash_completion`, xinit runs `~/.xinitrc` with sh, FreeBSD's sh reads `~/.shrc`
SOURCED = frozenset({"bashrc", "bash_profile", "bash_login", "bash_logout", "bash_aliases",
                     "bash_functions", "bash.bashrc", "bash.bash_logout", "bash_completion",
                     "kshrc", "mkshrc", "shrc", "envrc", "xprofile", "xsessionrc", "xinitrc",
                     "profile"})
RECIPES = frozenset({"PKGBUILD", "APKBUILD"})
SHELL_FOLDERS = frozenset({".husky", "bash_completion.d", ".bashrc.d", "bashrc.d"})
# the start-up files of the shells no analyzer reads, each run by its shell by name
UNCHECKED_SHELL_FILES: dict[str, str] = {
    **dict.fromkeys((".zshrc", ".zshenv", ".zprofile", ".zlogin", ".zlogout"), ZSH),
    **dict.fromkeys((".cshrc", ".tcshrc", ".login", ".logout"), CSH)}
# the same without their dot, as a dotfile repository's copy or the system's
# (`/etc/zsh/zshrc`, `/etc/csh.cshrc`), or with a `.local` tail, and the folders zsh
# set-ups source whole (`~/.zshrc.d/`): `login`/`logout` alone name too much to count
UNCHECKED_SOURCED: dict[str, str] = {
    **{name[1:]: shell for name, shell in UNCHECKED_SHELL_FILES.items()
       if name not in (".login", ".logout")},
    **dict.fromkeys(("csh.cshrc", "csh.login", "csh.logout"), CSH)}
UNCHECKED_FOLDERS: dict[str, str] = dict.fromkeys((".zshrc.d", "zshrc.d"), ZSH)
# interpreter names a shebang may give (`#!/usr/bin/env -S node --flag` included)
INTERPRETERS: dict[str, str] = {
    "python": PYTHON, "pypy": PYTHON, "graalpy": PYTHON, "graalpython": PYTHON,
    "micropython": PYTHON,  # Python 3's syntax, its own modules
    "jython": PYTHON2, "ironpython": PYTHON2, "ipy": PYTHON2, "ipy64": PYTHON2,
    "node": JAVASCRIPT, "nodejs": JAVASCRIPT, "bun": JAVASCRIPT, "deno": JAVASCRIPT,
    "ts-node": TYPESCRIPT, "tsx": TYPESCRIPT,
    # the shells shellcheck reads; zsh, fish and the like are languages of their own
    "sh": SHELL, "bash": SHELL, "dash": SHELL, "ksh": SHELL, "ash": SHELL, "mksh": SHELL,
    "busybox": SHELL, "bats": SHELL,
    # restricted bash, and POSIX shells shellcheck reads as sh once it has said so (SC1008)
    "rbash": SHELL, "yash": SHELL, "posh": SHELL, "pdksh": SHELL, "oksh": SHELL, "lksh": SHELL,
    "zx": JAVASCRIPT,  # google/zx: a JavaScript module with its shell helpers
    "zsh": ZSH, "fish": FISH, "csh": CSH, "tcsh": CSH,
}
# tools that run a script given after them (`#!/usr/bin/env -S uv run --script`, PEP 723):
# the language they run, unless a known interpreter follows (`npx tsx`)
RUNNERS: dict[str, str] = {
    "uv": PYTHON, "uvx": PYTHON, "pipx": PYTHON, "poetry": PYTHON, "pdm": PYTHON,
    "hatch": PYTHON, "rye": PYTHON, "pipenv": PYTHON,
    "npx": JAVASCRIPT, "bunx": JAVASCRIPT, "pnpx": JAVASCRIPT, "yarn": JAVASCRIPT,
    "coverage": PYTHON,  # `coverage run`: the script under coverage.py
}
# interpreters of languages no analyzer here reads, as a name of `OTHER_KINDS` says one: a
# script of one is told (no gap), as `tool.rb` is
OTHER_INTERPRETERS = frozenset({
    "perl", "raku", "ruby", "jruby", "php", "lua", "luajit", "rscript", "r", "swift", "scala",
    "java", "kotlin", "groovy", "pwsh", "powershell", "awk", "gawk", "mawk", "nawk", "sed",
    "make", "gmake", "tclsh", "wish", "expect", "osascript", "julia", "elixir", "escript",
    "runghc", "runhaskell", "ocaml", "racket", "guile", "sbcl", "dart", "crystal", "gnuplot",
    "octave"})
# nix-shell as an interpreter: its `-i LANG`, on the first line or on `#! nix-shell` lines
# after it (Nix's two-line idiom), names the language
NIX_SHELL = "nix-shell"
# programs that run the program after them, with the options of theirs that take an argument
ENV = frozenset({"-u", "--unset", "-C", "--chdir", "-P"})
# a cluster of env's short options that ends in -S and its string: `-S...`, `-iS...`, `-vS`
_env_cluster = compiled_on_first_use(r"^-[i0v]*S(.*)$")
WRAPPERS: dict[str, frozenset[str]] = {
    "env": ENV,
    "nice": frozenset({"-n", "--adjustment"}), "nohup": frozenset(),
    "timeout": frozenset({"-k", "--kill-after", "-s", "--signal"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}), "ionice": frozenset({"-c", "-n", "-p"}),
    "chrt": frozenset(), "taskset": frozenset(), "time": frozenset({"-f", "-o"}),
    "exec": frozenset({"-a"}), "sudo": frozenset({"-u", "-g"}), "doas": frozenset({"-u"}),
}
_program_name = compiled_on_first_use(r"^[\w.+@-]+$")  # a command's name, no quote in it
_duration = compiled_on_first_use(r"^\d+(?:\.\d+)?[smhd]?$|^0x[0-9a-f]+$")
SHEBANG_BYTES = 256  # of a file's start: where its `#!` line is read from
_version = compiled_on_first_use(r"[\d.]+$")  # python3.12 → python, node20 → node
# the CPython and PyPy family as their builds name themselves: `python3.13t` (free-threaded),
# `python3m` (pymalloc), `python3.12d` and Debian's `python3.11-dbg`, `python3-dbg`, `pypy3.10`
_python = compiled_on_first_use(r"^(?:python|pypy)(?P<major>\d*)(?:\.\d+)*[dmtu]*"
                                r"(?:-dbg|-debug)?$")
# suffixes of files that are no Dockerfile whatever their stem (`dockerfile.py` is Python,
# `Dockerfile.md` its documentation): the languages above, and the common others
OTHER_KINDS = frozenset({
    ".md", ".markdown", ".rst", ".txt", ".adoc", ".html", ".json", ".yaml", ".yml", ".toml",
    ".xml", ".ini", ".cfg", ".lock", ".dockerignore", ".go", ".rb", ".java", ".kt", ".rs",
    ".c", ".h", ".cc", ".cpp", ".cs", ".php", ".swift", ".scala", ".pl", ".lua", ".ps1",
    ".bat", ".cmd", ".r", ".sql", ".diff", ".patch", ".png", ".svg"})


@functools.lru_cache(maxsize=65_536)  # a round asks about every changed file many times
def by_name(path: str) -> str | None:
    """The language `path`'s name says, or None."""
    name = posix_name(path)  # asked of every changed file: no PurePosixPath
    if name in SHELL_FILES or _sourced(path, name):
        return SHELL
    if (unchecked := _unchecked(path, name)) is not None:
        return unchecked
    if name in PYTHON_FILES:
        return PYTHON
    suffix = name_suffix(name).lower()
    if (language := SUFFIXES.get(suffix)) is not None or suffix in OTHER_KINDS:
        return language
    return DOCKERFILE if dockerfile_name(name) else None


def run_by_name(path: str) -> bool:
    """Whether a shell runs `path` by its name, with no shebang (`.bashrc`, `PKGBUILD`)."""
    name = posix_name(path)
    return name in SHELL_FILES or _sourced(path, name)


def _sourced(path: str, name: str) -> bool:
    """Whether a shell runs `path` (named `name`) by its name or folder (`SOURCED`, …)."""
    stem = name.removeprefix(".").removesuffix(".local")
    folder = path[:-len(name)].rstrip("/").rpartition("/")[2]
    if stem == "profile" and not name.startswith(".") and folder != "etc":
        return False  # `/etc/profile` and `.profile`; a file `profile` elsewhere may be any
    return stem in SOURCED or name in RECIPES or name.endswith(".envrc") \
        or (folder in SHELL_FOLDERS and "." not in name)


def _unchecked(path: str, name: str) -> str | None:
    """The shell no analyzer reads that runs `path` by its name or folder, or None."""
    if name in UNCHECKED_SHELL_FILES:
        return UNCHECKED_SHELL_FILES[name]
    if (shell := UNCHECKED_SOURCED.get(name.removeprefix(".").removesuffix(".local"))):
        return shell
    folder = path[:-len(name)].rstrip("/").rpartition("/")[2]
    return UNCHECKED_FOLDERS.get(folder) if "." not in name else None


def by_shebang(head: bytes) -> str | None:
    """The language of the interpreter a file's first line names (`#!/usr/bin/env
    python3`, `#!/bin/bash -e`, `#!/usr/bin/env -S node --flag`, through `env`, `nice`,
    `timeout 60` and the like, or a runner: `uv run --script`), or None."""
    told = _told(head)
    return told[0] if told is not None else None


def untold(path: str, head: bytes) -> str | None:
    """The shebang line of `path` (content starting `head`) when no language can be told of
    it — a runner or wrapper none of the lists here knows, with no known interpreter after
    it, or a `-S` string env refuses — so that the file is named as not analysed rather than
    nobody's; None for a told one, no shebang, or a name of a kind (`notes.txt`)."""
    if by_name(path) is not None or name_suffix(posix_name(path)).lower() in OTHER_KINDS:
        return None
    line = _shebang(head)
    if line is None or _told(head) != (None, False):
        return None
    shown = line.decode("utf-8", "replace").strip()
    return f"#!{shown if len(shown) <= 80 else shown[:79] + '…'}"


def _told(head: bytes) -> tuple[str | None, bool] | None:
    """(the language, whether the program that runs the file is known) of the shebang
    `head` starts with; None without one. The first program decides (a runner: its language
    or the tool's after it; `nix-shell`: its `-i`); an unknown one is passed over for a known
    interpreter among the words after it, as `file` reads `flock /tmp/l python3`."""
    line = _shebang(head)
    if line is None:
        return None
    words = _kernel_words(line.decode("utf-8", "replace"))
    command = _command(words) if words is not None else None
    programs = list(_names(command or []))
    if not programs:  # env refuses its -S string, or no program is named: it runs nothing
        return None, False
    first = programs[0]
    if first in RUNNERS:  # `uv run --script`, `npx tsx`: the runner's language, or the tool's
        named = [_known(p) for p in programs[1:3]]
        return next((lang for lang in named if lang), RUNNERS[first]), True
    if first == NIX_SHELL and (chained := _nix_shell_interpreter(words or [], head)):
        programs = [PurePosixPath(chained).name]
    if not _program_name().match(first):  # `'-S`, a quote env was handed: no command runs
        programs = programs[:1]
    # `sh -c 'exec python3 "$0" "$@"'`: no shell reads the file, handed to Python by name
    handed = _handed(command or []) if _known(first) in SHELLS else None
    for program in ([handed] if handed else programs):
        if (language := _known(program)) is not None or _other(program):
            return language, True
    return None, False


def _handed(command: list[str]) -> str | None:
    """The interpreter a shell's `-c` string (`command`: the shell and its arguments) hands
    the script to, its own `$0` (`git.hand_over`), or None."""
    string = command_string(command)
    return handing_program(string) if string is not None else None


def _other(program: str) -> bool:
    return _version().sub("", program).lower() in OTHER_INTERPRETERS


def _nix_shell_interpreter(words: list[str], head: bytes) -> str | None:
    """The interpreter nix-shell chains to: the `-i` of its words on the first line, or of
    the `#! nix-shell …` lines after it (`#! nix-shell -i python3 -p python3`)."""
    flat = [PurePosixPath(w).name for w in " ".join(words).split()]  # -S's string, roughly
    given = flat[flat.index(NIX_SHELL) + 1:] if NIX_SHELL in flat else []
    for raw in head.split(b"\n")[1:]:
        line = raw.decode("utf-8", "replace").removeprefix("#!").split()
        if not raw.startswith(b"#!") or not line or line[0] != NIX_SHELL:
            break
        given += line[1:]
    at = given.index("-i") if "-i" in given else -1
    return given[at + 1] if 0 <= at < len(given) - 1 else None


def _shebang(start: bytes) -> bytes | None:
    """What follows `#!` on a file's first line (None: it has no shebang). A UTF-8 BOM
    before it is passed over: the kernel refuses such a file (ENOEXEC), and the shell that
    started it runs it itself — the script still runs as the shell script it says it is."""
    start = start.removeprefix(b"\xef\xbb\xbf")
    return start[2:].split(b"\n", 1)[0] if start.startswith(b"#!") else None


def _kernel_words(line: str) -> list[str] | None:
    """A shebang line's words as its interpreter gets them. Linux passes the rest of the
    line after the interpreter as one argument: for `env` with `-S` (or `--split-string=`)
    that argument is the string env splits itself, its quotes processed
    (`env_split`; None: env refuses it). Otherwise the words split on spaces, as macOS and
    the BSDs pass them (on Linux `env python3 -u` fails; its Python is read all the same)."""
    interpreter, _, rest = line.strip(" \t\r").partition(" ")
    interpreter, _, tail = interpreter.partition("\t")
    rest = f"{tail} {rest}".strip(" \t\r")
    if PurePosixPath(interpreter).name != "env" or _env_split(rest) is None:
        return line.split()
    return [interpreter, rest]


def _env_split(word: str) -> str | None:
    """The command line GNU env's `-S` splits when it is given in the same word:
    `--split-string=bash -e`, `-Sbash`, `-iS` followed by nothing (the next words), …"""
    if word.startswith("--split-string="):
        return word.removeprefix("--split-string=")
    if (option := _env_cluster().match(word)) is not None:
        return option.group(1)
    return None


def _command(words: list[str]) -> list[str] | None:
    """The words of the command a shebang's wrappers run, from its program on (`env -S -u
    HOME nice -n 5 timeout 60 python3 -u` → `python3 -u`): their options, the options'
    arguments, assignments and durations left out; None when env refuses its -S string."""
    index = 0
    while index < len(words) and PurePosixPath(words[index]).name in WRAPPERS:
        takes = WRAPPERS[PurePosixPath(words[index]).name]
        index += 1
        while index < len(words):
            word = words[index]
            if takes is ENV and (split := _env_split(word)) is not None:
                # what -S splits is env's further arguments: read on in its place (an empty
                # -S: the next words, as they came)
                parts = split_string(split)
                if parts is None:
                    return None  # env refuses the string: it runs nothing
                words = [*words[:index], *parts, *words[index + 1:]]
            elif word in takes:  # an option with an argument: `-u HOME`, `-n 5`
                index += 2
            elif word.startswith("-") or "=" in word or _duration().match(word):
                index += 1
            else:
                break
    return words[index:]


def _names(command: list[str]) -> Iterator[str]:
    """The program names among a command's words (its options left out)."""
    for word in command:
        if not word.startswith("-"):
            yield PurePosixPath(word).name


def _known(program: str) -> str | None:
    if (python := _python().match(program)) is not None:
        return PYTHON2 if python.group("major") == "2" else PYTHON
    return INTERPRETERS.get(_version().sub("", program)) or INTERPRETERS.get(program)


def head(path: str | Path) -> bytes:
    """The first bytes of `path` (empty when it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(BINARY_PROBE)
    except OSError:
        return b""


def language(path: str, start: bytes) -> str | None:
    """The language of the file `path` whose content starts with `start`: its name's, else
    its shebang's. A shell script's name yields to its shebang: `deploy.sh` starting
    `#!/usr/bin/env python3` is Python to the system that runs it and to every reader
    (shellcheck refuses it), `deploy.zsh` starting `#!/bin/bash` is bash. Other names stand:
    `#!` opens a comment in Python, HCL and JavaScript, so `python tool.py` runs Python
    whatever the first line says."""
    named = by_name(path)
    if (named is None or (named in SHELLS and _shebang(start) is None)) \
            and docker_stem(posix_name(path)) \
            and builds_an_image(start):  # no shell runs `FROM alpine`; a shebang names one
        return DOCKERFILE  # `Dockerfile.go`, `Dockerfile.sh` starting `FROM`: checkov reads it
    if named is not None and (named not in SHELLS or _shebang(start) is None):
        return named  # the usual file: decided by its name
    return by_shebang(start[:SHEBANG_BYTES]) or named \
        or (PYTHON if is_pyinstaller_spec(posix_name(path), start) else None)  # `pyinstaller
    # app.spec` runs it as Python; an RPM spec is no Python


def is_binary(path: str, start: bytes) -> bool:
    """Binary by content: a file of no known language (a runtime would run a known
    language's file whatever bytes its comments hold) whose `start` is binary."""
    return looks_binary(start) and language(path, start) is None

