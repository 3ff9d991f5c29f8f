"""The dataclass methods' cache (`reviewloop.cli.dataclass_cache`) holds code every start of
the command runs. It is read only from where Python keeps the installed package's bytecode,
never from the folder the command runs in: a repository under review that carries a cache
file of its own (at its top or in a `reviewloop/` folder, with the right magic number,
checksum and texts) has it ignored. Planted where the bytecode lives, it runs, as a planted
`.pyc` would: that is the boundary, and the control case shows the planted file is live."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import zlib
from pathlib import Path

from reviewloop.cli.dataclass_cache import MAGIC, Methods


def _cli(cwd: Path, prefix: Path) -> subprocess.CompletedProcess[str]:
    """`reviewloop --help` as a user's shell starts it (-P: the current folder is not on
    the import path), its bytecode under `prefix`."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    return subprocess.run([sys.executable, "-P", "-m", "reviewloop", "--help"], cwd=cwd,
                          env=env, capture_output=True, text=True, check=False)


def _hostile(texts: list[str], marker: Path) -> bytes:
    """A well-formed cache whose code for every text the command compiles writes `marker`."""
    planted = compile(f"open({str(marker)!r}, 'w').write('ran')\n", "<string>", "exec")
    payload = marshal.dumps(dict.fromkeys(texts, planted))
    return MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload


def test_a_cache_file_in_the_reviewed_folder_is_never_run(tmp_path: Path) -> None:
    real_prefix = tmp_path / "prefix"
    assert _cli(tmp_path, real_prefix).returncode == 0
    (real,) = tmp_path.rglob("dataclass_methods.*.marshal")  # wherever the command keeps it
    texts = list(Methods(real).known)
    assert texts
    marker = tmp_path / "ran"
    repo = tmp_path / "repo"
    for folder in (repo / "__pycache__", repo / "reviewloop" / "__pycache__"):
        folder.mkdir(parents=True)
        (folder / real.name).write_bytes(_hostile(texts, marker))

    done = _cli(repo, tmp_path / "fresh-prefix")
    assert done.returncode == 0, done.stderr
    assert not marker.exists()

    # the control: the same file where the package's bytecode lives is the package's own
    real.write_bytes(_hostile(texts, marker))
    _cli(repo, real_prefix)
    assert marker.read_text() == "ran"
