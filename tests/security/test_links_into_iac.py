"""A symlink the change writes under a name checkov or zizmor read by name and text
(`k8s/pod.yaml -> ../tpl/pod.txt`): the plain tools follow the link and read the target as a
manifest, a template, a workflow or a pipeline, while the review's analyzers skip a link.
Each such link is named as not analysed (`review.matrix`); a link whose target's own name is
already that kind is an ordinary link, read under the target's name."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.repos import feature_branch
from tests.support.review_cli import review

POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
       "    - name: web\n      image: nginx:1.25\n      securityContext:\n"
       "        privileged: true\n")
STACK = ('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  SG:\n'
         "    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n")
WORKFLOW = ("on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
            '      - run: echo "${{ github.event.pull_request.title }}"\n')
OPENAPI = ('openapi: 3.0.0\ninfo: {title: x, version: "1"}\npaths:\n  /a:\n    get:\n'
           '      responses:\n        "200": {description: ok}\n')
TASKS = "- name: fetch\n  get_url:\n    url: https://example.invalid/x\n    dest: /tmp/x\n"
SERVERLESS = "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"

# (the link's name, the target's text, the kind the link makes it)
KINDS = {
    "k8s/pod.yaml": (POD, "a Kubernetes manifest"),
    "deploy/base/pod.yml": (POD, "a Kubernetes manifest"),
    "cfn/stack.yaml": (STACK, "a CloudFormation template"),
    "cfn/stack.json": (json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
        "B": {"Type": "AWS::S3::Bucket"}}}), "a CloudFormation template"),
    ".github/workflows/ci.yml": (WORKFLOW, "a GitHub Actions workflow"),
    "api/spec.yaml": (OPENAPI, "an OpenAPI document"),
    "roles/web/tasks/main.yml": (TASKS, "an Ansible playbook or task list"),
    "serverless.yml": (SERVERLESS, "a Serverless config"),
    ".circleci/config.yml": ("version: 2.1\njobs:\n  b:\n    docker:\n"
                             "      - image: cimg/base:latest\n    steps:\n"
                             "      - run: echo hi\n", "a CircleCI config"),
    "bitbucket-pipelines.yml": ("pipelines:\n  default:\n    - step:\n        script:\n"
                                "          - echo hi\n", "a Bitbucket Pipelines file"),
}


def _relative(link: str, target: str) -> str:
    depth = link.count("/")
    return "../" * depth + target


def test_a_link_that_makes_its_target_an_iac_file_is_named_each_kind(tmp_path: Path) -> None:
    files: dict[str | bytes, bytes] = {}
    links: dict[str, str] = {}
    for number, (link, (text, _)) in enumerate(KINDS.items()):
        files[f"tpl/t{number}.txt"] = text.encode()
        links[link] = _relative(link, f"tpl/t{number}.txt")
        # the twin: the same text under a name that is already that kind
        suffix = Path(link).suffix
        twin_target = f"same/{number}/{Path(link).name}" if suffix else f"same/{number}"
        files[twin_target] = text.encode()
        links[f"twins/{number}/{Path(link).name}"] = _relative(
            f"twins/{number}/{Path(link).name}", twin_target)
    root = feature_branch(tmp_path / "r", files, links)
    done = review(root, "--base", "main", "--head", "feature", "--json")
    assert done.returncode == 1, done.stderr
    health = json.loads(done.stdout)["health"]
    assert health["complete"] is False
    rows = {r["path"]: r["not_read"] for r in health["files"]}
    for number, (link, (_, kind)) in enumerate(KINDS.items()):
        target = f"tpl/t{number}.txt"
        assert rows.get(link) == [
            f"changed-files: a symlink that makes {target} {kind}: the plain tools follow "
            f"the link and read it as that, no analyzer here reads {target} under its own "
            "name as that; commit the file itself under this name"], (link, rows.get(link))
    named_twins = [p for p, why in rows.items() if p.startswith("twins/") and why]
    assert named_twins == []


@pytest.mark.parametrize("link", ["k8s/pod.yaml", ".github/workflows/ci.yml"])
def test_a_file_replaced_by_a_link_into_a_template_is_named(tmp_path: Path, link: str) -> None:
    """A clean manifest the change turns into a link to a risky text file (a typechange)."""
    text = POD if link.startswith("k8s") else WORKFLOW
    root = feature_branch(tmp_path / "r", {link: b"# nothing yet\n", "tpl/x.txt": text.encode()})
    subprocess.run(["git", "checkout", "-qb", "swap"], cwd=root, check=True)
    (root / link).unlink()
    (root / link).symlink_to(_relative(link, "tpl/x.txt"))
    subprocess.run(["git", "commit", "-qam", "link"], cwd=root, check=True)
    done = review(root, "--base", "feature", "--head", "swap", "--json")
    assert done.returncode == 1, done.stderr
    rows = {r["path"]: r["not_read"] for r in json.loads(done.stdout)["health"]["files"]}
    assert rows[link] and "a symlink that makes tpl/x.txt" in rows[link][0]


def test_a_link_out_of_the_tree_is_judged_by_its_name(tmp_path: Path) -> None:
    """Its target is not read (it may be anything on the machine): a name that is that kind
    by itself is named, a name that needs the text to tell is not."""
    root = feature_branch(tmp_path / "r", {}, {"serverless.yml": "../../outside.txt",
                                              "k8s/pod.yaml": "/etc/hostname"})
    done = review(root, "--base", "main", "--head", "feature", "--json")
    rows = {r["path"]: r["not_read"] for r in json.loads(done.stdout)["health"]["files"]}
    assert rows["serverless.yml"] and "a Serverless config" in rows["serverless.yml"][0]
    assert not rows.get("k8s/pod.yaml")
