"""Exporting a commit's files (what `review --head` and the trusted side read) against
`git archive`, the floor for writing a tree out.

    python benchmarks/export.py [--files 3000] [--runs 3] [--repo DIR]

Builds a repository of `--files` small Python files in 50 folders (or takes the
repository at --repo: flask's sources, say), then times
`Repository.export_files(HEAD, ["."])` and `git archive HEAD | tar -x` alternately, and
prints the median ratio (target ≤ 1.5). Exit 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from reviewloop.git.repository import open_repository  # noqa: E402

TARGET = 1.5


def build(root: Path, files: int) -> None:
    for i in range(files):
        path = root / f"pkg_{i % 50}" / f"module_{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"value_{n} = {n}\n" for n in range(20)))
    for argv in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
                  "commit", "-qm", "files"]):
        subprocess.run(["git", *argv], cwd=root, check=True)


def timed(action) -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        action(Path(out))
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repo", type=Path, help="a repository to export instead")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.repo.resolve() if args.repo else Path(tmp)
        if args.repo is None:
            build(root, args.files)
        repo = open_repository(root)
        count = len(repo.git("ls-files", "-z").split("\0")) - 1

        def archive(out: Path) -> None:
            subprocess.run(f"git archive HEAD | tar -x -C '{out}'", shell=True, cwd=root,
                           check=True)

        ratios = []
        for _ in range(args.runs):
            ours = timed(lambda out: repo.export_files("HEAD", ["."], out))
            floor = timed(archive)
            ratios.append(ours / floor)
            print(f"export_files {ours:.2f} s, git archive {floor:.2f} s")
    ratio = statistics.median(ratios)
    print(f"export of {count} files ÷ git archive (median of {args.runs}): {ratio:.2f} "
          f"(target ≤ {TARGET})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
