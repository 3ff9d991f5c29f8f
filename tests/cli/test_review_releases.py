"""No false must-fix on a release: `reviewloop review --base --head` of a package release, as
a user runs it offline. A vendored synthetic pair (tests/fixtures/releases/tiny-lib: a built
bundle, its minified copy and source map, a CDK integ snapshot, IAM action names, example
URL credentials — the shapes that gave false 🔴 on real releases) with no network, and one
real release pair from benchmarks/releases.py when the npm registry may be used."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.paths import FIXTURES, ROOT
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

PAIR = FIXTURES / "releases" / "tiny-lib"
KEY = "k9Xq2Vb7RmT4zLp8WcN3"


def _release(tmp_path: Path, *, leak: bool = False) -> Path:
    """A repository with tiny-lib 1.0.0 on `main` and 1.0.1 on `release`."""
    root = tmp_path / "tiny-lib"
    shutil.copytree(PAIR / "base", root)
    commit(init_repo(root), message="tiny-lib 1.0.0")
    git(root, "switch", "-qc", "release")
    shutil.rmtree(root / "dist")
    for path in (PAIR / "head").rglob("*"):
        if path.is_file():
            target = root / path.relative_to(PAIR / "head")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    if leak:  # a real credential compiled into the bundle is still a must-fix
        bundle = root / "dist" / "index.min.js"
        bundle.write_text(bundle.read_text().replace("var m={", f'var m={{apiKey:"{KEY}",'))
    commit(root, message="tiny-lib 1.0.1")
    return root


def _must_fix(done: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    report = json.loads(done.stdout)
    return sorted((f["file"], f["rule"]) for f in report["findings"]["remaining"]
                  if f["severity"] == "must_fix")


def test_a_release_of_built_output_has_no_must_fix(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLOOP_TOOLS_OFFLINE", "1")  # ESLint's missing here: no network
    root = _release(tmp_path)

    done = review(root, "--base", "main", "--head", "release", "--json")

    assert _must_fix(done) == [], done.stdout[-3000:]
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert {g["name"]: g["passed"] for g in report["gates"]}["secrets"]
    # the example URL's credentials are still shown, as a should-fix
    assert ("tests/url_cases.py", "basic-auth-url") in {
        (f["file"], f["rule"]) for f in report["findings"]["remaining"]}


def test_a_real_key_in_the_same_release_still_blocks(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLOOP_TOOLS_OFFLINE", "1")
    root = _release(tmp_path, leak=True)

    done = review(root, "--base", "main", "--head", "release", "--json")

    assert done.returncode == 1
    assert ("dist/index.min.js", "generic-secret") in _must_fix(done)


@pytest.mark.npm
def test_a_release_of_built_output_has_no_must_fix_with_eslint(
        tmp_path: Path, eslint_tools: Path) -> None:
    root = _release(tmp_path)

    done = review(root, "--base", "main", "--head", "release", "--json")

    assert _must_fix(done) == [], done.stdout[-3000:]
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.npm
def test_a_cdk_construct_librarys_release_has_no_false_must_fix(tmp_path: Path,
                                                                 eslint_tools: Path) -> None:
    """@aws-solutions-constructs/aws-lambda-sqs 2.83.0 → 2.86.0 from the npm registry, through
    the benchmark (its labels: benchmarks/data/releases.json)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "releases.py"), "--cache",
         str(tmp_path / "cache"), "--only", "@aws-solutions-constructs/aws-lambda-sqs"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "REVIEWLOOP_TOOLS_DIR": str(eslint_tools)})

    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "| @aws-solutions-constructs/aws-lambda-sqs | 2.83.0 → 2.86.0 |" in done.stdout
