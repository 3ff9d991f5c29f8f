"""`reviewloop report --format` takes every format of the registry, as `review --format`
does (built-in and installed plugins'), and html: it was a closed list (text, json,
markdown, html), so a stored run could not be shown as sarif, ruff, github or a plugin's
format (fz2 D17). A plugin's format that cannot render a stored run says so, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop import plugins
from reviewloop.errors import ExitCode
from reviewloop.reports.formats import formats
from tests.support.cli_main import run_cli
from tests.support.plugins import install
from tests.support.repos import init_repo, write

FORMAT = """
from reviewloop.reports.formats import OutputFormat
def render(summary, ctx):
    if summary.task_title == "boom":
        raise RuntimeError("cannot")
    return "".join(f"{e.finding.rule}\\n" for e in summary.ledger.entries) or "none\\n"
LINES = OutputFormat("lines", "one rule a line", ".txt", render)
"""


@pytest.fixture
def reviewed(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> str:
    """A stored review (of a change analyzers find fault with); its JSON as review printed it."""
    install(site, "rl-lines", {plugins.FORMATS: {"lines": "rl_lines:LINES"}},
            {"rl_lines": FORMAT})
    root = init_repo(tmp_path / "repo", {"app.py": "x = 1\n"})
    write(root, "app.py", "import pickle\n\ndef load(b):\n    return pickle.loads(b)\n")
    monkeypatch.chdir(root)
    code, out, err = run_cli(capsys, "review", "--working", "--format", "json")
    assert code in (ExitCode.OK, ExitCode.BLOCKING), err
    return out


def test_report_takes_every_registered_format(reviewed: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    registered = [*formats(), "html"]
    assert {"sarif", "ruff", "github", "lines"} <= set(registered)
    for fmt in registered:
        code, out, err = run_cli(capsys, "report", "--format", fmt, "--output", "-")
        assert code == ExitCode.OK, f"{fmt}: {err}"
        assert out.strip(), fmt
    stored = json.loads(reviewed)
    _, again, _ = run_cli(capsys, "report", "--format", "json", "--output", "-")
    assert json.loads(again)["ledger"] == stored["ledger"]  # the same run, shown again
    _, lines, _ = run_cli(capsys, "report", "--format", "lines", "--output", "-")
    assert lines.split() == [e["finding"]["rule"] for e in stored["ledger"]["entries"]] \
        or lines == "none\n"
    _, sarif, _ = run_cli(capsys, "report", "--format", "sarif", "--output", "-")
    assert json.loads(sarif)["version"] == "2.1.0"


def test_report_into_a_file_takes_the_formats_extension(reviewed: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    code, _, err = run_cli(capsys, "report", "--format", "lines", "--output",
                           str(tmp_path / "out" / "r.txt"))
    assert code == ExitCode.OK, err
    assert (tmp_path / "out" / "r.txt").read_text(encoding="utf-8").strip()


def test_a_plugin_format_that_cannot_render_the_stored_run_says_so(
        reviewed: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = next((Path(".reviewloop") / "reviews").iterdir())
    saved = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    saved["task_title"] = "boom"
    (folder / "summary.json").write_text(json.dumps(saved), encoding="utf-8")
    code, out, err = run_cli(capsys, "report", "--format", "lines", "--output", "-")
    said = " ".join(err.split())
    assert code == ExitCode.USAGE and out == ""
    assert "cannot be shown as --format lines: the output format \"lines\" of rl-lines " \
           "failed: RuntimeError: cannot" in said, said
    assert "fix: pip uninstall rl-lines" in said and "another --format shows it" in said
    assert "internal error" not in said


def test_an_unknown_format_lists_the_registry(reviewed: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "report", "--format", "nope")
    assert code == ExitCode.USAGE
    assert all(f"'{name}'" in err for name in [*formats(), "html"]), err
