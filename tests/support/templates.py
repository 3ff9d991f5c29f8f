"""Templates checkov tells by their text (a Kubernetes manifest, CloudFormation, ARM, OpenAPI,
an Ansible playbook), each with a check plain `checkov -d .` fails on it, and the parked
names a project keeps such a file under, which checkov never opens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class Template:
    """A file of one kind at `path`: `body` with `{tag}` (the file's own word, so git pairs
    each rename as made), on which checkov fails `rule`; `edit` changes one line apart from
    the one `rule` reports."""

    path: str
    body: str
    rule: str
    before: str
    after: str

    def text(self, tag: str) -> str:
        word = "".join(c for c in tag.lower() if c.isalnum())[-40:]
        return self.body.replace("{tag}", word)

    def edit(self, text: str) -> str:
        assert self.before in text, (self.path, self.before)
        return text.replace(self.before, self.after, 1)


POD = """apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: prod}
data: {a: "1"}
---
apiVersion: v1
kind: Pod
metadata: {name: p{tag}, namespace: prod}
spec:
  containers:
    - name: c
      image: "nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000"
      securityContext: {privileged: true}
"""
STACK = """AWSTemplateFormatVersion: "2010-09-09"
Description: a stack
Resources:
  SG{tag}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0, Description: d}
"""
SPEC = """openapi: 3.0.0
info: {title: x{tag}, version: "1"}
paths:
  /a:
    get:
      responses: {"200": {description: ok}}
security: []
"""
PLAYBOOK = """- name: p{tag}
  hosts: all
  tasks:
    - name: fetch
      get_url:
        url: https://example.com/x
        dest: /tmp/x
        validate_certs: false
"""
ARM = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Storage/storageAccounts",
      "apiVersion": "2021-02-01",
      "name": "sa{tag}",
      "location": "eastus",
      "kind": "StorageV2",
      "sku": {"name": "Standard_LRS"},
      "properties": {"supportsHttpsTrafficOnly": false}
    }
  ]
}
"""
TEMPLATES = (
    Template("k8s/pod.yaml", POD, "CKV_K8S_16", 'data: {a: "1"}', 'data: {a: "2"}'),
    Template("cfn/stack.yaml", STACK, "CKV_AWS_24", "Description: a stack",
             "Description: the stack"),
    Template("api/spec.yaml", SPEC, "CKV_OPENAPI_4", 'version: "1"', 'version: "2"'),
    Template("play/site.yml", PLAYBOOK, "CKV_ANSIBLE_2", "hosts: all", "hosts: web"),
    Template("arm/azuredeploy.json", ARM, "CKV_AZURE_3", '"1.0.0.0"', '"1.0.0.1"'),
)
# the names a template is parked under, from the name checkov opens
PARKED: dict[str, Callable[[PurePosixPath], PurePosixPath]] = {
    "example": lambda p: p.with_name(f"{p.name}.example"),
    "txt": lambda p: p.with_suffix(".txt"),
    "none": lambda p: p.with_suffix(""),
    "bak": lambda p: p.with_name(f"{p.name}.bak"),
    "disabled": lambda p: p.with_name(f"{p.name}.disabled"),
}
