"""Analyzer time on a small diff against the same analyzers on the whole repository.

    python benchmarks/analyzers.py [--files 200]

Builds a mid-size fixture repository (N Python modules of ~100 lines, generated with a
fixed seed), changes 5% of its files, and times the analyzer layer of the security,
maintainability and performance reviewers (bandit, secrets, ruff) on that diff and on the
whole repository as one diff. Prints both wall times and their ratio; then the big-input
figures of `benchmarks/big_inputs.py`: an offline review with a 1 MB added text file, and
review time with a stray untracked 500 MB `.venv` over the time without it.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# This folder holds secrets.py, which must not shadow the standard library's `secrets`.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from reviewloop.review.definitions import load_agents  # noqa: E402
from reviewloop.review.evidence import run_for_agent  # noqa: E402

AGENTS = ("review-security", "review-maintainability", "review-performance")
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def module(rng: random.Random, index: int) -> str:
    lines = [f'"""Generated module {index}."""', "", "import subprocess", ""]
    for f in range(12):
        lines += ["", f"def func_{index}_{f}(items, key):",
                  f'    """Function {f} of module {index}."""', "    out = []",
                  "    for item in items:", "        if item.get(key) is not None:",
                  f"            out.append(item[key] * {rng.randint(1, 9)})",
                  "    return out"]
    return "\n".join(lines) + "\n"


def build(root: Path, files: int) -> list[Path]:
    rng = random.Random(7)
    paths = []
    for i in range(files):
        path = root / "pkg" / f"mod_{i:03d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(module(rng, i))
        paths.append(path)
    for args in (["init", "-q", "-b", "main"], ["add", "."],
                 ["-c", "user.name=bench", "-c", "user.email=b@x", "commit", "-qm", "fixture"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return paths


def change(paths: list[Path], share: float) -> None:
    for path in paths[: max(1, int(len(paths) * share))]:
        path.write_text(path.read_text() + "\n\ndef added(cmd):\n"
                        "    return subprocess.call(cmd, shell=True)\n")


def timed(root: Path, diff_text: str) -> tuple[float, int]:
    agents = [a for a in load_agents(root).agents if a.name in AGENTS]
    started = time.perf_counter()
    found = sum(len(run_for_agent(a, root, diff_text).findings) for a in agents)
    return time.perf_counter() - started, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=2, help="for the big-input figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = build(root, args.files)
        change(paths, 0.05)
        diff = subprocess.run(["git", "diff"], cwd=root, capture_output=True, text=True).stdout
        subprocess.run(["git", "add", "."], cwd=root, check=True)
        whole = subprocess.run(["git", "diff", "--cached", EMPTY_TREE], cwd=root,
                               capture_output=True, text=True).stdout
        small_s, small_n = timed(root, diff)
        whole_s, whole_n = timed(root, whole)
    lines = sum(p.count("\n") for p in (whole,))
    print(f"fixture: {args.files} modules, {lines} diff lines for the whole repository")
    print(f"5% diff ({max(1, int(args.files * 0.05))} files): {small_s:.2f} s, "
          f"{small_n} findings")
    print(f"whole repository:   {whole_s:.2f} s, {whole_n} findings")
    print(f"ratio (diff / whole): {small_s / whole_s:.2f}")
    # Big inputs: a 1 MB added text file, and a stray untracked 500 MB `.venv` (the whole
    # set, with the comparison against bare bandit + ruff: benchmarks/big_inputs.py).
    from benchmarks import big_inputs

    big_inputs.main(["--only", "ab", "--repeats", str(args.repeats)])


if __name__ == "__main__":
    main()
