"""Real crashes at points a test names: a stand-in for `git` on PATH that kills reviewloop
with SIGKILL just before or just after one git command.

reviewloop's git runs no hook, so the crash comes from the one program every step of
committing and landing calls. The point is a shell pattern matched against the git command
line (`"$*"`, e.g. `"push *"` or `"*update-ref*refs/heads/work*"`); `when` is `before` (git
is not run: the step never happened) or `after` (it happened, nothing after it did). The
kill happens once: a mark file stops it for the resume, which keeps the same environment.
With `log`, every git command line is appended to that file (to see where the points are);
with `log` and `nth`, the kill is before the nth git command, whatever it is.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

GIT_SHIM = """#!/bin/sh
[ -n "$GIT_LOG" ] && printf '%s\\n' "$*" >> "$GIT_LOG"
hit() {
  [ -n "$KILL_AT" ] && [ ! -e "$KILL_MARK" ] && [ "$KILL_WHEN" = "$1" ] || return 1
  case "$ARGS" in
    $KILL_AT) return 0 ;;
  esac
  return 1
}
ARGS="$*"
# KILL_NTH: killed before the Nth git command (GIT_LOG counts them), whatever it is
if [ -n "$KILL_NTH" ] && [ ! -e "$KILL_MARK" ] && [ "$(wc -l < "$GIT_LOG")" -ge "$KILL_NTH" ]; then
  touch "$KILL_MARK"; kill -9 "$PPID"; exit 137
fi
if hit before; then touch "$KILL_MARK"; kill -9 "$PPID"; exit 137; fi
"$REAL_GIT" "$@"
status=$?
if [ "$status" = 0 ] && hit after; then touch "$KILL_MARK"; kill -9 "$PPID"; fi
exit $status
"""


def crash_env(tmp_path: Path, at: str = "", when: str = "after",
              log: Path | None = None, nth: int = 0) -> dict[str, str]:
    """Environment for a reviewloop process that is killed at `at` (`when`: before|after),
    or with `nth` (and `log`) before its nth git command; the mark file `tmp_path/killed`
    says the kill happened."""
    shim = tmp_path / "git-shim"
    shim.mkdir(exist_ok=True)
    (shim / "git").write_text(GIT_SHIM)
    (shim / "git").chmod(0o755)
    return {"KILL_AT": at, "KILL_WHEN": when, "KILL_MARK": str(killed_mark(tmp_path)),
            "KILL_NTH": str(nth or ""), "GIT_LOG": str(log or ""),
            "REAL_GIT": shutil.which("git") or "git",
            "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}


def killed_mark(tmp_path: Path) -> Path:
    return tmp_path / "killed"
