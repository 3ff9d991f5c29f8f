"""An `extend` chain resolved as ruff itself resolves it: for generated parent and child
configs, the rules reviewloop's ruff run reports with the merged table (`ruff_lookup.merged`
into `ruff_config.project_arguments`) are the rules plain `ruff check` reports with the
child config, which ruff follows to its parent."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.analyzers.ruff_config import project_arguments
from reviewloop.checks.analyzers.ruff_lookup import merged

CODE = "import os\nprint(1)\nx = 1 == None\n"  # F401, T201, E711
RULES = ("F401", "T201", "E711", "E")
LISTS = st.lists(st.sampled_from(RULES), max_size=2, unique=True)
OPTIONAL = {
    "select": LISTS, "extend-select": LISTS, "ignore": LISTS,
    "per-file-ignores": st.sampled_from([{"*.py": ["T201"]}, {"other.py": ["F401"]}]),
    "extend-per-file-ignores": st.sampled_from([{"*.py": ["E711"]}, {"x.py": ["F401"]}]),
}
LINT = st.fixed_dictionaries({}, optional=OPTIONAL)
# the parent selects: ruff's own default selection (which differs between its versions) is
# not what is compared
PARENT = st.fixed_dictionaries({"select": st.lists(st.sampled_from(RULES), min_size=1,
                                                   max_size=2, unique=True)},
                               optional={k: v for k, v in OPTIONAL.items() if k != "select"})


def _toml(lint: dict[str, Any], extend: str | None = None) -> str:
    lines = [f'extend = "{extend}"'] if extend else []
    lines.append("[lint]")
    for key, value in lint.items():
        if isinstance(value, dict):
            value = "{" + ", ".join(f"{json.dumps(k)} = {json.dumps(v)}"
                                    for k, v in value.items()) + "}"
            lines.append(f"{key} = {value}")
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def _rules(folder: Path, arguments: list[str]) -> set[str]:
    argv = [*ruff_command(), "check", "--no-cache", "--output-format", "json", *arguments,
            "sub/x.py"]
    done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return {f["code"] for f in json.loads(done.stdout)}


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parent=PARENT, child=LINT)
# the reviewer's two cases: the parent's ignore kept under the child's own; the child's
# per-file table replacing the parent's
@example(parent={"select": ["E", "T201"], "ignore": ["T201"]}, child={"ignore": ["E711"]})
@example(parent={"select": ["T201"], "per-file-ignores": {"*.py": ["T201"]}},
         child={"per-file-ignores": {"other.py": ["T201"]}})
def test_the_merged_chain_reports_what_ruff_reports(tmp_path_factory, parent, child):
    folder = tmp_path_factory.mktemp("chain")
    (folder / "sub").mkdir()
    (folder / "ruff.toml").write_text(_toml(parent))
    (folder / "sub" / "ruff.toml").write_text(_toml(child, "../ruff.toml"))
    (folder / "sub" / "x.py").write_text(CODE)
    plain = _rules(folder, ["--config", "sub/ruff.toml"])
    table = merged(tomllib.loads(_toml(parent)), tomllib.loads(_toml(child, "../ruff.toml")))
    arguments = project_arguments(table)
    ours = set() if arguments is None else _rules(folder, arguments)
    assert ours == plain, (parent, child, table)
