"""reviewloop.agent.tools on real temp repositories: agents read, search and write inside the
repo."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.agent.tools import (
    MAX_GREP_MATCHES,
    MAX_LISTED,
    CommandPolicy,
    ToolLog,
    ToolRefused,
    Workspace,
    allowed_text,
    code,
    edit_file,
    editor_tools,
    fs_read,
    glob,
    grep,
    list_dir,
    reviewer_tools,
    write_file,
)
from tests.support.workspace import write


def tools_by_name(tools):
    return {t.name: t for t in tools}


# ---------------------------------------------------------------- reading


def test_fs_read_numbers_lines_and_slices(ws: Workspace, repo: Path):
    write(repo, "five.txt", "".join(f"line {n}\n" for n in range(1, 6)))
    assert fs_read(ws, "src/app.py") == "     1\tdef main():\n     2\t    return 1"
    assert fs_read(ws, "five.txt", start_line=2, end_line=3) == "     2\tline 2\n     3\tline 3"
    assert "fewer than 9 lines" in fs_read(ws, "five.txt", start_line=9)


def test_fs_read_caps_size(repo: Path):
    write(repo, "big.txt", ("y" * 99 + "\n") * 50)
    small = Workspace(root=repo, max_read_bytes=350)
    out = fs_read(small, "big.txt")
    assert out.count("\n") == 3  # three full lines and the note
    assert "cut at 350 bytes" in out
    assert "     4\t" in fs_read(small, "big.txt", start_line=4)


def test_fs_read_refuses_binary_dirs_and_missing(ws: Workspace, repo: Path):
    (repo / "logo.png").write_bytes(b"\x89PNG\x00\x00binary")
    with pytest.raises(ToolRefused, match="binary"):
        fs_read(ws, "logo.png")
    with pytest.raises(ToolRefused, match="directory"):
        fs_read(ws, "src")
    with pytest.raises(ToolRefused, match="does not exist"):
        fs_read(ws, "nope.txt")


def test_list_dir(ws: Workspace, repo: Path):
    listing = list_dir(ws).splitlines()
    assert listing == [".env", "README.md", "src/"]  # .git is never listed
    assert list_dir(ws, "src") == "app.py"
    with pytest.raises(ToolRefused):
        list_dir(ws, "..")


def test_glob_matches_sorted_and_skips_dependency_dirs(ws: Workspace, repo: Path):
    write(repo, "src/pkg/util.py", "")
    write(repo, "node_modules/lib/index.py", "")
    write(repo, ".venv/lib/site.py", "")
    assert glob(ws, "**/*.py").splitlines() == ["src/app.py", "src/pkg/util.py"]
    assert glob(ws, "src/*.py") == "src/app.py"
    assert glob(ws, "*.md") == "README.md"
    assert glob(ws, "*.rs") == "no files match *.rs"
    with pytest.raises(ToolRefused):
        glob(ws, "../**/*.txt")


def test_glob_is_capped(ws: Workspace, repo: Path):
    for n in range(MAX_LISTED + 5):
        write(repo, f"many/f{n:04}.txt", "")
    lines = glob(ws, "many/*.txt").splitlines()
    assert len(lines) == MAX_LISTED + 1
    assert lines[-1] == f"[… capped at {MAX_LISTED} files]"


def test_grep_reports_file_line_text(ws: Workspace, repo: Path):
    write(repo, "src/other.py", "x = 1\nreturn_value = main()\n")
    write(repo, "notes.txt", "return to sender\n")
    assert grep(ws, r"return", "src").splitlines() == [
        "src/app.py:2: return 1",
        "src/other.py:2: return_value = main()",
    ]
    assert grep(ws, r"return", glob="*.txt") == "notes.txt:1: return to sender"
    assert grep(ws, r"return", path="notes.txt") == "notes.txt:1: return to sender"
    assert grep(ws, "zebra") == "no matches for 'zebra'"
    with pytest.raises(ToolRefused, match="invalid regular expression"):
        grep(ws, "(unclosed")


def test_grep_never_shows_secrets_or_outside_files(ws: Workspace, repo: Path, outside: Path):
    (repo / "linkdir").symlink_to(outside, target_is_directory=True)
    (repo / "link.txt").symlink_to(outside / "victim.txt")
    assert grep(ws, "hunter2|untouched") == "no matches for 'hunter2|untouched'"


def test_grep_is_capped(ws: Workspace, repo: Path):
    write(repo, "many.txt", "hit\n" * (MAX_GREP_MATCHES + 50))
    lines = grep(ws, "hit").splitlines()
    assert len(lines) == MAX_GREP_MATCHES + 1
    assert lines[-1].startswith(f"[… capped at {MAX_GREP_MATCHES} matches")


def test_code_outlines_python(ws: Workspace, repo: Path):
    write(
        repo, "src/shapes.py",
        "import math\n\n"
        "class Shape(Base, metaclass=Meta):\n"
        "    def area(self, scale: float = 1.0) -> float:\n"
        "        return 0.0\n\n"
        "    async def load(self, *paths, **kw):\n"
        "        pass\n\n"
        "def helper(x):\n"
        "    def inner():\n"
        "        pass\n"
        "    return x\n",
    )
    assert code(ws, "src/shapes.py").splitlines() == [
        "3: class Shape(Base)",
        "4-5:   def area(self, scale: float=1.0) -> float",
        "7-8:   async def load(self, *paths, **kw)",
        "10-13: def helper(x)",
    ]


def test_code_falls_back_to_regex(ws: Workspace, repo: Path):
    write(repo, "web/app.ts", "import x from 'y';\nexport class App {}\n"
          "export async function start(port: number) {\n}\n")
    write(repo, "broken.py", "def ok():\n    pass\ndef broken(:\n")
    assert code(ws, "web/app.ts") == (
        "2: export class App {}\n3: export async function start(port: number) {"
    )
    broken = code(ws, "broken.py")
    assert broken.startswith("(not valid Python")
    assert "1: def ok():" in broken and "3: def broken(:" in broken


# ---------------------------------------------------------------- writing


def test_write_file_creates_parents_and_logs(ws: Workspace, repo: Path):
    log = ToolLog()
    created = write_file(ws, "pkg/new/mod.py", "A = 1\n", log=log)
    assert created == "created pkg/new/mod.py (1 lines)"
    assert (repo / "pkg/new/mod.py").read_text() == "A = 1\n"
    assert write_file(ws, "pkg/new/mod.py", "A = 2\n", log=log).startswith("overwrote")
    assert log.written == {"pkg/new/mod.py"}


def test_write_file_refusals_write_nothing(ws: Workspace, repo: Path, outside: Path):
    (repo / "linkdir").symlink_to(outside, target_is_directory=True)
    (repo / "link.txt").symlink_to(outside / "victim.txt")
    log = ToolLog()
    for path in ("../outside/victim.txt", str(outside / "victim.txt"), "link.txt",
                 "linkdir/victim.txt", "linkdir/planted.txt", ".git/config", ".env"):
        with pytest.raises(ToolRefused):
            write_file(ws, path, "pwned\n", log=log)
    assert (outside / "victim.txt").read_text() == "untouched\n"
    assert not (outside / "planted.txt").exists()
    assert (repo / ".env").read_text() == "API_KEY=hunter2\n"
    assert "pwned" not in (repo / ".git/config").read_text()
    assert log.written == frozenset()


def test_edit_file_exactly_once(ws: Workspace, repo: Path):
    write(repo, "dup.py", "x = 1\nx = 1\ny = 2\n")
    log = ToolLog()
    assert edit_file(ws, "dup.py", "y = 2", "y = 3", log=log) == "edited dup.py at line 3"
    with pytest.raises(ToolRefused, match=r"occurs 2 times in dup\.py; include more"):
        edit_file(ws, "dup.py", "x = 1", "x = 9")
    with pytest.raises(ToolRefused, match="not found"):
        edit_file(ws, "dup.py", "z = 0", "z = 1")
    with pytest.raises(ToolRefused, match="empty"):
        edit_file(ws, "dup.py", "", "z")
    with pytest.raises(ToolRefused, match="use write_file"):
        edit_file(ws, "missing.py", "a", "b")
    assert (repo / "dup.py").read_text() == "x = 1\nx = 1\ny = 3\n"
    assert log.written == {"dup.py"}


def test_edit_file_keeps_crlf(ws: Workspace, repo: Path):
    (repo / "win.txt").write_bytes(b"one\r\ntwo\r\nthree\r\n")
    edit_file(ws, "win.txt", "one\ntwo", "uno\ndos")
    assert (repo / "win.txt").read_bytes() == b"uno\r\ndos\r\nthree\r\n"


def test_edit_file_refuses_outside(ws: Workspace, repo: Path, outside: Path):
    (repo / "link.txt").symlink_to(outside / "victim.txt")
    with pytest.raises(ToolRefused):
        edit_file(ws, "link.txt", "untouched", "pwned")
    assert (outside / "victim.txt").read_text() == "untouched\n"


# ---------------------------------------------------------------- LangChain tools


def test_tool_names_and_schemas(ws: Workspace):
    assert [t.name for t in reviewer_tools(ws)] == ["fs_read", "code", "grep", "glob"]
    editors = editor_tools(ws, CommandPolicy())
    assert [t.name for t in editors] == [
        "fs_read", "list_dir", "glob", "grep", "code", "write_file", "edit_file", "run_command",
        "done",
    ]
    for tool in editors:
        assert len(tool.description) > 30
        assert all(spec.get("description") for spec in tool.args.values()), tool.name
    assert "pytest" in tools_by_name(editors)["run_command"].description


def test_the_allow_list_is_said_in_fewer_words():
    """`run_command`'s description is in every call of a run (the reviewers declare the
    fixer's tools to share its cache): entries sharing a first word are said once."""
    from reviewloop.policy.commands import DEFAULT_ALLOW

    text = allowed_text(DEFAULT_ALLOW)
    assert "npm test|run" in text and "git status|diff|log|show" in text
    assert "make *" not in text and ", make," in text  # `make` allows every make command
    assert len(text) <= 0.75 * len(", ".join(DEFAULT_ALLOW))  # 297 of 412 characters


