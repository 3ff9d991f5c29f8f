"""What a `reviewloop` process spends before it reviews: importing the modules an offline
review uses, with and without the dataclass methods compiled once (`cli.dataclass_cache`).

    python benchmarks/startup.py [--repeats 15]
    python benchmarks/startup.py --eslint REV [--repeats 15]

Each sample is a new Python process importing the review's modules (the CLI, the review,
its offline round, the secrets scanner), as `reviewloop review` does before it reads the
change; its CPU (`time.process_time`) is printed. "cached" processes install the cache
first, as `reviewloop.__main__` does (the first one fills it, in a folder of its own:
`PYTHONPYCACHEPREFIX`); "compiled" ones do not. The two kinds alternate so the machine's
load falls on both; medians are printed.

`--eslint REV`: the ESLint child a review starts, on a change of one JavaScript file, with this
tree's flat config (`node/eslint/reviewloop.config.mjs`) and with REV's, alternating, the same
files' facts and rules handed to both: its wall time and CPU (the child's user + system).
ESLint is the tools folder's (`REVIEWLOOP_TOOLS_DIR`, else the default; `reviewloop tools
install eslint`).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from benchmarks.big_inputs import users_env  # noqa: E402

ROOT = _HERE.parent

_SAMPLE = r"""
import json, sys, time
from pathlib import Path
started = time.process_time()
if sys.argv[1] == "cached":
    import reviewloop
    from reviewloop.cli.dataclass_cache import remember
    remember(Path(reviewloop.__file__).parent)
import reviewloop.cli.app, reviewloop.cli.review, reviewloop.runs.offline
import reviewloop.checks.secrets.scanner
print(json.dumps({"cpu": time.process_time() - started}))
"""


def sample(kind: str, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-P", "-c", _SAMPLE, kind], env=env, check=True,
                          capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout)


_PAGE = """\
export async function load(urls, code) {
  const out = [];
  for (const url of urls) out.push(await fetch(url));
  return out.length ? eval(code) : null;
}
"""


def eslint_startup(rev: str, repeats: int) -> int:
    """The ESLint child on one JavaScript file: this tree's config against REV's."""
    from reviewloop.checks.analyzers import eslint, eslint_env, eslint_rules
    from reviewloop.checks.analyzers.provision import TOOLS, home

    node, tool = shutil.which("node"), home(TOOLS["eslint"])
    if node is None or tool is None:
        print("ESLint is not installed (reviewloop tools install eslint) or node is missing")
        return 2
    mjs = eslint.CONFIG.relative_to(ROOT).as_posix()
    with tempfile.TemporaryDirectory(prefix="reviewloop-eslint-startup-") as scratch:
        folder = Path(scratch)
        configs = {"this tree": eslint.CONFIG, rev: folder / "then.config.mjs"}
        configs[rev].write_text(subprocess.run(["git", "show", f"{rev}:{mjs}"], cwd=ROOT,
                                               check=True, capture_output=True,
                                               text=True).stdout, encoding="utf-8")
        page = folder / "web" / "page.js"
        page.parent.mkdir()
        page.write_text(_PAGE, encoding="utf-8")
        facts = folder / "files.json"
        facts.write_text(eslint_env.to_json({str(page): eslint_env.FileFacts(
            "js", eslint_env.UNKNOWN, eslint_env.MODULE, False)}, folder), encoding="utf-8")
        env = users_env() | {"REVIEWLOOP_ESLINT_HOME": str(tool), "NODE_OPTIONS": "",
                             "NODE_PATH": "", "REVIEWLOOP_ESLINT_FILES": str(facts),
                             "REVIEWLOOP_ESLINT_RULES": eslint_rules.config_json()}
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in configs}
        for _ in range(repeats):
            for name, config in configs.items():
                argv = eslint.command(node, tool, [str(page)])
                argv[argv.index("--config") + 1] = str(config)
                runs[name].append(_child(argv, env))
    for name, found in runs.items():
        wall = statistics.median(w for w, _ in found)
        cpu = statistics.median(c for _, c in found)
        print(f"{name:>10}: ESLint on one JS file {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms"
              f" CPU (medians of {len(found)}; wall {min(w for w, _ in found) * 1000:.0f}–"
              f"{max(w for w, _ in found) * 1000:.0f} ms)")
    return 0


def _child(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one ESLint run, which must report the page's eval."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd="/", capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if '"no-eval"' not in done.stdout:
        raise SystemExit(f"ESLint did not report the page's eval: {done.stderr[-1000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--eslint", metavar="REV",
                        help="time the ESLint child with this tree's config and REV's")
    args = parser.parse_args(argv)
    if args.eslint:
        return eslint_startup(args.eslint, args.repeats)
    with tempfile.TemporaryDirectory(prefix="reviewloop-startup-") as prefix:
        env = users_env() | {"PYTHONPYCACHEPREFIX": prefix, "PYTHONPATH": str(ROOT)}
        sample("cached", env)  # bytecode for both kinds, and the cache filled
        runs: dict[str, list[dict[str, float]]] = {"compiled": [], "cached": []}
        for _ in range(args.repeats):
            for kind, found in runs.items():
                found.append(sample(kind, env))
    for kind, found in runs.items():
        cpu = statistics.median(r["cpu"] for r in found)
        print(f"{kind:>8}: imports {cpu * 1000:.0f} ms CPU (median of {len(found)})")
    saved = (statistics.median(r["cpu"] for r in runs["compiled"])
             - statistics.median(r["cpu"] for r in runs["cached"]))
    print(f"the cache saves {saved * 1000:.0f} ms of each start-up")
    return 0


if __name__ == "__main__":
    sys.exit(main())
