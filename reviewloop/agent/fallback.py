"""A role's fallback model: LangChain's `with_fallbacks` around the primary, the primary's
client told to give up quickly, and each reply the fallback gave marked as its.

The primary's own client would otherwise retry a throttled call for about a minute
(Bedrock's adaptive retries) before the fallback had its turn; with a fallback configured it
gets one retry. The mark (`FALLBACK_KEY` in the reply's `response_metadata`) is how the
usage record names the model that answered (`models.usage_from`), so the cost is the
fallback's and the summary says which role fell back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda

from reviewloop.agent.models import FALLBACK_KEY

# A primary with a fallback: one retry for a blip, then the fallback (standard mode has no
# client-side rate limiter that would hold the call back first).
FAIL_FAST_RETRIES = {"total_max_attempts": 2, "mode": "standard"}


class ChatWithFallback(BaseChatModel):
    """`primary`, and `fallback` when a call to it raises (after its client's retries)."""

    primary: BaseChatModel
    fallback: BaseChatModel
    primary_name: str
    fallback_name: str

    @property
    def _llm_type(self) -> str:
        return "reviewloop-fallback"

    def _marked(self) -> Runnable[Any, Any]:
        mark = _marker(self.fallback_name, self.primary_name)
        return RunnableLambda(mark)

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any
                   ) -> Runnable[LanguageModelInput, AIMessage]:
        """The primary bound to `tools`, falling back to the fallback bound to the same."""
        primary = self.primary.bind_tools(tools, **kwargs)
        fallback = self.fallback.bind_tools(tools, **kwargs) | self._marked()
        return primary.with_fallbacks([fallback])

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: Any = None, **kwargs: Any) -> ChatResult:
        chain = self.primary.with_fallbacks([self.fallback | self._marked()])
        reply = chain.invoke(messages, stop=stop, **kwargs)
        return ChatResult(generations=[ChatGeneration(message=reply)])


def _marker(model: str, instead_of: str) -> Callable[[AIMessage], AIMessage]:
    def mark(reply: AIMessage) -> AIMessage:
        metadata = {**reply.response_metadata, FALLBACK_KEY: {"model": model,
                                                               "instead_of": instead_of}}
        return reply.model_copy(update={"response_metadata": metadata})
    return mark


def fail_fast(model: BaseChatModel) -> BaseChatModel:
    """`model` with its client's retries cut to `FAIL_FAST_RETRIES` (Bedrock) or one retry
    (providers with `max_retries`); any other model as it is."""
    client = getattr(model, "client", None)
    meta = getattr(client, "meta", None)
    if meta is not None and getattr(meta, "service_model", None) is not None and \
            meta.service_model.service_name == "bedrock-runtime":
        return model.model_copy(update={"client": _bedrock_client(client)})
    if isinstance(getattr(model, "max_retries", None), int):
        return model.model_copy(update={"max_retries": 1})
    return model


def _bedrock_client(client: Any) -> Any:
    """A Bedrock Runtime client like `client` (region, endpoint, timeouts, pool) whose
    retries are `FAIL_FAST_RETRIES`."""
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    config = client.meta.config.merge(Config(retries=dict(FAIL_FAST_RETRIES)))
    return boto3.Session(region_name=client.meta.region_name).client(
        "bedrock-runtime", endpoint_url=client.meta.endpoint_url, config=config)
