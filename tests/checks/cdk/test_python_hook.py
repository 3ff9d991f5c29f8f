"""A Python app's construct lines, without aws-cdk-lib: the `sitecustomize` preload run by a
real interpreter over stand-in `jsii._kernel` and `constructs` modules, its record read back
(`origins_in`) and used by `origin`, and the synth command that asks `python3` on PATH
for aws_cdk first (run in the sandbox)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.checks.cdk.app import CdkApp
from reviewloop.checks.cdk.assembly import Stack, origin
from reviewloop.checks.cdk.language import PYTHON
from reviewloop.checks.cdk.python_hook import HOOK, ORIGINS
from reviewloop.checks.cdk.synth import NO_CDK, Synth, origins_in, python_synth
from reviewloop.checks.gates.commands import run_shell
from reviewloop.sandbox.bubblewrap import Sandbox
from reviewloop.sandbox.process import CommandRun
from tests.support.repos import write_files

# jsii's kernel and constructs as far as the preload uses them (installed packages, as in a
# virtualenv): `Kernel.create` makes the object, a construct answers `node.path`.
FAKES = {
    "site-packages/jsii/__init__.py": "",
    "site-packages/jsii/_kernel.py": "class Kernel:\n"
                             "    def create(self, klass, obj, args=None):\n"
                             "        return 'ref'\n",
    "site-packages/constructs.py": "import jsii._kernel\n"
                           "class Node:\n"
                           "    def __init__(self, path): self.path = path\n"
                           "class Construct:\n"
                           "    def __init__(self, scope, id):\n"
                           "        self.node = Node(f'{scope.node.path}/{id}' if scope else id)\n"
                           "        jsii._kernel.Kernel().create(type(self), self, [scope, id])\n",
}
APP = ("from constructs import Construct\n"                    # 1
       "\n"                                                    # 2
       "class Stack(Construct):\n"                             # 3
       "    def __init__(self, scope, id):\n"                  # 4
       "        super().__init__(scope, id)\n"                 # 5
       "        Construct(self,\n"                             # 6
       "                  'Bucket')\n"                         # 7
       "\n"                                                    # 8
       "Stack(None, 'S')\n")                                   # 9


def _run_app(tmp_path: Path, *, hook: bool) -> Path:
    write_files(tmp_path, {**FAKES, "app/app.py": APP, "preload/sitecustomize.py": HOOK})
    out = tmp_path / ORIGINS
    paths = [str(tmp_path / "preload")] if hook else []
    subprocess.run([sys.executable, "app.py"], cwd=tmp_path / "app", check=True, env={
        "PYTHONPATH": ":".join([*paths, str(tmp_path / "site-packages")]),
        "REVIEWLOOP_CDK_ORIGINS": str(out), "PATH": "/usr/bin:/bin"})
    return out


def test_the_preload_records_the_line_of_the_app_that_created_each_construct(
        tmp_path: Path) -> None:
    out = _run_app(tmp_path, hook=True)

    records = [json.loads(line) for line in out.read_text().splitlines()]
    app = (tmp_path / "app/app.py").resolve()
    assert records == [{"path": "S", "frames": [f"{app}:5:9", f"{app}:9:1"]},
                       {"path": "S/Bucket", "frames": [f"{app}:6:9", f"{app}:9:1"]}]


def test_without_the_preload_nothing_is_recorded(tmp_path: Path) -> None:
    assert not _run_app(tmp_path, hook=False).exists()


def test_a_recorded_frame_places_the_construct_on_its_line_and_call(tmp_path: Path) -> None:
    out = _run_app(tmp_path, hook=True)
    app = tmp_path / "app"
    stack = Stack("S", tmp_path / "S.template.json", {
        "/S/Bucket/Resource": [{"type": "aws:cdk:creationStack",
                                "data": ["call (webpack://jsii/kernel/src/kernel.ts:733:17)"]}]})
    recorded = origins_in(out.parent)
    found = origin(stack, "S/Bucket/Resource", tmp_path, app, recorded)
    unknown = origin(stack, "S/Bucket/Resource", tmp_path, app)

    assert (found.file, found.line, found.last, found.mapped) == ("app/app.py", 6, 7, True)
    assert (unknown.file, unknown.mapped) == ("app/cdk.json", False)  # the kernel's frames only


def test_a_damaged_record_keeps_its_readable_lines(tmp_path: Path) -> None:
    (tmp_path / ORIGINS).write_text('{"path": "S/B", "frames": ["/a.py:3:1"]}\nnot json\n'
                                    '{"path": "S/C"}\n[1]\n{"path": "S/B", "frames": 3}\n')
    assert origins_in(tmp_path) == {"S/B": ["/a.py:3:1"]}
    synth = Synth(CdkApp("", language=PYTHON), "cdk synth (in .)", CommandRun(0, "", False, 1.0),
                  tmp_path, None)
    assert synth.origins == {"S/B": ["/a.py:3:1"]}
    assert origins_in(tmp_path / "elsewhere") == {}


@pytest.mark.parametrize("has_cdk", [False, True])
def test_without_a_virtualenv_python3_on_path_is_asked_for_aws_cdk_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, has_cdk: bool) -> None:
    write_files(tmp_path, {"bin/python3": f"#!/bin/sh\nexit {0 if has_cdk else 1}\n"})
    (tmp_path / "bin/python3").chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    (tmp_path / "app").mkdir()

    command, environ = python_synth("echo synthesized", None, tmp_path / "preload",
                                    tmp_path / ORIGINS)
    run = run_shell(command, tmp_path / "app", 60, sandbox=Sandbox(), environ=environ)

    if has_cdk:
        assert run.exit_code == 0 and "synthesized" in run.output
    else:
        assert run.exit_code == 3 and NO_CDK in run.output and "synthesized" not in run.output
    assert f"PYTHONPATH={tmp_path / 'preload'}" in command


def test_a_virtualenv_comes_first_on_path(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"

    command, environ = python_synth("cdk synth", venv, tmp_path / "p", tmp_path / ORIGINS)

    assert environ is not None and environ["PATH"].startswith(f"{venv / 'bin'}:")
    assert environ["VIRTUAL_ENV"] == str(venv) and "aws_cdk" not in command
