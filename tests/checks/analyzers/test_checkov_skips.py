"""checkov's own skips, told from a file's text whatever the kinds it declares.

Generated: Kubernetes kinds (a workload, and kinds checkov has no always-run check for:
ClusterRole, Service) × what checkov skips a manifest for (a Helm placeholder, a tab, an
unknown tag, a broken second document, a name holding `{` or `#`, none) × file names (any
stem, the suffixes in any case, CloudFormation's `.template`, which checkov's Kubernetes
runner never opens); JSON manifests (an object, objects one after another, an
array of them); CloudFormation resources × template shapes (block YAML,
flow YAML, a comment line before it, JSON). The oracle on a drawn sample is plain
`checkov -d .`: a file it reports a check on is never named, and every file it reports
nothing on (each is built to fail a check when read) is.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.checkov_skips import OWN_SUFFIXES, skip
from tests.support.checkov import plain_checkov

# each read by checkov gets a failed check (CKV_K8S_21 default namespace, a wildcard role…)
KINDS = {
    "ClusterRole": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                   "metadata:\n  name: {name}\nrules:\n  - apiGroups: [\"*\"]\n"
                   "    resources: [\"*\"]\n{indent}verbs: [\"*\"]\n",
    "Service": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n"
               "  type: NodePort\n  ports:\n    - port: 80\n{indent}  nodePort: 30080\n",
    "Pod": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  hostNetwork: true\n"
           "  containers:\n    - name: c\n{indent}  image: nginx\n",
}
# condition → (the name, the indent of a line, the text after the document): `None` named
CONDITIONS = {
    "none": ("app", "    ", ""),
    "helm-values": ("app-{{ .Values.suffix }}x", "    ", ""),
    "helm-release": ('"{{- .Release.Name }}"', "    ", ""),
    "tab": ("app", "\t", ""),
    "unknown-tag": ("!custom app", "    ", ""),
    "broken-second": ("app", "    ", "---\nkind: [broken\n"),
    "brace-name": ('"{{ template \\"x\\" . }}"', "    ", ""),
    "hash-name": ('"a#b"', "    ", ""),
}
stems = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
suffixes = st.sampled_from([".yaml", ".yml", ".YAML", ".Yml", ".YML", ".template",
                            ".TEMPLATE", ".Template"])
READ_AS_MANIFESTS = OWN_SUFFIXES["kubernetes"]
manifests = st.tuples(st.sampled_from(sorted(KINDS)), st.sampled_from(sorted(CONDITIONS)),
                      stems, suffixes)


def _manifest(kind: str, condition: str) -> str:
    name, indent, after = CONDITIONS[condition]
    return KINDS[kind].format(name=name, indent=indent) + after


@given(manifests)
def test_a_manifest_is_named_exactly_when_checkov_skips_it(drawn: tuple[str, str, str, str]
                                                          ) -> None:
    """Whatever the kind: a workload and a ClusterRole alike."""
    kind, condition, stem, suffix = drawn
    why = skip("kubernetes", f"k8s/{stem}{suffix}", _manifest(kind, condition))
    assert (why is None) == (condition == "none" and suffix in READ_AS_MANIFESTS)
    if suffix.lower() == ".template":
        assert f"Kubernetes runner opens only `.yaml`, `.yml` and `.json` files, and this " \
               f"one ends `{suffix}`" in (why or "")
    elif suffix not in READ_AS_MANIFESTS:
        assert f"`{suffix}`" in (why or "")
    elif condition.startswith("helm"):
        assert "Helm placeholder" in (why or "")
    elif condition.endswith("-name"):
        assert f"drops the {kind} document" in (why or "")


# a JSON manifest's shape → (its text from the manifest, skipped by checkov)
JSON_SHAPES = {
    "object": (lambda d: json.dumps(d, indent=2) + "\n", False),
    "objects": (lambda d: json.dumps(d) + json.dumps(d) + "\n", False),  # `}{` joined
    "array": (lambda d: json.dumps([d]) + "\n", True),
}
json_manifests = st.tuples(st.sampled_from(sorted(KINDS)), st.sampled_from(sorted(JSON_SHAPES)),
                           stems)


def _json_manifest(kind: str, shape: str) -> str:
    import yaml

    return JSON_SHAPES[shape][0](yaml.safe_load(_manifest(kind, "none")))


@given(json_manifests)
def test_a_json_manifest_is_named_exactly_when_checkov_skips_it(
        drawn: tuple[str, str, str]) -> None:
    kind, shape, stem = drawn
    why = skip("kubernetes", f"{stem}.json", _json_manifest(kind, shape))
    assert (why is not None) == JSON_SHAPES[shape][1]


def test_a_names_first_refused_value_is_said() -> None:
    """checkov's validator refuses a `name` anywhere in a document that is not a string (a
    container's `name: 1`), or longer than 253 characters."""
    pod = KINDS["Pod"].format(name="app", indent="    ")
    assert "1" in (skip("kubernetes", "p.yaml", pod.replace("name: c", "name: 1")) or "")
    assert skip("kubernetes", "p.yaml", pod.replace("name: app", f"name: {'a' * 254}"))
    assert skip("kubernetes", "p.json", json.dumps({"apiVersion": "v1", "kind": "Pod",
                                                   "metadata": {"name": "a{b"}}))
    assert skip("kubernetes", "p.yaml", pod.replace("name: app", f"name: {'a' * 253}")) is None


