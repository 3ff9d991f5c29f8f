"""A semgrep-sized labelled corpus reviewed offline, against bandit alone on the same files.

    python benchmarks/corpus.py [--corpus DIR] [--repeats 1] [--profile]

The corpus is the labelled Python test files of the semgrep-rules repository (each
`# ruleid:` comment marks the line below it as a true positive; 1,300 to 1,550 of them,
depending on the copy): pass the `python/` folder of a copy cached outside this repository
as --corpus, or set
REVIEWLOOP_SEMGREP_CORPUS. Without one, a generated corpus of the same shape is used
(`labelled_corpus`: 1,334 `# ruleid:` lines over 320 files, each above a line bandit or ruff
flags, with `# ok:` lines between them), and the output says so.

All files are added on top of an empty base commit and reviewed as one change
(`reviewloop review --working`, offline: no model); bandit runs alone on the same files in
the same run, as the analyzer runs it. Prints both walls and CPU (the review's CPU includes
its analyzers' subprocesses), the ratio (target ≤ 2 by wall), the findings, and with
--profile where the review's Python time goes (py-spy, from PATH or REVIEWLOOP_PY_SPY).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GIT_ID = ("-c", "user.name=bench", "-c", "user.email=bench@example.invalid")
REVIEWLOOP = [sys.executable, "-P", "-m", "reviewloop"]

# (rule id, a line bandit or ruff flags): the generated corpus's true positives
POSITIVES = (
    ("subprocess-shell-true", "subprocess.call(cmd, shell=True)"),
    ("eval-injection", "eval(user_input)"),
    ("exec-injection", "exec(user_input)"),
    ("pickle-load", "pickle.loads(payload)"),
    ("yaml-load", "yaml.load(payload)"),
    ("insecure-hash-md5", "hashlib.md5(payload)"),
    ("insecure-hash-sha1", "hashlib.sha1(payload)"),
    ("os-system", "os.system(cmd)"),
    ("tempfile-mktemp", "tempfile.mktemp()"),
    ("requests-no-verify", "requests.get(url, verify=False, timeout=5)"),
    ("hardcoded-bind-all", "sock.bind(('0.0.0.0', 8080))"),
    ("marshal-load", "marshal.loads(payload)"),
    ("insecure-random", "token = random.random()"),
    ("sql-format", "cursor.execute('SELECT * FROM t WHERE id = %s' % user_input)"),
    ("telnet", "telnetlib.Telnet(host)"),
)
NEGATIVES = (
    "subprocess.call(['ls', '-l'])",
    "ast.literal_eval(user_input)",
    "yaml.safe_load(payload)",
    "hashlib.sha256(payload)",
    "requests.get(url, timeout=5)",
)
HEADER = ("import ast\nimport hashlib\nimport marshal\nimport os\nimport pickle\n"
          "import random\nimport subprocess\nimport telnetlib\nimport tempfile\n\n"
          "import requests\nimport yaml\n\n"
          "# every module used once, the inputs named: only the labelled lines are findings\n"
          "MODULES = (ast, hashlib, marshal, os, pickle, random, subprocess, telnetlib, "
          "tempfile,\n           requests, yaml)\n"
          "cmd = url = payload = host = ''\nsock = cursor = None\n\n\n")


def labelled_corpus(folder: Path, positives: int = 1334, files: int = 320,
                    seed: int = 24) -> None:
    """`positives` `# ruleid:` lines over `files` files, as semgrep-rules' tests are laid
    out: a function per case, the label on the line above the flagged one."""
    rng = random.Random(seed)
    counts = [positives // files + (1 if i < positives % files else 0) for i in range(files)]
    for index, count in enumerate(counts):
        body = [HEADER]
        for case in range(count):
            rule, line = rng.choice(POSITIVES)
            body.append(f"def case_{case}(user_input):\n    # ok: {rule}\n"
                        f"    {rng.choice(NEGATIVES)}\n"
                        f"    # ruleid: {rule}\n    {line}\n\n\n")
        path = folder / f"rules_{index // 40:02d}" / f"case_{index:03d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(body).rstrip() + "\n")


def ruleid_lines(files: list[Path]) -> int:
    return sum(line.lstrip().startswith("# ruleid:") for f in files
               for line in f.read_text(encoding="utf-8", errors="replace").splitlines())


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *GIT_ID, *args], cwd=root, check=True, capture_output=True)


def change_of(corpus: Path | None, tmp: Path) -> tuple[Path, list[str], str]:
    """A repository whose working tree adds every corpus file on top of an empty base."""
    root = tmp / "corpus"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "commit", "-q", "--allow-empty", "-m", "empty base")
    target = root / "python"
    if corpus is not None:
        shutil.copytree(corpus, target, ignore=shutil.ignore_patterns(
            "__pycache__", "*.yaml", "*.yml", "*.md", "*.json"))
        label = f"semgrep-rules corpus from {corpus}"
    else:
        labelled_corpus(target)
        label = "generated corpus of the same shape (no --corpus given)"
    files = sorted(p.relative_to(root).as_posix() for p in target.rglob("*.py"))
    git(root, "add", "python")
    return root, files, label


def timed(argv: list[str], root: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall, CPU of the process and its children) of one command. Its output goes to a
    file, as a report is kept: through a pipe, this process reading the review's 17 MB
    report back cost the review ~0.07 s of wall time (bandit's report is 1 MB)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "AWS_", "REVIEWLOOP_"))}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        code = subprocess.run(argv, cwd=root, env=env, stdout=out, stderr=err,
                              stdin=subprocess.DEVNULL, check=False).returncode
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(argv, code, out.read().decode(), err.read().decode())
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


def review_argv() -> list[str]:
    return [*REVIEWLOOP, "review", "--working", "--fail-on", "never", "--format", "json"]


def bandit_argv(files: list[str]) -> list[str]:
    return [sys.executable, "-m", "bandit", "-f", "json", "-q", *files]


def where_time_goes(root: Path, top: int = 15) -> None:
    """py-spy's samples of one review, by the deepest reviewloop function (or import)."""
    spy = os.environ.get("REVIEWLOOP_PY_SPY") or shutil.which("py-spy")
    if spy is None:
        print("    (--profile: py-spy not found; set REVIEWLOOP_PY_SPY)")
        return
    out = root.parent / "review.spy"
    subprocess.run([spy, "record", "-r", "100", "-f", "raw", "-o", str(out), "--",
                    *review_argv()], cwd=root, capture_output=True, check=False)
    buckets: collections.Counter[str] = collections.Counter()
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        ours = [f for f in frames if "reviewloop/" in f]
        key = "imports" if "_find_and_load" in stack else (ours[-1] if ours else frames[-1])
        buckets[key[:100]] += int(count)
    total = sum(buckets.values()) or 1
    print(f"    where the review's Python time goes ({total} samples, all threads):")
    for key, count in buckets.most_common(top):
        print(f"    {100 * count / total:5.1f} %  {key}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path,
                        default=os.environ.get("REVIEWLOOP_SEMGREP_CORPUS") or None)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reviewloop-corpus-") as tmp:
        root, files, label = change_of(args.corpus, Path(tmp))
        print(f"{label}: {len(files)} files, "
              f"{ruleid_lines([root / f for f in files]):,} `# ruleid:` lines")
        reviews, bandits = [], []
        for _ in range(args.repeats):  # interleaved: machine load hits both alike
            bandits.append(timed(bandit_argv(files), root))
            reviews.append(timed(review_argv(), root))
            shutil.rmtree(root / ".reviewloop", ignore_errors=True)
        (r_wall, r_cpu, done), (b_wall, b_cpu, alone) = min(reviews), min(bandits)
        if done.returncode != 0:
            raise SystemExit(f"the review failed: {done.stderr[-2000:]}")
        report = json.loads(done.stdout)
        found = len(report["ledger"]["entries"])
        by_bandit = len(json.loads(alone.stdout or "{}").get("results", []))
        print(f"    review  {r_wall:7.2f} s [{r_cpu:6.2f} s CPU], {found:,} ledger entries")
        print(f"    bandit  {b_wall:7.2f} s [{b_cpu:6.2f} s CPU], {by_bandit:,} results")
        print(f"    ratio {r_wall / b_wall:.2f} wall, {r_cpu / b_cpu:.2f} CPU  target ≤ 2 (wall)")
        if args.profile:
            where_time_goes(root)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
