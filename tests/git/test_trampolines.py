"""`git.trampolines`: a shell script that hands itself to Python or Node (`exec python3 "$0"`)
is read by that language's analyzers too. Before, pip/distlib's `'''exec'` launcher and its
kin were read by shellcheck alone, whose "Parsing stopped here" (SC1088) counted as a finding:
the Python's `shell=True` was never reported, the review complete, exit 0 (fz3 D1).
Generated: hand-over form x interpreter spelling x quoting x options x file name, and
look-alikes that hand over nothing."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.languages import JAVASCRIPT, PYTHON, language
from reviewloop.git.trampolines import handed_to
from tests.support.gitutil import git
from tests.support.js_tools import shellcheck_tools as shellcheck_tools  # the fixture
from tests.support.repos import init_repo, write
from tests.support.review_cli import review

PY_BODY = "import subprocess\n\n\ndef f(cmd):\n    subprocess.call(cmd, shell=True)\n"
SHEBANGS = ("#!/bin/sh", "#!/bin/bash", "#!/usr/bin/env sh", "#!/usr/bin/env bash")
# the hand-over line, `{run}` the interpreter's command, `{zero}` the file itself
FORMS = ("'''exec' {run} {zero} \"$@\"\n' '''", "''''exec {run} {zero} \"$@\" #'''",
         '"exec" {run} {zero} "$@"', "\"true\" '''\\'\nexec {run} {zero} \"$@\"\n'''",
         '":" //# a comment; exec {run} {zero} "$@"', '//bin/true; exec {run} {zero} "$@"')
PYTHONS = ("python3", "python", "python3.12", "pypy3", '"/opt/my env/bin/python3"',
           "/usr/bin/env python3", "'/usr/local/bin/python3.11'")
NODES = ("node", "nodejs", "/usr/bin/env node", '"/opt/node 20/bin/node"')
OPTIONS = ("", " -u", " -E -s", " --harmony")
ZEROS = ('"$0"', "$0", '"${0}"', "'$0'")
NAMES = ("tool", "bin/tool", "tool.sh", "scripts/run.bash")


@settings(max_examples=200, deadline=None)
@given(shebang=st.sampled_from(SHEBANGS), form=st.sampled_from(FORMS),
       run=st.sampled_from(PYTHONS + NODES), options=st.sampled_from(OPTIONS),
       zero=st.sampled_from(ZEROS), name=st.sampled_from(NAMES))
def test_a_shell_script_handing_itself_over_is_read_as_that_language(
        shebang: str, form: str, run: str, options: str, zero: str, name: str) -> None:
    text = f"{shebang}\n{form.format(run=run + options, zero=zero)}\n{PY_BODY}"
    expected = JAVASCRIPT if run in NODES else PYTHON
    assert handed_to(name, text.encode()) == expected, text


@given(run=st.sampled_from(PYTHONS + NODES), zero=st.sampled_from(ZEROS[:3]))
def test_a_shebang_handing_the_file_to_a_command_string_is_in_its_language(
        run: str, zero: str) -> None:
    """No shell reads such a file: it is the interpreter's, no trampoline
    (tests/git/test_hand_over.py generates the shebangs)."""
    for shell in ("sh", "bash"):
        text = f"#!/usr/bin/env -S {shell} -c 'exec {run} {zero} \"$@\"'\n{PY_BODY}"
        assert language("tool", text.encode()) == (JAVASCRIPT if run in NODES else PYTHON)
        assert handed_to("tool", text.encode()) is None


LOOK_ALIKES = (
    '#!/bin/sh\npython3 tool.py "$0"\n',  # runs another script, given this one's name
    '#!/bin/sh\necho "$0"\nexec "$0" --again\n',  # no interpreter
    '#!/bin/sh\nnodeps=1\nexec make "$0"\n',  # a word starting `node`, not node
    "#!/bin/sh\n" + "true\n" * 6 + 'exec python3 "$0"\n',  # past the launcher's lines
    '#!/usr/bin/env python3\n"exec" "python3" "$0"\n',  # Python already: nothing to add
)


@given(text=st.sampled_from(LOOK_ALIKES), name=st.sampled_from(NAMES))
def test_a_script_that_hands_nothing_over_is_only_a_shell_script(text: str, name: str) -> None:
    assert handed_to(name, text.encode()) is None


def test_the_review_reads_each_launcher_as_python_and_names_it_not_parsed_by_shellcheck(
        tmp_path: Path, shellcheck_tools: Path) -> None:
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    launchers = (FORMS[0], FORMS[1], '"exec" "{run}" {zero} "$@"', FORMS[3])  # valid Python
    files = {f"bin/tool{n}": f"#!/bin/sh\n{form.format(run='python3', zero=ZEROS[0])}\n{PY_BODY}"
             for n, form in enumerate(launchers)}
    for path, text in files.items():
        write(root, path, text)
        (root / path).chmod(0o755)
    git(root, "add", "-A")
    done = review(root, "--staged", "--format", "json", "--output", str(tmp_path / "r.json"))
    report = json.loads((tmp_path / "r.json").read_text())
    assert done.returncode == 1, done.stderr[-2000:]
    rows = {row["path"]: row for row in report["health"]["files"]}
    for path in files:
        assert any(f["file"] == path and f.get("rule") == "B602"
                   for f in report["findings"]["remaining"]), (path, report["findings"])
        assert any(why.startswith("shellcheck: could not parse it")
                   for why in rows[path]["not_read"]), rows[path]
    assert report["health"]["complete"] is False
