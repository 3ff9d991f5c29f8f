"""`handoff`, `handoff --learn` and `note` when something else stands where they write: a
folder where a file goes, a file where a folder goes. Every pair of such an obstruction and a
command is tried: a command that would write (or read) through the obstruction stops with
exit 2 naming it, before anything is written, and the obstruction is kept byte for byte; a
command that does not touch it works as usual."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from tests.support.cli_main import run_cli
from tests.support.repos import init_repo

NOTES = ".reviewloop/notes.jsonl"
HANDOFF = [".reviewloop/handoff.md", ".reviewloop/handoff.json",
           ".kiro/context/session-handoff.md", NOTES]  # notes are read into the handoff
# what each command writes or reads
TOUCHES = {
    ("handoff",): HANDOFF,
    ("handoff", "--learn"): [*HANDOFF, ".kiro/steering/memory.md"],
    ("note", "chose SQLite"): [NOTES],
}
# (path, what stands there): a folder holding the user's file, or a file of the user's
OBSTRUCTIONS = [*((p, "folder") for p in [*HANDOFF, ".kiro/steering/memory.md"]),
                *((p, "file") for p in [".kiro/context", ".kiro/steering"])]
BACKUPS = ".reviewloop/handoff-backups"  # where a Kiro copy holding the user's text goes


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every entry below `root` but .git: a file's bytes, None for a folder."""
    found: dict[str, bytes | None] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        rel = Path(folder).relative_to(root)
        found.update({(rel / d).as_posix(): None for d in dirs})
        found.update({(rel / f).as_posix(): (Path(folder) / f).read_bytes() for f in files})
    return found


@pytest.mark.parametrize(("obstruction", "command"),
                         list(itertools.product(OBSTRUCTIONS, TOUCHES)),
                         ids=lambda v: "-".join(v).replace("/", "_"))
def test_an_obstruction_is_named_with_exit_2_and_nothing_is_written(
        tmp_path, monkeypatch, capsys, obstruction, command):
    root = init_repo(tmp_path / "repo", {"app.py": "x = 1\n", ".kiro/README.md": "kiro\n"})
    monkeypatch.chdir(root)
    assert run_cli(capsys, "note", "a decision before")[0] == 0
    path, kind = obstruction
    target = root / path
    if target.exists():
        target.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "folder":
        target.mkdir()
        (target / "keep.txt").write_text("the user's own\n")
    else:
        target.write_text("the user's own\n")
    before = _tree(root)
    code, _, err = run_cli(capsys, *command)
    touched = any(t == path or t.startswith(path + "/") for t in TOUCHES[command])
    said = " ".join(err.split())
    if touched:
        assert code == 2 and path in said and "internal error" not in said, err
        assert _tree(root) == before  # nothing written, the obstruction as it was
    else:
        assert code == 0, err
        assert {k: v for k, v in _tree(root).items() if k in before and
                (k == path or k.startswith(path + "/"))} == \
            {k: v for k, v in before.items() if k == path or k.startswith(path + "/")}


def test_a_file_where_the_kiro_copys_backup_goes_is_named_before_anything_is_written(
        tmp_path, monkeypatch, capsys):
    root = init_repo(tmp_path / "repo", {"app.py": "x = 1\n",
                                         ".kiro/context/session-handoff.md": "my notes\n"})
    monkeypatch.chdir(root)
    (root / BACKUPS).parent.mkdir()
    (root / BACKUPS).write_text("the user's own\n")
    before = _tree(root)
    code, _, err = run_cli(capsys, "handoff")
    assert code == 2 and BACKUPS in " ".join(err.split()), err
    assert _tree(root) == before
