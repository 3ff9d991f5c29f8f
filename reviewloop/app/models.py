"""Whether the LLM reviewers are on, and the factory that builds their chat models.

Free of LangChain at import: an offline review decides this before loading it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from reviewloop.config import Settings, model_for
from reviewloop.errors import ConfigError

if TYPE_CHECKING:  # chat models load LangChain: only when one is configured
    from langchain_core.language_models import BaseChatModel

    from reviewloop.agent.models import ModelFactory


def model_switch(settings: Settings, model_factory: ModelFactory | None,
                 require_llm: bool, *, quiet: bool = False,
                 warn: Callable[..., None] | None = None) -> tuple[ModelFactory, bool]:
    """The model factory and whether the LLM is on; says loudly (to `warn`) when it is off.
    `quiet`: not even --require-llm is checked (a decision on a run already reviewed)."""
    def chat_model(name: str) -> BaseChatModel:
        from reviewloop.agent import models

        return models.make_chat_model(name, region=settings.region,
                                      timeout_s=settings.llm_timeout_s)

    factory = model_factory or chat_model
    model = model_for(settings, "review")
    if model is not None and model_factory is None:
        from reviewloop.agent import models

        models.split_provider(model)  # a misspelt provider is an error, not "offline"
    on = model is not None and (model_factory is not None
                                or _credentials(model, settings.region))
    if on and model_factory is None:  # before any call: a misspelt id fails every one
        from reviewloop.agent.model_ids import check_model_id

        for name in dict.fromkeys(filter(None, (model_for(settings, r)
                                                for r in ("review", "fix")))):
            check_model_id(name, settings.region)
    if not on and not quiet:
        reason = "no model configured" if not model else f"no credentials for {model}"
        if require_llm:
            if model:
                from reviewloop.agent import models

                models.check_credentials(model, settings.region)  # raises with the exact fix
            raise ConfigError("--require-llm is set but no model is configured",
                              where="model", fix="pass --model or set `model`")
        if warn is not None:  # every report says so as well
            warn(f"LLM reviewers are OFF ({reason}): reviewers run their analyzers only and "
                 "nothing is reported clean.", style="bold yellow")
    return factory, on


def _credentials(model: str, region: str | None) -> bool:
    from reviewloop.agent import models

    return models.llm_available(model, region)
