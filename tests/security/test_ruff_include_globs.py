"""The project's ruff `include` / `extend-include` globs match what ruff's match. With
`extend-include = ["**/*.py3"]`, plain `ruff check .` lints a root-level `tool.py3` (a
leading `**/` matches no folder too), with `*.{cgi,py3}` a `bin/run.cgi`, with `**/bin/*`
the extension-less `bin/manage`; the review matched the patterns with `fnmatch`, read those
files as text of no language, and passed complete (fuzz round 6, D10).

Generated: glob spellings (a prefix — none, `**/`, `./`, a folder, `*/` — before a stem —
`*`, a name, `{a,b}` alternatives, `[...]` classes, `?` — and whole patterns with `/**` and
`/**/`), one or two at a time, over a fixed tree of files no suffix makes Python. The files
the review's ruff reads must be exactly those `ruff check --show-files` lists."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff import ruff_command
from tests.support.project_rules import reviewed

CODE = "print(undefined_name)\n"
FILES = ("tool.py3", "pkg/tool.py3", "deep/a/b/c.py3", "bin/manage", "bin/run.cgi",
         "scripts/sub/deploy", "xbin/m", "tool.pyx")
PREFIXES = ("", "**/", "./", "bin/", "*/", "deep/**/", "scripts/")
STEMS = ("*", "tool.py3", "*.py3", "*.{cgi,py3}", "[mr]*", "[!t]*", "*.p?3", "manage",
         "**")
WHOLE = ("scripts/**", "**/bin/*", "deep/**/*.py3", "**/*.{py3,pyx}", "{bin,xbin}/*")

patterns = st.one_of(st.builds(str.__add__, st.sampled_from(PREFIXES), st.sampled_from(STEMS)),
                     st.sampled_from(WHOLE))


def _listed(root: Path) -> set[str]:
    """The files plain `ruff check --show-files` would lint, of `FILES`."""
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--show-files", "."],
                          cwd=root, capture_output=True, text=True, check=True)
    shown = {Path(line.strip()).resolve() for line in done.stdout.splitlines() if line.strip()}
    return {f for f in FILES if (root / f).resolve() in shown}


@settings(max_examples=14, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(patterns, min_size=1, max_size=2, unique=True))
def test_the_files_ruff_reads_are_the_ones_its_globs_include(drawn: list[str]) -> None:
    config = f"extend-include = {json.dumps(drawn)}\n"
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "r"
        report = reviewed(root, {"ruff.toml": config}, dict.fromkeys(FILES, CODE))
        plain = _listed(root)
    read = {row["path"] for row in report["health"]["files"]
            if any(str(r).startswith("ruff-maintainability") for r in row["analysed_by"])}
    assert read & set(FILES) == plain, (drawn, sorted(read), sorted(plain))
