"""Chat models: construction per model string, credentials, prompt caching, usage and cost."""

from __future__ import annotations

import difflib
import functools
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ConfigDict

from reviewloop.agent.prices import catalogue_price, catalogue_window
from reviewloop.errors import ConfigError, CredentialsError

if TYPE_CHECKING:  # annotations: LangChain loads only where a model runs
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage

ModelFactory = Callable[[str], "BaseChatModel"]

# Provider names `langchain.chat_models.init_chat_model` understands. A model string is
# "provider-prefixed" only when the part before its first colon is one of these, because
# Bedrock ids carry colons of their own (`anthropic.claude-3-5-sonnet-20240620-v1:0`).
LANGCHAIN_PROVIDERS = frozenset({
    "anthropic", "anthropic_bedrock", "azure_ai", "azure_openai", "bedrock",
    "bedrock_converse", "cohere", "deepseek", "fireworks", "google_anthropic_vertex",
    "google_genai", "google_vertexai", "groq", "huggingface", "ibm", "mistralai", "nvidia",
    "ollama", "openai", "openrouter", "perplexity", "together", "xai",
})
BEDROCK_PROVIDERS = frozenset({"bedrock", "bedrock_converse"})

# The API key each hosted provider's LangChain integration reads; providers not listed
# (ollama, vertex with ADC, …) are not checked here.
PROVIDER_KEY_VARS: Mapping[str, str] = {
    "anthropic": "ANTHROPIC_API_KEY",
    "azure_openai": "AZURE_OPENAI_API_KEY",
    "cohere": "COHERE_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "fireworks": "FIREWORKS_API_KEY",
    "google_genai": "GOOGLE_API_KEY",
    "groq": "GROQ_API_KEY",
    "mistralai": "MISTRAL_API_KEY",
    "openai": "OPENAI_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "together": "TOGETHER_API_KEY",
    "xai": "XAI_API_KEY",
}

# Five reviewers run at once and a generation can take minutes: a long read timeout (a
# timed-out read is retried, i.e. billed again), a pool above the default 10, and adaptive
# retries so throttling backs off instead of failing the reviewer.
BEDROCK_CLIENT_SETTINGS: Mapping[str, Any] = {
    "read_timeout": 300,
    "connect_timeout": 10,
    "retries": {"max_attempts": 6, "mode": "adaptive"},
    "max_pool_connections": 32,
}

# The mark a fallback's reply carries in its `response_metadata` (`agent.fallback`):
# {"model": the fallback, "instead_of": the primary}. Defined here, where usage reads it, so
# that reading usage never loads the fallback's LangChain model classes.
FALLBACK_KEY = "reviewloop_fallback"

REGION_FIX = "set AWS_REGION, or `region` in .reviewloop.toml, or pass --region"


def split_provider(model: str) -> tuple[str | None, str]:
    """`("openai", "gpt-4.1")` for "openai:gpt-4.1"; `(None, model)` for a bare Bedrock id.
    A prefix that reads like a provider name but is none (`opneai:gpt-4o`) is a ConfigError
    naming the closest one, not a Bedrock id whose credentials are then missing."""
    head, sep, rest = model.partition(":")
    if head == "arn":
        bedrock_target(model)  # a bare ARN: exit 2 saying how to name its provider
    if sep and head in LANGCHAIN_PROVIDERS:
        return head, rest
    if sep and head != "arn" and re.fullmatch(r"[a-z][a-z_]*", head):
        close = difflib.get_close_matches(head, sorted(LANGCHAIN_PROVIDERS), n=1)
        hint = f"did you mean {close[0]}:{rest}? " if close else ""
        raise ConfigError(
            f"unknown model provider {head!r} in {model!r}", where="model",
            fix=f"{hint}use a Bedrock model id (e.g. us.anthropic.claude-sonnet-4-5-"
                f"20250929-v1:0) or provider:model with one of "
                f"{', '.join(sorted(LANGCHAIN_PROVIDERS))}")
    return None, model


ARN_SPELLING = "bedrock:PROVIDER:arn:…"  # e.g. bedrock:anthropic:arn:aws:bedrock:…


