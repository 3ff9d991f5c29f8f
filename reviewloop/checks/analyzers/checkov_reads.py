"""Which of the files checkov was given its report shows it read.

checkov names a file it could not parse under `parsing_errors`, but it drops some files
without a word: a Dockerfile it cannot decode as UTF-8 (a Latin-1 comment, which `docker
build` runs), a `.tofu` name, a Terraform file its parser gives up on quietly. Where its
report tells, such a file is named as not read (`AnalyzerContext.not_read`):

* Dockerfiles: checkov runs file-level checks (a HEALTHCHECK, a USER) on every Dockerfile it
  reads, so one with an instruction and no result was not read;
* Terraform (`.tf`, `.tf.json`, and OpenTofu's through their aliases): the report's
  `resource_count` counts every resource it parsed, with a check or without (a
  `random_id`); when it counts fewer than the `resource` blocks of the files it was given,
  the files that declare resources and have no result were not read;
* every file: a skip of checkov's own, told from its text whatever the kinds it declares
  (`checkov_skips`: a Helm placeholder, a YAML document that does not load, a refused
  `name`, a CloudFormation resource whose lines it does not find, a broken workflow, a
  repeated `.tf.json` key, an upper-case suffix), with results or without;
* Kubernetes: checkov runs checks (a default namespace, a pod's security context) on every
  workload it reads (a Pod, a Deployment, a Job…: `WORKLOADS`), so a manifest declaring one
  with no result and no skip to tell was not read.

* ARM, Ansible and the CI pipelines (Azure, GitLab, Bitbucket, CircleCI, GitHub Actions):
  checkov's own gates before it parses (`checkov_frameworks.skipped`, through
  `checkov_skips`): an ARM template with no `contentVersion`, an Ansible file with no
  `- name:` line, YAML its strict loader cannot load (a `!vault` or `!reference` tag) are
  each read as nothing, without a word.

* OpenAPI and Argo Workflows: checkov runs its security checks on every OpenAPI document it
  reads, and CKV_ARGO_1/2 on every workflow's `spec`, so one with no result was not read (an
  OpenAPI document without an `info` mapping, a file that does not parse).

* GitHub workflows: checkov runs CKV2_GHA_1 (and its job checks) on every workflow it reads,
  and drops one GitHub's workflow schema refuses (no `on`, `jobs` empty or not a mapping of
  jobs) without a word, so a workflow holding a mapping with no result was not read.

A CloudFormation template declaring a resource type checkov always checks (`CHECKED_TYPES`,
told from the parsed template: an escaped `\\u0041WS::` is still `AWS::`) with no result was
not read either (a null value: checkov's CloudFormation loader refuses one without a word).
Other frameworks' reports leave out a file with no check to run (a CloudFormation template
of check-less resources has no report at all), so absence tells nothing there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_cross_files import cross_files
from reviewloop.checks.analyzers.checkov_documents import cloudformation_types, shape_of
from reviewloop.checks.analyzers.checkov_skips import declared, skip
from reviewloop.checks.analyzers.kustomize_overlays import KIND as KUSTOMIZE
from reviewloop.checks.analyzers.kustomize_overlays import unbuilt
from reviewloop.checks.paths import repo_path
from reviewloop.git.names import under
from reviewloop.memo import compiled_on_first_use

_resource = compiled_on_first_use(
    r'^[ \t]*resource[ \t]+("?)[\w-]+\1[ \t]+("?)[\w-]+\2[ \t]*\{', re.MULTILINE)
_instruction = compiled_on_first_use(r"^[ \t]*[A-Za-z]", re.MULTILINE)
# the kinds checkov has checks for that it runs on every one it reads (checked with checkov
# 3: a minimal manifest of each gets results; a ConfigMap's or Service's only check can be
# left out, and PodTemplate and DeploymentConfig ones got none)
WORKLOADS = frozenset({"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                       "ReplicationController", "Job", "CronJob"})
# CloudFormation resource types checkov runs checks on whenever it reads one (checked with
# checkov 3: a resource of each with no properties gets results)
CHECKED_TYPES = frozenset(f"AWS::{t}" for t in (
    "S3::Bucket", "EC2::SecurityGroup", "EC2::Instance", "EC2::Volume", "IAM::Role",
    "IAM::Policy", "Lambda::Function", "RDS::DBInstance", "DynamoDB::Table", "SQS::Queue",
    "SNS::Topic", "ECR::Repository", "KMS::Key", "ElasticLoadBalancingV2::LoadBalancer",
    "Logs::LogGroup"))
# checks checkov runs on every OpenAPI document it reads (CKV_OPENAPI_4/5, its security),
# and on every Argo workflow's `spec` (CKV_ARGO_1/2)
_ALWAYS_CHECKED = {
    "openapi": "checkov runs its security checks on every OpenAPI document it reads, and ran "
               "none on this one: it did not read it (it reads one only with an `info` "
               "mapping)",
    "argo_workflows": "checkov runs CKV_ARGO_1 and CKV_ARGO_2 on every Argo workflow's "
                      "`spec` it reads, and ran neither on this one: it did not read it",
    "github_actions": "checkov runs CKV2_GHA_1 on every GitHub workflow it reads, and ran no "
                      "check on this one: it did not read it (it drops a workflow that "
                      "GitHub's workflow schema refuses, with no `on`, or `jobs` empty or not "
                      "a mapping of jobs, without a word)"}
_CLOUDFORMATION = ("checkov ran none of its checks on the {type} it declares, which it runs on "
                   "every {type} it reads: it did not read the template")
_DOCKERFILE = ("checkov ran none of its Dockerfile checks on it, which it runs on every "
               "Dockerfile it reads: it did not read it (a byte that is not UTF-8?)")
_TERRAFORM = ("checkov reported nothing on its {n} resource(s) and counts fewer resources "
              "than the files it was given declare: it did not read it")


def unread(reports: Iterable[Mapping[str, Any]], targets: Mapping[str, str],
           file_of: Callable[[dict[str, Any]], str], ctx: AnalyzerContext,
           context: Mapping[str, str] | None = None) -> None:
    """Name each of `targets` (path → framework) that `reports` show checkov did not read;
    `file_of` gives the repository path a check names. `context`: the other files checkov
    read with them (path → framework: a changed Terraform file's module), whose resources
    it counts too."""
    seen: set[str] = set()
    failed: set[str] = set()
    counted: dict[str, int] = {}
    for one in reports:
        results = one.get("results") or {}
        for kind in ("failed_checks", "passed_checks", "skipped_checks"):
            seen.update(file_of(check) for check in results.get(kind) or [])
        failed.update(repo_path(ctx.root, str(p)) for p in results.get("parsing_errors") or [])
        if one.get("check_type"):
            counted[str(one["check_type"])] = int(
                (one.get("summary") or {}).get("resource_count") or 0)
    # and the unchanged builds that read a changed file (an overlay of a changed base)
    builds = {p: kind for p, (related, _) in cross_files(ctx).items()
              if (kind := related.files[p]) == KUSTOMIZE}
    quiet = {p: kind for p, kind in {**targets, **builds}.items()
             if p not in seen and p not in failed}
    told = {path: why for path, kind in {**targets, **builds}.items()
            if path not in failed and (why := skip(kind, path, _text(ctx, path),
                                                   partial(ctx.changes.touches, path)))}
    for path, why in told.items():  # a skip of checkov's own, told by the text
        ctx.not_read(path, why)
    for path, kind in ((p, k) for p, k in quiet.items() if p not in told):
        text = _text(ctx, path)
        if kind == "dockerfile" and _instruction().search(text):
            ctx.not_read(path, _DOCKERFILE)
        elif kind == "kubernetes" and (why := _kubernetes(path, text)):
            ctx.not_read(path, why)
        elif kind == "cloudformation" and (checked := next(
                (t for t in cloudformation_types(path, text) if t in CHECKED_TYPES), None)):
            ctx.not_read(path, _CLOUDFORMATION.format(type=checked))
        elif kind == KUSTOMIZE:  # a build it renders holds resources it checks, or failed
            # (a render that failed is named already, with what it said: not rendered again)
            if path not in ctx.unread and (why := unbuilt(ctx.root, path, ctx.timeout,
                                                          WORKLOADS, ctx.sandbox)):
                ctx.not_read(path, why)
        elif why := _always_checked(kind, path, text):
            ctx.not_read(path, why)
    for kind in ("terraform", "terraform_json"):
        declared = {p: _resources(_text(ctx, p), k) for p, k in targets.items()
                    if k == kind and p not in failed}
        around = sum(_resources(_text(ctx, p), k) for p, k in (context or {}).items()
                     if k == kind and p not in failed)
        if sum(declared.values()) + around <= counted.get(kind, 0):
            continue
        for path, n in declared.items():
            if path in quiet and path not in told and n:
                ctx.not_read(path, _TERRAFORM.format(n=n))


def _always_checked(kind: str, path: str, text: str) -> str | None:
    """Why checkov, silent on an OpenAPI document or an Argo workflow with a `spec`, did not
    read it (an Argo workflow without one has nothing its checks read); None for others."""
    if kind not in _ALWAYS_CHECKED:
        return None
    if kind == "argo_workflows" and not getattr(shape_of(path, text), "argo_spec", False):
        return None
    if kind == "github_actions" and not _a_mapping(text):
        return None  # an empty file, a comment alone: nothing of a workflow to check
    return _ALWAYS_CHECKED[kind]


def _a_mapping(text: str) -> bool:
    """Whether a YAML document of `text` is a mapping (a workflow's shape)."""
    import yaml

    try:
        return any(isinstance(d, dict) for d in yaml.safe_load_all(text))
    except (yaml.YAMLError, RecursionError, ValueError):
        return False


def _kubernetes(path: str, text: str) -> str | None:
    """Why checkov, which reported nothing on the manifest `text`, did not read it, when no
    skip of its own (`checkov_skips`) tells: a workload it declares, on each of which checkov
    runs checks; None when it declares none, of which its silence would say nothing."""
    kinds = declared(path, text)
    workload = next((kind for kind in sorted(kinds) if kind in WORKLOADS), None)
    if workload is None:
        return None
    return f"checkov ran none of its checks on the {workload} it declares, which it runs " \
           f"on every {workload} it reads: it did not read it"


def _resources(text: str, kind: str) -> int:
    """The `resource` blocks of a Terraform file (HCL, or its JSON form)."""
    if kind == "terraform":
        return len(_resource().findall(text))
    try:
        data = json.loads(text)
    except ValueError:
        return 0
    blocks = data.get("resource") if isinstance(data, dict) else None
    blocks = blocks if isinstance(blocks, list) else [blocks]
    return sum(len(named) for block in blocks if isinstance(block, dict)
               for named in block.values() if isinstance(named, dict))


def _text(ctx: AnalyzerContext, path: str) -> str:
    try:
        return under(ctx.root, path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
