"""A Python CDK app its `cdk.json` starts by its own script (`"app": "./app.py"`, run by its
shebang) is synthesized as a Python app, end to end (real aws-cdk-lib in its `.venv`, the
CDK CLI on PATH, real `cdk synth` in the sandbox).

Before, no word of `./app.py` named a known executable and the app was taken for TypeScript:
its changed `stacks/storage.py` was no TypeScript app's source, so cdk-checkov left it, and
the bucket whose public-access blocks the change switched off, unread, and said nothing.
So was one started through a wrapper with words of its own (`nice -n 10 python3 app.py`:
`nice` read as an unknown launcher, nothing synthesized). The launcher spellings themselves
are generated in `test_launcher.py`; one real synth of each is enough here (a synth takes
20-50 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.provision import TOOLS, install
from reviewloop.checks.cdk.analyzers import CdkCheckov
from reviewloop.checks.cdk.app import find_apps
from reviewloop.checks.cdk.language import PYTHON
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff
from tests.support.cdk_app import line_of
from tests.support.cdk_python import APP, STORAGE, cli_folder, jsii_sandbox, python_repo
from tests.support.gitutil import git
from tests.support.repos import write_files
from tests.support.tools_cache import cache_root as tools_cache

pytestmark = [pytest.mark.pypi, pytest.mark.npm]  # aws-cdk-lib's wheel; the CDK CLI, checkov
CHANGED = ("cdk.json", "app.py", "stacks/storage.py")


@pytest.mark.long(seconds=29)
@pytest.mark.parametrize("command", ["./app.py", "nice -n 10 python3 app.py"])
def test_an_app_started_by_its_own_python_script_is_synthesized_as_python(
        tmp_path: Path, iac_env: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    root = python_repo(tmp_path / "app")
    write_files(root, {"cdk.json": f'{{"app": "{command}"}}\n',
                       "app.py": f"#!/usr/bin/env python3\n{APP}",
                       "stacks/storage.py": STORAGE})  # the public-access blocks switched off
    (root / "app.py").chmod(0o755)
    git(root, "add", "-A")
    diff = git(root, "diff", "--cached", "HEAD")
    monkeypatch.setenv("PATH", f"{cli_folder()}:/usr/bin:/bin")
    # the shared cache itself, which the synth's sandbox shows (not this worker's overlay)
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(tools_cache()))
    install(TOOLS["cdk-nag"], tools_cache())  # the provisioned one: the app has none

    (app,) = find_apps(root, CHANGED)
    assert app.language is PYTHON and app.problem is None, (app.language, app.problem)
    found = CdkCheckov().run(AnalyzerContext(
        root=root, changes=parse_diff(diff), diff_text=diff, agent="review-infrastructure",
        files=CHANGED, tests=ProjectTests(sandbox=jsii_sandbox(root, monkeypatch), timeout=600)))

    bucket = line_of(STORAGE, 's3.Bucket(self, "Uploads"')
    assert ("CKV_AWS_53", "stacks/storage.py", bucket) in {
        (f.rule, f.file, f.start_line) for f in found}, [(f.rule, f.file) for f in found]
