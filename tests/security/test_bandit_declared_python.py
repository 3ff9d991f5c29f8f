"""A shell injection has bandit's severity in every file ruff reads as Python, not only in
`.py` files. A file the project's ruff configuration includes (`extend-include =
["*.py3"]`, `include = [..., "bin/*"]`) was ruff's alone: with the project's `S` rules its
`subprocess.call(x, shell=True)` came out as ruff's S602 at a nit, while the same code in a
`.py` file is bandit's B602 at must_fix. bandit reads any file it is named, so it now reads
those files too.

A fixed product: each file kind ruff reads that `bandit -r .` does not (an included suffix,
an extension-less script an include names, a `.pyi` stub, a `.pyw` script, a script with a
Python shebang and no suffix) × the configuration's spelling (`pyproject.toml`'s
`[tool.ruff]` with `extend-include`, `ruff.toml` with `include`), in one pull request each,
against plain bandit on the same code in a `.py` file."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.bandit import severity
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

CODE = ("import subprocess\n\n\ndef run(command):\n"
        "    return subprocess.call(command, shell=True)\n")
SHEBANG = "#!/usr/bin/env python3\n"
# path → its text: what ruff reads as Python (by the config, or by default) and bandit -r not
KINDS = {"tools/Toolbox.py3": CODE, "bin/deploy": CODE, "stubs/api.pyi": CODE,
         "gui/launch.pyw": CODE, "scripts/sync": SHEBANG + CODE}
CONFIGS = {
    "pyproject.toml": '[project]\nname = "x"\n\n[tool.ruff]\n'
                      'extend-include = ["*.py3", "bin/*"]\n\n[tool.ruff.lint]\n'
                      'extend-select = ["S"]\n',
    "ruff.toml": 'include = ["*.py", "*.pyi", "*.py3", "bin/*"]\n\n[lint]\n'
                 'extend-select = ["S"]\n',
}


def _plain_bandit(folder: Path) -> str:
    """The severity reviewloop's table gives plain bandit's B602 on CODE in a `.py` file."""
    (folder / "twin.py").write_text(CODE, "utf-8")
    done = subprocess.run([sys.executable, "-m", "bandit", "-q", "-f", "json", "twin.py"],
                          cwd=folder, capture_output=True, text=True, check=False)
    issue = next(r for r in json.loads(done.stdout)["results"] if r["test_id"] == "B602")
    return severity(issue["issue_severity"], issue["issue_confidence"]).value


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_a_shell_injection_has_bandits_severity_in_every_file_ruff_reads(config: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        expected = _plain_bandit(Path(scratch))
        root = init_repo(Path(scratch) / "r", {config: CONFIGS[config], "README.md": "base\n"})
        git(root, "checkout", "-qb", "feature")
        commit(root, {**KINDS, "app/twin.py": CODE}, "add the scripts")
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = report["findings"]["remaining"] + report["findings"]["nits"]
    for path in [*KINDS, "app/twin.py"]:
        shell = {(f["rule"], f["severity"]) for f in found if f["file"] == path
                 and f["rule"] in ("B602", "S602")}
        assert ("B602", expected) in shell, (config, path, shell)
