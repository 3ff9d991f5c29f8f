"""One batch of generated JS files, each reviewed and linted by plain ESLint once: a
repository whose base has each file's trusted text and whose change (branch `feature`)
deletes what defines `compute` in each, so ESLint's no-undef on the unchanged line that
uses it is reported, or silenced by a comment the base wrote."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_files
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import outcomes, reviewed_in

# what declares `compute` in the base, by suffix (a CommonJS file cannot `import`)
DEFINES = {".cjs": 'const { compute } = require("./c.cjs");\n',
           "": 'import { compute } from "./c.js";\n'}
REPLACED = {".cjs": "const other = 1;\nexports.other = other;\n",
            "": "const other = 1;\nexport { other };\n"}


def copied(template: Path, to: Path) -> Path:
    """A copy of the repository `template` at `to`, its links kept: a batch built and
    answered by plain ESLint once per module, reviewed in each mode on a copy of its own
    (a review leaves its state, `.reviewloop/`, in the tree it reads)."""
    shutil.copytree(template, to, symlinks=True)
    return to


@dataclass(frozen=True)
class Answers:
    """Which files no-undef is reported in: by plain ESLint (`eslint`), by it with inline
    config off (`uncommented`), and the review's suppressed and reported files."""

    eslint: set[str]
    uncommented: set[str]
    suppressed: set[str]
    reported: set[str]


def answers(tmp_path: Path, bodies: dict[str, str], config: str) -> Answers:
    """Each of `bodies` (path → the text after the definition) in one repository, ESLint's
    `config` given from outside it (reviewloop's own run reports no-undef)."""
    def kind(path: str) -> str:
        return ".cjs" if path.endswith(".cjs") else ""

    written = tmp_path / "eslint.config.mjs"
    written.write_text(config, encoding="utf-8")
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      **{p: DEFINES[kind(p)] + b for p, b in bodies.items()}})
    git(root, "checkout", "-qb", "feature")
    write_files(root, {p: REPLACED[kind(p)] + b for p, b in bodies.items()})

    def undefined(*args: str) -> set[str]:
        return rule_files(plain_eslint(root, "-c", str(written), *args), "no-undef")

    suppressed, reported = outcomes(reviewed_in(root, "head"), "no-undef")
    return Answers(undefined(), undefined("--no-inline-config"), suppressed, reported)
