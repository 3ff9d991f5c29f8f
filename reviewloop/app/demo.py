"""`demo`: the whole loop run offline on the bundled example project, in a new repository,
with the task's change applied by hand and the approval given for the user."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reviewloop.app import demo_repo
from reviewloop.app.output import Output
from reviewloop.app.run import loop_runner
from reviewloop.config import Gates, load_settings
from reviewloop.implement.implementer import Implementer
from reviewloop.runs.result import RunResult
from reviewloop.sandbox.bubblewrap import Sandbox, require
from reviewloop.spec.loader import load_spec


@dataclass(frozen=True)
class Demo:
    """Where the example project is, how its run ended, whether a model reviewed it."""

    root: Path
    result: RunResult
    llm: bool


def prepare(directory: Path | None) -> Path:
    """The example project in a new repository (in `directory`, or a new temp folder)."""
    return demo_repo.prepare(directory)


def run(root: Path, out: Output) -> Demo:
    """Run task T2 on the example at `root`; approve it when it waits (as the user would)."""
    settings = load_settings(root).model_copy(update={
        "gates": Gates(build=(), test=(demo_repo.test_command(),))})
    require(Sandbox.from_settings(settings))  # the demo's test gate runs in it
    previous = Path.cwd()
    os.chdir(root)  # analyzers and gates run in the project, as a real run would
    try:
        runner = loop_runner(settings, root, None, False, out)
        spec = load_spec(root, None)
        task = spec.task(demo_repo.TASK)
        assert task is not None  # the demo project's own spec
        result = runner.start(task, spec.tasks_file, Implementer("manual"))
        if result.summary is not None:
            out.summary(result.summary)
        if result.status == "awaiting_approval":
            why = " (escalated — a real run would wait for you)" if result.escalations else ""
            out.say(f"Ready to commit? yes — the demo approves for you{why}.")
            result = runner.resume(result.run_id, "approve")
    finally:
        os.chdir(previous)
    return Demo(root, result, runner.llm)
