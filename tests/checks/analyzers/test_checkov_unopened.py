"""A Kubernetes manifest or a CloudFormation template under a suffix checkov never opens is
claimed by checkov and named (`checkov_unopened`): every suffix × kind × spelling, and
nothing else — documentation quoting one, a file checkov opens, a language's file, prose."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.checkov_unopened import PARKED, CheckovClaims, unopened

_SUFFIXES = ("manifest", "yml.tpl", "yaml.j2", "yaml.gotmpl", "txt", "", "cfn", "tmpl",
             "yml.j2", "k8s", "YAML.tpl")
_TEXTS = {
    "Kubernetes manifest": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
                           "  hostNetwork: true\n",
    "CloudFormation template": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
                               "  B:\n    Type: AWS::S3::Bucket\n",
}
_JSON = {
    "Kubernetes manifest": '{\n  "apiVersion": "v1",\n  "kind": "Pod"\n}\n',
    "CloudFormation template": '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}\n',
}
_HEADS = ("", "# a comment\n", "---\n", "{{- if .Values.on }}\n", "\n\n")


@settings(max_examples=80, deadline=None, derandomize=True)
@given(suffix=st.sampled_from(_SUFFIXES), kind=st.sampled_from(sorted(_TEXTS)),
       head=st.sampled_from(_HEADS), folder=st.sampled_from(["", "k8s/", "deploy/prod/"]),
       as_json=st.booleans())
def test_a_manifest_under_a_suffix_checkov_never_opens_is_named(
        suffix: str, kind: str, head: str, folder: str, as_json: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = f"{folder}stack.{suffix}" if suffix else f"{folder}stack"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(_JSON[kind] if as_json else head + _TEXTS[kind])
        why = unopened(root, [path, "README.md"])
        assert list(why) == [path], why
        assert kind in why[path] and "checkov never read it" in why[path]
        assert (f"`.{suffix.rsplit('.', 1)[-1]}`" if suffix else "no suffix") in why[path]
        assert CheckovClaims().claimed(root, [path, "README.md"]) == [path]
        assert CheckovClaims().claims(root, path)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(name=st.sampled_from(["README.md", "docs/pod.rst", "pod.yaml", "pod.YML", "pod.json",
                             "pod.template", "pod.py", "pod.sh", "notes.txt", "pod"]),
       kind=st.sampled_from(sorted(_TEXTS)))
def test_documentation_a_file_checkov_opens_or_prose_is_not_named(name: str,
                                                                   kind: str) -> None:
    """A suffix checkov opens (its own case rules are `checkov_skips`'), a language's file,
    documentation quoting a manifest, and prose mentioning one are not named here."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        if name in ("notes.txt", "pod"):  # prose, then a quoted manifest
            text = f"Apply this with kubectl:\n\n{_TEXTS[kind]}"
        elif name.endswith((".md", ".rst")):
            text = f"# Deploying\n\n```yaml\n{_TEXTS[kind]}```\n"
        else:
            text = _TEXTS[kind]
        (root / name).write_text(text)
        assert unopened(root, [name]) == {}
        assert CheckovClaims().claimed(root, [name]) == []


def test_a_binary_a_missing_file_or_a_kustomization_is_not_named(tmp_path: Path) -> None:
    (tmp_path / "pod.bin").write_bytes(b"apiVersion: v1\nkind: Pod\n\0\0")
    (tmp_path / "Kustomization").write_text("apiVersion: kustomize.config.k8s.io/v1beta1\n"
                                            "kind: Kustomization\nresources: [pod.yaml]\n")
    assert unopened(tmp_path, ["pod.bin", "gone.manifest", "Kustomization"]) == {}
    assert unopened(tmp_path, []) == {}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(inner=st.sampled_from(["yaml", "yml", "json", "manifest", ""]),
       parked=st.sampled_from([*PARKED, ".OFF", "~"]), kind=st.sampled_from(sorted(_TEXTS)))
def test_a_manifest_parked_under_a_switched_off_suffix_is_not_named(
        inner: str, parked: str, kind: str) -> None:
    """`deny.yaml.off`, `pod.yaml.bak`, `stack~`: a file switched off or kept aside, which
    nothing applies (a policy renamed so is judged as removed, `test_kubernetes_graph`)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        name = (f"k8s/pod.{inner}" if inner else "k8s/pod") + parked
        (root / name).parent.mkdir(parents=True)
        (root / name).write_text(_TEXTS[kind])
        assert unopened(root, [name]) == {}