def bedrock_target(model_id: str) -> tuple[str, str]:
    """(model id, its provider or "" for langchain-aws to read from the id) of a Bedrock
    model. An ARN (an application inference profile, a provisioned model) does not say
    which provider's request format it takes, and ChatBedrockConverse refuses it without
    one: it is spelled `bedrock:anthropic:arn:…`, a ConfigError (exit 2) when bare."""
    head, _, rest = model_id.partition(":")
    if rest.startswith("arn:") and re.fullmatch(r"[a-z][a-z0-9_-]*", head):
        return rest, head
    if head == "arn":
        raise ConfigError(
            f"the model ARN {model_id!r} does not say which provider's model it runs",
            where="model", fix=f"name it as {ARN_SPELLING}, e.g. `bedrock:anthropic:"
                               f"{model_id}` for a Claude inference profile")
    return model_id, ""


def is_bedrock_model(model: str) -> bool:
    """True for bare Bedrock ids and the `bedrock:` / `bedrock_converse:` prefixes."""
    provider, _ = split_provider(model)
    return provider is None or provider in BEDROCK_PROVIDERS


def make_chat_model(model: str, *, region: str | None = None,
                    temperature: float | None = 0,
                    timeout_s: float | None = None) -> BaseChatModel:
    """A LangChain chat model for `model`: Bedrock Converse unless another provider is named.

    `timeout_s` (llm_timeout_s) caps Bedrock's read timeout; the total deadline of a call,
    retries included, is enforced by the tool loop."""
    provider, model_id = split_provider(model)
    if provider is None or provider in BEDROCK_PROVIDERS:
        return _bedrock_chat_model(model_id, region=region, temperature=temperature,
                                   timeout_s=timeout_s)
    try:
        from langchain.chat_models import init_chat_model  # type: ignore[import-not-found]
    except ImportError:
        raise ConfigError(
            f"model {model!r} names the provider {provider!r}, which needs the `langchain` "
            "package", where="model",
            fix=f"pip install langchain plus the provider's integration "
                f"(e.g. `pip install \"langchain[{provider.replace('_', '-')}]\"`), "
                "or use a Bedrock model id") from None
    kwargs: dict[str, Any] = {} if temperature is None else {"temperature": temperature}
    return init_chat_model(model_id, model_provider=provider, **kwargs)


def _bedrock_chat_model(model_id: str, *, region: str | None, temperature: float | None,
                        timeout_s: float | None = None) -> BaseChatModel:
    from botocore.config import Config  # type: ignore[import-untyped]
    from langchain_aws import ChatBedrockConverse

    region_name = resolve_region(region)
    if not region_name:
        raise CredentialsError(f"no AWS region for the Bedrock model {model_id!r}",
                               fix=REGION_FIX)
    settings = dict(BEDROCK_CLIENT_SETTINGS)
    if timeout_s is not None:
        settings["read_timeout"] = min(settings["read_timeout"], timeout_s)
    config = Config(**settings)
    # The endpoint comes from botocore's own AWS_ENDPOINT_URL_BEDROCK_RUNTIME /
    # AWS_ENDPOINT_URL variables, which is also how the tests reach their loopback fake.
    # Both clients from one shared session: given none, langchain-aws builds each from a new
    # session, reading botocore's endpoint and service files again (~0.1 s of CPU a model).
    session = aws_session(region_name)
    model_id, provider = bedrock_target(model_id)
    return ChatBedrockConverse(model=model_id, provider=provider, region_name=region_name,
                               config=config,
                               client=session.client("bedrock-runtime", config=config),
                               bedrock_client=OnFirstUse(
                                   lambda: session.client("bedrock", config=config)),
                               temperature=temperature)


class OnFirstUse:
    """A client built when something first reads it. langchain-aws wants a control-plane
    `bedrock` client beside the runtime one, and asks it only to resolve an application
    inference profile: built up front, it was a second client (and `bedrock`'s service
    model read) in every review for the few that use such a profile."""

    def __init__(self, build: Callable[[], Any]):
        self._build = build
        self._client: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copy and pickle probe the instance before it has a state
            raise AttributeError(name)
        with self._lock:
            if self._client is None:
                self._client = self._build()
        return getattr(self._client, name)