_ENTRIES = ["pytest", "npm test", "npm run", "make", "make *", "go vet", "go test",
            "cargo fmt --check", "cargo test", "tox -e py*", "ma?e", "ma?e test",
            "npm test --watch", "npm run build", "[mn]pm test"]
_COMMANDS = ["pytest -q", "npm test", "npm test --watch", "npm run build", "npm run lint",
             "make", "make test", "mape test", "go vet ./...", "go test", "cargo fmt",
             "cargo fmt --check", "cargo test", "cargo check", "tox -e py311", "npm",
             "mpm test", "make *"]


@given(st.lists(st.sampled_from(_ENTRIES), min_size=1, unique=True))
def test_the_allow_list_said_shorter_allows_what_it_did(allow: list[str]):
    """Read back (`a b|c` is `a b`, `a c`), the text allows exactly the commands the list
    allows, as the command policy decides it (a wildcard entry matches the whole line)."""
    said = []
    for item in allowed_text(allow).split(", "):
        word, _, rest = item.partition(" ")
        said += [f"{word} {r}".strip() for r in rest.split("|")] \
            if rest and " " not in rest and not any(c in item for c in "*?[") else [item]
    assert set(said) <= set(allow)
    for command in _COMMANDS:
        assert (CommandPolicy(allow=tuple(said), deny=()).check(command) is None) \
            == (CommandPolicy(allow=tuple(allow), deny=()).check(command) is None), command


