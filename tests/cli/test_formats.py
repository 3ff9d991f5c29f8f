"""Formats other tools read: ruff's concise lines, GitHub workflow commands, SARIF on stdout;
`-q`/`-v`; shell completion; one spelling of the severities for --fail-on and the Action."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

from reviewloop.cli import ui
from reviewloop.cli.app import cli
from reviewloop.findings.ledger import Entry, Health, Ledger, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.github.outputs import COUNT_OUTPUTS, annotate, write_job_outputs
from reviewloop.reports.formats import formats
from reviewloop.reports.lines import to_github, to_ruff, workflow_command
from reviewloop.reports.report import ReviewerOutcome, RunSummary
from tests.support import warm_cli
from tests.support.paths import FIXTURES, ROOT
from tests.support.repos import init_repo

SARIF_SCHEMA = FIXTURES / "schemas" / "sarif-2.1.0.json"
RUFF_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>\S+) (?P<msg>.+)$")


# --- the renderers, on a ledger built by hand ----------------------------------------------


def finding(severity: str, file: str, line: int, title: str, *, rule: str | None = None,
            agent: str = "review-security", rationale: str = "Why it matters.") -> Finding:
    return Finding(severity=Severity(severity), file=file, start_line=line, end_line=line + 1,
                   title=title, rationale=rationale, confidence=0.9, agent=agent,
                   source="bandit" if rule else "llm", rule=rule)


def summary(*entries: tuple[Finding, Status], llm: bool = True,
            health: tuple[Health, ...] = ()) -> RunSummary:
    ledger = Ledger(round=1, entries=[Entry.single(f, status, "reported") for f, status in entries],
                    health=list(health))
    reviewers = [ReviewerOutcome(agent="review-security", status="ok")]
    return RunSummary(task_id="review", ledger=ledger, reviewers=reviewers, llm=llm)


SHELL = finding("must_fix", "src/run.py", 6, "subprocess call with shell=True", rule="B602")
NIT = finding("nit", "src/app.py", 3, "Name  is\nvague", agent="review-maintainability")
FIXED = finding("should_fix", "src/app.py", 1, "Fixed already", agent="review-performance")
OUTSIDE = finding("should_fix", "lib/old.py", 9, "Not this change's", agent="review-performance")


def test_ruff_lines_list_open_findings_by_path_then_line_with_rule_or_reviewer():
    text = to_ruff(summary((SHELL, Status.OPEN), (NIT, Status.ESCALATED), (FIXED, Status.FIXED),
                           (OUTSIDE, Status.OUT_OF_SCOPE)))
    assert text == ("src/app.py:3:1: review-maintainability Name is vague\n"
                    "src/run.py:6:1: B602 [blocking] subprocess call with shell=True\n"
                    "Found 2 findings (1 blocking: must_fix or worse).\n"
                    "verdict: findings remain\n")


def test_ruff_lines_mark_what_the_fail_on_threshold_counts():
    found = summary((SHELL, Status.OPEN), (NIT, Status.ESCALATED))
    lower = to_ruff(found, fail_on="nit").splitlines()
    assert [line.split(": ", 1)[1].split(" ", 2)[1] for line in lower[:2]] == [
        "[blocking]", "[blocking]"]
    assert lower[2] == "Found 2 findings (2 blocking: nit or worse)."
    never = to_ruff(found, fail_on="never")
    assert "[blocking]" not in never and "Found 2 findings.\n" in never


def test_ruff_paths_are_shown_as_asked_and_a_clean_review_passes():
    text = to_ruff(summary((SHELL, Status.OPEN)), lambda path: f"../{path}")
    assert text.startswith("../src/run.py:6:1: B602 ")
    assert to_ruff(summary((FIXED, Status.FIXED))) == "All checks passed!\n"


def test_ruff_output_says_when_the_review_was_not_a_full_one():
    missing = Health(kind="analyzer", name="checkov", agent="review-infrastructure",
                     status="missing", reason="not installed")
    text = to_ruff(summary(llm=False, health=(missing,)))
    assert text == ("No open findings.\nverdict: incomplete: analyzer checkov "
                    "(review-infrastructure) missing; LLM reviewers off (analyzers only)\n")


def test_github_annotations_map_severities_and_escape_as_the_runner_reads():
    odd = finding("should_fix", "a,b:c%.py", 2, "100% sure", agent="review-performance",
                  rationale="line one\r\nline two")
    lines = to_github(summary((SHELL, Status.OPEN), (odd, Status.OPEN),
                              (NIT, Status.OPEN))).splitlines()
    assert lines == [
        ("::warning file=a%2Cb%3Ac%25.py,line=2,endLine=3,title=reviewloop review-performance"
         "::🟡 100%25 sure — line one%0D%0Aline two"),
        ("::notice file=src/app.py,line=3,endLine=4,title=reviewloop review-maintainability"
         "::🟢 Name  is%0Avague — Why it matters."),
        ("::error file=src/run.py,line=6,endLine=7,title=reviewloop review-security B602"
         "::🔴 subprocess call with shell=True — Why it matters."),
    ]


def test_github_output_warns_when_the_llm_was_off_and_annotate_is_the_same_renderer(capsys):
    lines = to_github(summary(llm=False)).splitlines()
    assert lines == [("::warning title=reviewloop%3A not a full review::reviewloop: LLM "
                      "reviewers off (analyzers only)")]
    annotate([SHELL])
    assert capsys.readouterr().out == to_github(summary((SHELL, Status.OPEN)))


def test_github_names_each_unread_file_and_keeps_each_reason_whole():
    """A reason holding "; " of its own (a YAML parse error's, the list of files) is one
    annotation, and each file not analysed is annotated on itself with its every reason."""
    unread = {"chart/a.yaml": "a YAML document in it does not parse: found unhashable key, "
                              "line 4; checkov then reads none of the file",
              "b.py": "could not parse it; nothing found in it counts"}
    rows = (Health(kind="analyzer", name="checkov", status="ok", files=("chart/a.yaml",),
                   unread={"chart/a.yaml": unread["chart/a.yaml"]}),
            Health(kind="analyzer", name="bandit", status="ok", files=("b.py",),
                   unread={"b.py": unread["b.py"]}),
            Health(kind="analyzer", name="ruff", status="ok", files=("b.py",),
                   unread={"b.py": "too large"}))
    lines = to_github(summary(health=rows)).splitlines()
    assert lines[:2] == [
        ("::warning file=b.py,title=reviewloop%3A not analysed::bandit: could not parse it; "
         "nothing found in it counts; ruff: too large"),
        ("::warning file=chart/a.yaml,title=reviewloop%3A not analysed::checkov: a YAML "
         "document in it does not parse: found unhashable key, line 4; checkov then reads "
         "none of the file")]
    assert len(lines) == 3 and lines[2].startswith(
        "::warning title=reviewloop%3A not a full review::reviewloop: incomplete: 2 files not "
        "analysed (b.py: bandit: could not parse it; nothing found in it counts; chart/a.yaml")
    assert lines[2].endswith("checkov then reads none of the file)")


def test_workflow_command_without_properties():
    assert workflow_command("notice", "50%\n") == "::notice::50%25%0A"


# --- the command line, on a real repository (analyzers only, offline) -----------------------


def review(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return warm_cli.run(args, root, env=env, timeout=180)


@pytest.fixture(scope="module")
def changed(tmp_path_factory) -> Path:
    """A repository with an uncommitted change the analyzers flag (a bare except, shell=True)."""
    root = init_repo(tmp_path_factory.mktemp("formats") / "r", {"app.py": "VALUE = 1\n"})
    (root / "pkg").mkdir()
    (root / "pkg" / "run.py").write_text(
        "import subprocess\nimport sys\n\ntry:\n    subprocess.call(sys.argv[1], shell=True)\n"
        "except:\n    VALUE = 2\n")
    return root


def test_format_ruff_prints_what_ruff_prints_for_the_same_rule(changed: Path):
    done = review(changed, "review", "--format", "ruff")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert all(RUFF_LINE.match(line) for line in lines[:-2]), lines
    assert lines[-2].startswith("Found ") and lines[-1].startswith("verdict: LLM reviewers off")
    ours = [line for line in lines if " E722 " in line]
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated",
                           "--select", "E722", "--output-format", "concise", "pkg/run.py"],
                          cwd=changed, capture_output=True, text=True, check=False)
    assert ours == [ruff.stdout.splitlines()[0]] == [
        "pkg/run.py:6:1: E722 Do not use bare `except`"]
    assert any(line.startswith("pkg/run.py:5:1: B602 ") for line in lines)


def test_format_ruff_paths_are_relative_to_the_current_directory(changed: Path):
    done = review(changed / "pkg", "review", "--format", "ruff")
    assert "run.py:6:1: E722 Do not use bare `except`" in done.stdout.splitlines()


def test_format_github_prints_annotations_only(changed: Path):
    done = review(changed, "review", "--format", "github")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ", "::notice "))
                         for line in lines)
    assert any(line.startswith("::error file=pkg/run.py,line=5,endLine=5,title=reviewloop "
                               "review-security B602::🔴 ") for line in lines)
    assert lines[-1] == ("::warning title=reviewloop%3A not a full review::reviewloop: LLM "
                         "reviewers off (analyzers only)")


def test_format_sarif_prints_a_valid_log_and_matches_the_sarif_file(changed: Path, tmp_path):
    done = review(changed, "review", "--format", "sarif", "--sarif", str(tmp_path / "x.sarif"))
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    assert log == json.loads((tmp_path / "x.sarif").read_text())
    assert {r["ruleId"] for r in log["runs"][0]["results"]} >= {"bandit/B602",
        "ruff-maintainability/E722"}


def test_json_is_format_json_and_a_contradicting_format_is_refused(changed: Path):
    as_json = review(changed, "review", "--json")
    assert as_json.returncode == 1, as_json.stderr
    report = json.loads(as_json.stdout)
    same = json.loads(review(changed, "review", "--format", "json").stdout)
    assert (report["verdict"], report["counts"], report["ledger"]) == \
        (same["verdict"], same["counts"], same["ledger"])
    both = review(changed, "review", "--json", "--format", "ruff")  # not the later one
    assert (both.returncode, both.stdout) == (2, "")
    assert "--json and --format ruff ask for two formats" in both.stderr


def test_format_written_to_a_file_keeps_the_terminal_summary(changed: Path, tmp_path):
    out = tmp_path / "review.txt"
    done = review(changed, "review", "--format", "ruff", "--output", str(out))
    assert "pkg/run.py:6:1: E722 Do not use bare `except`" in out.read_text().splitlines()
    assert "LLM reviewers off" in done.stdout and "E722" not in done.stdout  # the panel
    assert done.stdout.count("verdict") == 1  # the panel's row, once


def test_quiet_with_a_file_prints_nothing_on_stdout(changed: Path, tmp_path):
    for fmt in formats():
        out = tmp_path / f"review.{fmt}"
        done = review(changed, "-q", "review", "--format", fmt, "--output", str(out))
        assert done.stdout == "", (fmt, done.stdout)
        assert out.read_text(), fmt


def test_nothing_to_review_keeps_machine_formats_clean(tmp_path: Path):
    """Standard output holds the format's own document (tests/cli/test_nothing_reports.py
    checks each); the message goes to standard error."""
    root = init_repo(tmp_path / "empty", {"a.py": "A = 1\n"})
    for fmt in ("ruff", "github", "sarif"):
        done = review(root, "review", "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert "nothing to review" in done.stderr
        assert "no change in the working tree" not in done.stdout, fmt


# --- -q / -v -------------------------------------------------------------------------------


def test_quiet_drops_progress_and_verbose_adds_debug_logging(changed: Path):
    normal = review(changed, "review", "--format", "ruff")
    assert "• review round 1" in normal.stderr
    quiet = review(changed, "-q", "review", "--format", "ruff")
    assert "•" not in quiet.stderr and "DEBUG" not in quiet.stderr
    assert quiet.stdout == normal.stdout and quiet.returncode == normal.returncode
    verbose = review(changed, "--verbose", "review", "--format", "ruff")
    assert "DEBUG reviewloop.app.review: review DiffSource(" in verbose.stderr
    assert "• review round 1" in verbose.stderr and verbose.stdout == normal.stdout


def test_the_last_of_quiet_and_verbose_wins(changed: Path):
    quiet = review(changed, "-v", "-q", "review", "--format", "ruff")
    assert "•" not in quiet.stderr and "DEBUG" not in quiet.stderr
    verbose = review(changed, "-q", "-v", "review", "--format", "ruff")
    assert "DEBUG reviewloop.app.review" in verbose.stderr and "•" in verbose.stderr


def test_the_switch_silences_progress_and_notices_but_not_errors(capsys):
    try:
        ui.set_verbosity(ui.QUIET)
        ui.notice("where the run works")
        ui.progress("triage", {"actionable": []})
        assert capsys.readouterr().err == ""
        ui.set_verbosity(ui.NORMAL)
        ui.notice("where the run works")
        ui.progress("triage", {"actionable": []})
        err = capsys.readouterr().err
        assert "where the run works" in err and "triage: 0 actionable finding(s)" in err
    finally:
        ui.set_verbosity(ui.NORMAL)


def test_bad_input_still_prints_its_error_when_quiet(tmp_path: Path):
    done = review(tmp_path, "-q", "tasks", "--spec", "missing/tasks.md")
    assert done.returncode == 2 and "missing/tasks.md" in done.stderr


# --- shell completion ---------------------------------------------------------------------


def console_script() -> str:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"reviewloop": "reviewloop.__main__:main"}
    found = shutil.which("reviewloop", path=str(Path(sys.executable).parent))
    assert found, "the reviewloop console script is not installed next to this Python"
    return found


@pytest.mark.parametrize("shell, marker", [
    ("bash", "complete -o nosort -F _reviewloop_completion reviewloop"),
    ("zsh", "#compdef reviewloop"),
    ("fish", "complete --no-files --command reviewloop"),
])
def test_completion_scripts_for_each_shell(shell: str, marker: str):
    done = subprocess.run([console_script()], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "_REVIEWLOOP_COMPLETE": f"{shell}_source"},
                          check=False)
    assert done.returncode == 0, done.stderr
    assert marker in done.stdout and f"_REVIEWLOOP_COMPLETE={shell}_complete" in done.stdout


def test_bash_completes_commands_and_format_choices_from_the_sourced_script():
    """What a user gets: bash evaluates the script and asks it to complete a command line."""
    def complete(*words: str) -> list[str]:
        script = ('eval "$(_REVIEWLOOP_COMPLETE=bash_source reviewloop)"; '
                  f"COMP_WORDS=({' '.join(repr(w) for w in words)}); "
                  f"COMP_CWORD={len(words) - 1}; _reviewloop_completion reviewloop; "
                  'printf "%s\\n" "${COMPREPLY[@]}"')
        path = f"{Path(console_script()).parent}{os.pathsep}{os.environ['PATH']}"
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "PATH": path}, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert "review" in complete("reviewloop", "rev")
    assert complete("reviewloop", "review", "--format", "") == list(formats())
    assert complete("reviewloop", "review", "--fail-on", "s") == ["should_fix"]


def test_the_docs_give_the_tested_completion_commands():
    page = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    section = page[page.index("## Shell completion"):]
    for shell in ("bash", "zsh", "fish"):
        assert f"_REVIEWLOOP_COMPLETE={shell}_source reviewloop" in section


# --- one spelling of the severities ---------------------------------------------------------


def test_fail_on_and_the_actions_outputs_spell_severities_the_same_way(tmp_path: Path):
    severities = tuple(s.value for s in Severity)
    assert severities == COUNT_OUTPUTS
    fail_on = next(p for p in cli.commands["review"].params if p.name == "fail_on").type.choices
    assert tuple(fail_on) == (*severities, "never")
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    for key in severities:  # output named as --fail-on spells it, read from the same key
        assert action["outputs"][key]["value"] == f"${{{{ steps.review.outputs.{key} }}}}"
    assert all(value in action["inputs"]["fail-on"]["description"] for value in fail_on)
    out = tmp_path / "out"
    write_job_outputs({"GITHUB_OUTPUT": str(out)}, {"must_fix": 2, "nit": 1}, "", None)
    assert out.read_text() == ("must_fix=2\nshould_fix=0\nnit=1\nsarif=\npublished=true\n"
                               "publish_error=\n")


def test_the_format_choices_and_their_help_are_the_registrys():
    option = next(p for p in cli.commands["review"].params if p.name == "fmt")
    assert tuple(option.type.choices) == tuple(formats())
    help_text = cli.commands["review"].get_help(cli.make_context("reviewloop", ["review"]))
    assert all(f"{name}:" in " ".join(help_text.split()) for name in formats())
