"""Whether a model id is one the provider serves, asked before any work: a misspelt Bedrock
id (`anthropic.claude-sonet-4`) is an exit 2 naming the closest valid ids, not a run of
failed calls.

Bedrock: the ids the region lists for the account — foundation models
(`ListFoundationModels`) and inference profiles (`ListInferenceProfiles`), read with the
control-plane `bedrock` client (`AWS_ENDPOINT_URL_BEDROCK` reaches another endpoint, as
`AWS_ENDPOINT_URL_BEDROCK_RUNTIME` does for the calls). Where listing is not allowed (an IAM
policy with `bedrock:InvokeModel` alone) or fails, one Converse call of one token asks the
model itself: Bedrock answers an unknown id with ValidationException "The provided model
identifier is invalid." Nothing else blocks: an ARN (provisioned throughput, an application
profile) is taken as given, an empty list or any other failure says nothing, and other
providers are not asked.
"""

from __future__ import annotations

import difflib
import functools
import os

from reviewloop.agent.models import aws_session, bedrock_target, resolve_region, split_provider
from reviewloop.agent.prices import catalogue_ids
from reviewloop.errors import ConfigError

INVALID = "model identifier is invalid"  # Bedrock's ValidationException for an unknown id
_PROFILES = ("us.", "eu.", "apac.", "global.")
_LIST_SETTINGS = {"connect_timeout": 5, "read_timeout": 20, "retries": {"max_attempts": 2}}


def check_model_id(model: str, region: str | None) -> None:
    """Raise a ConfigError naming the closest valid ids when Bedrock does not know `model`."""
    provider, model_id = split_provider(model)
    if provider not in (None, "bedrock", "bedrock_converse") \
            or bedrock_target(model_id)[0].startswith("arn:"):  # an ARN is never listed
        return
    region = resolve_region(region)
    listed = _listed(region, _endpoint())
    if listed is None:  # listing refused or failed: ask the model
        if _probe_invalid(model_id, region):
            raise _unknown(model, model_id, region, _known_ids(), listed=False)
        return
    if listed and model_id not in listed:
        raise _unknown(model, model_id, region, listed, listed=True)


def _endpoint() -> str:
    return os.environ.get("AWS_ENDPOINT_URL_BEDROCK") or os.environ.get("AWS_ENDPOINT_URL") or ""


@functools.cache
def _listed(region: str | None, endpoint: str) -> frozenset[str] | None:
    """Every model and inference-profile id the region lists; None when it cannot say.
    (`endpoint` keys the cache only: botocore reads it from the environment itself.)"""
    from botocore.config import Config  # type: ignore[import-untyped]
    from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

    try:  # the session the credentials check and the chat models use (`aws_session`)
        client = aws_session(region).client("bedrock", config=Config(**_LIST_SETTINGS))
        ids = {m["modelId"] for m in client.list_foundation_models().get("modelSummaries", [])}
        for page in client.get_paginator("list_inference_profiles").paginate():
            ids |= {p["inferenceProfileId"] for p in page.get("inferenceProfileSummaries", [])}
    except (BotoCoreError, ClientError, KeyError):
        return None
    return frozenset(ids)


def _probe_invalid(model_id: str, region: str | None) -> bool:
    """One token from `model_id`: True only when Bedrock answers that the id is invalid."""
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client = aws_session(region).client("bedrock-runtime", config=Config(**_LIST_SETTINGS))
        client.converse(modelId=model_id, inferenceConfig={"maxTokens": 1},
                        messages=[{"role": "user", "content": [{"text": "ping"}]}])
    except ClientError as exc:
        error = exc.response.get("Error", {})
        return error.get("Code") == "ValidationException" and \
            INVALID in str(error.get("Message", "")).lower()
    except BotoCoreError:
        return False
    return False


def _known_ids() -> frozenset[str]:
    """The Bedrock ids the price catalogue knows, bare and as the common inference profiles."""
    known = {m.removeprefix("regional.") for m in catalogue_ids()}
    return frozenset({*known, *(p + m for m in known for p in _PROFILES)})


def _unknown(model: str, model_id: str, region: str | None, valid: frozenset[str], *,
             listed: bool) -> ConfigError:
    close = difflib.get_close_matches(model_id, sorted(valid), n=3, cutoff=0.5)
    where = f" in {region}" if region else ""
    said = "is not among the models and inference profiles Bedrock lists" if listed else \
        "is not a model Bedrock knows (The provided model identifier is invalid.)"
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    return ConfigError(
        f"the model {model!r} {said}{where}", where="model",
        fix=f"{hint}pass --model (or set `model`) to an id from `aws bedrock "
            "list-inference-profiles` or `aws bedrock list-foundation-models`")
