"""A Kustomize build naming a remote base reaches no network: it is named, never fetched.

checkov's kustomize framework renders a build with `kubectl kustomize`, unsandboxed and with
the review's network, so a build the change wrote with `resources: [http://…]` made the
reviewer's machine fetch any address (an intranet's, a cloud's metadata endpoint) and put a
YAML-shaped answer into the report; `github.com/org/repo//dir?ref=x` made it run `git
clone`. Now the review renders every build itself in the sandbox, network off, and gives
checkov the render; a build that names a remote reference (itself, or through a local base
or component) is not rendered and is named "remote base … not fetched (offline)".

Generated: the forms Kustomize takes for a remote reference (`REFERENCES`), in each field
that loads one, at a drawn depth of local bases; beside them local folders whose names look
like a host's, which are no remote reference. kubectl for real (`kustomize_tools`), a
loopback listener as the address a build names (`listener`)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerError, run_tool_logged
from reviewloop.checks.analyzers.kustomize_overlays import KIND, rendered, unbuilt
from reviewloop.checks.analyzers.kustomize_render import remote, render, verb
from tests.support.kustomize_tools import (
    DEPLOYMENT,
    HEAD,
    HOST,
    context,
    renderer,
    search_path,
)
from tests.support.listener import Listener
from tests.support.repos import init_repo
from tests.support.review_cli import review
from tests.support.tools_cache import cache_root

# the forms Kustomize fetches: a raw file's URL, go-getter, scp, ssh, a host's path
REFERENCES = ("https://raw.example.invalid/app/cm.yaml", "http://169.254.169.254/latest/x",
              "git::https://git.example.invalid/org/repo.git//base?ref=v1",
              "git@github.com:org/repo.git//base", "ssh://git@git.example.invalid/org/repo",
              "github.com/org/repo//base?ref=v1.2", "gitlab.example.invalid:8443/team/cfg",
              "oci://registry.example.invalid/charts")
FIELDS = ("resources", "bases", "components", "patches", "helmCharts")


def naming(field: str, reference: str) -> str:
    """A kustomization's lines naming `reference` in `field`."""
    if field == "patches":
        return f"patches:\n  - path: {reference}\n"
    if field == "helmCharts":
        return f"helmCharts:\n  - name: x\n    repo: {reference}\n"
    return f"{field}:\n  - {reference}\n"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(REFERENCES), st.sampled_from(FIELDS), st.integers(0, 2),
       st.sampled_from(("kustomization.yaml", "kustomization.yml", "Kustomization")))
def test_a_remote_reference_is_found_in_each_field_and_through_local_bases(
        reference: str, field: str, depth: int, name: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        # a local folder named like a host's path is a base, not a remote reference
        (root / "example.com/org").mkdir(parents=True)
        (root / "example.com/org/kustomization.yaml").write_text(
            f"{HEAD}resources:\n  - deploy.yaml\n")
        (root / "example.com/org/deploy.yaml").write_text(DEPLOYMENT)
        folders = [root / f"b{level}" for level in range(depth + 1)]
        for level, folder in enumerate(folders):
            folder.mkdir()
            entries = ["../example.com/org", *([f"../b{level + 1}"] if level < depth else [])]
            extra = ""
            if level == depth and field == "resources":
                entries.append(reference)
            elif level == depth:
                extra = naming(field, reference)
            (folder / name).write_text(HEAD + "resources:\n" +
                                       "".join(f"  - {e}\n" for e in entries) + extra)
        assert remote(root, folders[0] / name) == [reference]
        assert remote(root, root / "example.com/org/kustomization.yaml") == []


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def test_the_render_reaches_no_network_which_kubectl_alone_does(
        tmp_path: Path, listener: Listener) -> None:
    """A reference the scan would miss is still not fetched: the renderer runs with no
    network. The same kubectl outside the sandbox connects (the oracle of the hole)."""
    build = tmp_path / "k"
    build.mkdir()
    (build / "kustomization.yaml").write_text(
        f"{HEAD}resources:\n  - http://127.0.0.1:{listener.port}/cm.yaml\n")
    command = str(renderer())
    with pytest.raises(AnalyzerError):
        render(command, build, tmp_path, 60)
    assert listener.accepted == 0
    with pytest.raises(AnalyzerError):  # the listener answers nothing YAML
        run_tool_logged([command, *verb(command)], build, 60, ok_codes=(0,))
    assert listener.wait_accepted(1)


@pytest.mark.pypi
@pytest.mark.timeout(900)
def test_a_build_naming_a_remote_base_is_named_and_nothing_is_fetched(
        listener: Listener) -> None:
    address = f"http://127.0.0.1:{listener.port}/cm.yaml"
    base = {"k/base/kustomization.yaml": f"{HEAD}resources:\n  - deploy.yaml\n",
            "k/base/deploy.yaml": DEPLOYMENT,
            "k/shared/kustomization.yaml": f"{HEAD}resources:\n  - ../base\n"
                                           "  - github.com/org/repo//base?ref=v1\n"}
    change = {"k/web/kustomization.yaml": f"{HEAD}resources:\n  - ../base\n  - {address}\n"
                                          f"{HOST}",
              "k/deep/Kustomization": f"{HEAD}resources:\n  - ../shared\n{HOST}",
              "k/local/kustomization.yaml": f"{HEAD}resources:\n  - ../base\n{HOST}"}
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        root = init_repo(Path(scratch) / "r", base)
        for path, text in change.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        patch.setenv("PATH", search_path(Path(scratch) / "bin", rendered=True))
        patch.setenv("REVIEWLOOP_TOOLS_DIR", str(cache_root()))
        done = review(root, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    assert listener.accepted == 0
    report = json.loads(done.stdout)
    unread = {f["path"]: " ".join(f["not_read"]) for f in report["health"]["files"]
              if f.get("not_read")}
    assert f"remote base {address} not fetched (offline)" in unread["k/web/kustomization.yaml"]
    assert "remote base github.com/org/repo//base?ref=v1 not fetched (offline)" \
        in unread["k/deep/Kustomization"]
    assert "k/local/kustomization.yaml" not in unread, json.dumps(unread, indent=1)
    assert report["health"]["complete"] is False
    hosts = {f["file"] for kind in ("remaining", "nits") for f in report["findings"][kind]
             if f["source"] == "checkov" and f["rule"] == "CKV_K8S_19"}
    assert hosts == {"k/local/kustomization.yaml"}, hosts


def test_without_a_sandbox_a_build_is_named_not_rendered_unsandboxed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No bwrap that works here: the build is not rendered outside the sandbox, it is named
    with the fix, and checkov is given an empty render for it."""
    build = tmp_path / "k"
    build.mkdir()
    (build / "kustomization.yaml").write_text(f"{HEAD}resources:\n  - deploy.yaml\n{HOST}")
    (build / "deploy.yaml").write_text(DEPLOYMENT)
    monkeypatch.setenv("PATH", search_path(tmp_path / "bin", rendered=True))
    monkeypatch.setenv("REVIEWLOOP_BWRAP", str(tmp_path / "no-bwrap"))
    why = unbuilt(tmp_path, "k/kustomization.yaml", 60, frozenset({"Deployment"}))
    assert (why or "").startswith("not read: the review renders a Kustomize build only in "
                                  "the sandbox, network off, and there is none here"), why
    assert "bubblewrap" in (why or "")
    _, given, aliases = rendered({"k/kustomization.yaml": KIND}, tmp_path, tmp_path / "s",
                              context(tmp_path))
    assert [Path(p).read_text() for p in given] == [""]
    assert list(aliases.values()) == [str(tmp_path / "k/kustomization.yaml")]
