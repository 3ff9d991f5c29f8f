"""A renderer is started by the path it was found at, each folder on the way to its binary
shown in the sandbox (`sandbox/tools.py`): a multi-call binary (snap's `/snap/bin/kubectl ->
/usr/bin/snap`, busybox), which acts as the tool its name says, still renders; a link into
a hidden folder still starts. The multi-call fixture dispatches on `basename $0` to the real
kubectl and helm (`kustomize_tools`, `helm_tools`) and refuses any other name."""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerError
from reviewloop.checks.analyzers.helm_charts import render as render_chart
from reviewloop.checks.analyzers.kustomize_render import render as render_build
from reviewloop.sandbox import tools
from tests.support.helm_tools import helm
from tests.support.kustomize_tools import DEPLOYMENT, HEAD, renderer

CHART = {"Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
         "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"}


def _multicall(folder: Path) -> Path:
    """A busybox-style binary: it acts as the tool its argv[0]'s name says."""
    folder.mkdir(parents=True, exist_ok=True)
    binary = folder / "multicall"
    binary.write_text(
        '#!/bin/sh\ncase "$(basename "$0")" in\n'
        f'  kubectl) exec "{renderer()}" "$@";;\n  helm) exec "{helm()}" "$@";;\n'
        '  *) echo "$(basename "$0"): unknown applet" >&2; exit 1;;\nesac\n')
    binary.chmod(0o755)
    return binary


def _linked(bin_folder: Path, name: str, target: Path, steps: int) -> str:
    """`bin_folder/name`, a link to `target` through `steps` links more (relative and
    absolute by turns, each in a folder of its own), as a package manager lays them out."""
    bin_folder.mkdir(parents=True, exist_ok=True)
    current = target
    for step in range(steps):
        hop = target.parent.parent / f"hop{step}" / f"link{step}"
        hop.parent.mkdir(parents=True, exist_ok=True)
        hop.symlink_to(os.path.relpath(current, hop.parent) if step % 2 else current)
        current = hop
    (bin_folder / name).symlink_to(current)
    return str(bin_folder / name)


@pytest.mark.parametrize("mode", ["off", "bwrap"])
@pytest.mark.parametrize("steps", [0, 2])
def test_a_multi_call_kubectl_renders_a_build(mode, steps) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch, "tree")
        (root / "k").mkdir(parents=True)
        (root / "k/kustomization.yaml").write_text(f"{HEAD}resources:\n  - deploy.yaml\n")
        (root / "k/deploy.yaml").write_text(DEPLOYMENT)
        command = _linked(Path(scratch, "bin"), "kubectl",
                          _multicall(Path(scratch, "opt/mc")), steps)

        made = render_build(command, root / "k", root, 60, mode)

    assert "kind: Deployment" in made and "name: web" in made, made


@pytest.mark.parametrize("mode", ["off", "bwrap"])
@pytest.mark.parametrize("steps", [0, 1])
def test_a_multi_call_helm_renders_a_chart(mode, steps) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch, "tree")
        for name, text in CHART.items():
            (root / "app" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "app" / name).write_text(text)
        command = _linked(Path(scratch, "bin"), "helm", _multicall(Path(scratch, "opt/mc")),
                          steps)

        made = render_chart(command, root, "app", 60, mode)

    assert "kind: ConfigMap" in made and "name: cm" in made, made


def test_started_as_its_target_s_name_the_multi_call_binary_is_another_tool() -> None:
    """The fixture is real: named by its own file, it is no renderer."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch, "tree")
        (root / "k").mkdir(parents=True)
        (root / "k/kustomization.yaml").write_text(HEAD)
        binary = _multicall(Path(scratch, "opt/mc"))
        with pytest.raises(AnalyzerError, match="multicall: unknown applet"):
            render_build(str(binary), root / "k", root, 60, "off")


@settings(derandomize=True, max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=4))
def test_hops_follow_every_link_to_the_binary_and_each_folder_is_shown(steps) -> None:
    """Generated: a chain of 0–4 links, relative and absolute: `hops` is the found path,
    each link's target and the binary, and `shown` holds the real folder of each."""
    with tempfile.TemporaryDirectory() as scratch:
        binary = Path(scratch, "opt/tool/bin/tool")
        binary.parent.mkdir(parents=True)
        binary.write_text("#!/bin/sh\n")
        command = _linked(Path(scratch, "bin"), "tool", binary, steps)

        found = tools.hops(command)
        shown = tools.shown(command)

        assert found[0] == Path(command) and found[-1] == binary.resolve()
        assert len(found) == steps + 3  # the found link, each hop, the target, resolved
        assert all(Path(a).resolve() == Path(b).resolve() for a, b in itertools.pairwise(found))
        expected = {p.parent.resolve() for p in found}
        assert set(shown) == expected, (shown, expected)


def test_a_folder_the_sandbox_hides_whole_is_never_shown(monkeypatch) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch, "home")
        home.mkdir()
        monkeypatch.setenv("HOME", str(home))
        (home / "tool").write_text("#!/bin/sh\n")
        command = _linked(Path(scratch, "bin"), "tool", home / "tool", 0)
        assert tools.shown(command) == (Path(scratch, "bin").resolve(),)
        assert tools.shown("/usr/bin/env") == (Path("/usr/bin").resolve(),)
