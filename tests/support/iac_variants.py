"""Metamorphic variants of a misconfigured CloudFormation template, Kubernetes Pod, ARM
template, OpenAPI spec and Argo workflow: the same documents to checkov, written another way
(a character of a key or value escaped, JSON `\\uXXXX` or YAML `\\xXX`/`\\uXXXX`; a `!!str`
tag; comments naming other kinds' keywords anywhere; keys in another order; JSON or YAML).

Each keeps the words checkov's own gate looks for in the raw text in a note the variant never
escapes (a comment, or a string field), and an Argo workflow its `apiVersion:`/`kind:` lines
as checkov's runner finds them: checkov reads every variant, and reports `rule` on it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import strategies as st


@dataclass(frozen=True)
class Kind:
    kind: str  # checkov's framework
    rule: str  # a check it fails on `document`
    document: dict[str, Any]
    gate: str  # the words checkov's gate needs, kept in the note
    note: tuple[str, ...]  # where a JSON variant's note goes (a string field checkov ignores)
    formats: tuple[str, ...] = ("json", "yaml")
    pinned: tuple[str, ...] = ()  # top-level keys written plain, unescaped, untagged


KINDS = (
    Kind("cloudformation", "CKV_AWS_20",
         {"Resources": {"Data": {"Type": "AWS::S3::Bucket",
                                 "Properties": {"AccessControl": "PublicReadWrite"}}}},
         "Resources", ("Description",)),
    Kind("kubernetes", "CKV_K8S_16",
         {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
          "spec": {"hostPID": True, "containers": [
              {"name": "web", "image": "nginx:1.25",
               "securityContext": {"privileged": True}}]}},
         "apiVersion kind", ("metadata", "annotations", "note")),
    Kind("arm", "CKV_AZURE_3",
         {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
                     "deploymentTemplate.json#",
          "contentVersion": "1.0.0.0",
          "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2021-04-01",
                         "name": "store", "location": "westeurope", "kind": "StorageV2",
                         "sku": {"name": "Standard_LRS"},
                         "properties": {"supportsHttpsTrafficOnly": False}}]},
         "$schema contentVersion", ("metadata", "note"), formats=("json",)),
    Kind("openapi", "CKV_OPENAPI_5",
         {"openapi": "3.0.0", "info": {"title": "api", "version": "1"},
          "paths": {"/items": {"get": {"security": [],
                                       "responses": {"200": {"description": "ok"}}}}}},
         "openapi", ("info", "description")),
    Kind("argo_workflows", "CKV_ARGO_1",
         {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow",
          "metadata": {"generateName": "hello-"},
          "spec": {"entrypoint": "main", "templates": [
              {"name": "main", "container": {"image": "alpine:3.19"}}]}},
         "argoproj.io", ("metadata", "annotations", "note"), formats=("yaml",),
         pinned=("apiVersion", "kind")),
)
# what other kinds' files say, for comments and notes
DECOYS = ("Type: AWS::SSM::Parameter", "AWSTemplateFormatVersion", "Resources:", "kind: Pod",
          "apiVersion: v1", '"$schema": "deploymentTemplate.json#"', "contentVersion",
          "openapi: 3.0.0", 'swagger: "2.0"', "apiVersion: argoproj.io/v1alpha1",
          "kind: Workflow", "Type: AWS::S3::Bucket")


@dataclass(frozen=True)
class Variant:
    kind: str
    rule: str
    suffix: str  # .json or .yaml
    text: str


@st.composite
def variants(draw: st.DrawFn, kind: Kind | None = None) -> Variant:
    """One variant of `kind` (any when None)."""
    kind = kind or draw(st.sampled_from(KINDS))
    form = draw(st.sampled_from(kind.formats))
    note = " ".join([kind.gate, *draw(st.lists(st.sampled_from(DECOYS), max_size=3))])
    document = _noted(kind.document, kind.note, note) if form == "json" else kind.document
    text = (_Json if form == "json" else _Yaml)(draw, kind.pinned).render(document)
    if form == "yaml":
        lines = text.splitlines()
        for _ in range(draw(st.integers(0, 3))):
            at = draw(st.integers(0, len(lines)))
            lines.insert(at, f"# {' '.join(draw(st.lists(st.sampled_from(DECOYS), max_size=2)))}")
        text = f"# {note}\n" + "\n".join(lines) + "\n"
    return Variant(kind.kind, kind.rule, f".{form}", text)


def _noted(document: dict[str, Any], where: tuple[str, ...], note: str) -> dict[str, Any]:
    """`document` with the note at `where` (nested mappings made as needed)."""
    copy = json.loads(json.dumps(document))
    at = copy
    for key in where[:-1]:
        at = at.setdefault(key, {})
    at[where[-1]] = _Plain(note)
    return dict(copy)


class _Plain(str):
    """A string a variant writes as it is (the note holding the gate's words)."""


class _Writer:
    def __init__(self, draw: st.DrawFn, pinned: tuple[str, ...]):
        self.draw = draw
        self.pinned = pinned

    def order(self, mapping: dict[str, Any]) -> list[str]:
        return list(self.draw(st.permutations(list(mapping))))

    def escaped(self, text: str, escape: str) -> str:
        """`text`'s characters, some written as escapes (`escape` % code point)."""
        marks = self.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
        return "".join(escape % ord(c) if mark and c.isalnum() else json.dumps(c)[1:-1]
                       for c, mark in zip(text, marks, strict=True))


class _Json(_Writer):
    def render(self, value: Any) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{self.string(k)}: {self.render(value[k])}"
                                   for k in self.order(value)) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.render(v) for v in value) + "]"
        return self.string(value) if isinstance(value, str) else json.dumps(value)

    def string(self, text: str) -> str:
        if isinstance(text, _Plain):
            return json.dumps(text)
        return '"' + self.escaped(text, "\\u%04x") + '"'


class _Yaml(_Writer):
    def render(self, value: Any, indent: str = "", top: bool = True) -> str:
        if isinstance(value, dict):
            lines = []
            for key in self.order(value):
                pinned = top and key in self.pinned
                head = f"{indent}{key if pinned else self.scalar(key, key=True)}:"
                lines.append(self.entry(head, value[key], indent, pinned))
            return "\n".join(lines)
        if isinstance(value, list):
            return "\n".join(self.entry(f"{indent}-", v, indent, False) for v in value)
        return self.scalar(value)

    def entry(self, head: str, value: Any, indent: str, pinned: bool) -> str:
        if isinstance(value, (dict, list)) and value:
            return f"{head}\n{self.render(value, indent + '  ', top=False)}"
        if isinstance(value, (dict, list)):
            return f"{head} {json.dumps(value)}"
        return f"{head} {value if pinned else self.scalar(value)}"

    def scalar(self, value: Any, key: bool = False) -> str:
        if not isinstance(value, str):
            return json.dumps(value)
        plain = yaml.safe_load(value) == value and ": " not in value and "#" not in value \
            and value[:1].isalnum()
        style = self.draw(st.sampled_from(("plain", "escaped", "tagged")))
        if style == "plain" and plain:
            return value
        escape = self.draw(st.sampled_from(("\\x%02x", "\\u%04x")))
        written = '"' + self.escaped(value, escape) + '"'
        return f"!!str {written}" if style == "tagged" and not key else written
