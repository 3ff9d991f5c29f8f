"""What a running graph tells its caller: LangGraph's stream turned into `Listener` calls.

One place for it, used by the loop's runner and by `review`: `tasks` says when a step (a
node, or a reviewer's `Send` branch) starts and ends, `updates` what each finished step
changed, and `custom` what a step reports itself while it works (each gate as it starts and
ends, `graph.nodes.gate_events`). Listeners get plain JSON values, never the state's own
classes: dicts and lists a listener may `json.dumps` (a user's or a plugin's). reviewloop's
own listeners, which say so (`reads_lazily = True`), get a step's update converted value by
value as they read it (the triage's update holds the whole ledger, which no listener reads;
dumping it cost a 20k-line review ~40 ms), and a list of models as a sequence whose items
are converted as they are read (a reviewer's outcome holds its findings, which the progress
line and the timeline count: dumping a 1,512-finding review's to count them cost ~40 M
instructions); `json` cannot write those views, which are no `dict` or `list`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

# Deferred for the type checker only: streaming is imported on light paths.
if TYPE_CHECKING:
    from langgraph.types import StreamMode

MODES: tuple[StreamMode, ...] = ("updates", "tasks", "custom")


class Listener(Protocol):
    def started(self, task_id: str, node: str, inputs: dict[str, Any]) -> None:
        """A step started; `inputs` is its state, or a `Send` branch's own input."""

    def ended(self, task_id: str) -> None:
        """The step `task_id` ended (finished, failed, or stopped at a question)."""

    def finished(self, node: str, update: Mapping[str, Any]) -> None:
        """A step finished with this update: a dict of plain JSON values; a `PlainUpdate`,
        its values converted as they are read, to a listener whose class sets
        `reads_lazily = True` (`told`)."""

    def event(self, data: dict[str, Any]) -> None:
        """Something a step reported while it works (`{"kind": "gate", ...}`)."""


def relay(mode: str, data: Any, listener: Listener | None) -> None:
    """One chunk of `graph.stream(..., stream_mode=[*MODES, ...])` to `listener` (a stream's
    loop uses `relaying`)."""
    if listener is None:
        return
    if mode == "updates":
        for node, update in data.items():
            if not node.startswith("__"):  # __interrupt__, __metadata__ (a replayed step)
                told(listener, node, PlainUpdate(update) if isinstance(update, dict)
                     else {})
    elif mode == "tasks":
        if "input" in data:
            listener.started(data["id"], data["name"], step_inputs(data["input"]))
        else:
            listener.ended(data["id"])
    elif mode == "custom" and isinstance(data, dict):
        listener.event(data)


@contextmanager
def relaying(listener: Listener | None) -> Iterator[Callable[[str, Any], None]]:
    """`relay` for one stream, which also ends every step it started and never ended, however
    the stream stops (a failure, Ctrl-C, the approval question; a resumed run replays the
    steps it had finished without ending them). Other streams' steps (a batch's other runs
    share the listener) are left alone."""
    open_steps: set[str] = set()

    def one(mode: str, data: Any) -> None:
        if mode == "tasks" and listener is not None:
            (open_steps.add if "input" in data else open_steps.discard)(data["id"])
        relay(mode, data, listener)
    try:
        yield one
    finally:
        if listener is not None:
            for task_id in open_steps:
                listener.ended(task_id)


def step_inputs(inputs: object) -> dict[str, Any]:
    """A step's input as a flat mapping (a state or a `Send` branch's input: a dataclass),
    its values left as they are: a label reads a name or a number from it."""
    if dataclasses.is_dataclass(inputs) and not isinstance(inputs, type):
        return {f.name: getattr(inputs, f.name) for f in dataclasses.fields(inputs)}
    return dict(inputs) if isinstance(inputs, dict) else {}


def told(listener: Listener, node: str, update: Mapping[str, Any]) -> None:
    """`listener.finished(node, update)`, `update` made `whole` unless the listener's class
    reads the lazy views (`reads_lazily = True`: the progress line, the trace, `Tee`)."""
    lazy = getattr(type(listener), "reads_lazily", False) is True
    listener.finished(node, update if lazy else whole(update))


