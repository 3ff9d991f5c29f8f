"""Plain ESLint's merged rules for a file, as `eslint --print-config FILE` shows them: the
oracle for what an edit of a flat config does to each rule. Many configs in one node run
(`ESLint.calculateConfigForFile`), each in its own folder."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.provision import TOOLS, home

_SCRIPT = """
const { ESLint } = require(process.argv[1]);
(async () => {
  const out = [];
  for (const folder of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {
    const eslint = new ESLint({ cwd: folder });
    out.push((await eslint.calculateConfigForFile(folder + '/a.js')).rules);
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def merged_rules(folder: Path, configs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """ESLint's rules for `a.js` under each (config file name, its text) of `configs`, each
    written to a folder of its own in `folder`: rule → [severity 0-2, options…]."""
    eslint, node = home(TOOLS["eslint"]), shutil.which("node")
    assert eslint is not None and node is not None, "eslint_tools installs ESLint beside node"
    folders = []
    for index, (name, text) in enumerate(configs):
        place = folder / f"c{index}"
        place.mkdir()
        (place / name).write_text(text, encoding="utf-8")
        (place / "a.js").write_text("export const a = 1;\n", encoding="utf-8")
        folders.append(str(place))
    done = subprocess.run([node, "-e", _SCRIPT, str(eslint / "node_modules/eslint")],
                          input=json.dumps(folders), capture_output=True, text=True,
                          timeout=300, check=True)
    rules: list[dict[str, Any]] = json.loads(done.stdout)
    return rules


def loosens(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """Whether ESLint's merged rules `new` check less than `old` anywhere: a rule lowered,
    its options changed (either way: an option may widen what a rule allows)."""
    for rule in new.keys() | old.keys():
        before, after = old.get(rule, [0]), new.get(rule, [0])
        if after[0] < before[0] or (after[0] and before[0] and after[1:] != before[1:]):
            return True
    return False

