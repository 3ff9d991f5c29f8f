"""An untracked Python package named `build` or `dist` is source, and a working-tree
review reads it; a `build/` or `dist/` folder that is not a package (setuptools' and
hatch's output) stays left out, and named. Before, every such folder was left out, so new
code in a package called `build` was never read. Generated: depth x name x package or
output, each reviewed as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.untracked import untracked_reason
from tests.support.repos import init_repo
from tests.support.review_cli import review

PAYLOAD = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
FOLDERS = st.lists(st.sampled_from(("src", "app", "lib", "pkg")), max_size=2, unique=True)


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(("build", "dist")), package=st.booleans(),
       inner=st.sampled_from(("lib", "bdist.linux", "")))
def test_a_package_is_source_and_output_is_not(tmp_path_factory, name: str, package: bool,
                                               inner: str) -> None:
    root = tmp_path_factory.mktemp("t")
    folder = root / name / inner if inner else root / name
    folder.mkdir(parents=True)
    (folder / "x.py").write_text(PAYLOAD)
    if package:
        (root / name / "__init__.py").write_text("")
    reason = untracked_reason(root, f"{name}/")
    assert (reason is None) is package, reason


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(above=FOLDERS, name=st.sampled_from(("build", "dist")), package=st.booleans())
def test_a_review_reads_a_package_and_names_output(tmp_path_factory, above: list[str],
                                                   name: str, package: bool) -> None:
    root = init_repo(tmp_path_factory.mktemp("r") / "r", {"README.md": "x\n"})
    where = Path(*above, name) if above else Path(name)
    (root / where).mkdir(parents=True)
    (root / where / "tasks.py").write_text(PAYLOAD)
    if package:
        (root / where / "__init__.py").write_text("")
    done = review(root, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(e["finding"]["file"], e["finding"]["rule"]) for e in report["ledger"]["entries"]}
    if package:
        assert ((where / "tasks.py").as_posix(), "B602") in found, found
    else:
        assert f"{where.as_posix()}/: build output, untracked, left out of the review" \
            in report["skipped"], report["skipped"]
