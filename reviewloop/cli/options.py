"""Options several commands share, defined once: the model and the Bedrock region."""

from __future__ import annotations

import click

model_opt = click.option(
    "--model", help="LangChain model string provider:model-id; a bare id "
    "means Bedrock Converse (e.g. us.anthropic.claude-sonnet-4-5-20250929-v1:0).")
region_opt = click.option("--region", help="AWS region for Bedrock (default: the AWS chain).")
