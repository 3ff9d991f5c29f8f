"""A change that makes a file code of another language writes one line and makes all the
others code: `tool.txt` renamed `tool.py` with a comment edited, or a shebang put atop an
extensionless file. The analyzers of that language read it for the first time, and their
findings on the lines the change did not write were "outside the change" (or gone): the
review passed, complete. Now they are the change's (`review/retyped.py`); a file whose
language stayed the same keeps the old rule, so a finding on an untouched line of an
edited Python file is still outside. Generated: ways to retype × payloads × where the one
edit lands, each beside an unretyped control, in real reviews."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

PYTHON = ("import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
          "\n\n# helpers\n", "B602", "#!/usr/bin/env python3\n", ".py")
SHELL = ('echo start\nDIR="$1"\nrm -rf "$DIR/"\n# helpers\n', "SC2115", "#!/bin/bash\n", ".sh")
# how the change makes a file code: renamed to the payload's suffix with a line
# edited, or given a shebang and left where it is
WAYS = ("rename", "shebang", "rename+shebang")


def _retype(root, name: str, payload: tuple[str, str, str, str], way: str, edit: str) -> str:
    """Make the committed `name` code of the payload's language in `way`; its new path."""
    _, _, bang, suffix = payload
    path = name
    if "rename" in way:
        path = f"{name.rsplit('.', 1)[0]}{suffix}"
        git(root, "mv", name, path)
    text = (root / path).read_text()
    if "shebang" in way:
        text = bang + text
    elif edit == "first":
        text = "# moved here\n" + text
    else:
        text = text.replace("# helpers", "# helper functions")
    (root / path).write_text(text)
    return path


@pytest.mark.pypi
@pytest.mark.timeout(900)
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.sampled_from((PYTHON, SHELL)), way=st.sampled_from(WAYS),
       old=st.sampled_from(("tool.txt", "tool", "notes.md")),
       edit=st.sampled_from(("first", "last")))
def test_findings_in_a_retyped_file_are_the_changes(
        tmp_path_factory: pytest.TempPathFactory, shellcheck_tools, payload: tuple,
        way: str, old: str, edit: str) -> None:
    body, rule, _, suffix = payload
    control = f"lib/same{suffix}"  # already code: an edit elsewhere leaves the rule as is
    root = init_repo(tmp_path_factory.mktemp("r") / "r", {old: body, control: body})
    git(root, "checkout", "-qb", "feature")
    path = _retype(root, old, payload, way, edit)
    (root / control).write_text(body.replace("# helpers", "# helper functions"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "retype")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    status = {(e["finding"]["file"], e["finding"]["rule"]): e["status"]
              for e in report["ledger"]["entries"]}
    assert status.get((path, rule)) == "open", (path, status)
    assert status.get((control, rule)) == "out_of_scope", (control, status)
