"""`init` adds lines to a user's files in the file's own line ends: a CRLF
`.pre-commit-config.yaml` keeps every one of its lines byte for byte, the entry added in CRLF
too (fz2 D6: every line lost its CR), and so does `.git/info/exclude`."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git import repo_writes
from reviewloop.git.repository import open_repository
from reviewloop.install import project
from tests.support.repos import init_repo

HOOKS = ["black", "ruff", "mypy", "isort", "flake8"]
LOCAL = [HealthCheck.function_scoped_fixture]


def _config(ids: list[str], comment: bool, indent: str) -> list[str]:
    lines = ["# our hooks"] if comment else []
    lines.append("repos:")
    for hook in ids:
        lines += [f"{indent}- repo: https://github.com/example/{hook}", f"{indent}  rev: v1.0.0",
                  f"{indent}  hooks:", f"{indent}    - id: {hook}"]
    return lines


@settings(max_examples=40, deadline=None, suppress_health_check=LOCAL)
@given(ids=st.lists(st.sampled_from(HOOKS), min_size=1, max_size=3, unique=True),
       comment=st.booleans(), indent=st.sampled_from(["", "  "]),
       end=st.sampled_from(["\r\n", "\n"]), final=st.booleans())
def test_the_entry_is_added_in_the_files_own_line_ends(tmp_path_factory, ids, comment, indent,
                                                       end, final):
    root = tmp_path_factory.mktemp("p")
    original = end.join(_config(ids, comment, indent)).encode() + (end.encode() if final else b"")
    (root / project.PRE_COMMIT).write_bytes(original)
    change = {c.path: c for c in project.plan(root, version="1.2.3", pre_commit=True,
                                              workflow=False)}[project.PRE_COMMIT]
    assert change.action == "update", change.note
    project.apply(root, [change])
    data = (root / project.PRE_COMMIT).read_bytes()
    kept = original if final else original + end.encode()
    assert data.startswith(kept)  # the user's lines, byte for byte
    added = data[len(kept):].decode()
    assert added.endswith(end) and added.count("\n") == added.count(end) == 4
    repos = yaml.safe_load(data)["repos"]
    assert [r["hooks"][0]["id"] for r in repos] == [*ids, project.HOOK_ID]


@settings(max_examples=20, deadline=None, suppress_health_check=LOCAL)
@given(lines=st.lists(st.sampled_from(["*.log", "build/", "# mine", "caf\xe9"]), max_size=4),
       end=st.sampled_from(["\r\n", "\n"]), final=st.booleans(), latin1=st.booleans())
def test_git_exclude_keeps_its_bytes_and_line_ends(tmp_path_factory, lines, end, final,
                                                   latin1):
    root = init_repo(tmp_path_factory.mktemp("r") / "r", {"a.txt": "a\n"})
    exclude = root / ".git" / "info" / "exclude"
    text = end.join(lines) + (end if final and lines else "")
    original = text.encode("latin-1" if latin1 else "utf-8")
    exclude.write_bytes(original)
    assert open_repository(root).ensure_ignored(".reviewloop")
    data = exclude.read_bytes()
    expected_end = repo_writes.line_end(text).encode()
    head = original + (expected_end if original and not original.endswith(b"\n") else b"")
    assert data == head + b".reviewloop" + expected_end


def test_line_end_follows_most_of_the_lines():
    assert repo_writes.line_end("a\r\nb\r\nc\n") == "\r\n"
    assert repo_writes.line_end("a\nb\nc\r\n") == "\n"
    assert repo_writes.line_end("") == "\n"
