"""The environment the suite's own processes start in (`tests/support/environment.isolate`,
before any fixture): what a module-scoped fixture sees, which runs before the per-test one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.provision import TOOLS, ProvisionError, ensure, offline
from tests.support import cdk_python
from tests.support.environment import HOST_HOME, SUITE, host_home, isolate, suite_environment

HOST = {"HOME": "/nonexistent-host-home", "PATH": "/usr/bin:/bin"}


@pytest.mark.parametrize("given", [{}, {"REVIEWLOOP_TOOLS_OFFLINE": "0"},
                                   {"REVIEWLOOP_TOOLS_OFFLINE": ""}])
def test_no_tool_is_installed_from_the_network_into_the_suites_home(
        given: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {**HOST, **given}
    home = isolate(environ)
    assert offline(environ)
    # what a review run in it does on first use: says checkov is not cached, installs none
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REVIEWLOOP_TOOLS_DIR", raising=False)
    with pytest.raises(ProvisionError, match="REVIEWLOOP_TOOLS_OFFLINE"):
        ensure(TOOLS["checkov"])
    assert not (Path(home) / ".cache").exists()


@pytest.mark.parametrize("given", [{}, {"REVIEWLOOP_TEST_PYPI_CACHE": "/elsewhere/pypi"},
                                   {"REVIEWLOOP_TEST_HOST_HOME": "/another-host-home"}])
def test_a_test_finds_the_caches_where_the_session_keeps_them(
        given: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    environ = {**HOST, **given}
    isolate(environ)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    kept = {name: value for name, value in environ.items() if name.startswith(SUITE)}
    host = Path(environ[HOST_HOME])

    suite_environment(monkeypatch, tmp_path)  # what each test runs in

    assert {name: os.environ.get(name) for name in kept} == kept
    assert host_home() == host != Path.home()
    assert cdk_python.cache_root() == Path(
        given.get("REVIEWLOOP_TEST_PYPI_CACHE", host / ".cache" / "reviewloop-tests" / "pypi"))


@given(st.just(None))
def test_a_generated_test_has_no_deadline(_: None) -> None:
    """A generated example may take as long as the machine makes it: hypothesis's default
    200 ms deadline failed tests of the pure code on a loaded machine."""
    assert settings().deadline is None


@pytest.mark.pypi
def test_a_python_synth_is_given_its_own_copy_of_a_filled_jsii_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Python CDK synth's jsii finds every assembly extracted and indexed (an import
    alone left aws-cdk-lib's type index unwritten, which every synth then wrote afresh) in a
    copy in the app's folder, passed into the sandbox: nothing it writes reaches the next."""
    sandbox = cdk_python.jsii_sandbox(tmp_path, monkeypatch)

    copy = tmp_path / cdk_python.JSII_FOLDER
    assert cdk_python.JSII_CACHE in sandbox.env and os.environ[cdk_python.JSII_CACHE] == str(copy)
    entries = {marker.parent for marker in copy.rglob(".jsii-runtime-package-cache")}
    assert {e.relative_to(copy).parts[0] for e in entries} >= {"aws-cdk-lib", "constructs"}
    assert all((e / ".jsii.runtime.v1.json").is_file() for e in entries), sorted(entries)
    (copy / "written-by-a-synth").write_text("x")
    assert not (cdk_python.jsii_cache() / "written-by-a-synth").exists()


@settings(max_examples=50, deadline=None, derandomize=True)
@given(others=st.lists(st.sampled_from(["/usr/bin", "/bin", "/root/.pyenv/shims",
                                        "/opt/venv/bin", "/usr/local/bin"]),
                       max_size=4, unique=True),
       at=st.integers(0, 4) | st.none())
def test_this_interpreters_folder_comes_first_on_path_wherever_it_was(
        others: list[str], at: int | None) -> None:
    """Behind pyenv's shims, a project's `python -m pytest` ran pyenv's Python (no
    coverage.py): a review test passed or failed with the shell and checkout it ran from."""
    here = str(Path(sys.executable).parent)
    entries = [*others]
    if at is not None:
        entries.insert(min(at, len(entries)), here)
    environ = {**HOST, "PATH": os.pathsep.join(entries)}
    isolate(environ)
    assert environ["PATH"].split(os.pathsep) == [here, *others]


@pytest.mark.parametrize("suite", [True, False], ids=["suite environment", "pytest's default"])
def test_a_pytest_a_test_starts_leaves_the_machines_older_sessions_alone(
        suite: bool, tmp_path: Path) -> None:
    """A pytest removes, as it exits, the numbered folders older sessions left in the shared
    pytest-of-<user> beyond its last three: in the suite's environment a nested run keeps its
    own under the session's folder and removes nothing of the machine's. Without it (the
    control) the same run removes them, so the test sees what it guards against."""
    import getpass

    machine = tmp_path / "machine-tmp"
    shared = machine / f"pytest-of-{getpass.getuser()}"
    older = [shared / f"pytest-{n}" for n in range(4)]
    for folder in older:
        folder.mkdir(parents=True)
        (folder / "left-by-an-earlier-run.txt").write_text("kept\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (project / "test_one.py").write_text(
        "def test_one(tmp_path):\n    (tmp_path / 'x').write_text('x')\n", encoding="utf-8")
    env = {**os.environ, "TMPDIR": str(machine)}
    if not suite:
        env.pop("PYTEST_DEBUG_TEMPROOT")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    survivors = [folder for folder in older if folder.is_dir()]
    # pytest's default: its own is pytest-4, and it keeps the last three (2, 3 and its own)
    assert survivors == (older if suite else older[2:])
