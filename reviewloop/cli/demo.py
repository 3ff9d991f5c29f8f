"""`reviewloop demo`: run the loop offline on the bundled example (`app/demo.py`) and say what
happened."""

from __future__ import annotations

import shlex
from pathlib import Path

from reviewloop.app import demo, demo_repo
from reviewloop.cli import ui
from reviewloop.cli.terminal import terminal
from reviewloop.errors import ExitCode

LLM_WOULD_ADD = """With a model (--model or `model` in .reviewloop.toml, Bedrock by default), \
the five
reviewers also read the change themselves: they add to the analyzers' evidence (never drop
it), find what no rule covers (authorization gaps, N+1 queries, missing edge-case tests, unclear
names), and the LLM fixer repairs every 🔴/🟡 finding, not only the ones a tool can fix."""


def run(directory: Path | None) -> int:
    out = ui.console()
    root = demo.prepare(directory)
    out.print(f"[bold]reviewloop demo[/] — example project in [cyan]{root}[/] "
              f"(branch {demo_repo.BRANCH}), task {demo_repo.TASK} applied as a manual change.")
    done = demo.run(root, terminal())
    result = done.result
    if result.status == "committed":
        out.print(f"[green]Committed {(result.commit or '')[:12]}[/] in {root} "
                  f"(see `git -C {root} log --stat -1`).")
    else:
        out.print(f"[yellow]Nothing committed ({result.status})[/]; the repository is {root}.")
    # the run is the example repository's, not the folder the demo was started in
    out.print(f"The run as one page: cd {shlex.quote(str(root))} && reviewloop report --html",
              markup=False, highlight=False, soft_wrap=True)
    if not done.llm:
        out.print(f"\n[bold yellow]This ran offline: the LLM reviewers were off; only the "
                  f"analyzers reviewed and only safe automatic fixes were applied.[/]\n"
                  f"{LLM_WOULD_ADD}")
    return ExitCode.OK if result.status == "committed" else ExitCode.BLOCKING
