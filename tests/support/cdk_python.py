"""A Python CDK app as a git repository: its virtualenv with aws-cdk-lib (from PyPI, once per
pin, into a cache kept between sessions, like `npm_fixture`'s), and the CDK CLI of the npm
fixture app on PATH, as `npm install -g aws-cdk` would put it.

The virtualenv is kept in `tests.support.pypi_venv`'s cache, one per pin. Tests using it are
marked `pypi` (and `npm`, for the CLI).

`jsii_sandbox()` is the synth's sandbox with a copy of jsii's package cache of that
virtualenv: without it every synth's jsii kernel extracted aws-cdk-lib's assembly (184 MB,
7,800 files) and indexed its types afresh in the sandbox's empty `$HOME`, about 5 s of CPU
more per synth than with the copy, which itself takes under 1 s.

The app: `app.py` (the entry: two stacks, a queue created in it), `stacks/storage.py` (a stack
module: a bucket, and a topic made by a helper in `stacks/parts.py`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from reviewloop.sandbox.bubblewrap import Sandbox
from tests.support.npm_fixture import FIXTURES, installed
from tests.support.pypi_venv import cache_root as cache_root
from tests.support.pypi_venv import pinned_venv
from tests.support.repos import commit, init_repo, write_files

PINS = ("aws-cdk-lib==2.275.0", "constructs==10.8.1")  # the newest on PyPI here

APP = """import aws_cdk as cdk
from aws_cdk import aws_sqs as sqs

from stacks.storage import StorageStack


class QueueStack(cdk.Stack):
    def __init__(self, scope, construct_id):
        super().__init__(scope, construct_id)
        sqs.Queue(self, "Jobs",
                  encryption=sqs.QueueEncryption.UNENCRYPTED)


app = cdk.App()
StorageStack(app, "Storage")
QueueStack(app, "Queues")
app.synth()
"""
STORAGE = """import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from stacks.parts import topic


class StorageStack(cdk.Stack):
    def __init__(self, scope, construct_id):
        super().__init__(scope, construct_id)
        s3.Bucket(self, "Uploads",
                  block_public_access=s3.BlockPublicAccess(
                      block_public_acls=False, block_public_policy=False,
                      ignore_public_acls=False, restrict_public_buckets=False))
        topic(self)
"""
PARTS = """from aws_cdk import aws_sns as sns


def topic(scope):
    return sns.Topic(scope, "Alerts")
"""


def cdk_venv() -> Path:
    """The cached virtualenv with aws-cdk-lib (installed now when no earlier session did)."""
    return pinned_venv("cdk-python-" + "-".join(p.split("==")[1] for p in PINS), PINS)


JSII_CACHE = "JSII_RUNTIME_PACKAGE_CACHE_ROOT"  # jsii's own setting: where its cache lives
JSII_FOLDER = ".jsii-cache"  # in the app's folder, ignored
_JSII_READY = ".reviewloop-jsii-ready"
# A stack synthesized: jsii extracts each assembly and writes aws-cdk-lib's type index (its
# `.jsii.runtime*` files, which an import alone leaves unwritten) into the cache.
_JSII_FILL = ("import sys, aws_cdk as cdk; app = cdk.App(outdir=sys.argv[1]); "
              "cdk.Stack(app, 'S'); app.synth()")


def jsii_cache() -> Path:
    """jsii's package cache for `cdk_venv()`, filled by jsii itself once per pin, kept next
    to the virtualenv between sessions and marked ready only once that synth finished
    (workers wait on a lock file).
    jsii files each entry under the digest of the tarball it came from (computed on every
    load), so a new pin never reads an old entry."""
    venv = cdk_venv()
    cache = venv.with_name(venv.name + ".jsii")
    if (cache / _JSII_READY).is_file():
        return cache
    with cache.with_name(cache.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (cache / _JSII_READY).is_file():
            cache.mkdir(exist_ok=True)
            with tempfile.TemporaryDirectory() as out:
                done = subprocess.run([str(venv / "bin" / "python"), "-c", _JSII_FILL, out],
                                      env={**os.environ, JSII_CACHE: str(cache)}, check=False,
                                      capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                pytest.fail(f"filling jsii's cache {cache} failed:\n{done.stderr[-3000:]}")
            (cache / _JSII_READY).write_text("ok\n")
    return cache


def jsii_sandbox(root: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The synth's sandbox for the app in `root`, with a copy of `jsii_cache()` in the app's
    folder (which the synth may write, as jsii writes to a cache it hits; ignored by git, so
    no tree key or diff sees it) as its jsii package cache, the variable passed in. A copy,
    not the shared folder: nothing a synth does reaches a later one."""
    copy = root / JSII_FOLDER
    shutil.copytree(jsii_cache(), copy, symlinks=True)
    monkeypatch.setenv(JSII_CACHE, str(copy))
    return Sandbox(env=(JSII_CACHE,))


def cli_folder() -> Path:
    """The folder holding a `cdk` (the npm fixture app's aws-cdk), to put on PATH."""
    return installed(FIXTURES / "cdk-app") / ".bin"


def python_repo(into: Path) -> Path:
    """The app committed on `main` (its `.venv` a link to the cached one, ignored), on
    branch `work`."""
    write_files(into, {"cdk.json": '{"app": "python3 app.py"}\n', "app.py": APP,
                       "stacks/__init__.py": "", "stacks/storage.py": STORAGE.replace(
                           "block_public_acls=False, block_public_policy=False,\n"
                           "                      ignore_public_acls=False, "
                           "restrict_public_buckets=False", ""),
                       "stacks/parts.py": PARTS, "requirements.txt": "\n".join(PINS) + "\n",
                       ".gitignore": f".venv\ncdk.out/\n{JSII_FOLDER}/\n"})
    (into / ".venv").symlink_to(cdk_venv(), target_is_directory=True)
    commit(init_repo(into), message="the Python CDK app")
    from tests.support.gitutil import git

    git(into, "switch", "-qc", "work")
    return into
