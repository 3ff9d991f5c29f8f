"""A config passed with `--config` (the project's pre-commit hook's, `ruff_lookup.Lookup`'s
`config`) has its path patterns read from ruff's working folder, the root, not from its own
folder: for generated `per-file-ignores` patterns and `src` folders in `ci/lint/ruff.toml`,
the rules reviewloop's project run reports with the config written out (`ruff_chain.written`)
are those plain `ruff check --config ci/lint/ruff.toml` reports on each file."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.analyzers.ruff_chain import written
from reviewloop.checks.analyzers.ruff_lookup import Lookup

CODE = "import os\nprint(1)\n"  # F401, T201
FILES = ("pkg/x.py", "ci/lint/x.py", "x.py")
PATTERNS = st.sampled_from(["pkg/*", "pkg/x.py", "x.py", "*.py", "ci/*", "ci/lint/*",
                            "./pkg/*", "*/x.py", "!pkg/*", "lint/*"])
TABLES = st.dictionaries(PATTERNS, st.lists(st.sampled_from(["F401", "T201"]), min_size=1,
                                            unique=True), min_size=1, max_size=3)
CONFIG = "ci/lint/ruff.toml"


def _rules(folder: Path, config: str, path: str) -> set[str]:
    argv = [*ruff_command(), "check", "--no-cache", "--output-format", "json", "--config",
            config, path]
    done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return {f["code"] for f in json.loads(done.stdout)}


def _toml(table: dict[str, list[str]]) -> str:
    return ('[lint]\nselect = ["F401", "T201"]\n[lint.per-file-ignores]\n' +
            "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in table.items()))


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=TABLES)
@example(table={"pkg/*": ["F401"]})
@example(table={"!pkg/*": ["T201"]})
def test_the_hook_configs_patterns_are_read_from_the_root(
        tmp_path_factory: Any, table: dict[str, list[str]]) -> None:
    folder = Path(os.path.realpath(tmp_path_factory.mktemp("hooked")))
    for path in (*FILES, CONFIG):
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG).write_text(_toml(table))
    for path in FILES:
        (folder / path).write_text(CODE)

    def read(path: str) -> str | None:
        file = folder / path
        return file.read_text() if file.is_file() else None

    lookup = Lookup(None, read, config=CONFIG)
    for path in FILES:
        governing = lookup.of(path)
        assert governing is not None and governing.path == CONFIG
        scratch = folder / "scratch" / path.replace("/", "_")
        scratch.mkdir(parents=True)
        ours = written(governing.layers, str(folder), scratch, None)
        assert _rules(folder, str(ours), str(folder / path)) == \
            _rules(folder, CONFIG, path), (table, path)
