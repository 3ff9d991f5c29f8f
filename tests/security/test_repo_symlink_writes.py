"""Every command that writes a file of the user's repository (`handoff`, `spec new` in each
format, `init --pre-commit`, `init`'s workflow) refuses, with exit 2 naming the link and
nothing written, when a committed symlink stands at any part of the target's path: a link to
a file or a folder, outside the repository or inside it (r17 fz1 D12, D13, D14)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.cli_main import run_cli
from tests.support.repos import commit, init_repo

PRE_COMMIT = "repos:\n- repo: https://example.com/hooks\n  rev: v1\n  hooks:\n  - id: lint\n"
SPEC = ("spec", "new", "x y", "--name", "xy", "--fresh", "--approve-all", "--format")

# writer -> (its argv, the files it writes; a folder link is placed at each of their parents)
WRITERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "handoff": (("handoff",), (".kiro/context/session-handoff.md",)),
    "spec doc": ((*SPEC, "doc"), ("docs/xy-spec.md",)),
    "spec kiro": ((*SPEC, "kiro"), (".kiro/specs/xy/tasks.md", ".kiro/specs/xy/design.md",
                                    ".kiro/specs/xy/requirements.md")),
    "spec speckit": ((*SPEC, "speckit"), ("specs/001-xy/tasks.md", "specs/001-xy/spec.md")),
    "init pre-commit": (("init", "--pre-commit", "--no-workflow"), (".pre-commit-config.yaml",)),
    "init workflow": (("init",), (".github/workflows/reviewloop-pr.yml",)),
}
# handoff's own files sit in `.reviewloop/`, a linked state folder being documented as the
# state folder (docs/troubleshooting.md); the link at its files is placed as at any other
STATE_FILES = (".reviewloop/handoff.md", ".reviewloop/handoff.json")


@st.composite
def placements(draw: st.DrawFn) -> tuple[str, str, str, bool]:
    """(writer, the link's path, where it points: outside | inside, a file link?)."""
    writer = draw(st.sampled_from(sorted(WRITERS)))
    files = WRITERS[writer][1] + (STATE_FILES if writer == "handoff" else ())
    target = draw(st.sampled_from(files))
    parts = target.split("/")
    depth = draw(st.integers(1, len(parts)).filter(
        lambda d: "/".join(parts[:d]) != ".reviewloop"))
    return writer, "/".join(parts[:depth]), draw(st.sampled_from(["outside", "inside"])), \
        depth == len(parts)


def _tree(folder: Path) -> dict[str, str]:
    """Every entry below `folder` (links unfollowed) and a hash of each file's bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        found[rel] = ("link:" + os.readlink(path) if path.is_symlink() else "dir"
                      if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest())
    return found


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(placed=placements())
def test_a_committed_symlink_anywhere_on_a_writers_path_is_refused_before_any_write(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], placed: tuple[str, str, str, bool]) -> None:
    writer, link, where, is_file = placed
    base = tmp_path_factory.mktemp("w")
    outside = base / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "victim.txt").write_text(PRE_COMMIT)
    root = init_repo(base / "repo", {"README.md": "# app\n", "inside/victim.txt": PRE_COMMIT})
    (root / "inside" / "folder").mkdir()
    (root / "inside" / "folder" / ".keep").write_text("")
    pointed = (outside if where == "outside" else root / "inside") / (
        "victim.txt" if is_file else "folder")
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    (root / link).symlink_to(pointed, target_is_directory=not is_file)
    commit(root, {}, "a symlink, as a clone brings it")
    before_out, before_in = _tree(outside), _tree(root / "inside")
    monkeypatch.chdir(root)
    code, out, err = run_cli(capsys, *WRITERS[writer][0])
    said = " ".join(err.split())
    assert _tree(outside) == before_out
    assert _tree(root / "inside") == before_in
    if writer == "init workflow" and is_file:  # a workflow that differs is kept, not written
        assert code == 0 and "left as it is" in " ".join(out.split()), out + err
        return
    assert code == 2, out + err
    # the writer's own refusal, or the state folder's for a link the repository tracks
    # inside `.reviewloop/` (`state_dir`), which comes first
    assert f"{link} is a symbolic link" in said or f"lies under {link}, which is a symbolic " \
        f"link (to {pointed})" in said or f"{link} is a link to {pointed} that the " \
        "repository tracks" in said, said
    assert "nothing was written" in said