RESOURCES = {
    "ingress": {"Type": "AWS::EC2::SecurityGroupIngress",
                "Properties": {"GroupId": "sg-1", "IpProtocol": "tcp", "FromPort": 22,
                               "ToPort": 22, "CidrIp": "0.0.0.0/0"}},
    "policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}},
}
# shape → (its text from the template, skipped by checkov)
SHAPES = {
    "json": (lambda t: json.dumps(t, indent=2) + "\n", False),
    "flow": (lambda t: json.dumps(t) + "\n", False),
    "comment-flow": (lambda t: "# a comment\n" + json.dumps(t) + "\n", True),
    "blank-comment-flow": (lambda t: "\n# one\n# two\n" + json.dumps(t) + "\n", True),
    "block": (lambda t: _block(t), False),
    "comment-block": (lambda t: "# a comment\n" + _block(t), False),
}
templates = st.tuples(st.sampled_from(sorted(RESOURCES)), st.sampled_from(sorted(SHAPES)),
                      stems)


def _template(resource: str, shape: str) -> str:
    return SHAPES[shape][0]({"AWSTemplateFormatVersion": "2010-09-09",
                             "Resources": {"Res": RESOURCES[resource]}})


def _block(template: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(template, sort_keys=False)


@given(templates)
def test_a_template_is_named_exactly_when_checkov_finds_no_lines_for_it(
        drawn: tuple[str, str, str]) -> None:
    """Whatever the resource type it declares (before, only 15 types were named)."""
    resource, shape, stem = drawn
    why = skip("cloudformation", f"{stem}.yaml", _template(resource, shape))
    assert (why is not None) == SHAPES[shape][1]
    if why:
        assert "Res" in why


@given(st.lists(st.sampled_from(["resource", "aws_security_group", "open", "variable"]),
                min_size=1, max_size=4))
def test_a_repeated_tf_json_key_is_named(keys: list[str]) -> None:
    """Each key at one level of a `.tf.json`: repeated, Terraform keeps both, checkov the
    last."""
    text = "{" + ", ".join(f'"{key}": {{}}' for key in keys) + "}"
    why = skip("terraform_json", "main.tf.json", text)
    assert (why is None) == (len(set(keys)) == len(keys))


def test_a_workflow_checkovs_loader_refuses_is_named() -> None:
    assert "cannot load it" in (skip("github_actions", ".github/workflows/sub/w.yml",
                                     "on: push\njobs:\n  x: [broken\n") or "")
    assert skip("github_actions", ".github/workflows/w.yml", "on: push\njobs: {}\n") is None


@settings(max_examples=3, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(manifests, min_size=4, max_size=10), st.lists(templates, min_size=2,
                                                              max_size=6),
       st.lists(json_manifests, max_size=3))
def test_plain_checkov_reads_exactly_the_files_not_named(
        iac_tools: Path, k8s: list[tuple[str, str, str, str]],
        cfn: list[tuple[str, str, str]], k8s_json: list[tuple[str, str, str]]) -> None:
    """The oracle: plain `checkov -d .` on a drawn sample reports a check on each file the
    decision does not name, and nothing on each it names."""
    files = {f"k{i}-{stem}{suffix}": _manifest(kind, condition)
             for i, (kind, condition, stem, suffix) in enumerate(k8s)}
    files |= {f"c{i}-{stem}.yaml": _template(resource, shape)
              for i, (resource, shape, stem) in enumerate(cfn)}
    files |= {f"k{i}-{stem}.json": _json_manifest(kind, shape)
              for i, (kind, shape, stem) in enumerate(k8s_json)}
    with tempfile.TemporaryDirectory() as folder:
        for name, text in files.items():
            (Path(folder) / name).write_text(text)
        reported = {check["file_path"].lstrip("/") for check in plain_checkov(
            iac_tools, Path(folder), "--framework", "kubernetes", "cloudformation")}
    named = {name for name, text in files.items()
             if skip("kubernetes" if name.startswith("k") else "cloudformation", name, text)}
    assert reported == set(files) - named

