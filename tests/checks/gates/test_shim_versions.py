"""A test command run through an asdf or mise shim in the sandbox (their layouts built here
in a hidden home: no dependence on this machine's managers). The sandbox shows the manager's
folder (`installs/` beside `shims/`) but hides the home, and with it the global version file
the shim reads (`~/.tool-versions`, `~/.config/mise/config.toml`): the shim finds no version
and fails. The gate says so with the fix, as a failure only you can fix (`user_fix`: the
implementer is not asked to fix what no code change can); a version pinned in the project,
or the global file listed in `sandbox_read`, makes the same command pass. Before, the gate
failed with the bare exit code and the implementer was asked to fix it."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.gates.test import TestGate
from reviewloop.config import Gates, Settings
from reviewloop.git.repository import open_repository
from tests.support.repos import init_repo

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="bubblewrap is Linux's")

VERSION = "3.11.7"
TEST = "def test_ok():\n    assert True\n"


def _script(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _python(bin_dir: Path) -> None:
    _script(bin_dir / "python", f'#!/bin/sh\nexec {sys.executable} "$@"\n')


# The version a shim runs: the nearest project file up from the working directory, else the
# global one in $HOME (asdf: `.tool-versions` lines `python 3.11.7`; mise: `mise.toml` /
# `~/.config/mise/config.toml` lines `python = "3.11.7"`), as the two managers look them up.
_LOOKUP = '''find() {{ d="$PWD"; while :; do
  [ -f "$d/{local}" ] && v=$(sed -n 's/^python[ =]*"*\\([0-9.]*\\)"*$/\\1/p' "$d/{local}")
  [ -n "$v" ] && return; [ "$d" = / ] && break; d=$(dirname "$d"); done
  [ -f "{glob}" ] && v=$(sed -n 's/^python[ =]*"*\\([0-9.]*\\)"*$/\\1/p' "{glob}"); }}
v=""; find
'''


def asdf(home: Path) -> tuple[str, Path]:
    """asdf's layout: `shims/python` execs `bin/asdf exec python`, which runs
    `installs/python/<version>/bin/python` or says no version is set (exit 126)."""
    root = home / ".asdf"
    _script(root / "shims" / "python",
            f'#!/bin/sh\nexec "{root}/bin/asdf" exec "python" "$@"\n')
    _script(root / "bin" / "asdf", "#!/bin/sh\nshift; shift\n" + _LOOKUP.format(
        local=".tool-versions", glob="$HOME/.tool-versions") +
        'if [ -z "$v" ]; then echo "No version is set for command python" >&2\n'
        'echo "Consider adding one of the following versions in your config file at '
        f'$HOME/.tool-versions" >&2; echo "python {VERSION}" >&2; exit 126; fi\n'
        f'exec "{root}/installs/python/$v/bin/python" "$@"\n')
    _python(root / "installs" / "python" / VERSION / "bin")
    (home / ".tool-versions").write_text(f"python {VERSION}\n")
    return f"{root / 'shims'}:/usr/bin:/bin", home / ".tool-versions"


def mise(home: Path) -> tuple[str, Path]:
    """mise's layout: `shims/python` is a link to the `mise` program (on PATH in
    `~/.local/bin`), which runs `installs/python/<version>/bin/python` or says no version
    is set for the shim (exit 1)."""
    root = home / ".local" / "share" / "mise"
    program = home / ".local" / "bin" / "mise"
    _script(program, "#!/bin/sh\n" + _LOOKUP.format(
        local="mise.toml", glob="$HOME/.config/mise/config.toml") +
        'if [ -z "$v" ]; then echo "mise ERROR No version is set for shim: python" >&2\n'
        'echo "mise ERROR Set a global default version with one of the following:" >&2\n'
        f'echo "mise ERROR mise use -g python@{VERSION}" >&2; exit 1; fi\n'
        f'exec "{root}/installs/python/$v/bin/python" "$@"\n')
    (root / "shims").mkdir(parents=True)
    (root / "shims" / "python").symlink_to(program)
    _python(root / "installs" / "python" / VERSION / "bin")
    config = home / ".config" / "mise" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[tools]\npython = "{VERSION}"\n')
    return f"{root / 'shims'}:{program.parent}:/usr/bin:/bin", config


MANAGERS = {"asdf": asdf, "mise": mise}
PINS = {"asdf": (".tool-versions", f"python {VERSION}\n"),
        "mise": ("mise.toml", f'[tools]\npython = "{VERSION}"\n')}


def _gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, manager: str, where: str):
    home = tmp_path / "home"
    path, global_file = MANAGERS[manager](home)
    files = {"tests/test_ok.py": TEST}
    if where == "project":
        files[PINS[manager][0]] = PINS[manager][1]
    root = init_repo(tmp_path / "project", files)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", path)
    read = (global_file,) if where == "sandbox_read" else ()
    config = Settings(sandbox="bwrap", sandbox_read=read,
                      gates=Gates(build=(), test=("python -m pytest -q -p no:cacheprovider",)))
    repo = open_repository(root)
    ctx = GateContext(root=root, settings=config, changed_files=("tests/test_ok.py",),
                      diff_text="", branch=repo.current_branch(),
                      default_branch=repo.default_branch(), phase="implement")
    return TestGate().run(ctx), global_file


@pytest.mark.parametrize("manager", sorted(MANAGERS))
def test_a_shim_whose_global_version_the_sandbox_hides_names_the_fix(
        manager: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, _ = _gate(tmp_path, monkeypatch, manager, "home")

    assert not result.passed
    shown = "~/.tool-versions" if manager == "asdf" else "~/.config/mise/config.toml"
    assert result.user_fix is not None, result
    assert result.user_fix.startswith(
        f"the {manager} shim for `python` found no version in the sandbox, which hides your "
        f"home and with it your global {shown}: pin the version in the project with "
        f"{'`.tool-versions`' if manager == 'asdf' else '`mise.toml`'}"), result.user_fix
    assert f"list {shown} in `sandbox_read` in .reviewloop.toml" in result.user_fix
    assert f"`{manager} which python` prints it" in result.user_fix
    assert result.user_fix in result.summary  # what the verdict and the escalation show
    assert "No version is set" in result.output_tail


@pytest.mark.parametrize("where", ["project", "sandbox_read"])
@pytest.mark.parametrize("manager", sorted(MANAGERS))
def test_the_named_fixes_make_the_same_command_pass(
        manager: str, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, _ = _gate(tmp_path, monkeypatch, manager, where)

    assert result.passed, result.output_tail
    assert result.user_fix is None
    assert result.passed_tests == 1
