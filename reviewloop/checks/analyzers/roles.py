"""What a file is to the tools by its name alone, and a rename that changes it.

A file's name, not only its text, decides what runs it: `.github/workflows/deploy.yml` is a
workflow GitHub runs and `.github/workflows-disabled/deploy.yml` a YAML file nothing reads;
`terraform.tfvars` sets a module's variables and `open.tfvars.example` sets none; a `.tf`
file belongs to the module of its folder (`terraform_moves`). A change that renames a file
into such a name, without a changed line, enables all of it: its analyzers' findings on it
are the change's (`review.retyped`), and so is a misconfiguration its values bring about on
another file of the module (`checkov_vars`).

A YAML or JSON template is IaC to checkov by its text, but only under a name it opens:
`k8s/pod.yaml.example`, `pod.txt` or `pod` it never reads, whatever they hold. So a rename
of the same text from such a name to `pod.yaml` enables it as surely as `main.tf.disabled`
made `main.tf` (the role is the new name's kind by its text, the old name's by the same
text); a move between two names checkov opens (`samples/pod.yaml` to `k8s/pod.yaml`)
enables nothing.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.checkov import framework, sniffed
from reviewloop.checks.analyzers.terraform_moves import moved_in
from reviewloop.checks.analyzers.zizmor import audited
from reviewloop.git.diff import ChangeSet, FileDiff

TERRAFORM = ("terraform", "terraform_json")  # checkov's names for a module's files
_TERRAFORM_FILE = "a Terraform file"
_SHOWN = {"github_actions": "a GitHub Actions workflow", "dockerfile": "a Dockerfile",
          "serverless": "a Serverless config", "bicep": "a Bicep file",
          "kubernetes": "a Kubernetes manifest", "cloudformation": "a CloudFormation template",
          "arm": "an ARM template", "openapi": "an OpenAPI document",
          "ansible": "an Ansible playbook or task list", "argo_workflows": "an Argo workflow",
          "terraform_plan": "a Terraform plan", "azure_pipelines": "an Azure Pipelines file",
          "gitlab_ci": "a GitLab CI file", "circleci_pipelines": "a CircleCI config",
          "bitbucket_pipelines": "a Bitbucket Pipelines file"}


def role(path: str, text: str | None = None) -> str | None:
    """What the tools read `path` as: by its name alone, and for a YAML or JSON file by its
    `text` too (None: nothing; no `text`, no template)."""
    kind = framework(path, text)
    if kind in TERRAFORM:
        return _TERRAFORM_FILE
    if kind is not None:
        return _SHOWN.get(kind, f"a {kind.replace('_', ' ')} file")
    return "a GitHub Actions definition" if audited(path) else None


def moved_into(diff: FileDiff, changes: ChangeSet, root: Path) -> str | None:
    """What a renamed file's new name makes it that its old one did not (None: not renamed,
    or the same to the tools); for a Terraform file, a module it joined (`terraform_moves`,
    the tree at `root`). A YAML or JSON file is asked by its text under both names (the
    head's text: a name checkov does not open is no template whatever it holds)."""
    old = diff.old_path
    if old is None or old == diff.path:
        return None
    text = sniffed(root, diff.path)  # None but for a name checkov may read by its text
    now = role(diff.path, text)
    if now == _TERRAFORM_FILE:
        if not moved_in(diff, changes, root):
            return None
        folder = PurePosixPath(diff.path).parent.as_posix()
        return f"a file of the Terraform module in {'the root folder' if folder == '.' else folder}"
    return now if now is not None and now != role(old, text) else None
