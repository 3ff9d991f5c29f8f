"""What each tool of `reviewloop mcp` does: its arguments turned into a use case's call
(`app/`), in process, and its answer in the compact form an agent reads first; the whole
report is a resource (`reviewloop://review/ID`, `reviewloop://run/ID`) read only when
needed. A use case's words are recorded, never printed: stdout is the protocol's channel."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewloop.app import runs, tasks
from reviewloop.app.output import Recorded
from reviewloop.app.review import Nothing, ReviewOptions, review
from reviewloop.config import Settings, load_settings, project_root
from reviewloop.errors import NAME_BYTES, UserInputError
from reviewloop.reports.compact import compact
from reviewloop.reports.report import RunSummary, json_bytes
from reviewloop.runs.records import find
from reviewloop.runs.review import DiffSource, blocking

SAID = 20  # lines of what a use case said, kept in a tool's answer (the last ones)
PATH_BYTES = 4096  # Linux's PATH_MAX: no folder has a longer name


class ToolFailed(UserInputError):
    """A tool's arguments name something that is not there (a run, a folder outside)."""


@dataclass(frozen=True)
class Tools:
    """The tools on the project the server was started in (`root`); each takes a `path`
    inside it."""

    root: Path

    def review(self, path: str = ".", base: str | None = None, head: str | None = None,
               staged: bool = False) -> dict[str, Any]:
        project = self._project(path)
        out = Recorded()
        options = ReviewOptions(source=DiffSource(base=base, head=head, staged=staged),
                                format="json", fail_on="never")
        result = review(_loader, project, options, out)
        if isinstance(result, Nothing):
            return {"verdict": "nothing to review", "message": result.message,
                    "not_read": result.left_out[:10], "said": out.lines[-SAID:]}
        return self._answer(result, "review", path, out)

    def list_tasks(self, path: str = ".", spec: str | None = None) -> dict[str, Any]:
        project = self._project(path)
        return tasks.listing(self._settings(project, self._spec(path, spec)), project)

    def list_runs(self, path: str = ".") -> dict[str, Any]:
        project = self._project(path)
        return {"root": str(project), "runs": runs.rows(self._settings(project), project)}

    def show_run(self, run_id: str, path: str = ".") -> dict[str, Any]:
        project = self._project(path)
        row = self._row(project, run_id)
        stored = find(self._settings(project), project, run_id)
        return {**row, **self._answer(stored.summary, "run", path)}

    def start_run(self, task: str, path: str = ".", implementer: str = "llm",
                  branch: str | None = None, spec: str | None = None) -> dict[str, Any]:
        from reviewloop.app import run
        from reviewloop.implement.implementer import Implementer

        project = self._project(path)
        if Implementer.parse(implementer).spec.takes_argument:
            # `cmd:"…"` runs its command with the user's rights, outside the sandbox: the
            # client's model chose these arguments, the user did not type them
            raise ToolFailed(f"implementer {implementer!r} runs a command line of the "
                             "client's choosing on this machine, unsandboxed",
                             where="start_run: implementer",
                             fix="use llm or manual here; run a command implementer from a "
                                 "terminal: reviewloop run TASK --implementer cmd:\"…\"")
        out = Recorded()
        code = run.run(self._settings(project, self._spec(path, spec)), project, task,
                       run.RunOptions(implementer=implementer, branch=branch), out)
        started = out.summaries[-1].run_id if out.summaries else None
        answer: dict[str, Any] = {"exit_code": code, "said": out.lines[-SAID:]}
        if started:
            answer["run"] = self._row(project, started)
            answer.update(self._answer(out.summaries[-1], "run", path))
        return answer

    def report(self, kind: str, run_id: str, path: str = ".") -> str:
        """The whole report of a review or run: `review --format json`'s JSON."""
        project = self._project(path)
        return json_bytes(find(self._settings(project), project, run_id).summary).decode()

    # -- internals ---------------------------------------------------------------------------

    def _answer(self, summary: RunSummary, kind: str, path: str,
                out: Recorded | None = None) -> dict[str, Any]:
        query = "" if path == "." else f"?path={path}"
        return {**compact(summary), "blocks": blocking(summary, "must_fix"),
                "report": f"reviewloop://{kind}/{summary.run_id}{query}",
                **({"said": out.lines[-SAID:]} if out is not None else {})}

    def _row(self, project: Path, run_id: str) -> dict[str, Any]:
        row = next((r for r in runs.rows(self._settings(project), project)
                    if r["run_id"] == run_id), None)
        if row is None:
            raise ToolFailed(f"no run {run_id!r} in this repository", where=str(project),
                             fix="list the runs with the list_runs tool")
        return row

    def _project(self, path: str) -> Path:
        _a_path(path, "path")
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root.resolve()):
            raise ToolFailed(f"{path} is outside the project the server was started in",
                             where=str(self.root),
                             fix="pass a path inside it, or start the server there")
        return project_root(target)

    def _spec(self, path: str, spec: str | None) -> Path | None:
        """`spec` as the command line reads it in the folder `path`."""
        if spec:
            _a_path(spec, "spec")
        return (self.root / path).resolve() / spec if spec else None

    @staticmethod
    def _settings(project: Path, spec: Path | None = None) -> Settings:
        return load_settings(project, flags={"spec": spec} if spec else {})


def _loader(root: Path, config_file: Path | None) -> Settings:
    return load_settings(root, flags={}, config_file=config_file)


def _a_path(text: str, key: str) -> None:
    """Refuse what cannot name a file before resolving it: resolving costs a look-up per
    part of every prefix (a 400 KB argument kept the server busy for minutes), and a NUL
    byte failed with no reason given."""
    if "\0" in text or len(text.encode(errors="surrogateescape")) > PATH_BYTES:
        raise ToolFailed(f"{key} is not a path (a NUL byte, or longer than {PATH_BYTES} bytes)",
                         where=f"the tool's {key} argument",
                         fix="pass a folder or file inside the project, relative to it")
    if any(len(name.encode(errors="surrogateescape")) > NAME_BYTES for name in text.split("/")):
        raise ToolFailed(f"{key} is not a path: a name in it is longer than {NAME_BYTES} bytes, "
                         "the most a file system allows", where=f"the tool's {key} argument",
                         fix="pass a folder or file inside the project, relative to it")
