"""npm's `minimatch`, run with node over a grid of patterns × paths: the oracle for the globs
Kiro reads (hook `when.patterns`, steering `fileMatchPattern`).

The package comes from the `minimatch-oracle` fixture's committed lockfile (`npm_fixture`), so
tests using it are marked `npm`. Options are Kiro's as reviewloop reads them: `dot` (a
dot-folder's file is a file like any other) and `matchBase` (`*.ts` matches `src/a.ts`),
which minimatch applies to each brace-expanded alternative without `/` on its own:
`{docs/**,*.md}` matches `a/README.md`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence

from tests.support.npm_fixture import FIXTURES, installed

_SCRIPT = """
const mm = require(process.argv[1]);
const [patterns, paths] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {};
for (const p of patterns) {
  const opts = {dot: true, matchBase: true};
  out[p] = paths.map(f => mm.minimatch(f, p, opts));
}
process.stdout.write(JSON.stringify(out));
"""


def minimatch_grid(patterns: Sequence[str], paths: Sequence[str]
                   ) -> dict[tuple[str, str], bool]:
    """{(pattern, path): minimatch's answer} for every pair."""
    modules = installed(FIXTURES / "minimatch-oracle")
    proc = subprocess.run(["node", "-e", _SCRIPT, str(modules / "minimatch")],
                          input=json.dumps([list(patterns), list(paths)]),
                          capture_output=True, text=True, check=True, timeout=120)
    answers = json.loads(proc.stdout)
    return {(p, f): bool(hit) for p in patterns for f, hit in zip(paths, answers[p],
                                                                  strict=True)}


# A fixed product of variants: folder parts × file parts, each a construct Kiro's users write
# (braces, classes, extglobs, `**`, negation), plus the forms reviewloop refuses.
FOLDERS = ("", "src/", "**/", "src/**/", "{src,lib}/", "[sl]*/", ".*/", "src/*/",
           "@(src|lib)/", "!", "!!")
FILES = ("*.ts", "*.{ts,tsx}", "[A-Z]*.tsx", "*.[jt]s", "file[0-9].py", "?(x)*.py", "[!a]*.ts",
         "[^a]*.ts", "**", "*", "a.{1..3}.py", "+(a|b).ts", "{a,b{c,d}}.py",
         "[[:upper:]]*.tsx", "*.py[cod]", "a{,b}.ts", "*(a).ts", "[a-]*.ts", "[]a]*.ts",
         "*.{ts}", "{**/*.ts,*.py}", "*.test.{ts,js}", "x/{a,b")
REFUSED = ("/src/*.ts", "./src/*.ts", "src/../src/b.ts", "src/", "**/", "#x", "", "!",
           "src\\*.ts", "{a,b}" * 11)
PATHS = ("src/a1.ts", "src/b.ts", "src/c.tsx", "src/App.tsx", "src/deep/App.tsx",
         "src/file1.py", "lib/x.py", "test/x.py", "x.ts", "src/x.js", "a.ts", "ab.ts", "bd.py",
         "a.2.py", ".github/x.ts", "src/.hidden.ts", "src/a.pyc", "xy.py", "lib/sub/a.ts",
         "-a.ts", "]a.ts", "a/x/y/b.py", ".ts", "src/a.test.ts", "x/{a,b", "src",
         "a/README.md", "docs/a/b.txt")
# braces whose alternatives mix a path and a bare name: matchBase applies to the bare ones
MIXED = ("{docs/**,*.md}", "{src/**/*.ts,*.py}", "{src/*,*.tsx}", "{**/x.py,a.*}",
         "{lib/**,x.ts}", "src/{*.ts,deep/*}", "{*.md,!(*.ts)}")


def pattern_grid() -> list[str]:
    return [folder + file for folder in FOLDERS for file in FILES] + list(MIXED)


_MICROMATCH = """
const mm = require(process.argv[1]);
const [patterns, paths] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {};
for (const p of patterns) {
  // lint-staged's options (lib/generateTasks.js)
  const opts = {dot: true, matchBase: !p.includes('/'), posixSlashes: true, strictBrackets: true};
  out[p] = paths.map(f => mm.isMatch(f, p, opts));
}
process.stdout.write(JSON.stringify(out));
"""


def micromatch_grid(patterns: Sequence[str], paths: Sequence[str]
                    ) -> dict[tuple[str, str], bool]:
    """{(pattern, path): micromatch's answer with lint-staged's options} for every pair: the
    oracle for a lint-staged config's globs. micromatch 4.0.8 is the one the `jest-service`
    fixture's committed lockfile installs (jest's own)."""
    modules = installed(FIXTURES / "jest-service")
    proc = subprocess.run(["node", "-e", _MICROMATCH, str(modules / "micromatch")],
                          input=json.dumps([list(patterns), list(paths)]),
                          capture_output=True, text=True, check=True, timeout=120)
    answers = json.loads(proc.stdout)
    return {(p, f): bool(hit) for p in patterns for f, hit in zip(paths, answers[p],
                                                                  strict=True)}
