"""A run's work kept in the run store beside its checkpoints, so any clone can resume it.

Before the checkpoint saver writes anything of a run — a step's writes or a checkpoint — the
run's work as it is then goes into the store (`git.carry`: the worktree, the run folder and
the trees the state names, packed against the run's base commit). The store therefore never
holds a step whose effect on the worktree it lacks; `resume` in a clone without the run's
worktree rebuilds it from there (`runs.resumed`) and continues from the last saved step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
)

from reviewloop.git import carry
from reviewloop.git.repository import Repository, Snapshot
from reviewloop.implement.implementer import RUNNING
from reviewloop.landing.job import LAND_PLAN, PR_FILE
from reviewloop.runs.registry import OWNER, RunStore

# Run-folder files that belong to the process or the checkout, not to the run's work: who
# drives it (and its implementer command), and what landing planned or opened in the clone
# it landed from.
NOT_CARRIED = (OWNER, RUNNING, LAND_PLAN, PR_FILE)
S = TypeVar("S", bound=BaseCheckpointSaver)
_ERROR = "__error__"  # the channel LangGraph writes a failed step's error to


class WorkKeeper:
    """Saves one run's work into the store, each time it differs from the last save."""

    def __init__(self, store: RunStore, run_id: str, repo: Repository, run_dir: Path,
                 base: str, trees: Iterable[str | None] = ()):
        self.store, self.run_id, self.repo, self.run_dir, self.base = (
            store, run_id, repo, run_dir, base)
        self.trees: set[str] = {t for t in trees if t}
        self._last: tuple[str, str, frozenset[str], str | None] | None = None
        self._folder: tuple[tuple[tuple[object, ...], ...], str] | None = None
        self._lock = threading.Lock()  # a superstep's branches save from several threads

    def seen(self, values: Iterable[object]) -> None:
        """Remember the trees the state's snapshots name: a resume elsewhere needs them."""
        trees = {v.tree for v in values if isinstance(v, Snapshot)}
        with self._lock:
            self.trees |= trees

    def save(self, values: Iterable[object]) -> None:
        """Save the work now, keeping the trees `values` name too."""
        self.seen(values)
        with self._lock:
            if not self.repo.root.is_dir():  # landed: the worktree went, the commit is home
                return
            key = (self.repo.worktree_tree(), self._run_tree(), frozenset(self.trees),
                   self.repo.head_sha())
            if key == self._last:
                return
            tree = carry.compose(self.repo, key[0], key[1], key[2])
            self.store.save_work(self.run_id, carry.pack(self.repo, tree, self.base))
            self._last = key

    def _run_tree(self) -> str:
        """The run folder's tree, hashed again only when a file in it changed."""
        files = carry.folder_files(self.run_dir, NOT_CARRIED)
        stamp = tuple((str(p), *_stat(p)) for p in files)
        if self._folder is None or self._folder[0] != stamp:
            self._folder = (stamp, carry.folder_tree(self.repo, self.run_dir, files))
        return self._folder[1]


def _stat(path: Path) -> tuple[int, int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns, info.st_mode


class _Carrying(BaseCheckpointSaver):
    """Mixed into a LangGraph saver: the keeper saves the work first, then the saver. A
    step's writes are saved as the step ends; the checkpoint that closes a superstep follows
    its last step's writes with no step running in between, so the work saved with those
    writes stands for it too (the first checkpoint, with no step before it, saves)."""

    keeper: WorkKeeper | None = None
    _after_writes = False

    def put(self, config: RunnableConfig, checkpoint: Checkpoint,
            metadata: CheckpointMetadata, new_versions: ChannelVersions) -> RunnableConfig:
        if self.keeper is not None:
            values = checkpoint.get("channel_values", {}).values()
            if self._after_writes:
                self.keeper.seen(values)
            else:
                self.keeper.save(values)
        self._after_writes = False
        return super().put(config, checkpoint, metadata, new_versions)

    def put_writes(self, config: RunnableConfig, writes: Sequence[tuple[str, Any]],
                   task_id: str, task_path: str = "") -> None:
        if any(channel == _ERROR for channel, _ in writes):
            # a step that failed (a stop, SIGTERM): what it wrote is no step's effect, and
            # the step runs again from the work saved before it (f_a D7)
            super().put_writes(config, writes, task_id, task_path)
            return
        if self.keeper is not None:
            self.keeper.save(value for _, value in writes)
        self._after_writes = True
        super().put_writes(config, writes, task_id, task_path)


def carrying(saver: type[S], keeper: WorkKeeper | None) -> Callable[..., S]:
    """A constructor of `saver` whose instances save `keeper`'s run first (`saver` itself
    when there is no keeper)."""
    if keeper is None:
        return saver
    cls = _subclass(saver)

    def build(*args: Any, **kwargs: Any) -> S:
        made = cls(*args, **kwargs)
        made.keeper = keeper
        return made  # type: ignore[return-value]
    return build


_made: dict[type[BaseCheckpointSaver], type[_Carrying]] = {}


def _subclass(saver: type[BaseCheckpointSaver]) -> type[_Carrying]:
    if saver not in _made:
        _made[saver] = type(f"Carrying{saver.__name__}", (_Carrying, saver), {})
    return _made[saver]