def test_tools_invoked_like_an_agent(ws: Workspace, repo: Path, outside: Path):
    log = ToolLog()
    tools = tools_by_name(editor_tools(ws, CommandPolicy(allow=("ls",)), log))
    assert tools["write_file"].invoke({"path": "pkg/a.py", "content": "A = 1\n"}).startswith(
        "created"
    )
    assert tools["edit_file"].invoke({"path": "pkg/a.py", "old": "A = 1", "new": "A = 2"})
    assert tools["fs_read"].invoke({"path": "pkg/a.py"}) == "     1\tA = 2"
    assert tools["grep"].invoke({"pattern": "A =", "glob": "*.py"}) == "pkg/a.py:1: A = 2"
    assert tools["glob"].invoke({"pattern": "pkg/*"}) == "pkg/a.py"
    assert tools["list_dir"].invoke({"path": "pkg"}) == "a.py"
    assert tools["code"].invoke({"path": "src/app.py"}) == "1-2: def main()"
    assert tools["run_command"].invoke({"command": "ls pkg"}) == "exit code 0\na.py\n"
    assert log.written == {"pkg/a.py"}
    assert [c.outcome for c in log.calls] == ["ok"] * 8


def test_tools_return_refusals_and_errors_instead_of_raising(
    ws: Workspace, repo: Path, outside: Path
):
    log = ToolLog()
    tools = tools_by_name(editor_tools(ws, CommandPolicy(allow=("pytest",)), log))
    marker = repo / "marker"
    answers = [
        tools["fs_read"].invoke({"path": "/etc/passwd"}),
        tools["fs_read"].invoke({"path": ".env"}),
        tools["write_file"].invoke({"path": "../outside/victim.txt", "content": "pwned"}),
        tools["run_command"].invoke({"command": f"touch {marker}"}),
    ]
    assert all(a.startswith("refused: ") for a in answers), answers
    assert answers[0] == "refused: /etc/passwd is outside the repository"
    assert not marker.exists()
    assert (outside / "victim.txt").read_text() == "untouched\n"
    bad = tools["fs_read"].invoke({"path": "README.md", "start_line": 0})
    assert bad.startswith("error: invalid arguments for fs_read: start_line")
    unknown = tools["grep"].invoke({"pattern": "x", "recursive": True})
    assert unknown.startswith("error: invalid arguments for grep: recursive")
    assert [c.outcome for c in log.calls] == ["refused"] * 4 + ["error"] * 2
    assert log.calls[2].args == "path='../outside/victim.txt', content=<5 chars>"
    assert log.written == frozenset()


