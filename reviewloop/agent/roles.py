"""Chat models per role and per agent override, built on first use, a role's fallback
model behind its primary (`agent.fallback`).

Apart from `agent.models` so that an offline review, which builds no model, never loads the
LangChain model classes the fallback subclasses (about a second of imports).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from reviewloop.agent.fallback import ChatWithFallback, fail_fast
from reviewloop.agent.models import ChatHandle, ModelFactory, is_bedrock_model
from reviewloop.config import Settings, fallback_for, model_for

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


class Models:
    """Chat models per role and per agent override, created on first use and shared; a role
    with a fallback model gets the two behind `with_fallbacks` (`agent.fallback`).

    `enabled=False` is the offline mode: every lookup answers None.
    """

    def __init__(self, settings: Settings, factory: ModelFactory, *, enabled: bool = True):
        self._settings = settings
        self._factory = factory
        self.enabled = enabled
        self._cache: dict[str, BaseChatModel] = {}
        self._lock = threading.Lock()

    def get(self, role: str, override: str | None = None) -> ChatHandle | None:
        name = override or model_for(self._settings, role)
        if not self.enabled or not name:
            return None
        backup = fallback_for(self._settings, role, name)
        with self._lock:
            model = self._model(name) if backup is None else self._with_fallback(name, backup)
        return ChatHandle(model, name, is_bedrock_model(name), self._settings.llm_timeout_s,
                          fallback=backup)

    def _model(self, name: str) -> BaseChatModel:
        if name not in self._cache:
            self._cache[name] = self._factory(name)
        return self._cache[name]

    def _with_fallback(self, name: str, backup: str) -> BaseChatModel:
        key = f"{name}\0{backup}"
        if key not in self._cache:
            self._cache[key] = ChatWithFallback(
                primary=fail_fast(self._model(name)), fallback=self._model(backup),
                primary_name=name, fallback_name=backup)
        return self._cache[key]
