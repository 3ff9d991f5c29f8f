"""A Kustomize build renders as the `sandbox` setting says, where bubblewrap runs or not.

The review renders every build itself (checkov's kustomize framework would render it
unsandboxed, with the network). With `sandbox = "auto"` or `"bwrap"` it renders in the sandbox,
network off; where no bwrap works (macOS, a locked-down container) the build is named with the
user's own setting and a fix that applies there (`sandbox = "off"`), as ESLint's project
config is. With `sandbox = "off"`, the user's opt-out, it renders unsandboxed, as the
project's other commands then run: a build naming a remote base is still never rendered (the
static detection, `kustomize_render.remote`), so nothing is fetched.

Generated over the three settings × a working bwrap, none installed, one that cannot make its
namespaces × a build naming a remote base (a loopback listener's address) or not. kubectl
for real (`kustomize_tools`)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.kustomize_overlays import KIND, UNBUILT, rendered, unbuilt
from reviewloop.checks.analyzers.kustomize_render import unsandboxed
from reviewloop.sandbox.bubblewrap import MODES
from tests.support.kustomize_tools import (
    DEPLOYMENT,
    HEAD,
    HOST,
    context,
    renderer,
    search_path,
)
from tests.support.listener import Listener
from tests.support.project_eslint import no_sandbox
from tests.support.repos import init_repo
from tests.support.review_cli import review
from tests.support.tools_cache import cache_root

BWRAPS = ("working", "missing", "no-namespaces")
ASKED = {"auto": 'setting sandbox = "auto" (the default)', "bwrap": 'setting sandbox = "bwrap"'}


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


def _bwrap(kind: str, folder: Path) -> str | None:
    """The REVIEWLOOP_BWRAP for `kind` (None: the one found as usual, which works here)."""
    if kind == "missing":
        return str(folder / "no-bwrap")
    if kind == "no-namespaces":
        return str(no_sandbox(folder))
    return None


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MODES), st.sampled_from(BWRAPS), st.booleans())
def test_a_build_renders_as_the_setting_says_with_or_without_bwrap(
        listener: Listener, mode: str, bwrap: str, distant: bool) -> None:
    extra = f"  - http://127.0.0.1:{listener.port}/cm.yaml\n" if distant else ""
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        root = Path(scratch)
        (root / "k").mkdir()
        (root / "k/kustomization.yaml").write_text(
            f"{HEAD}resources:\n  - deploy.yaml\n{extra}{HOST}")
        (root / "k/deploy.yaml").write_text(DEPLOYMENT)
        patch.setenv("PATH", search_path(root / "bin", rendered=True))
        if (chosen := _bwrap(bwrap, root)) is not None:
            patch.setenv("REVIEWLOOP_BWRAP", chosen)
        else:
            patch.delenv("REVIEWLOOP_BWRAP", raising=False)
        why = unbuilt(root, "k/kustomization.yaml", 60, frozenset({"Deployment"}), mode)
        _, given_, _ = rendered({"k/kustomization.yaml": KIND}, root, root / "s",
                                  context(root, 60, mode))
        made = [Path(p).read_text() for p in given_]
    assert listener.accepted == 0  # a remote base is never fetched, whatever the setting
    if distant:
        assert made == [""]
        assert (why or "").startswith("not read: remote base http://127.0.0.1:"), why
    elif mode == "off" or bwrap == "working":
        assert len(made) == 1 and "hostNetwork: true" in made[0], made
        assert why == UNBUILT  # what renders is checked: no reason of its own
    else:
        assert made == [""]
        assert (why or "").startswith("not read: the review renders a Kustomize build only "
                                      f"in the sandbox, network off, and there is none here "
                                      f"({ASKED[mode]}: no working sandbox"), why
        assert 'set sandbox = "off"' in (why or "") and "rendered unsandboxed" in (why or "")


@given(st.sampled_from(MODES))
@settings(max_examples=6, deadline=None)
def test_off_never_probes_and_the_others_name_the_setting(mode: str) -> None:
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        patch.setenv("REVIEWLOOP_BWRAP", str(Path(scratch) / "no-bwrap"))
        why = unsandboxed(mode)  # type: ignore[arg-type]
    if mode == "off":
        assert why is None  # the user opted out: the build renders unsandboxed
    else:  # the user's own setting, never another
        assert [name for name, said in ASKED.items() if said in (why or "")] == [mode], why


@pytest.mark.pypi
@pytest.mark.timeout(900)
def test_sandbox_off_without_bwrap_reviews_the_build_completely() -> None:
    """The review with `sandbox = "off"` where no bwrap exists (macOS): the overlay's render
    is checked, its findings on the kustomization file, the review complete (f_rev D1)."""
    base = {"k/base/kustomization.yaml": f"{HEAD}resources:\n  - deploy.yaml\n",
            "k/base/deploy.yaml": DEPLOYMENT, ".reviewloop.toml": 'sandbox = "off"\n'}
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        root = init_repo(Path(scratch) / "r", base)
        (root / "k/prod").mkdir(parents=True)
        (root / "k/prod/kustomization.yaml").write_text(f"{HEAD}resources:\n  - ../base\n{HOST}")
        patch.setenv("PATH", search_path(Path(scratch) / "bin", rendered=True))
        patch.setenv("REVIEWLOOP_TOOLS_DIR", str(cache_root()))
        patch.setenv("REVIEWLOOP_BWRAP", str(Path(scratch) / "no-bwrap"))
        done = review(root, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    unread = {f["path"]: f["not_read"] for f in report["health"]["files"] if f.get("not_read")}
    assert "k/prod/kustomization.yaml" not in unread, json.dumps(unread, indent=1)
    hosts = {f["file"] for kind in ("remaining", "nits") for f in report["findings"][kind]
             if f["source"] == "checkov" and f["rule"] == "CKV_K8S_19"}
    assert hosts == {"k/prod/kustomization.yaml"}, hosts


@pytest.mark.parametrize("kept", ["cellar", "local-bin", "home"])
def test_a_renderer_linked_into_a_hidden_folder_runs_or_is_named_with_its_own_fix(
        kept: str) -> None:
    """kubectl on PATH as a link into a folder the sandbox hides — Homebrew on Linux
    (`bin/kubectl -> ../Cellar/kubernetes-cli/1.0/bin/kubectl`, under /tmp here, which the
    sandbox hides as it hides /home), `~/.local/bin` — is run by the path it was found at, that
    folder shown read-only, and the build renders; kept in the user's home itself, which is
    never shown, it cannot start: named so, with where it is and the fix, not "fix the
    build"."""
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        root = Path(scratch, "r")
        (root / "k").mkdir(parents=True)
        (root / "k/kustomization.yaml").write_text(f"{HEAD}resources:\n  - deploy.yaml\n{HOST}")
        (root / "k/deploy.yaml").write_text(DEPLOYMENT)
        home = Path(scratch, "home")
        real = {"cellar": Path(scratch, "Cellar/kubernetes-cli/1.0/bin/kubectl"),
                "local-bin": home / ".local/bin/kubectl", "home": home / "kubectl"}[kept]
        real.parent.mkdir(parents=True, exist_ok=True)
        real.write_text(f'#!/bin/sh\nexec "{renderer()}" "$@"\n')
        real.chmod(0o755)
        path = search_path(Path(scratch, "bin"), rendered=False)
        Path(path, "kubectl").symlink_to(real)
        patch.setenv("PATH", path)
        patch.setenv("HOME", str(home))
        patch.delenv("REVIEWLOOP_BWRAP", raising=False)
        why = unbuilt(root, "k/kustomization.yaml", 60, frozenset({"Deployment"}), "bwrap")
        ctx = context(root, 60, "bwrap")
        _, given_, _ = rendered({"k/kustomization.yaml": KIND}, root, root / "s", ctx)
        made = [Path(p).read_text() for p in given_]
    if kept != "home":
        assert len(made) == 1 and "hostNetwork: true" in made[0], (made, ctx.unread)
        assert why == UNBUILT and ctx.unread == {}, (why, ctx.unread)
    else:
        assert made == [""]
        said = ctx.unread["k/kustomization.yaml"]
        assert said == why and said.startswith(
            f"not read: kubectl ({real}) could not start in the sandbox ("), said
        assert f"({home}: hidden); fix: install kubectl outside them" in said, said
        assert "fix the build" not in said, said
