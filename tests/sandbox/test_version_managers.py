"""A version manager's shims on PATH (pyenv's layout, built here in a hidden folder: no
dependence on this machine's pyenv): the sandbox shows the manager's root read-only, so a
command run through a shim starts as in the user's shell and cannot write there; a `shims`
folder that would show the user's whole home shows nothing."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from reviewloop.sandbox.bubblewrap import Sandbox, wrap
from reviewloop.sandbox.process import run

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="bubblewrap is Linux's")


def _script(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def pyenv(root: Path, version: str = "3.11.7") -> Path:
    """pyenv's layout: a shim that execs `libexec/pyenv exec`, which runs the global
    version's interpreter (here: a script that execs this test's Python)."""
    _script(root / "shims" / "python",
            f'#!/bin/sh\nexport PYENV_ROOT="{root}"\n'
            f'exec "{root}/libexec/pyenv" exec "${{0##*/}}" "$@"\n')
    _script(root / "libexec" / "pyenv",
            '#!/bin/sh\nshift\nprogram="$1"; shift\n'
            'version="${PYENV_VERSION:-$(cat "$PYENV_ROOT/version")}"\n'
            'exec "$PYENV_ROOT/versions/$version/bin/$program" "$@"\n')
    _script(root / "versions" / version / "bin" / "python",
            f'#!/bin/sh\nPICKED={version} exec {sys.executable} "$@"\n')
    (root / "version").write_text(f"{version}\n")
    return root / "shims"


@pytest.mark.parametrize("pinned", [None, "3.12.1"])
def test_python_through_a_pyenv_shim_runs_in_the_sandbox(tmp_path: Path,
                                                         pinned: str | None) -> None:
    home = tmp_path / "home"
    shims = pyenv(home / ".pyenv")
    if pinned:  # PYENV_VERSION picks another installed version
        pyenv(home / ".pyenv", pinned)
        (home / ".pyenv" / "version").write_text("3.11.7\n")
    project = tmp_path / "project"
    project.mkdir()
    environ = {"HOME": str(home), "PATH": f"{shims}:/usr/bin:/bin",
               **({"PYENV_VERSION": pinned} if pinned else {})}

    done = run("python -c 'import os; print(os.environ[\"PICKED\"])' && "
               f"touch {home / '.pyenv' / 'versions' / 'written'}", project, 60,
               sandbox=Sandbox(mode="bwrap"), environ=environ)

    assert done.output.splitlines()[0] == (pinned or "3.11.7"), done.output
    assert done.exit_code != 0 and "Read-only file system" in done.output  # shown read-only
    assert not (home / ".pyenv" / "versions" / "written").exists()


def test_a_shims_folder_never_shows_the_home_it_sits_in(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "versions").mkdir(parents=True)
    (home / "shims").mkdir()
    (home / ".pyenv" / "shims").mkdir(parents=True)
    (home / ".pyenv" / "versions").mkdir()
    argv = wrap(Sandbox(mode="bwrap"), ["/bin/true"], cwd=tmp_path, writable=(),
                env={"HOME": str(home),
                     "PATH": f"{home / 'shims'}:{home / '.pyenv' / 'shims'}:/usr/bin"})
    bound = {argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--ro-bind"}
    assert str((home / ".pyenv").resolve()) in bound
    assert str(home.resolve()) not in bound
