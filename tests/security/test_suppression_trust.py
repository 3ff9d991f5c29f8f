"""A pull request cannot suppress its own findings (issue #22, classes 4 and 8).

Each family below is one pull request that hides real findings — bandit, ruff, the secrets
scanner, zizmor (and checkov and hadolint where PyPI is allowed) — with suppressions in
every syntax, next to the same pull request without them. `reviewloop review --base main
--head feature` (LLM off, default --fail-on) must give both the same exit code and the same
open findings, and report each suppression the change adds as an `adds-suppression`
finding on its line or file. Suppressions the base already carries still count: listed as
suppressed, never silently gone.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tests.support import pr_mode
from tests.support.config_trust import pr_review
from tests.support.gitutil import git
from tests.support.pr_mode import posted_inline
from tests.support.repos import commit, write_files
from tests.support.suppression_trust import AWS_KEY, SHELL, Review, pr_repo, review

BASE = {"app.py": "VALUE = 1\n"}
SECRET = f'KEY = "{AWS_KEY}"\n'
UNDEFINED = "def f():\n    return undefined_name{}\n"
ABOVE = "import subprocess\n\n\ndef run(cmd):\n    # reviewloop: ignore[B602] reviewed\n" \
        "    return subprocess.call(cmd, shell=True)\n"


@pytest.fixture
def pr_with_shell(tmp_path: Path) -> Path:
    """main has app.py; the PR adds `subprocess.call(cmd, shell=True)`."""
    return pr_mode.make_feature_repo(tmp_path)


def verdict(result: Review) -> tuple[int, Counter[tuple[str, str, str]]]:
    """The exit code and the open findings by file, rule and severity (the tricks aside)."""
    return result.code, Counter((f["file"], f["rule"], f["severity"]) for f in
                                result.remaining() if f["rule"] != "adds-suppression")


def same_verdict(tmp_path: Path, base: dict[str, str], clean: list[dict[str, str]],
                 tricked: list[dict[str, str]]) -> tuple[Review, Review]:
    without = review(pr_repo(tmp_path / "clean", base, *clean))
    with_trick = review(pr_repo(tmp_path / "tricked", base, *tricked))
    assert verdict(with_trick) == verdict(without), with_trick.report["findings"]
    return without, with_trick


def test_bandit_markers_the_pr_adds_hide_nothing(tmp_path: Path) -> None:
    markers = {"nosec.py": "  # nosec", "rule.py": "  # nosec B602", "upper.py": "  #NOSEC",
               "noqa.py": "  # noqa: S602", "star.py": "  # reviewloop: ignore[*] reviewed",
               "sarif.py": "  # reviewloop: ignore[bandit/B602]"}
    clean = {name: SHELL.format("") for name in [*markers, "above.py"]}
    tricked = {**{name: SHELL.format(m) for name, m in markers.items()}, "above.py": ABOVE}

    without, with_trick = same_verdict(tmp_path, BASE, [clean], [tricked])

    assert without.code == 1 and len(without.remaining("B602")) == 7
    assert len(with_trick.remaining("B602")) == 7 and with_trick.suppressed() == []
    assert with_trick.tricks() == sorted([(name, 5) for name in markers] + [("above.py", 5)])


def test_baseline_entries_the_pr_adds_hide_nothing(tmp_path: Path) -> None:
    files = {"by_print.py": SHELL.format(""), "by_rule.py": SHELL.format("")}
    without = review(pr_repo(tmp_path / "clean", BASE, files))
    (printed,) = [f["fingerprint"] for f in without.remaining("B602")
                  if f["file"] == "by_print.py"]
    entries = [{"fingerprint": printed, "by": "mallory", "reason": "fine"},
               {"rule": "B602", "file": "by_rule.py", "reason": "fine"}]
    baseline = {".reviewloop-baseline.json": json.dumps({"version": 1, "findings": entries})}

    with_trick = review(pr_repo(tmp_path / "tricked", BASE, {**files, **baseline}))

    assert verdict(with_trick) == verdict(without) and without.code == 1
    assert with_trick.suppressed() == []
    assert with_trick.tricks() == [(".reviewloop-baseline.json", 1)]


def test_gitleaks_ignores_and_secret_markers_the_pr_adds_hide_nothing(tmp_path: Path) -> None:
    secrets = {"settings.py": SECRET, "svc/settings.py": SECRET, "allow.py": SECRET,
               "pragma.py": SECRET, "scoped.py": SECRET}
    tricked_secrets = {**secrets, "allow.py": SECRET.replace("\n", "  # gitleaks:allow\n"),
                       "pragma.py": SECRET.replace("\n", "  # pragma: allowlist secret\n")}
    root = pr_repo(tmp_path / "tricked", BASE, tricked_secrets)
    introduced = git(root, "rev-parse", "HEAD").strip()
    commit(root, {  # gitleaks' own fingerprints, as `gitleaks detect` writes them
        ".gitleaksignore": f"settings.py:aws-access-token:1\n"
                           f"{introduced}:scoped.py:aws-access-token:1\n",
        "svc/.gitleaksignore": "svc/settings.py:aws-access-token:1\n"
                               "settings.py:aws-access-token:1\n"})

    without = review(pr_repo(tmp_path / "clean", BASE, secrets))
    with_trick = review(root)

    assert verdict(with_trick) == verdict(without) and without.code == 1
    assert {f["file"] for f in with_trick.remaining("aws-access-key-id")} == set(secrets)
    assert with_trick.suppressed() == []
    assert with_trick.tricks() == [(".gitleaksignore", 1), ("allow.py", 1), ("pragma.py", 1),
                                   ("svc/.gitleaksignore", 1)]


def test_ruff_noqa_and_config_the_pr_adds_hide_nothing(tmp_path: Path) -> None:
    clean = {"bare.py": UNDEFINED.format(""), "coded.py": UNDEFINED.format(""),
             "file_wide.py": UNDEFINED.format(""), "configured.py": UNDEFINED.format("")}
    tricked = {"bare.py": UNDEFINED.format("  # noqa"),
               "coded.py": UNDEFINED.format("  # noqa: F821"),
               "file_wide.py": "# ruff: noqa\n" + UNDEFINED.format(""),
               "configured.py": UNDEFINED.format(""),
               "ruff.toml": '[lint]\nignore = ["F821"]\n'}

    without, with_trick = same_verdict(tmp_path, BASE, [clean], [tricked])

    assert without.code == 1 and len(with_trick.remaining("F821")) == 4
    assert with_trick.tricks() == [("bare.py", 2), ("coded.py", 2), ("file_wide.py", 1),
                                   ("ruff.toml", 1)]


def test_a_ruff_table_in_pyproject_is_a_suppression_and_files_ruff_never_reads_are_not(
        tmp_path: Path) -> None:
    """ruff reads `[tool.ruff]` of pyproject.toml (and ruff.toml), never tox.ini, setup.cfg
    or .flake8: the first is a suppression the PR adds, the others are CI settings."""
    base = {**BASE, "pyproject.toml": '[project]\nname = "app"\n'}
    flake8 = "[flake8]\nextend-ignore = F821\n"
    result = review(pr_repo(tmp_path / "r", base, {
        "configured.py": UNDEFINED.format(""), "tox.ini": flake8, "setup.cfg": flake8,
        ".flake8": flake8,
        "pyproject.toml": base["pyproject.toml"] + '\n[tool.ruff.lint]\nignore = ["F821"]\n'}))

    assert result.code == 1 and len(result.remaining("F821")) == 1
    [trick] = result.remaining("adds-suppression")
    assert trick["file"] == "pyproject.toml" and "table configures ruff" in trick["rationale"]
    executed = {f["file"]: f for f in result.remaining("executed-config-change")}
    assert set(executed) == {"tox.ini", "setup.cfg", ".flake8"}
    assert not any("ruff" in f["rationale"] for f in executed.values())


WORKFLOW = """on: pull_request
permissions: {{}}
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{{{ github.event.pull_request.title }}}}"{}
"""


@pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor (dev extra) not on PATH")
def test_zizmor_ignores_the_pr_adds_hide_nothing(tmp_path: Path) -> None:
    clean = {".github/workflows/a.yml": WORKFLOW.format(""),
             ".github/workflows/b.yml": WORKFLOW.format("")}
    tricked = {".github/workflows/a.yml": WORKFLOW.format(
                   "  # zizmor: ignore[template-injection]"),
               ".github/workflows/b.yml": WORKFLOW.format(""),
               ".github/zizmor.yml": "rules:\n  template-injection:\n    ignore:\n      - b.yml\n"}

    without, with_trick = same_verdict(tmp_path, BASE, [clean], [tricked])

    assert without.code == 1 and len(with_trick.remaining("template-injection")) == 2
    assert with_trick.tricks() == [(".github/workflows/a.yml", 7), (".github/zizmor.yml", 1)]


def test_on_github_the_check_stays_red_and_the_suppression_is_posted(
        pr_with_shell: Path, tmp_path: Path, github_fake) -> None:
    app = pr_with_shell / "app.py"
    commit(pr_with_shell, {"app.py": app.read_text().replace("shell=True)",
                                                           "shell=True)  # nosec")})

    done, outputs = pr_review(pr_with_shell, tmp_path, github_fake)

    assert done.returncode == 1 and outputs["must_fix"] == "1", done.stdout + done.stderr
    posted = [c["body"] for c in posted_inline(github_fake)]
    assert any("this change suppresses findings: # nosec" in body for body in posted)
    assert any("B602" in body for body in posted)


def test_a_pr_that_stretches_a_base_suppression_over_new_code_hides_nothing(
        tmp_path: Path) -> None:
    """It edits a base baseline entry to name its own file, edits a base `# nosec` line to
    run other code, and writes new code right under a base `reviewloop: ignore` comment.
    Without the trick the same code carries no suppression (the new call appended below)."""
    legacy = {"rule": "B602", "file": "legacy.py", "by": "alice", "reason": "audited"}
    base = {**BASE, "legacy.py": SHELL.format(""), "edited.py": SHELL.format("  # nosec B602"),
            "under.py": ABOVE,
            ".reviewloop-baseline.json": json.dumps({"version": 1, "findings": [legacy]})}
    moved = json.dumps({"version": 1, "findings": [{**legacy, "file": "app.py"}]})
    new_call = "    subprocess.call(cmd + ' &', shell=True)\n"
    clean = {"app.py": SHELL.format(""),
             "edited.py": SHELL.format("").replace("(cmd,", "(cmd + ' &',"),
             "under.py": ABOVE + "\n\ndef again(cmd):\n" + new_call}
    tricked = {"app.py": SHELL.format(""), ".reviewloop-baseline.json": moved,
               "edited.py": SHELL.format("  # nosec B602, B605").replace("(cmd,", "(cmd + ' &',"),
               "under.py": ABOVE.replace("    return subprocess",
               new_call + "    return subprocess")}

    without, with_trick = same_verdict(tmp_path, base, [clean], [tricked])

    assert without.code == 1
    assert {(f["file"], f["start_line"]) for f in with_trick.remaining("B602")} == {
        ("app.py", 5), ("edited.py", 5), ("under.py", 6)}
    assert with_trick.tricks() == [(".reviewloop-baseline.json", 1), ("edited.py", 5)]


def test_suppressions_the_base_carries_still_count_and_are_listed(tmp_path: Path) -> None:
    entries = [{"rule": "B602", "file": "new.py", "by": "alice", "reason": "audited"}]
    base = {"app.py": SHELL.format("  # nosec B602"), "legacy.py": ABOVE,
            ".reviewloop-baseline.json": json.dumps({"version": 1, "findings": entries}),
            ".gitleaksignore": "settings.py:aws-access-token:2\n"}
    pr = {"app.py": SHELL.format("  # nosec B602") + "\n\ndef other():\n    return 2\n",
          "legacy.py": ABOVE + "\n\ndef other():\n    return 2\n",
          "new.py": SHELL.format(""), "settings.py": "# settings\n" + SECRET}

    result = review(pr_repo(tmp_path / "repo", base, pr))

    assert result.code == 0, result.report["findings"]
    assert result.tricks() == []
    suppressed = {(f["file"], f["rule"], f["suppression"]["where"]) for f in result.suppressed()}
    assert {("app.py", "B602", "app.py:5"), ("legacy.py", "B602", "legacy.py:5"),
            ("new.py", "B602", ".reviewloop-baseline.json"),
            ("settings.py", "aws-access-key-id", ".gitleaksignore:1")} <= suppressed


def test_a_commit_scoped_gitleaks_entry_covers_only_the_secret_that_commit_wrote(
        tmp_path: Path) -> None:
    """A maintainer accepts the secret the PR's first commit introduced (gitleaks' git-mode
    fingerprint, committed on main, merged into the PR); the same secret written again by a
    later commit, in another file, stays open."""
    root = pr_repo(tmp_path / "repo", BASE, {"accepted.py": SECRET})
    accepted = git(root, "rev-parse", "HEAD").strip()
    git(root, "switch", "-q", "main")
    commit(root, {".gitleaksignore": f"{accepted}:accepted.py:aws-access-token:1\n"
                                     f"{accepted}:again.py:aws-access-token:1\n"}, "accept")
    git(root, "switch", "-q", "feature")
    git(root, "merge", "-q", "--no-edit", "main")
    commit(root, {"again.py": SECRET})

    result = review(root)

    assert result.code == 1
    assert [f["file"] for f in result.remaining("aws-access-key-id")] == ["again.py"]
    assert [(f["file"], f["suppression"]["where"]) for f in result.suppressed()] == [
        ("accepted.py", ".gitleaksignore:1")]


def test_your_own_working_change_is_trusted_and_its_suppressions_listed(tmp_path: Path) -> None:
    root = pr_repo(tmp_path / "repo", BASE)
    write_files(root, {"tool.py": SHELL.format("  # nosec B602 reviewed by me")})

    result = review(root, "--base", "HEAD")

    assert result.code == 0 and result.tricks() == []
    (entry,) = result.suppressed()
    assert entry["rule"] == "B602" and entry["suppression"]["where"] == "tool.py:5"
    assert entry["suppression"]["reason"] == "# nosec B602 reviewed by me"


BUCKET = 'resource "aws_s3_bucket" "{name}" {{\n{skip}  bucket = "{name}"\n' \
         '  acl    = "public-read"\n}}\n'
CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Site:
    Type: AWS::S3::Bucket
{skip}    Properties:
      AccessControl: PublicRead
"""
CFN_METADATA = "    Metadata:\n      checkov:\n        skip:\n          - id: CKV_AWS_20\n"
DOCKERFILE = "FROM python:3.12-slim\n{skip}ADD app.py /app.py\n"


