"""Python known by its file name with no shebang (`app.wsgi`, `server.tac`, `tool.pyt`,
`SConstruct`, `SConscript`, `wscript`) is read by bandit and both ruff views as `app.py` is.

Before: such a file was no language to reviewloop, only the secrets scan read it, and the
coverage matrix said nothing of it: `subprocess.call(…, shell=True)` in `app.wsgi` went
unreported with the review complete. Generated: each name under generated folders, in one
review, each getting what the same code gets as `app.py`."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

CODE = ("import subprocess\n\n\ndef application(environ, start_response=[]):\n"
        "    subprocess.call(environ['QUERY_STRING'], shell=True)\n")  # B602, B006
NAMES = ("app.wsgi", "server.tac", "tool.pyt", "SConstruct", "Sconstruct", "sconstruct",
         "SConscript", "wscript")
_FOLDER = st.lists(st.text("abcxyz_-", min_size=1, max_size=6), max_size=2).map(
    lambda parts: "".join(f"{p}/" for p in parts))


def _rules(report, path: str) -> set[str]:
    return {f.rule for f in report.findings if f.file == path}


@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(folders=st.lists(_FOLDER, min_size=len(NAMES), max_size=len(NAMES)))
def test_bandit_and_ruff_read_python_named_by_its_use(tmp_path_factory, folders: list[str]
                                                      ) -> None:
    root: Path = tmp_path_factory.mktemp("r")
    repo = Repo(root)
    paths = [f"{folder}{name}" for folder, name in zip(folders, NAMES, strict=True)]
    diff = repo.change({"ref/app.py": CODE, **dict.fromkeys(paths, CODE)})

    security = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)
    style = run_for_agent(agent("review-maintainability", ("ruff-maintainability",)),
                          repo.root, diff)

    assert security.complete and style.complete
    assert "B602" in _rules(security, "ref/app.py") and "B006" in _rules(style, "ref/app.py")
    for path in paths:
        assert _rules(security, path) == _rules(security, "ref/app.py"), path
        assert _rules(style, path) == _rules(style, "ref/app.py"), path
