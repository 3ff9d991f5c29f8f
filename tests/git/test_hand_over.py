"""A shebang whose `env -S` string starts a shell with a command string that hands the file
to Python or Node (`#!/usr/bin/env -S sh -c 'exec python3 "$0" "$@"'`) names the language
the file is in: no shell ever reads it (`sh -c STRING script` runs STRING, `$0` the script).
Before, such a file was taken for a shell script: read by bandit or ESLint through
`git.trampolines`, but shellchecked too, and named not analysed ("shellcheck: could not
parse it") for the Python or JavaScript no shell runs.

Generated: env's options (`-i`, `-v`, `-u NAME`, `-C DIR`, `--`, assignments) inside its
`-S` string and in its cluster (`-iS`), each way of giving `-S`, a shell and its options, a
command string handing `$0` over (or not: the look-alikes stay shell), an interpreter run
directly. The
oracle is what env and the shell do with the argv: env's program is its first word that is
no option of env's (nor the argument of one) and no assignment; a shell given `-c` runs its
string's command with the script as `$0` when the string is its last word."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.executed import runs_as
from reviewloop.git.hand_over import command_string
from reviewloop.git.languages import JAVASCRIPT, PYTHON, SHELL, language
from reviewloop.git.trampolines import handed_to
from tests.support.gitutil import git
from tests.support.js_tools import shellcheck_tools as shellcheck_tools  # the fixture
from tests.support.repos import init_repo, write
from tests.support.review_cli import review

PY_BODY = "import subprocess\n\n\ndef f(cmd):\n    subprocess.call(cmd, shell=True)\n"
JS_BODY = "eval(process.argv[2]);\n"
INTERPRETERS = {"python3": PYTHON, "python": PYTHON, "/usr/bin/python3": PYTHON,
                "pypy3": PYTHON, "node": JAVASCRIPT, "nodejs": JAVASCRIPT,
                "/usr/local/bin/node": JAVASCRIPT}
INTERPRETER_OPTIONS = ((), ("-u",), ("-E", "-s"), ("--no-warnings",))
SHELLS = ("sh", "bash", "dash", "/bin/sh", "/usr/bin/bash")
# a shell's options around `-c`: (before, whether they hold -c themselves)
SHELL_OPTIONS = (((), False), (("-e",), False), (("-eu",), False), (("-o", "errexit"), False),
                 (("-ec",), True), (("+x", "-c"), True))
# env's options and assignments, as env's argv words
ENV_OPTIONS = (("-i",), ("-v",), ("-u", "HOME"), ("-C", "/tmp"), ("A=1",), ("-0",))


class Shebang(NamedTuple):
    line: str
    language: str | None  # the oracle's: what runs the file


def _quoted(word: str) -> str:
    """`word` as env's -S string gives it back: bare, or single-quoted (`'…'`: no `$`
    expansion, only `\\'` and `\\\\` escaped)."""
    if word and all(c.isalnum() or c in "/-=._+" for c in word):
        return word
    return "'" + word.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _program(argv: list[str]) -> str | None:
    """The oracle: the language of the program `argv` (env's further words) runs the file
    with, as env then the shell read them."""
    at = 0
    while at < len(argv) and (argv[at].startswith("-") or "=" in argv[at]):
        at += 2 if argv[at] in ("-u", "-C") else 1
        if argv[at - 1] == "--":
            break
    program, rest = argv[at], argv[at + 1:]
    name = program.rpartition("/")[2]
    if name in ("sh", "bash", "dash"):
        if "-c" in rest or "-ec" in rest:  # the generator's strings: `[exec] INTERP ... $0`
            words = rest[-1].split()
            interpreter = words[1] if words[0] == "exec" else words[0]
            return INTERPRETERS[interpreter]
        return SHELL
    return INTERPRETERS[program]


@st.composite
def shebangs(draw: st.DrawFn) -> Shebang:
    inside = [w for o in draw(st.lists(st.sampled_from(ENV_OPTIONS), max_size=2)) for w in o]
    if draw(st.booleans()):
        inside.append("--")
    interpreter = draw(st.sampled_from(sorted(INTERPRETERS)))
    options = list(draw(st.sampled_from(INTERPRETER_OPTIONS)))
    if draw(st.booleans()):  # a shell with a command string
        shell = draw(st.sampled_from(SHELLS))
        flags, told = draw(st.sampled_from(SHELL_OPTIONS))
        zero = draw(st.sampled_from(('"$0"', "$0", '"${0}"')))
        exec_ = draw(st.sampled_from(("exec ", "")))
        string = f"{exec_}{interpreter}{''.join(' ' + o for o in options)} {zero} \"$@\""
        command = [shell, *flags, *([] if told else ["-c"]), string]
    else:
        command = [interpreter, *options]
    argv = [*inside, *command]
    split = " ".join(_quoted(w) for w in argv)
    form = draw(st.sampled_from(("-S ", "-S", "--split-string=", "-iS ", "-vS ")))
    if form.startswith(("-iS", "-vS")):
        argv = [form[:2], *argv]  # the option the cluster holds
    # Linux hands env the rest of the line as one word: options before -S only in its cluster
    return Shebang(f"#!/usr/bin/env {form}{split}", _program(argv))


@settings(max_examples=300, deadline=None)
@given(shebang=shebangs(), name=st.sampled_from(("tool", "bin/tool", "run.sh")))
def test_the_file_s_language_is_the_program_env_and_its_shell_run(
        shebang: Shebang, name: str) -> None:
    body = JS_BODY if shebang.language == JAVASCRIPT else PY_BODY
    start = f"{shebang.line}\n{body}".encode()
    assert language(name, start) == shebang.language, shebang.line
    # read by its language's analyzers only: no trampoline, no shell it runs as
    assert handed_to(name, start) is None
    assert runs_as(name, start) is None


LOOK_ALIKES = (  # the shell reads the file, or the string hands it nothing
    "#!/usr/bin/env -S sh -e",
    "#!/usr/bin/env -S bash -c 'exec python3 --version'",
    "#!/usr/bin/env -S sh -c 'exec python3 \"$0\" \"$@\"' name",  # $0 is `name`: $1 the file
    "#!/usr/bin/env -S sh -o c",  # `c` is -o's argument: no -c
    "#!/usr/bin/env -S sh script.sh -c 'exec python3 \"$0\"'",  # a script operand first
)


@given(line=st.sampled_from(LOOK_ALIKES))
def test_a_shell_not_handing_the_file_over_keeps_it_a_shell_script(line: str) -> None:
    assert language("tool", f"{line}\necho hi\n".encode()) == SHELL


def test_the_command_string_is_the_shell_s_last_word_after_c() -> None:
    assert command_string(["sh", "-c", "x"]) == "x"
    assert command_string(["bash", "-o", "pipefail", "-ec", "--", "x"]) == "x"
    assert command_string(["sh", "-c", "x", "name"]) is None
    assert command_string(["sh", "x"]) is None


def test_the_review_reads_such_files_as_their_language_and_names_none_not_parsed(
        tmp_path: Path, shellcheck_tools: Path) -> None:
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    files = {
        "bin/a": ("#!/usr/bin/env -S sh -c 'exec python3 \"$0\" \"$@\"'", PY_BODY, "B602"),
        "bin/b": ("#!/usr/bin/env -S -i -- bash -ec 'python3 -u \"$0\" \"$@\"'", PY_BODY,
                  "B602"),
        "bin/c": ("#!/usr/bin/env -iS sh -c 'exec node \"$0\" \"$@\"'", JS_BODY, "no-eval"),
        "bin/d": ("#!/usr/bin/env -S A=1 node --no-warnings", JS_BODY, "no-eval")}
    for path, (line, body, _) in files.items():
        write(root, path, f"{line}\n{body}")
        (root / path).chmod(0o755)
    git(root, "add", "-A")
    done = review(root, "--staged", "--format", "json", "--output", str(tmp_path / "r.json"))
    report = json.loads((tmp_path / "r.json").read_text())
    assert done.returncode == 1, done.stderr[-2000:]
    for path, (_, _, rule) in files.items():
        assert any(f["file"] == path and f.get("rule") == rule
                   for f in report["findings"]["remaining"]), (path, report["findings"])
    assert not [row for row in report["health"]["files"] if row["not_read"]]