def resolve_region(region: str | None) -> str | None:
    """The AWS region: explicit, else AWS_REGION, else AWS_DEFAULT_REGION or the profile's."""
    # botocore itself ignores AWS_REGION, which the AWS CLI v2, the SDKs and GitHub's
    # configure-aws-credentials action all set.
    return region or os.environ.get("AWS_REGION") or aws_session(None).region_name


def aws_session(region: str | None) -> Any:
    """A boto3 session for `region`, shared by the credentials check and the clients built
    after it: building one reads botocore's handlers and the profile files (~25 ms of CPU).
    A change to any AWS_* variable (another profile, new keys, another endpoint) builds a
    new one."""
    aws = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))
    return _aws_session(region, aws)


@functools.lru_cache(maxsize=8)
def _aws_session(region: str | None, _aws: tuple[tuple[str, str], ...]) -> Any:
    import boto3  # type: ignore[import-untyped]

    return boto3.Session(region_name=region)


def check_credentials(model: str, region: str | None) -> None:
    """Raise `CredentialsError` naming exactly what to set when `model` cannot be reached."""
    provider, _ = split_provider(model)
    if provider is None or provider in BEDROCK_PROVIDERS:
        _check_aws(region)
        return
    variable = PROVIDER_KEY_VARS.get(provider)
    if variable and not os.environ.get(variable):
        raise CredentialsError(f"no API key for the {provider} model {model!r}",
                               fix=f"export {variable}=…")


def _check_aws(region: str | None) -> None:
    from botocore.exceptions import BotoCoreError  # type: ignore[import-untyped]

    try:
        session = aws_session(resolve_region(region))
        # Bedrock API keys are bearer tokens botocore picks up by itself.
        found = bool(os.environ.get("AWS_BEARER_TOKEN_BEDROCK")) or \
            session.get_credentials() is not None
    except BotoCoreError as exc:  # a broken profile, an expired SSO token, …
        raise CredentialsError(f"AWS credentials could not be loaded: {exc}",
                               fix=_aws_credentials_fix()) from exc
    if not found:
        raise CredentialsError("no AWS credentials found for Bedrock",
                               fix=_aws_credentials_fix())
    if not session.region_name:
        raise CredentialsError("no AWS region set for Bedrock", fix=REGION_FIX)


def _aws_credentials_fix() -> str:
    profile = os.environ.get("AWS_PROFILE") or "<profile>"
    return (f"export AWS_PROFILE={profile} (after `aws sso login --profile {profile}` "
            "for SSO), or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")


def llm_available(model: str | None, region: str | None) -> bool:
    """Whether `model` is set and its credentials resolve; never raises."""
    if not model:
        return False
    try:
        check_credentials(model, region)
    except Exception:  # noqa: BLE001 - a yes/no probe: any failure means "not available"
        return False
    return True


