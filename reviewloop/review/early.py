"""Analyzers started before the review graph is loaded.

Loading LangGraph and LangChain takes about a second, as long as an offline review's
analyzers (bandit and ruff are subprocesses). `EarlyAnalysis` starts every reviewer's
analyzers on the change as soon as it is known, and answers the round's prepare step from
those runs when it asks for exactly the same thing: the same agent, diff, tree and options
(the trust the project's own config is read by; no `only`). Any other request (a fix round,
another tree) runs as it would have.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.evidence import AnalyzerReport


class EarlyAnalysis:
    """An `analyze(agent, diff_text, root, **options)` callable whose round-1 answers were
    started in advance; a context manager that waits for what it started on a normal exit
    (no analyzer outlives the command)."""

    def __init__(self, analyze: Callable[..., AnalyzerReport]):
        self.analyze = analyze
        self._pool: ThreadPoolExecutor | None = None
        self._change: tuple[str, Path] | None = None  # (diff_text, root) they were started on
        self._options: dict[str, Any] = {}  # and the options
        self._started: dict[str, tuple[AgentDefinition, Future[AnalyzerReport]]] = {}
        self._lock = threading.Lock()  # the round asks from one thread per reviewer

    def start(self, agents: Sequence[AgentDefinition], diff_text: str, root: Path,
              **options: Any) -> None:
        """Run each agent's analyzers on `diff_text` in the tree at `root`, side by side."""
        wanted = [agent for agent in agents if agent.has_analyzer_rows]
        if not wanted:
            return
        self._pool = ThreadPoolExecutor(max_workers=len(wanted),
                                        thread_name_prefix="reviewloop-early")
        self._change, self._options = (diff_text, root.resolve()), options
        for agent in wanted:
            self._started[agent.name] = (agent, self._pool.submit(self.analyze, agent,
                                                                  diff_text, root, **options))

    def __call__(self, agent: AgentDefinition, diff_text: str, root: Path,
                 **options: Any) -> AnalyzerReport:
        found = self._take(agent, diff_text, root) if options == self._options else None
        if found is not None:
            return found.result()
        return self.analyze(agent, diff_text, root, **options)

    def _take(self, agent: AgentDefinition, diff_text: str, root: Path
              ) -> Future[AnalyzerReport] | None:
        """The early run for exactly this request, handed out once (a retry runs afresh)."""
        if self._change != (diff_text, root.resolve()):
            return None
        with self._lock:
            early, future = self._started.get(agent.name, (None, None))
            if early != agent:
                return None
            del self._started[agent.name]
            return future

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:  # on an error, the error first: the analyzers end after
            self._pool.shutdown(wait=error is None, cancel_futures=True)
        with self._lock:
            self._started.clear()
