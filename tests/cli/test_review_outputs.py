"""`review --output` and `--sarif` into a folder that does not exist yet: the folder is
made (as ruff does); a path that cannot be written is refused before the review; beside a
report in a file the terminal shows its summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.cli.panel import SUMMARY_FINDING_ROWS
from tests.support.review_cli import repo, review


def test_output_and_sarif_create_their_folders(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    done = review(root, "--format", "json", "--output", "nodir/deeper/r.json",
                  "--sarif", str(tmp_path / "other" / "r.sarif"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((root / "nodir/deeper/r.json").read_text())["verdict"]
    assert json.loads((tmp_path / "other/r.sarif").read_text())["version"] == "2.1.0"


def test_an_output_under_a_file_is_refused_before_the_review(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    (tmp_path / "taken").write_text("a file, not a folder")
    done = review(root, "--output", str(tmp_path / "taken" / "r.json"))
    assert done.returncode == 2, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert (f"cannot create the folder for --output {tmp_path / 'taken' / 'r.json'}: "
            f"{tmp_path / 'taken'} is a file") in said
    assert done.stdout == ""  # refused before the review: no panel, no report


def test_with_the_report_in_a_file_the_terminal_shows_its_summary(tmp_path: Path) -> None:
    """The panel drawn beside `--output FILE` is the report's summary: the most severe
    findings and the counts, and the file that lists them all."""
    root = repo(tmp_path)
    (root / "app.py").write_text("import subprocess\n\n" + "".join(
        f"V{i} = eval(input())\n" for i in range(SUMMARY_FINDING_ROWS + 5)))
    done = review(root, "--format", "json", "--output", "out/r.json")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    report = json.loads((root / "out/r.json").read_text())
    listed = [e for e in report["ledger"]["entries"] if e["status"] == "open"]
    assert len(listed) > SUMMARY_FINDING_ROWS + 5  # every eval and the import, in the file
    shown = " ".join(done.stdout.replace("│", " ").split())
    assert "report out/r.json" in shown
    assert shown.count("🟡 should fix") == SUMMARY_FINDING_ROWS  # a row each, most severe
    assert "more (" in shown and "every finding is in the report" in shown
    assert "Nits (not fixed): " in shown and "(every one is in the report)" in shown



@pytest.mark.parametrize("flag", ["--output", "--sarif"])
def test_a_report_file_the_os_refuses_is_the_users_error_not_a_bug(tmp_path: Path,
                                                                   flag: str) -> None:
    """The write fails after the review (a link to a folder that does not exist: the OS's
    error, as an I/O error or a special file would give): exit 2 with the file and the fix,
    not exit 3 with a bug report. A name too long for the file system is refused before."""
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    target = tmp_path / "r.json"
    target.symlink_to(tmp_path / "gone" / "r.json")
    done = review(root, "--format", "json", flag, str(target))
    assert done.returncode == 2, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert f"cannot write {flag} {target}: No such file or directory" in said
    assert "`reviewloop report` shows it again" in said
    assert "bug" not in said.lower()

    long = tmp_path / ("r" * 300 + ".json")
    done = review(root, "--format", "json", flag, str(long))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"cannot use {flag} {long}: File name too long" in " ".join(done.stderr.split())
    assert done.stdout == ""


def test_output_and_sarif_naming_one_file_are_refused_before_the_review(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    (tmp_path / "keep").mkdir()
    for output, sarif in (("r.out", "r.out"), ("r.out", "./sub/../r.out"),
                          (str(tmp_path / "keep/r"), "../keep/r")):
        done = review(root, "--output", output, "--sarif", sarif)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "--output and --sarif both name" in " ".join(done.stderr.split())
        assert done.stdout == ""  # refused before the review


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_disk_under_the_report_advises_report_not_resume(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    done = review(root, "--format", "json", "--output", "/dev/full")
    assert done.returncode == 2, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert "the disk is full writing --output /dev/full" in said
    assert "`reviewloop report` shows it again" in said and "resume" not in said


@pytest.mark.parametrize("fmt", ["json", "markdown", "sarif"])
def test_output_dash_is_standard_output_as_with_report(tmp_path: Path, fmt: str) -> None:
    """`--output -` means standard output, as `reviewloop report --output -` does: it wrote a
    file named `-` into the checkout (which the next review counted as part of the change)
    and drew the panel on standard output."""
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    done = review(root, "--format", fmt, "--output", "-")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (root / "-").exists()
    plain = review(root, "--format", fmt)
    if fmt == "markdown":
        assert done.stdout == plain.stdout
    else:  # JSON and SARIF: the same keys (each review has its own id and times)
        assert json.loads(done.stdout).keys() == json.loads(plain.stdout).keys()


def test_report_text_into_a_file_is_markdown_as_review_writes_it(tmp_path: Path) -> None:
    """`review --format text --output F` writes Markdown (its help says so); `report` wrote
    the terminal panel's box drawing into F. Standard output (`-`) still gets the panel."""
    from tests.support import warm_cli

    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    assert review(root, "--format", "text", "--output", "r.md").returncode == 0
    done = warm_cli.run(["report", "--format", "text", "--output", "again.md"], root,
                        timeout=180)
    assert done.returncode == 0, done.stderr
    written = (root / "again.md").read_text()
    assert written.startswith("## Review: ") and "┃" not in written and "│" not in written
    assert written.splitlines()[2] == (root / "r.md").read_text().splitlines()[2]  # verdict
    panel = warm_cli.run(["report", "--format", "text", "--output", "-"], root, timeout=180)
    assert panel.returncode == 0 and "│" in panel.stdout