class UsageRecord(BaseModel):
    """Tokens one model reply used; `input_tokens` includes cache reads and writes."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # at a reply (#41)

    role: str
    agent: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    fallback_for: str | None = None  # the primary model the fallback `model` answered for
    shared_by: int = 1  # a combined call's reply: its tokens split over that many reviewers


def usage_from(message: AIMessage, *, role: str, agent: str, model: str) -> UsageRecord:
    """The usage a reply reports (zeros when the provider reported none), under the model
    that gave it: `model`, or the fallback that answered instead (`agent.fallback`)."""
    fell_back = message.response_metadata.get(FALLBACK_KEY) or {}
    if fell_back:
        model = fell_back.get("model") or model
    instead_of = fell_back.get("instead_of")
    usage = message.usage_metadata
    if usage is None:
        return UsageRecord(role=role, agent=agent, model=model, fallback_for=instead_of)
    details = usage.get("input_token_details") or {}
    return UsageRecord(role=role, agent=agent, model=model, fallback_for=instead_of,
                       input_tokens=usage.get("input_tokens", 0),
                       output_tokens=usage.get("output_tokens", 0),
                       cache_read_tokens=details.get("cache_read", 0) or 0,
                       cache_write_tokens=details.get("cache_creation", 0) or 0)


def total(records: Iterable[UsageRecord], *, role: str = "total", agent: str = "all",
          model: str = "") -> UsageRecord:
    """The sum of several usage records as one record."""
    records = list(records)
    return UsageRecord(
        role=role, agent=agent, model=model,
        input_tokens=sum(r.input_tokens for r in records),
        output_tokens=sum(r.output_tokens for r in records),
        cache_read_tokens=sum(r.cache_read_tokens for r in records),
        cache_write_tokens=sum(r.cache_write_tokens for r in records))


_PROFILE_PREFIXES = ("us.", "eu.", "apac.", "jp.", "au.", "ca.", "us-gov.", "global.")


def price_for(model: str, prices: Mapping[str, Mapping[str, float]] | None = None
              ) -> Mapping[str, float] | None:
    """USD per million tokens for `model`: the configured `[prices]` first (by the id as
    written, without its provider, or without its inference-profile prefix), then the
    maintained catalogue (`agent.prices`)."""
    model_id, base = _base_id(model)
    for key in (model, model_id, base):
        if key in (prices or {}):
            return (prices or {})[key]
    provider, _ = split_provider(model)
    return catalogue_price(provider, model_id)


def estimate_cost(records: Iterable[UsageRecord],
                  prices: Mapping[str, Mapping[str, float]] | None = None) -> float | None:
    """Estimated USD for `records`; None when any record's model has no known price."""
    cost = 0.0
    for record in records:
        price = price_for(record.model, prices)
        if price is None:
            return None
        uncached = max(record.input_tokens - record.cache_read_tokens
                       - record.cache_write_tokens, 0)
        cost += (uncached * price.get("input", 0.0)
                 + record.output_tokens * price.get("output", 0.0)
                 + record.cache_read_tokens * price.get("cache_read", price.get("input", 0.0))
                 + record.cache_write_tokens * price.get("cache_write", price.get("input", 0.0))
                 ) / 1_000_000
    return cost


# A model the catalogue and the configuration do not know: a window most current models exceed.
DEFAULT_CONTEXT_WINDOW = 128_000


def _base_id(model: str) -> tuple[str, str]:
    _, model_id = split_provider(model)
    base = next((model_id[len(p):] for p in _PROFILE_PREFIXES if model_id.startswith(p)),
                model_id)
    return model_id, base


def context_window(model: str, overrides: Mapping[str, int] | None = None) -> int:
    """The context window of `model` in tokens: `[review] context_windows`, then the
    maintained catalogue, then DEFAULT_CONTEXT_WINDOW."""
    model_id, base = _base_id(model)
    for key in (model, model_id, base):
        if key in (overrides or {}):
            return int((overrides or {})[key])
    provider, _ = split_provider(model)
    return catalogue_window(provider, model_id) or DEFAULT_CONTEXT_WINDOW


# Code and diffs run at about 3–4 characters per token with Claude's and Nova's tokenizers;
# 3 over-counts on purpose, so a request planned to fit does fit.
CHARS_PER_TOKEN = 3


def estimate_tokens(text: str) -> int:
    """A conservative token count for `text`, for planning only (usage comes from the
    provider's reply)."""
    return -(-len(text) // CHARS_PER_TOKEN)


@dataclass(frozen=True)
class ChatHandle:
    """One chat model as a step uses it: the model, its name, and how to call it."""

    model: BaseChatModel
    name: str
    bedrock: bool
    timeout_s: float | None = None  # the total deadline of one call (llm_timeout_s)
    fallback: str | None = None  # the model that answers when `name` fails (agent.fallback)


class ChatModels(Protocol):
    """What a step asks of a run's chat models: `agent.roles.Models`, or `NO_MODELS`."""

    @property
    def enabled(self) -> bool: ...

    def get(self, role: str, override: str | None = None) -> ChatHandle | None: ...


class _NoModels:
    """The offline mode that builds nothing and loads no chat model class: every lookup
    answers None (`agent.roles.Models(enabled=False)` answers the same)."""

    enabled = False

    def get(self, role: str, override: str | None = None) -> ChatHandle | None:
        return None


NO_MODELS: ChatModels = _NoModels()
