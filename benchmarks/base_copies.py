"""What comparing with the change's base costs a review of a TypeScript change.

    python benchmarks/base_copies.py [--files 400] [--size 4000] [--tools DIR]

A project of `--files` TypeScript files (about `--size` bytes each) under one root
`tsconfig.json`; the change edits the last line of one of them, which holds a finding of
each ESLint view (security, maintainability, performance) far above that line. Each view
compares its findings off the change's lines with a lint of the file at the change's base
(`reviewloop/review/introduced.py`), and a file linted with types has its whole tsconfig
project in the copy of the base: here the repository.

`reviewloop review --base main --head feature -v` runs in a child process; printed: how
many base copies the review made, the files and bytes written into them (the debug log's
`the change's base … removed: …` lines), and the child's wall and CPU time (its waited-for
descendants' too: ESLint). Exit 1 when the review made more than one base copy.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import child_env, git, init_repo, workdir  # noqa: E402

CHANGED = """\
export function run(code: string): unknown { return eval(code); }
export async function each(xs: string[]): Promise<void> {
  for (const x of xs) { await Promise.resolve(x); }
}
const leftOver = 1;
"""
MADE = re.compile(r"the change's base made in ")
REMOVED = re.compile(r"the change's base in \S+ removed: ([\d,]+) files written "
                     r"\(([\d,]+) bytes\)")


def project(root: Path, files: int, size: int) -> None:
    """`files` TypeScript modules of about `size` bytes under a root tsconfig."""
    (root / "package.json").write_text('{"name": "bench", "type": "module"}\n')
    (root / "tsconfig.json").write_text('{"compilerOptions": {"strict": true, "target": '
                                        '"ES2022", "module": "ES2022", "moduleResolution": '
                                        '"bundler"}}\n')
    src = root / "src"
    src.mkdir()
    for n in range(files):
        lines = [f"export const value{n}_{i}: number = {i};" for i in range(size // 40)]
        (src / f"m{n}.ts").write_text("\n".join(lines) + "\n")
    filler = "\n".join(f"export const pad{i} = {i};" for i in range(20))
    (src / "changed.ts").write_text(f"{CHANGED}{filler}\nexport const last = 1;\n")


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[str, float, float]:
    """The child's stderr, wall time and CPU time (its own and its waited-for children's)."""
    err = cwd.parent / "stderr.txt"
    with open(err, "w") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                stderr=sink, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the review failed:\n{err.read_text()[-3000:]}")
    return err.read_text(), wall, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--size", type=int, default=4000)
    parser.add_argument("--tools", type=Path, help="a tools folder to use")
    options = parser.parse_args()
    extra = {"REVIEWLOOP_TOOLS_DIR": str(options.tools)} if options.tools else {}
    with workdir() as where:
        root = where / "r"
        root.mkdir()
        project(root, options.files, options.size)
        init_repo(root, branch="feature")
        changed = root / "src" / "changed.ts"
        changed.write_text(changed.read_text().replace("last = 1", "last = 2"))
        git(root, "commit", "-qam", "change")
        log, wall, cpu = timed([sys.executable, "-m", "reviewloop", "-v", "review", "--base",
                                "main", "--head", "feature", "--format", "json",
                                "--fail-on", "never"], root, child_env(None, **extra))
    copies = [tuple(int(n.replace(",", "")) for n in m.groups()) for m in REMOVED.finditer(log)]
    print(f"project: {options.files + 1} TypeScript files, one changed")
    print(f"base copies made: {len(MADE.findall(log))}")
    print(f"files written: {sum(c[0] for c in copies):,}; bytes: {sum(c[1] for c in copies):,}")
    print(f"review wall: {wall:.2f} s; CPU (with ESLint): {cpu:.2f} s")
    return 0 if len(MADE.findall(log)) <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