def whole(value: Any) -> Any:
    """`value` with every lazy view in it (`PlainUpdate`, `PlainItems`) read whole into the
    dict or list it stands for: what `json.dumps` writes, as it did before the views."""
    if isinstance(value, dict):
        return {k: whole(v) for k, v in value.items()}
    if isinstance(value, PlainUpdate):
        return {k: whole(value[k]) for k in value}
    if isinstance(value, list | PlainItems):
        return [whole(v) for v in value]
    return value


class PlainUpdate(Mapping[str, Any]):
    """A step's update as listeners read it: each value `plain` when first read, once."""

    def __init__(self, update: Mapping[str, Any]) -> None:
        self._update = update
        self._read: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._read:
            self._read[key] = plain(self._update[key])
        return self._read[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._update)

    def __len__(self) -> int:
        return len(self._update)


def plain(value: Any) -> Any:
    """`value` with every model and dataclass in it turned into JSON-like dicts and lists; a
    list of models (and a model's field holding one) a `PlainItems`, read item by item."""
    if isinstance(value, BaseModel):
        return _plain_model(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, BaseModel) for v in value):
            return PlainItems(len(value), lambda at: _plain_model(value[at]))
        return [plain(v) for v in value]
    return value


def _plain_model(model: BaseModel) -> dict[str, Any]:
    """`model_dump(mode="json")`, but for the fields holding models, each item dumped by the
    model itself (its field's type decides, as in the whole dump) when it is read."""
    fields = type(model).model_fields
    lists = [name for name, value in model.__dict__.items()
             if isinstance(value, list | tuple) and value and isinstance(value[0], BaseModel)
             and name in fields and not fields[name].exclude]
    if not lists:
        return model.model_dump(mode="json")
    out = model.model_dump(mode="json", exclude=set(lists))
    for name in lists:
        out[name] = PlainItems(len(model.__dict__[name]), _item_of(model, name))
    return out


def _item_of(model: BaseModel, name: str) -> Callable[[int], Any]:
    """Item `at` of `model`'s list field `name`, plain, dumped through `model`."""
    def item(at: int) -> Any:
        return model.model_dump(mode="json", include={name: {at}})[name][0]
    return item


class PlainItems(Sequence[Any]):
    """A list of models as listeners read it: its length at once, each item plain when first
    read, once. Equal to the list of those items."""

    def __init__(self, count: int, item: Callable[[int], Any]) -> None:
        self._count, self._item = count, item
        self._read: dict[int, Any] = {}

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, at: Any) -> Any:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(self._count))]
        at = range(self._count)[at]  # a negative index counted from the end; IndexError
        if at not in self._read:
            self._read[at] = self._item(at)
        return self._read[at]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list, which has none

    def __repr__(self) -> str:
        return repr(list(self))


class Tee:
    """One `Listener` telling several: the user's progress and the run's trace (each as it
    reads: `told`)."""

    reads_lazily = True

    def __init__(self, *listeners: Listener | None) -> None:
        self.listeners = [one for one in listeners if one is not None]

    def started(self, task_id: str, node: str, inputs: dict[str, Any]) -> None:
        for one in self.listeners:
            one.started(task_id, node, inputs)

    def ended(self, task_id: str) -> None:
        for one in self.listeners:
            one.ended(task_id)

    def finished(self, node: str, update: Mapping[str, Any]) -> None:
        for one in self.listeners:
            told(one, node, update)

    def event(self, data: dict[str, Any]) -> None:
        for one in self.listeners:
            one.event(data)


def traced(listener: Listener | None, folder: Path) -> Tee:
    """`listener` (if any) and the trace of the run whose files are in `folder`
    (`runs.trace`): what a run is streamed to."""
    from reviewloop.runs.trace import TraceRecorder

    return Tee(listener, TraceRecorder(folder))
