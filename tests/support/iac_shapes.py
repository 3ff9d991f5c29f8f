"""Infrastructure files in the many shapes checkov reads them in, for property tests: a
privileged Kubernetes Pod (checkov's CKV_K8S_16) and a CloudFormation bucket open to the
world (CKV_AWS_20, CKV_AWS_57), each rendered as block YAML, flow YAML, pretty JSON or
one-line JSON, keys in any order, YAML keys and values quoted or plain, after a long
comment or a long value of any length, a Kubernetes manifest after other YAML documents.
New shapes are added here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

POD_RULE = "CKV_K8S_16"  # a privileged container
BUCKET_RULES = frozenset({"CKV_AWS_20", "CKV_AWS_57"})  # a bucket ACL readable/writable by all
SHAPES = ("block", "flow", "json", "json-line")
OLD_WINDOW = 20_000  # the characters the detection once looked at, and no further


@dataclass(frozen=True)
class IacFile:
    suffix: str
    text: str
    framework: str
    rules: frozenset[str]
    shape: str

    def __repr__(self) -> str:  # a falsifying example, readable: its ends, not 20 kB of it
        return f"IacFile({self.suffix!r}, {self.framework!r}, {len(self.text)} chars: " \
               f"{self.text[:120]!r} … {self.text[-300:]!r})"


def pod(note: str) -> dict[str, Any]:
    container = {"name": "c", "image": "nginx", "securityContext": {"privileged": True}}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "annotations": {"note": note}},
            "spec": {"containers": [container]}}


def bucket(description: str) -> dict[str, Any]:
    return {"AWSTemplateFormatVersion": "2010-09-09", "Description": description,
            "Resources": {"B": {"Type": "AWS::S3::Bucket",
                                "Properties": {"AccessControl": "PublicReadWrite"}}}}


def render(data: Any, shape: str, quoted: bool = False) -> str:
    """`data` as a file's text in `shape` (one of SHAPES)."""
    if shape == "json":
        return json.dumps(data, indent=2) + "\n"
    if shape == "json-line":
        return json.dumps(data) + "\n"
    if shape == "flow":
        return _flow(data, quoted) + "\n"
    return "".join(_block(data, quoted, 0))


def _key(key: str, quoted: bool) -> str:
    return json.dumps(key) if quoted else key


def _scalar(value: Any, quoted: bool) -> str:
    """Plain where YAML reads it back as the same string (`v1`, `Pod`), else as JSON writes
    it (`true`, `"AWS::S3::Bucket"`: YAML reads JSON's scalars)."""
    if not quoted and isinstance(value, str) and value.isalnum() and value[:1].isalpha():
        return value
    return json.dumps(value)


def _flow(data: Any, quoted: bool) -> str:
    if isinstance(data, dict):
        return "{" + ", ".join(f"{_key(k, quoted)}: {_flow(v, quoted)}"
                               for k, v in data.items()) + "}"
    if isinstance(data, list):
        return "[" + ", ".join(_flow(v, quoted) for v in data) + "]"
    return _scalar(data, quoted)


def _block(data: dict[str, Any], quoted: bool, depth: int) -> list[str]:
    lines = []
    pad = "  " * depth
    for key, value in data.items():
        if isinstance(value, dict):
            lines += [f"{pad}{_key(key, quoted)}:\n", *_block(value, quoted, depth + 1)]
        elif isinstance(value, list):
            lines.append(f"{pad}{_key(key, quoted)}:\n")
            for item in value:
                inner = _block(item, quoted, depth + 1)
                lines += [f"{pad}- {inner[0].lstrip()}", *inner[1:]]
        else:
            lines.append(f"{pad}{_key(key, quoted)}: {_scalar(value, quoted)}\n")
    return lines


@st.composite
def iac_files(draw: st.DrawFn) -> IacFile:
    """A Pod or a bucket template in any shape, with what checkov reports on it."""
    shape = draw(st.sampled_from(SHAPES))
    # a long annotation, Description or comment header: often past the old window
    filler = "x" * draw(st.one_of(st.integers(0, 200),
                                  st.integers(OLD_WINDOW - 500, OLD_WINDOW + 3_000)))
    kubernetes = draw(st.booleans())
    data = pod(filler) if kubernetes else bucket(filler or "b")
    order = draw(st.permutations(list(data)))
    if kubernetes:  # the note first: the keys that say "Kubernetes" come after it
        data["metadata"] = {"annotations": data["metadata"].pop("annotations"),
                            **data["metadata"]}
    data = {key: data[key] for key in order}
    text = render(data, shape, quoted=draw(st.booleans()))
    if shape in ("block", "flow") and draw(st.booleans()):
        text = "".join(f"# {line}\n" for line in _wrapped(filler)) + text
    if kubernetes and shape in ("block", "flow") and draw(st.booleans()):
        text = "note: not a manifest\n---\n" + text  # the manifest is not the first document
    return IacFile(".yaml" if shape in ("block", "flow") else ".json", text,
                   "kubernetes" if kubernetes else "cloudformation",
                   frozenset({POD_RULE}) if kubernetes else BUCKET_RULES, shape)


def _wrapped(text: str) -> list[str]:
    return [text[i:i + 78] for i in range(0, len(text), 78)]


# the workload kinds checkov runs checks on whenever it reads one, and kinds it may say
# nothing of
WORKLOADS = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
             "ReplicationController", "Job", "CronJob")
QUIET_KINDS = ("ConfigMap", "Service")
# ways a manifest checkov reads nothing of, and says nothing of, is written
UNREADABLE = ("helm-value", "helm-release", "bad-document", "tab", "brace-name")


def workload(kind: str, container: str = "c") -> dict[str, Any]:
    """A `kind` running a privileged container named `container`, image `nginx`."""
    spec: dict[str, Any] = {"containers": [
        {"name": container, "image": "nginx", "securityContext": {"privileged": True}}]}
    if kind in QUIET_KINDS:
        spec = {"data": "x"}
    elif kind != "Pod":
        spec = {"template": {"metadata": {"name": "pod"}, "spec": spec}}
        spec = {"jobTemplate": {"spec": spec}} if kind == "CronJob" else spec
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "wname"}, "spec": spec}


def unreadable(kind: str, how: str, shape: str = "block") -> str:
    """A manifest of `kind` that checkov reads nothing of, written `how` (one of UNREADABLE):
    a Helm placeholder in a value or a name, a broken second document, a tab-indented line, a
    container name with a brace."""
    text = render(workload(kind, "c{x}" if how == "brace-name" else "c"), shape)
    if how == "helm-value":
        return text.replace("nginx", '"{{ .Values.image }}"', 1)
    if how == "helm-release":
        return text.replace("wname", "{{ .Release.Name }}-w", 1)
    if how == "bad-document":
        return text + "---\nfoo: [\n"
    if how == "tab":
        return text.replace("\n  ", "\n\t", 1)
    return text