def test_reviewer_tools_cannot_write(ws: Workspace):
    names = {t.name for t in reviewer_tools(ws)}
    assert not names & {"write_file", "edit_file", "run_command", "list_dir"}


def test_tool_errors_become_strings(ws: Workspace, repo: Path):
    (repo / "latin1.txt").write_bytes(b"caf\xe9\n")
    tools = tools_by_name(editor_tools(ws, CommandPolicy()))
    answer = tools["edit_file"].invoke({"path": "latin1.txt", "old": "caf", "new": "tea"})
    assert answer.startswith("error: ")


def test_tool_log_is_thread_safe():
    log = ToolLog()

    def work(n: int) -> None:
        for i in range(200):
            log.record("fs_read", f"path={n}-{i}", "ok")
            log.mark_written(f"f{n}-{i % 10}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(log.calls) == 1600
    assert len(log.written) == 80


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell")
def test_command_tool_reports_timeout(ws: Workspace):
    tools = tools_by_name(editor_tools(ws, CommandPolicy(allow=("sleep",)), command_timeout=0.3))
    assert tools["run_command"].invoke({"command": "sleep 5"}).startswith(
        "timed out after 0.3s"
    )


def test_no_io_outside_repo_listing(ws: Workspace, repo: Path, outside: Path):
    (repo / "linkdir").symlink_to(outside, target_is_directory=True)
    assert "victim.txt" not in glob(ws, "**/*.txt")  # os.walk does not follow the link
    assert os.path.islink(repo / "linkdir")
