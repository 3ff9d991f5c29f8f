"""`reviewloop demo`: run the loop offline on the bundled example and say what happened."""

from __future__ import annotations

import os
from pathlib import Path

from reviewloop.cli import demo_repo, ui
from reviewloop.cli.panel import to_rich
from reviewloop.config import Gates, load_settings
from reviewloop.errors import ExitCode
from reviewloop.implement.implementer import Implementer
from reviewloop.sandbox.bubblewrap import Sandbox, require
from reviewloop.spec.loader import load_spec

LLM_WOULD_ADD = """With a model (--model or `model` in .reviewloop.toml, Bedrock by default), \
the five
reviewers also read the change themselves: they add to the analyzers' evidence (never drop
it), find what no rule covers (authorization gaps, N+1 queries, missing edge-case tests, unclear
names), and the LLM fixer repairs every 🔴/🟡 finding, not only the ones a tool can fix."""


def run(directory: Path | None) -> int:
    from reviewloop.app.run import loop_runner
    from reviewloop.cli.terminal import terminal

    out = ui.console()
    root = demo_repo.prepare(directory)
    out.print(f"[bold]reviewloop demo[/] — example project in [cyan]{root}[/] "
              f"(branch {demo_repo.BRANCH}), task {demo_repo.TASK} applied as a manual change.")
    settings = load_settings(root).model_copy(update={
        "gates": Gates(build=(), test=(demo_repo.test_command(),))})
    require(Sandbox.from_settings(settings))  # the demo's test gate runs in it
    previous = Path.cwd()
    os.chdir(root)  # analyzers and gates run in the project, as a real run would
    try:
        runner = loop_runner(settings, root, None, False, terminal())
        spec = load_spec(root, None)
        task = spec.task(demo_repo.TASK)
        assert task is not None  # the demo project's own spec
        result = runner.start(task, spec.tasks_file, Implementer("manual"))
        if result.summary is not None:
            out.print(to_rich(result.summary))
        if result.status == "awaiting_approval":
            why = " (escalated — a real run would wait for you)" if result.escalations else ""
            out.print(f"Ready to commit? [bold]yes[/] — the demo approves for you{why}.")
            result = runner.resume(result.run_id, "approve")
    finally:
        os.chdir(previous)
    if result.status == "committed":
        out.print(f"[green]Committed {(result.commit or '')[:12]}[/] in {root} "
                  f"(see `git -C {root} log --stat -1`).")
    else:
        out.print(f"[yellow]Nothing committed ({result.status})[/]; the repository is {root}.")
    if not runner.llm:
        out.print(f"\n[bold yellow]This ran offline: the LLM reviewers were off; only the "
                  f"analyzers reviewed and only safe automatic fixes were applied.[/]\n"
                  f"{LLM_WOULD_ADD}")
    return ExitCode.OK if result.status == "committed" else ExitCode.BLOCKING
