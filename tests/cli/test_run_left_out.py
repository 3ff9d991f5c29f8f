"""A run whose implementer writes files git leaves out of the change (inside a submodule's
path, which a run's worktree does not check out) names each of them, neither reviewed nor
committed, and waits for a human: --yes does not commit a change that lost part of what the
implementer wrote (fuzz11loop D7). A file the project ignores (`.env`) is named among the
files not read, without stopping the run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.repos import wave_repo

AGENT = """import pathlib, sys
sys.stdin.read()
pathlib.Path('feature.py').write_text('VALUE = 1\\n')
pathlib.Path('test_feature.py').write_text(
    'from feature import VALUE\\n\\n\\ndef test_value():\\n    assert VALUE == 1\\n')
pathlib.Path('vendor/lib').mkdir(parents=True, exist_ok=True)
pathlib.Path('vendor/lib/util.py').write_text('def run(cmd):\\n    return cmd\\n')
pathlib.Path('.env').write_text('TOKEN=placeholder\\n')
pathlib.Path('__pycache__').mkdir(exist_ok=True)
pathlib.Path('__pycache__/feature.cpython-311.pyc').write_bytes(b'x')
"""


def test_files_git_leaves_out_are_named_and_the_run_waits(tmp_path: Path) -> None:
    root = wave_repo(tmp_path, "- [ ] 1. Feature\n")
    (root / ".gitignore").write_text(".env\n")
    head = git(root, "rev-parse", "HEAD").strip()
    subprocess.run(["git", "-C", str(root), "update-index", "--add", "--cacheinfo",
                    f"160000,{head},vendor/lib"], check=True)
    git(root, "add", ".gitignore")
    git(root, "commit", "-qm", "submodule and ignores")
    before = git(root, "rev-parse", "HEAD").strip()
    agent = tmp_path / "agent.py"
    agent.write_text(AGENT)

    done = cli(root, "run", "1", "--implementer", f"cmd:{sys.executable} {agent}", "--yes")
    assert done.returncode == 1, done.stdout + done.stderr  # waiting for a human
    assert "escalated" in done.stdout
    report = json.loads(cli(root, "report", "--format", "json").stdout)
    lost = ["vendor/lib/util.py: inside submodule vendor/lib (git records the submodule's "
            "commit, not its files)"]
    assert report["escalations"] == [
        "the implementer wrote 1 file(s) git leaves out of the change, neither reviewed nor "
        "committed: " + "; ".join(lost)]
    # each listed among the files not read, with why; the ignored one does not escalate
    assert report["skipped"] == [".env: ignored by the repository's ignore rules: not "
                                 "committed", *lost]
    assert git(root, "rev-parse", "HEAD").strip() == before  # nothing committed


EXCLUDED_AGENT = """import pathlib, sys
sys.stdin.read()
pathlib.Path('helpers.py').write_text('def double(value):\\n    return value * 2\\n')
pathlib.Path('feature.py').write_text('from helpers import double\\n\\nVALUE = double(1)\\n')
pathlib.Path('test_feature.py').write_text(
    'from feature import VALUE\\n\\n\\ndef test_value():\\n    assert VALUE == 2\\n')
"""


def test_a_file_only_the_users_global_excludes_ignore_is_reviewed_and_committed(
        tmp_path: Path) -> None:
    """The user's own excludes file does not decide what an implementer's change is: the
    module it wrote, which the committed feature imports, is reviewed and committed with it
    (r17 fz2 D10); the repository's own ignore rules still leave `.env` out."""
    root = wave_repo(tmp_path, "- [ ] 1. Feature\n")
    (root / ".gitignore").write_text(".env\n")
    git(root, "add", ".gitignore")
    git(root, "commit", "-qm", "ignores")
    excludes = tmp_path / "personal-excludes"
    excludes.write_text("helpers.py\n")
    config = tmp_path / "global-gitconfig"
    config.write_text(f"[core]\n\texcludesFile = {excludes}\n"
                      "[user]\n\tname = t\n\temail = t@example.com\n")
    agent = tmp_path / "agent.py"
    agent.write_text(EXCLUDED_AGENT + "pathlib.Path('.env').write_text('TOKEN=x\\n')\n")
    env = {"GIT_CONFIG_GLOBAL": str(config)}

    done = cli(root, "run", "1", "--implementer", f"cmd:{sys.executable} {agent}", "--yes",
               env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    committed = git(root, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert {"helpers.py", "feature.py", "test_feature.py"} <= set(committed)
    assert ".env" not in committed
    report = json.loads(cli(root, "report", "--format", "json", env=env).stdout)
    assert report["skipped"] == [".env: ignored by the repository's ignore rules: not committed"]
    assert "helpers.py" in report["files"]["created"]
