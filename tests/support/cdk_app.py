"""The fixture CDK app (tests/fixtures/node/cdk-app) as a git repository, and the stack a task
changes it into: a bucket without encryption (at rest: `UNENCRYPTED`, which S3 no longer
honours — it encrypts every bucket — so no rule fails it for that; in transit: no `enforceSSL`),
a queue really stored unencrypted (`QueueEncryption.UNENCRYPTED` sets
`SqsManagedSseEnabled: false`: cdk-nag's AwsSolutions-SQS2, checkov's CKV_AWS_27) and a
security group open to the world on port 22.

`line_of(text, needle)` gives the 1-based line of the construct a test expects a finding on,
so the tests say which construct they mean, not a number that drifts with the text.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.gitutil import git
from tests.support.npm_fixture import project
from tests.support.repos import commit, init_repo

STACK_FILE = "lib/app-stack.ts"

CHANGED_STACK = """import * as cdk from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export class AppStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    const reports = new s3.Bucket(this, 'Reports', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
    });
    cdk.Validations.of(reports).acknowledge({
      id: 'AwsSolutions-S1', reason: 'access logs go to the organisation trail',
    });

    new s3.Bucket(this, 'Uploads', {
      encryption: s3.BucketEncryption.UNENCRYPTED,
    });

    new sqs.Queue(this, 'Jobs', {
      encryption: sqs.QueueEncryption.UNENCRYPTED,
    });

    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a'],
    });
    const admin = new ec2.SecurityGroup(this, 'Admin', { vpc });
    admin.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'ssh from anywhere');
  }
}
"""

# Two constructs with one id: the app throws while it runs, so `cdk synth` fails.
BROKEN_STACK = CHANGED_STACK.replace("new s3.Bucket(this, 'Uploads'",
                                     "new s3.Bucket(this, 'Reports'")


def cdk_repo(into: Path) -> Path:
    """The fixture app committed on `main`, installed (node_modules ignored), on branch `work`."""
    root = project("cdk-app", into=into)
    commit(init_repo(root), message="the CDK app")
    git(root, "switch", "-qc", "work")
    return root


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of `text` containing `needle`."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)
