"""The environment the suite's own processes start in (`tests/support/environment.isolate`,
before any fixture): what a module-scoped fixture sees, which runs before the per-test one."""

from __future__ import annotations

import os
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
