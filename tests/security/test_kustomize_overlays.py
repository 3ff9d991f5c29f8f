"""A change that reaches a Kustomize build is checked as checkov's kustomize framework checks
it. Plain `checkov -d .` renders every `kustomization.yaml` with `kubectl kustomize` and
reports what the rendered manifests fail on that kustomization file; the review read the
kustomization as a plain manifest, so a privileged container a JSON6902 patch file, an
inline patch, a strategic-merge patch, an `images: newTag: latest` or a base manifest made
passed with `health.complete: true`. Now each build the change reaches is rendered, at the
head and at the base, and what the change brought about is reported (on the kustomization
file, or on the changed base manifest an unchanged overlay builds); without a renderer the
change's files the build reads are named as not analysed.

A matrix: every kind of change in one review, each with its twin whose base had the finding
already (out of scope), with a renderer on the review's PATH and without one. Plain checkov
with the same PATH is the oracle of what the change brought about: `checkov -d . --framework
kustomize` on the base and on the head of the matrix, run once for the module with what the
renderer says on each build that fails (both read the kustomize builds alone, so the review
beside a Terraform change has the same oracle)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.checkov import QUIET_ENV
from reviewloop.checks.analyzers.provision import TOOLS
from tests.support.kustomize_tools import renderer_on, search_path
from tests.support.repos import init_repo
from tests.support.review_cli import review
from tests.support.tools_cache import cache_root

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
MARK = "the build's kustomization file"  # in the rationale of a rendered build's finding


def deployment(name: str, spec: str = "", image: str = "nginx:1.25.3") -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n"
            f"  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n"
            f"      labels: {{app: {name}}}\n    spec:\n{spec}      containers:\n"
            f"        - name: c\n          image: {image}\n")


@dataclass(frozen=True)
class Variant:
    """A kind of change to an overlay `o` of base `b`: its rule, and the files it writes."""

    name: str
    rule: str
    on_base: bool = False  # the change writes the base manifest only


VARIANTS = (
    Variant("json6902", "CKV_K8S_16"),
    Variant("inline", "CKV_K8S_17"),
    Variant("strategic", "CKV_K8S_17"),
    Variant("images", "CKV_K8S_14"),
    Variant("base", "CKV_K8S_19", on_base=True),
    Variant("broken", ""),  # a patch file it does not hold: the build fails, checkov is silent
    # the base manifest renamed: the unchanged overlay's patch matches nothing, its build fails
    Variant("unmatched", "", on_base=True),
)


def files(variant: Variant, top: str, twin: bool) -> tuple[dict[str, str], dict[str, str]]:
    """The base's files and the change's, for `variant` under `top`; a `twin`'s base
    already renders the finding (its base manifest, or its overlay, had it)."""
    name = top.replace("/", "-")
    overlay = f"{KUSTOMIZATION}resources:\n  - ../../base\n"
    spec, image, extra = "", "nginx:1.25.3", ""
    head: dict[str, str] = {}
    if variant.name == "json6902":
        extra, head[f"{top}/overlays/prod/privileged.json"] = (
            f"patches:\n  - target: {{kind: Deployment, name: {name}}}\n"
            "    path: privileged.json\n",
            '[{"op": "add", "path": "/spec/template/spec/containers/0/securityContext", '
            '"value": {"privileged": true}}]\n')
    elif variant.name == "inline":
        extra = (f"patches:\n  - target: {{kind: Deployment, name: {name}}}\n    patch: |-\n"
                 "      - op: add\n        path: /spec/template/spec/hostPID\n"
                 "        value: true\n")
    elif variant.name == "strategic":
        extra = "patches:\n  - path: pid.yaml\n"
        head[f"{top}/overlays/prod/pid.yaml"] = (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n"
            "  template:\n    spec:\n      hostPID: true\n")
    elif variant.name == "broken":
        extra = "patches:\n  - path: missing.json\n"
    elif variant.name == "unmatched":
        overlay += "patches:\n  - path: pid.yaml\n"
        head[f"{top}/base/deployment.yaml"] = deployment(f"{name}-renamed")
    elif variant.name == "images":
        extra = "images:\n  - name: nginx\n    newTag: latest\n"
    # a base named as Kustomize alone reads it (checkov finds builds by the other names)
    named = "Kustomization" if top.endswith("-named") else "kustomization.yaml"
    base = {f"{top}/base/{named}": f"{KUSTOMIZATION}resources:\n  - deployment.yaml\n",
            f"{top}/overlays/prod/kustomization.yaml": overlay}
    if variant.name == "unmatched":
        base[f"{top}/overlays/prod/pid.yaml"] = (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n"
            "  template:\n    spec:\n      hostPID: true\n")
    if twin:  # the base renders the same finding already
        spec = "      hostPID: true\n" if variant.name in ("inline", "strategic") else ""
        image = "nginx:latest" if variant.name == "images" else image
        if variant.name == "json6902":
            base[f"{top}/base/deployment.yaml"] = deployment(name, image=image).replace(
                "          image:", "          securityContext: {privileged: true}\n"
                                    "          image:")
        if variant.name == "base":
            base[f"{top}/overlays/prod/net.json"] = \
                '[{"op": "add", "path": "/spec/template/spec/hostNetwork", "value": true}]\n'
            base[f"{top}/overlays/prod/kustomization.yaml"] = overlay + (
                f"patches:\n  - target: {{kind: Deployment, name: {name}}}\n"
                "    path: net.json\n")
    base.setdefault(f"{top}/base/deployment.yaml", deployment(name, spec, image))
    if variant.name == "base":
        head[f"{top}/base/deployment.yaml"] = deployment(name, spec + "      hostNetwork: "
                                                               "true\n", image)
    elif not variant.on_base:
        head[f"{top}/overlays/prod/kustomization.yaml"] = overlay + extra
    return base, head


# a Terraform change beside them: checkov then reads every file from one view with -d
# (`Checkov.staged`), and a kustomization still with -f, which its kustomize runner reads
TERRAFORM = {"infra/main.tf": 'resource "aws_security_group" "x" {\n  ingress {\n'
                              '    from_port = 22\n    to_port = 22\n    protocol = "tcp"\n'
                              '    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'}


def _repo(root: Path, cases: list[tuple[Variant, str, bool]], terraform: bool) -> Path:
    base: dict[str, str] = {}
    head: dict[str, str] = dict(TERRAFORM) if terraform else {}
    for variant, top, twin in cases:
        at_base, changed = files(variant, top, twin)
        base |= at_base
        head |= changed
    init_repo(root, base)
    subprocess.run(["git", "checkout", "-qb", "feature"], cwd=root, check=True)
    for path, text in head.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "change"], cwd=root, check=True)
    return root


ATTEMPTS = 3  # plain checkov runs of one side of the oracle, at most


def _plain(tools: Path, root: Path, ref: str, path: str) -> set[tuple[str, str]]:
    """What plain `checkov -d . --framework kustomize` fails on `ref`: (rule, file).

    checkov's kustomize runner renders the builds in worker processes and leaves out,
    without a word, a build whose render failed there: on a loaded machine a build lost so
    would be a finding the review is failed for showing, or not showing. So the oracle
    checks itself: every build of a variant with a rule renders a Deployment, on which
    checkov always reports checks (passed or failed); a run missing one is run again, and
    the test fails saying so after `ATTEMPTS` runs, never taking it for no finding."""
    subprocess.run(["git", "checkout", "-q", ref], cwd=root, check=True)
    wanted = {f"{top}/overlays/prod/kustomization.yaml" for v, top, _ in CASES if v.rule}
    missing: set[str] = set()
    for _ in range(ATTEMPTS):
        done = subprocess.run(
            [str(TOOLS["checkov"].command_in(tools / TOOLS["checkov"].folder)), "-d", ".",
             "--framework", "kustomize", "--compact", "--skip-download", "-o", "json"],
            cwd=root, capture_output=True, text=True, timeout=300, check=False,
            env={**os.environ, **QUIET_ENV, "PATH": path})
        report = json.loads(done.stdout)
        results = [one["results"] for one in (report if isinstance(report, list) else [report])]
        checked = {c["file_path"].lstrip("/") for one in results
                   for c in (*one["failed_checks"], *one["passed_checks"])}
        if not (missing := wanted - checked):
            return {(c["check_id"], c["file_path"].lstrip("/")) for one in results
                    for c in one["failed_checks"]}
    pytest.fail(f"plain checkov did not check the builds {sorted(missing)} of {ref} in "
                f"{ATTEMPTS} runs (its renders failed): no oracle to compare the review with")


def _rendered(build: Path, path: str) -> str:
    """The end of what the renderer on `path` prints on `build` (its whitespace one space),
    run in its folder as checkov runs it (`kubectl kustomize`); empty when it builds."""
    renderer = renderer_on(path)
    done = subprocess.run([renderer, "kustomize" if Path(renderer).name == "kubectl"
                           else "build"], cwd=build.parent, capture_output=True, text=True,
                          timeout=300, check=False, env={"PATH": path})
    # its paths as the review names them: from the tree's root (a review reads a copy)
    said = done.stderr.replace(f"{os.path.realpath(build.parents[3])}/", "")
    return "" if done.returncode == 0 else " ".join(said.split())[-200:]


CASES = [(v, f"{v.name}{'-twin' if twin else ''}", twin) for v in VARIANTS
         for twin in ((False, True) if v.rule else (False,))] + [
    (v, f"{v.name}-named", False) for v in VARIANTS if v.on_base]  # base/Kustomization


@dataclass(frozen=True)
class Oracle:
    """What plain checkov and the renderer make of the matrix (without the Terraform change,
    which neither reads)."""

    brought: set[tuple[str, str]]  # (rule, file) failed at the head and not at the base
    said: dict[str, str]  # what the renderer says on each build that does not build


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory, iac_tools: Path) -> Callable[[], Oracle]:
    """(rule, file) plain `checkov -d . --framework kustomize` fails on the matrix's head and
    not on its base, with a renderer on PATH, and what that renderer says on the builds that
    fail, in their folders at the head. The same for the review with the Terraform change
    beside it: the kustomize framework reads no Terraform file. Made at the first test that
    asks, in its environment, and kept for the module, whose tests it keeps on one xdist
    worker (`tests/support/grouping.py`): it was made once on each worker they ran on."""
    made: list[Oracle] = []

    def ask() -> Oracle:
        if not made:
            scratch = tmp_path_factory.mktemp("kustomize-oracle")
            path = search_path(scratch / "bin", rendered=True)
            root = _repo(scratch / "r", CASES, terraform=False)
            head = _plain(iac_tools, root, "feature", path)
            said = {build: _rendered(root / build, path) for build in (
                f"{top}/overlays/prod/kustomization.yaml" for v, top, _ in CASES if not v.rule)}
            made.append(Oracle(head - _plain(iac_tools, root, "main", path), said))
        return made[0]

    return ask


@pytest.mark.long(seconds=26)
@pytest.mark.parametrize(("rendered", "terraform"), [(True, False), (True, True), (False, False)],
                         ids=["renderer", "renderer-with-terraform", "no-renderer"])
def test_a_change_reaching_a_kustomize_build_is_checked_as_checkov_renders_it(
        iac_env: Path, oracle: Callable[[], Oracle], monkeypatch: pytest.MonkeyPatch,
        rendered: bool, terraform: bool) -> None:
    # asked for here, in the test's own environment; without a renderer there is none to ask
    known = oracle() if rendered else Oracle(set(), {})
    plain, errors = known.brought, known.said
    with tempfile.TemporaryDirectory() as scratch:
        path = search_path(Path(scratch) / "bin", rendered)
        root = _repo(Path(scratch) / "r", CASES, terraform)
        monkeypatch.setenv("PATH", path)
        # with a renderer, the cached checkov itself, not the suite's warm fork of it (iac_env):
        # forked, its kustomize runner's multiprocessing broke its pipe (exit 2) beside a -d
        # run, and once alone; without one that runner renders nothing and the fork is checkov
        if rendered:
            monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(cache_root()))
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads(done.stdout)
    found = [(f["rule"], f["file"], f["rationale"]) for kind in ("remaining", "nits")
             for f in (x.get("finding", x) for x in report["findings"][kind])
             if MARK in f["rationale"]]
    assert any(f["rule"] == "CKV_AWS_24" for kind in ("remaining", "nits")
               for f in report["findings"][kind]) is terraform
    unread = {f["path"]: f["not_read"] for f in report["health"]["files"] if f["not_read"]}
    for variant, top, twin in CASES:
        build = f"{top}/overlays/prod/kustomization.yaml"
        shown = f"{top}/base/deployment.yaml" if variant.on_base else build
        changed = files(variant, top, twin)[1]
        if not rendered:
            assert not found
            for file in changed:
                assert any("neither is on PATH" in why for why in unread.get(file, ())), \
                    (file, unread)
            continue
        brought = {b for rule, b in plain if rule == variant.rule and b.startswith(f"{top}/")}
        # a base named `Kustomization` is a build the review renders too (plain checkov
        # finds none by that name): the finding may be shown through it
        through = brought | ({f"{top}/base/Kustomization"} if top.endswith("-named") else set())
        if not variant.rule:  # plain checkov reports nothing; the review names the build
            assert not any(b.startswith(f"{top}/") for _, b in plain), plain
            # with what the renderer says, as it says it in the build's folder
            said = errors[build]
            assert said and any("reported nothing" in why and said in why
                                for why in unread.get(build, ())), (said, unread)
            continue
        assert (build in brought) is not twin, (variant, twin, plain)  # the matrix's own check
        # on the overlay's file, or on the base manifest saying which build renders it (a
        # base's own build, `base/kustomization.yaml`, renders a changed manifest too)
        assert any(rule == variant.rule and file == shown and (file == build or any(
            b in why for b in through)) for rule, file, why in found) is bool(brought), \
            (variant, twin, brought, found, unread)
    assert report["health"]["complete"] is False  # the broken build, or no renderer
    if rendered:
        assert set(unread) == {f"{top}/overlays/prod/kustomization.yaml"
                               for v, top, _ in CASES if not v.rule}, unread
