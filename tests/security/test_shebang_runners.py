"""A script run through a runner or wrapper reviewloop has no list entry for is still read as
its interpreter's language, and one whose interpreter cannot be told is named as not analysed.

An extensionless `bin/tool` starting `#!/usr/bin/env -S flock /tmp/l python3`, `-S xvfb-run
python3`, `-S volta run node`, `#!/usr/bin/env zx`, Nix's two-line `#!/usr/bin/env nix-shell`
/ `#! nix-shell -i python3 -p python3`, or `#!/bin/rbash` was nobody's: the first program was
no interpreter, runner or wrapper reviewloop listed, so only the secrets scan read it and the
review passed, complete (f_abs D4). Now a known interpreter among the words after an unknown
program is the language (as `file` reads the line), nix-shell's `-i` names it, the POSIX
shells and zx are interpreters, and a shebang no language can be told of makes the file
unanalysed (the `changed-files` row), so the verdict is incomplete.

Generated: a prefix (direct, `env`, `env -S`), a chain of wrappers from a library of ones no
list holds, an interpreter spelled as builds name it; and programs no list knows."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.languages import (
    INTERPRETERS,
    JAVASCRIPT,
    OTHER_INTERPRETERS,
    PYTHON,
    RUNNERS,
    SHELL,
    TYPESCRIPT,
    WRAPPERS,
    by_shebang,
    language,
    untold,
)
from tests.support.repos import branch_repo
from tests.support.review_cli import review

# wrappers and runners on no list of reviewloop's, with their own arguments
UNLISTED = ("flock /tmp/l", "xvfb-run", "xvfb-run -a", "direnv exec .", "mise exec --",
            "pyenv exec", "conda run", "conda run -n base", "volta run", "nvm exec",
            "pnpm dlx", "chpst -u nobody", "firejail --quiet", "with-contenv", "dumb-init",
            "tini --", "caffeinate -i", "proxychains4 -q", "torsocks", "devbox run",
            "pixi run", "asdf exec", "rtx exec --", "scl enable rh-python38 --")
# an interpreter as a shebang may spell it, and the language it runs
SPELLED = {"python3": PYTHON, "python3.12": PYTHON, "python": PYTHON, "pypy3": PYTHON,
           "/usr/bin/python3": PYTHON, "node": JAVASCRIPT, "node22": JAVASCRIPT,
           "zx": JAVASCRIPT, "tsx": TYPESCRIPT, "bash": SHELL, "rbash": SHELL,
           "yash": SHELL, "posh": SHELL, "/bin/sh": SHELL}
PREFIXES = ("/usr/bin/env -S {}", "/usr/bin/env -S -i {}", "/usr/bin/env --split-string={}",
            "/usr/local/bin/{}")


@st.composite
def wrapped(draw: st.DrawFn) -> tuple[bytes, str]:
    """A shebang running an interpreter through one to three unlisted wrappers, and its
    language."""
    chain = draw(st.lists(st.sampled_from(UNLISTED), min_size=1, max_size=3))
    interpreter = draw(st.sampled_from(sorted(SPELLED)))
    flags = draw(st.sampled_from(("", " -u", " -e")))
    prefix = draw(st.sampled_from(PREFIXES))
    line = prefix.format(" ".join([*chain, interpreter]) + flags)
    return f"#!{line}\nprint(1)\n".encode(), SPELLED[interpreter]


@settings(max_examples=300, deadline=None)
@given(case=wrapped())
def test_an_interpreter_after_unlisted_wrappers_is_the_language(case: tuple[bytes, str]) -> None:
    text, expected = case
    assert language("bin/tool", text) == expected, text
    assert untold("bin/tool", text) is None


KNOWN = {*INTERPRETERS, *RUNNERS, *WRAPPERS, *OTHER_INTERPRETERS, "nix-shell"}
# program names no list holds: a letter first, no digits (a version suffix is stripped)
UNKNOWN = st.from_regex(r"\A[a-z][a-z_-]{1,12}\Z").filter(
    lambda name: name not in KNOWN and not name.startswith(("python", "pypy")))


@settings(max_examples=200, deadline=None)
@given(programs=st.lists(UNKNOWN, min_size=1, max_size=3),
       prefix=st.sampled_from(("/usr/bin/env {}", "/usr/bin/env -S {}", "/opt/bin/{}")))
def test_a_shebang_of_unknown_programs_is_untold(programs: list[str], prefix: str) -> None:
    """No language, and `untold` names the line: the matrix names the file as not read."""
    line = "#!" + prefix.format(" ".join(programs))
    text = f"{line}\nsomething\n".encode()
    assert language("bin/tool", text) is None
    assert untold("bin/tool", text) == line
    assert untold("notes.txt", text) is None  # a name of a kind of its own stands
    assert untold("bin/tool", b"no shebang\n") is None


@pytest.mark.parametrize(("text", "expected"), [
    (b"#!/usr/bin/env nix-shell\n#! nix-shell -i python3 -p python3\nx = 1\n", PYTHON),
    (b"#!/usr/bin/env nix-shell\n#!nix-shell -p jq curl\n#!nix-shell -i bash\nls\n", SHELL),
    (b"#!/usr/bin/env -S nix-shell -p python3 -i bash\nls\n", SHELL),
    (b"#!/usr/bin/env nix-shell\n#! nix-shell -i node -p nodejs\n", JAVASCRIPT),
    (b"#!/usr/bin/env -S coverage run\nx = 1\n", PYTHON),
    (b"#!/usr/bin/env -S pnpm dlx tsx\n", TYPESCRIPT),
    (b"#!/usr/bin/env -S bundle exec ruby\nputs 1\n", None),  # Ruby: told, no analyzer's
])
def test_nix_shell_runners_and_other_languages(text: bytes, expected: str | None) -> None:
    assert by_shebang(text) == expected
    assert untold("bin/tool", text) is None


@pytest.mark.parametrize("text", [
    b"#!/usr/bin/env -S ${PYTHON:-python3}\n",  # env refuses it: it runs nothing
    b"#!/usr/bin/env nix-shell\nx = 1\n",  # no `-i`: nothing says what nix-shell runs
    b"#!/usr/bin/env\n",
])
def test_a_shebang_that_names_nothing_told_is_untold(text: bytes) -> None:
    assert untold("bin/tool", text) == "#!" + text.split(b"\n")[0][2:].decode().strip()


SEED = b"import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


@pytest.mark.pypi
def test_a_review_reads_wrapped_scripts_and_names_an_untold_one(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each wrapped Python script's `shell=True` is bandit's B602; the script whose
    interpreter cannot be told is named as not analysed and the verdict is incomplete."""
    head = {"bin/flock": b"#!/usr/bin/env -S flock /tmp/l python3\n" + SEED,
            "bin/nix": b"#!/usr/bin/env nix-shell\n#! nix-shell -i python3 -p python3\n" + SEED,
            "bin/mystery": b"#!/usr/bin/env -S frobnicate run\n" + SEED}
    root = branch_repo(tmp_path_factory.mktemp("r") / "r", {"README.md": "x\n"}, head)
    done = review(root, "--base", "main", "--head", "feature", "--json")
    report = json.loads(done.stdout)
    found = {(f["file"], f["rule"]) for f in report["findings"]["remaining"]}
    assert {("bin/flock", "B602"), ("bin/nix", "B602")} <= found, found
    rows = {row["path"]: row for row in report["health"]["files"]}
    assert any("#!/usr/bin/env -S frobnicate run" in why
               for why in rows["bin/mystery"]["not_read"]), rows
    assert not rows["bin/flock"]["not_read"] and not rows["bin/nix"]["not_read"], rows
    assert report["health"]["complete"] is False
    assert done.returncode == 1, done.stderr[-2000:]