@pytest.mark.pypi
@pytest.mark.timeout(900)
def test_checkov_skips_the_pr_adds_hide_nothing_and_the_base_config_counts(
        tmp_path: Path, iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))
    clean = {"infra/a.tf": BUCKET.format(name="a", skip=""),
             "infra/b.tf": BUCKET.format(name="b", skip=""),
             "cfn/comment.yaml": CFN.format(skip=""), "cfn/meta.yaml": CFN.format(skip="")}
    tricked = {"infra/a.tf": BUCKET.format(name="a", skip="  #checkov:skip=CKV_AWS_20:ok\n"),
               "infra/b.tf": BUCKET.format(name="b", skip=""),
               "cfn/comment.yaml": CFN.format(skip="    # checkov:skip=CKV_AWS_20:ok\n"),
               "cfn/meta.yaml": CFN.format(skip=CFN_METADATA),
               ".checkov.yaml": "skip-check:\n  - CKV_AWS_20\n"}

    without, with_trick = same_verdict(tmp_path, BASE, [clean], [tricked])

    assert len(without.remaining("CKV_AWS_20")) == 4
    assert len(with_trick.remaining("CKV_AWS_20")) == 4
    assert with_trick.tricks() == [(".checkov.yaml", 1), ("cfn/comment.yaml", 5),
                                   ("cfn/meta.yaml", 8), ("infra/a.tf", 2)]
    trusted = review(pr_repo(tmp_path / "trusted", {
        **BASE, ".checkov.yaml": "skip-check:\n  - CKV_AWS_20\n",
        "infra/old.tf": BUCKET.format(name="old", skip="  #checkov:skip=CKV_AWS_20:ok\n")}, {
        "infra/new.tf": BUCKET.format(name="new", skip=""),
        "infra/old.tf": BUCKET.format(name="old", skip="  #checkov:skip=CKV_AWS_20:ok\n")
        + "\n# touched\n"}))
    assert trusted.remaining("CKV_AWS_20") == [] and trusted.tricks() == []
    assert {(f["file"], f["suppression"]["where"]) for f in trusted.suppressed()
            if f["rule"] == "CKV_AWS_20"} == {("infra/new.tf", ".checkov.yaml"),
                                               ("infra/old.tf", "infra/old.tf:2")}


@pytest.mark.pypi
@pytest.mark.timeout(900)
def test_hadolint_ignores_the_pr_adds_hide_nothing(
        tmp_path: Path, iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))
    clean = {"Dockerfile": DOCKERFILE.format(skip=""),
             "api.Dockerfile": DOCKERFILE.format(skip="")}
    tricked = {"Dockerfile": DOCKERFILE.format(skip="# hadolint ignore=DL3020\n"),
               "api.Dockerfile": DOCKERFILE.format(skip=""),
               ".hadolint.yaml": "ignored:\n  - DL3020\n"}

    without, with_trick = same_verdict(tmp_path, BASE, [clean], [tricked])

    assert len(without.remaining("DL3020")) == 2
    assert len(with_trick.remaining("DL3020")) == 2
    assert with_trick.tricks() == [(".hadolint.yaml", 1), ("Dockerfile", 2)]
