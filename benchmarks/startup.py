"""What a `reviewloop` process spends before it reviews: importing the modules an offline
review uses, with and without the dataclass methods compiled once (`cli.dataclass_cache`).

    python benchmarks/startup.py [--repeats 15]

Each sample is a new Python process importing the review's modules (the CLI, the review,
its offline round, the secrets scanner), as `reviewloop review` does before it reads the
change; its CPU (`time.process_time`) is printed. "cached" processes install the cache
first, as `reviewloop.__main__` does (the first one fills it, in a folder of its own:
`PYTHONPYCACHEPREFIX`); "compiled" ones do not. The two kinds alternate so the machine's
load falls on both; medians are printed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
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
