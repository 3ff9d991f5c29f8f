"""The hadolint and zizmor analyzers: which files they take, their recorded JSON as findings,
a tool that cannot be provisioned, and zizmor for real (the dev extra puts it on PATH)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reviewloop.checks.analyzers import hadolint, zizmor
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.registry import ANALYZERS
from reviewloop.findings.schema import Severity
from reviewloop.git.diff import ChangeSet
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.checkov import WORKFLOW

HERE = Path(__file__).parent


def _ctx(root: Path, *files: str) -> AnalyzerContext:
    return AnalyzerContext(root=root, changes=ChangeSet(), diff_text="", agent="review-infra",
                           files=files)


def test_each_takes_only_its_files(tmp_path):
    ctx = _ctx(tmp_path, "Dockerfile", "deploy/api.Dockerfile", "Dockerfile.dev", "app.py",
               ".github/workflows/ci.yml", ".github/workflows/x.yaml", "tools/lint/action.yml",
               ".github/dependabot.yml", "docs/action.md", "docs/dependabot.yml",
               ".github/dependabot.json")

    assert hadolint.dockerfiles(ctx) == ["Dockerfile", "deploy/api.Dockerfile", "Dockerfile.dev"]
    assert zizmor.audited_files(ctx) == [".github/workflows/ci.yml", ".github/workflows/x.yaml",
                                         "tools/lint/action.yml", ".github/dependabot.yml"]
    assert not ANALYZERS["zizmor"].wants(_ctx(tmp_path, "app.py", "Dockerfile"))
    assert not ANALYZERS["hadolint"].wants(_ctx(tmp_path, ".github/workflows/ci.yml"))


def test_recorded_hadolint_report_maps_to_findings(tmp_path):
    report = json.loads((HERE / "hadolint_sample.json").read_text())

    found = hadolint.to_findings(report, _ctx(tmp_path, "api.Dockerfile"))

    assert [(f.rule, f.start_line, f.severity) for f in found] == [
        ("DL3007", 1, Severity.NIT), ("DL3015", 2, Severity.NIT), ("DL3008", 2, Severity.NIT),
        ("DL3009", 2, Severity.NIT), ("DL3020", 3, Severity.SHOULD_FIX),
        ("DL3003", 4, Severity.NIT), ("DL3013", 4, Severity.NIT), ("DL3042", 4, Severity.NIT)]
    add = found[4]
    assert add.file == "api.Dockerfile" and add.source == "hadolint"
    assert add.title == "Use COPY instead of ADD for files and folders"
    assert add.rationale.endswith("See https://github.com/hadolint/hadolint/wiki/DL3020")


def test_a_hadolint_report_naming_a_file_it_was_not_given_leaves_the_rest_unread(tmp_path):
    report = json.loads((HERE / "hadolint_sample.json").read_text())
    ctx = _ctx(tmp_path, "Dockerfile", "web/Dockerfile")
    report[0]["file"] = "web/Dockerfile"  # one result of the given files' own
    for item in report[1:]:
        item["file"] = "api\ufffd.Dockerfile"  # a name hadolint printed otherwise

    found = hadolint.to_findings(report, ctx)

    assert [f.file for f in found] == ["web/Dockerfile"]
    assert list(ctx.unread) == ["Dockerfile"]
    assert ctx.unread["Dockerfile"].startswith("hadolint's report names api\ufffd.Dockerfile")


def test_recorded_zizmor_report_maps_to_findings(tmp_path):
    report = json.loads((HERE / "zizmor_sample.json").read_text())

    found = zizmor.to_findings(report, _ctx(tmp_path, ".github/workflows/ci.yml"))

    assert [(f.rule, f.start_line, f.severity) for f in found] == [
        ("artipacked", 6, Severity.NIT),  # Medium, but Low confidence
        ("excessive-permissions", 3, Severity.SHOULD_FIX),
        ("dangerous-triggers", 1, Severity.MUST_FIX),
        ("template-injection", 9, Severity.MUST_FIX),
        ("unpinned-uses", 6, Severity.MUST_FIX)]
    injection = found[3]
    assert injection.file == ".github/workflows/ci.yml" and injection.confidence == 0.9
    assert injection.rationale.startswith("zizmor template-injection: code injection via "
                                          "template expansion (may expand into attacker")
    assert "https://docs.zizmor.sh/audits/#template-injection" in injection.rationale


def test_ignored_results_are_findings_and_bad_reports_are_errors(tmp_path):
    """zizmor runs --no-ignores: a result an ignore comment covers is still a finding; whether
    the comment counts is reviewloop's decision (checks.suppressions), not zizmor's."""
    report = json.loads((HERE / "zizmor_sample.json").read_text())
    for item in report:
        item["ignored"] = True

    assert len(zizmor.to_findings(report, _ctx(tmp_path))) == len(report)
    with pytest.raises(zizmor.AnalyzerError, match="not a list"):
        zizmor.to_findings({"oops": 1}, _ctx(tmp_path))
    with pytest.raises(hadolint.AnalyzerError, match="not a list"):
        hadolint.to_findings({"oops": 1}, _ctx(tmp_path))


def test_a_linter_that_cannot_be_provisioned_is_missing_with_the_fix(tmp_path, monkeypatch):
    repo = Repo(tmp_path / "repo")
    diff = repo.change({"api.Dockerfile": "FROM python:latest\n",
                        ".github/workflows/ci.yml": WORKFLOW})
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))

    report = run_for_agent(agent("review-infrastructure", ("hadolint", "zizmor")), repo.root,
                           diff)

    assert report.findings == [] and report.errors == []
    assert [m.split(":", 1)[0] for m in report.missing] == ["hadolint", "zizmor"]
    assert all("REVIEWLOOP_TOOLS_OFFLINE is set; fix: run `reviewloop tools install"
               in m for m in report.missing)


def test_hadolint_and_zizmor_honour_none_of_the_trees_suppressions(tmp_path):
    """Their pragmas, ignore comments and config files are judged by reviewloop (the trusted
    side's only): hadolint runs outside the tree with its pragmas off, zizmor without config
    or ignores."""
    linted = hadolint.Hadolint().command(Path("/t/hadolint"), ["api.Dockerfile"], tmp_path)
    audited = zizmor.Zizmor().command(Path("/t/zizmor"), [".github/workflows/ci.yml"], Path())

    assert "--disable-ignore-pragma" in linted and linted[-1] == str(tmp_path / "api.Dockerfile")
    assert hadolint.Hadolint.isolated and not zizmor.Zizmor.isolated
    assert {"--no-config", "--no-ignores"} <= set(audited)
    assert audited[-1] == ".github/workflows/ci.yml"


@pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor (dev extra) not on PATH")
def test_real_zizmor_reports_what_an_ignore_comment_names(tmp_path):
    repo = Repo(tmp_path)
    marked = WORKFLOW.replace('title }}"', 'title }}"  # zizmor: ignore[template-injection]')
    diff = repo.change({".github/workflows/ci.yml": marked,
                        ".github/zizmor.yml": "rules:\n  dangerous-triggers:\n    disable: true\n"})

    report = run_for_agent(agent("review-infrastructure", ("zizmor",)), repo.root, diff)

    assert {"template-injection", "dangerous-triggers"} <= {f.rule for f in report.findings}


@pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor (dev extra) not on PATH")
def test_real_zizmor_flags_the_changed_workflow(tmp_path):
    repo = Repo(tmp_path)
    diff = repo.change({".github/workflows/ci.yml": WORKFLOW, "app.py": "print('hi')\n"})

    report = run_for_agent(agent("review-infrastructure", ("zizmor",)), repo.root, diff)

    assert report.complete, (report.missing, report.errors)
    rules = {f.rule for f in report.findings}
    assert {"template-injection", "dangerous-triggers", "unpinned-uses"} <= rules
    assert {f.file for f in report.findings} == {".github/workflows/ci.yml"}


BUMP = """name: ci
on: [push]
permissions: {{}}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@{checkout}
        with:
          persist-credentials: false
      - uses: hashicorp/setup-terraform@{terraform}
"""


@pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor (dev extra) not on PATH")
def test_a_routine_action_bump_does_not_block_but_a_new_unpinned_action_does(tmp_path):
    """zizmor rates every unpinned `uses:` High. A version bump of an action that was
    unpinned before did not introduce it: should_fix, not must_fix. A new action added
    unpinned did: must_fix."""
    flow = ".github/workflows/ci.yml"
    repo = Repo(tmp_path, {flow: BUMP.format(checkout="v4", terraform="v2")})
    bumped = BUMP.format(checkout="v5", terraform="v3")
    diff = repo.change({flow: bumped + "      - uses: some/new-action@v1\n"})

    report = run_for_agent(agent("review-infrastructure", ("zizmor",)), repo.root, diff)

    unpinned = {f.start_line: f for f in report.findings if f.rule == "unpinned-uses"}
    assert unpinned[8].severity is Severity.SHOULD_FIX  # actions/checkout v4 → v5
    assert unpinned[11].severity is Severity.SHOULD_FIX  # setup-terraform v2 → v3
    assert "unpinned before this change too" in unpinned[8].rationale
    assert unpinned[12].severity is Severity.MUST_FIX  # new, and unpinned
    assert not any(f.severity is Severity.MUST_FIX for f in report.findings
                   if f.start_line != 12)


@pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor (dev extra) not on PATH")
def test_unpinning_an_action_that_was_pinned_still_blocks(tmp_path):
    flow = ".github/workflows/ci.yml"
    sha = "11bd71901bbe5b1630ceea73d27597364c9af683"
    repo = Repo(tmp_path, {flow: BUMP.format(checkout=sha, terraform=sha)})
    diff = repo.change({flow: BUMP.format(checkout="v5", terraform=sha)})

    report = run_for_agent(agent("review-infrastructure", ("zizmor",)), repo.root, diff)

    (finding,) = [f for f in report.findings if f.rule == "unpinned-uses"]
    assert finding.start_line == 8 and finding.severity is Severity.MUST_FIX


def test_nothing_is_provisioned_or_reported_missing_without_a_file_for_it(tmp_path,
                                                                          monkeypatch):
    repo = Repo(tmp_path / "repo")
    diff = repo.change({"app.py": "print('hi')\n", "config/settings.yaml": "debug: true\n"})
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
    monkeypatch.delenv("REVIEWLOOP_TOOLS_OFFLINE")  # would install, if anything asked
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(tmp_path / "tools"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")

    report = run_for_agent(agent("review-infrastructure", ("checkov", "hadolint", "zizmor")),
                           repo.root, diff)

    assert report.findings == [] and report.missing == [] and report.errors == []
    assert not (tmp_path / "tools").exists()
