"""A CDK project's own flags and asset manifests give no secret finding, in the review's
analyzer and in the run's gate; a real secret in those files still does."""

from __future__ import annotations

import json

from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.secrets.gate import SecretsGate
from reviewloop.config import Settings
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

FLAGS = {"@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal": True,
         "@aws-cdk/aws-secretsmanager:useAttachedSecretResourcePolicyForSecretTargetAttachments":
             True,
         "@aws-cdk/aws-s3:serverSideEncryptionAwsManagedKmsKey": True,
         "@aws-cdk/aws-iam:minimizePolicies": True}
HASH = "9f3c1e5b8a7d6c4e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e"
ASSETS = {"version": "36.0.0", "files": {HASH: {
    "source": {"path": "AppStack.template.json", "packaging": "file"},
    "destinations": {"123456789012-eu-west-1": {
        "bucketName": "cdk-hnb659fds-assets-123456789012-eu-west-1",
        "objectKey": f"{HASH}.json"}}}}, "dockerImages": {}}
SECRET = "Zq8vN2xR5tL9mK3w/P7bY4cJ6hF1dS0gA8eU2oQiT"  # an AWS secret key's shape


def _files(context: dict, assets: dict) -> dict[str, str]:
    return {"cdk.json": json.dumps({"app": "npx ts-node bin/app.ts", "context": context},
                                   indent=2),
            "test/integ.app.js.snapshot/AppStack.assets.json": json.dumps(assets, indent=2)}


def _review(tmp_path, files):
    repo = Repo(tmp_path)
    diff = repo.change(files)
    found = run_for_agent(agent("review-security", ("secrets",)), repo.root, diff).findings
    gate = SecretsGate().run(GateContext(root=repo.root, settings=Settings(),
                                         changed_files=tuple(files), diff_text=diff,
                                         branch="work", default_branch="main",
                                         phase="implement"))
    return found, gate


def test_a_cdk_projects_flags_and_asset_hashes_are_no_secrets(tmp_path):
    found, gate = _review(tmp_path, _files(FLAGS, ASSETS))

    assert found == []
    assert gate.passed, gate.output_tail


def test_a_real_secret_in_those_files_still_is(tmp_path):
    context = {**FLAGS, "aws_secret_access_key": SECRET}
    assets = json.loads(json.dumps(ASSETS))
    assets["files"][HASH]["destinations"]["123456789012-eu-west-1"]["aws_secret_access_key"] \
        = SECRET

    found, gate = _review(tmp_path, _files(context, assets))

    assert {f.file for f in found} == {"cdk.json",
                                       "test/integ.app.js.snapshot/AppStack.assets.json"}
    assert not gate.passed


# From a CDK construct library's release (@aws-solutions-constructs, benchmarks/releases.py):
# a synthesized tree's tag keys and a test's list of IAM actions, where a name holding "key"
# (`"key":`, `DetectKeyPhrases',`) is followed by a `namespace:name` value.
TREE = ('{"tags":[{"key":"aws-cdk:subnet-name","value":"isolated"},'
        '{"key":"aws-cdk:subnet-type","value":"Isolated"}]}')
IAM_TEST = ("const cases = [\n"
            "  { analysisType: ComprehendAnalysisType.KEY_PHRASES, expected: "
            "['comprehend:DetectKeyPhrases', 'comprehend:BatchDetectKeyPhrases'] },\n"
            "  { actions: ['kms:GenerateDataKey*', 'secretsmanager:GetSecretValue'] },\n"
            "];\n")


def test_namespaced_names_are_no_secrets(tmp_path):
    found, gate = _review(tmp_path, {"test/integ.app.js.snapshot/tree.json": TREE,
                                     "test/comprehend-helper.test.js": IAM_TEST})

    assert found == []
    assert gate.passed, gate.output_tail


def test_a_key_with_a_colon_in_it_still_is_one(tmp_path):
    # a random value is no `namespace:name` label because it holds a colon
    found, _ = _review(tmp_path, {"config.js": 'const apiKey = "k9Xq2:Vb7RmT4zLp8WcN3";\n'})

    assert [f.file for f in found] == ["config.js"]
