"""A Python CDK app as a git repository: its virtualenv with aws-cdk-lib (from PyPI, once per
pin, into a cache kept between sessions, like `npm_fixture`'s), and the CDK CLI of the npm
fixture app on PATH, as `npm install -g aws-cdk` would put it.

The virtualenv is kept in `tests.support.pypi_venv`'s cache, one per pin. Tests using it are
marked `pypi` (and `npm`, for the CLI).

The app: `app.py` (the entry: two stacks, a queue created in it), `stacks/storage.py` (a stack
module: a bucket, and a topic made by a helper in `stacks/parts.py`).
"""

from __future__ import annotations

from pathlib import Path

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
                       ".gitignore": ".venv\ncdk.out/\n"})
    (into / ".venv").symlink_to(cdk_venv(), target_is_directory=True)
    commit(init_repo(into), message="the Python CDK app")
    from tests.support.gitutil import git

    git(into, "switch", "-qc", "work")
    return into
