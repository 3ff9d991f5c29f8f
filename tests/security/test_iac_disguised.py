"""A template or manifest written to slip past a test of its text is read as checkov reads
it: an escaped key or value (`"\\u0041WS::S3::Bucket"`, `"\\x6bind": Pod`), a `!!str` tag, a
comment naming another kind's keywords (`Type: AWS::SSM::Parameter` atop a Pod), keys in
any order, JSON or YAML; and OpenAPI specs and Argo workflows reach checkov's own frameworks.
Each misconfiguration plain checkov reports is reported, and the file counts as read only
then. `reviewloop review --base main --head feature` as a user runs it, with the suite's
checkov (`iac_env`); marked `pypi` (CI sets REVIEWLOOP_PYPI=1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.iac_variants import KINDS, variants
from tests.support.review_cli import review_feature

pytestmark = [pytest.mark.usefixtures("iac_env"), pytest.mark.pypi, pytest.mark.timeout(900)]

ANALYSED = "checkov (review-infrastructure)"
PRIVILEGED = """apiVersion: v1
{kind}: Pod
metadata:
  name: web
spec:
  hostPID: true
  containers:
    - name: web
      image: nginx:1.25
      securityContext:
        privileged: true
"""
# the fuzzer's own inputs: each was read as nothing, or not given to checkov at all
FOUND = {
    "stack.json": ('{"Resources": {"Data": {"Type": "\\u0041WS::S3::Bucket", "Properties": '
                   '{"AccessControl": "PublicReadWrite"}}}}', "CKV_AWS_20"),
    "tagged.yaml": ("Resources:\n  Data:\n    Type: !!str AWS::S3::Bucket\n    Properties:\n"
                    "      AccessControl: PublicReadWrite\n", "CKV_AWS_57"),
    "pod.yaml": ("# the kind of pod we run\n" + PRIVILEGED.format(kind='"\\x6bind"'),
                 "CKV_K8S_16"),
    "pod.json": ('{"apiVersion": "v1", "\\u006bind": "Pod", "metadata": {"name": "web", '
                 '"labels": {"kind": "web"}}, "spec": {"hostPID": true, "containers": '
                 '[{"name": "web", "image": "nginx:1.25", "securityContext": '
                 '{"privileged": true}}]}}', "CKV_K8S_17"),
    "queue-reader.yaml": ("# reads the queue URL from the stack (Type: AWS::SSM::Parameter, "
                          "see stack.yaml)\n" + PRIVILEGED.format(kind="kind"), "CKV_K8S_16"),
    "azuredeploy.json": (json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/"
                   "deploymentTemplate.json#", "contentVersion": "1.0.0.0",
        "resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2021-04-01",
                       "name": "store", "location": "westeurope", "kind": "StorageV2",
                       "properties": {"supportsHttpsTrafficOnly": False}}]}).replace(
        "deploymentTemplate.json", "deploymentTemplate\\u002ejson"), "CKV_AZURE_3"),
    "api.yaml": ("openapi: 3.0.0\ninfo: {title: api, version: '1'}\npaths:\n  /items:\n"
                 "    get:\n      security: []\n      responses: {'200': {description: ok}}\n",
                 "CKV_OPENAPI_5"),
    "swagger.json": ('{"swagger": "2.0", "info": {"title": "api", "version": "1"}, '
                     '"schemes": ["http"], "securityDefinitions": {"basic": {"type": "basic"}},'
                     ' "security": [{"basic": []}], "paths": {}}', "CKV_OPENAPI_13"),
    "workflow.yaml": ("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n"
                      "  generateName: hello-\nspec:\n  entrypoint: main\n  templates:\n"
                      "    - name: main\n      container: {image: 'alpine:3.19'}\n",
                      "CKV_ARGO_2"),
}


def _reported(report: dict[str, Any], planted: dict[str, str]) -> None:
    """Each file's planted check is among the findings on it, and the file was read."""
    found = {(f["file"], f["rule"]) for f in report["findings"]["remaining"]}
    rows = {row["path"]: row for row in report["health"]["files"]}
    for path, rule in planted.items():
        assert (path, rule) in found, (path, rule, sorted(found))
        assert ANALYSED in rows[path]["analysed_by"] and rows[path]["not_read"] == [], rows[path]
    assert report["health"]["complete"]


def test_the_fuzzers_inputs_are_reported() -> None:
    report = review_feature({path: text.encode() for path, (text, _) in FOUND.items()})
    _reported(report, {path: rule for path, (_, rule) in FOUND.items()})


def test_a_disguised_manifest_checkov_cannot_load_is_named_as_not_read() -> None:
    """A tag checkov's Kubernetes loader does not know makes it drop the file without a word;
    the Pod it declares behind an escaped `kind` still says it was not read."""
    pod = PRIVILEGED.format(kind='"\\x6bind"').replace("name: web\n", "name: web\n  "
                                                        "annotations: {note: !custom x}\n", 1)
    report = review_feature({"pod.yaml": f"# the kind of pod we run\n{pod}".encode()})
    row = {row["path"]: row for row in report["health"]["files"]}["pod.yaml"]
    assert not [f for f in report["findings"]["remaining"] if f["source"] == "checkov"]
    assert any("Pod" in why for why in row["not_read"]), row
    assert not report["health"]["complete"]


# no shrinking: each example is a review (~5 s), and the failing one names its files
@settings(max_examples=3, deadline=None, derandomize=True, phases=(Phase.generate,),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_variant_of_each_kind_is_reported(data: st.DataObject) -> None:
    """Two variants of each kind in one change (one checkov run reads them all)."""
    drawn = {f"{kind.kind}/{n}": data.draw(variants(kind)) for kind in KINDS for n in (1, 2)}
    files: dict[str | bytes, bytes] = {f"{name}{v.suffix}": v.text.encode()
                                       for name, v in drawn.items()}
    report = review_feature(files)
    _reported(report, {f"{name}{v.suffix}": v.rule for name, v in drawn.items()})
