"""The two structural levers issue #41's last CPU ratios were left with, each measured at its
ceiling on the 1,512-finding change of `benchmarks/wide_changes.py`:

    python benchmarks/launch_levers.py [--repeats 8] [--callgrind]

1. The lazy analyzer registry. An offline review of a Python change imports every built-in
   analyzer's module; the other languages' (checkov, ESLint, hadolint, zizmor, shellcheck,
   CDK, jest, …: `OTHERS`) would stay unloaded under a registry that declares their markers,
   config files, line breaks and files as data. The ceiling: a child that imports the
   review's modules (recorded from a real review) without those analyzers and without every
   module that imports one of them, against one that then imports the analyzers too.
2. bandit's start-up, the one analyzer child that repeats the review's own work: its
   interpreter, `site`, rich, `importlib.metadata` and the rest the review has loaded already.
   A child holding the review's modules runs bandit on the change's files spawned
   (`python -m bandit`, as `checks/analyzers/bandit.py` starts it, with `project_env`) and
   forked (a copy of itself that imports bandit's entry and runs it) and in its own process
   through bandit's API (`checks/analyzers/bandit_api.py`, built since): the CPU of each
   (its own and its children's), the kinds alternating.

Medians (and the best) of the CPU seconds are printed. `--callgrind` counts instructions
instead, once a case (valgrind's callgrind, `PYTHONHASHSEED=0`, every process of the case;
a forked copy less the count it inherited from its parent, which callgrind carries over).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from benchmarks.big_inputs import new_repo, users_env  # noqa: E402
from benchmarks.wide_changes import _NOISY, change  # noqa: E402

ROOT = _HERE.parent
# the other languages' analyzers: no file of their kind in a Python change
OTHERS = (r"checks\.analyzers\.(checkov|eslint|hadolint|zizmor|shellcheck|kustomize|kubernetes|"
          r"serverless|terraform|iac_|jest|script_tests|tsconfigs|dockerfile|provisioned|"
          r"failing_tests|shared_run|lossy)|checks\.cdk")
_TREE = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in "
         f"repr(f).lower()]; sys.path.insert(0, {str(ROOT)!r}); ")
# a review as `reviewloop` starts it, its modules written in load order when it ends
_RECORD = (_TREE + "import atexit; out = sys.argv.pop(1); atexit.register(lambda: "
           "open(out, 'w').write('\\n'.join(n for n in sys.modules if n != '__main__'))); "
           "from reviewloop.__main__ import main; main()")
# the review's modules, those of OTHERS and their importers left out (argv: modules file,
# mode, OTHERS): mode `dependents` writes the importers, `without`/`with` import and stop
_IMPORTS = _TREE + r"""
import importlib, re
path, mode, others = sys.argv[1], sys.argv[2], re.compile(sys.argv[3])
names = open(path).read().split()
if mode == 'dependents':
    class Refused:
        def find_spec(self, name, path=None, target=None):
            if others.search(name):
                raise ImportError(name)
    sys.meta_path.insert(0, Refused())
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:
            failed.append(name)
    open(path + '.dependents', 'w').write('\n'.join(failed))
    raise SystemExit
left_out = set(open(path + '.dependents').read().split())
for name in names:
    if not others.search(name) and name not in left_out:
        importlib.import_module(name)
if mode == 'with':
    for name in names:
        if others.search(name):
            importlib.import_module(name)
"""
# bandit on the files (argv: modules file, mode, files...), spawned, forked ("fork only":
# the copy ends at once, what callgrind counts in it is what it inherited) or in the process
# through its API (`checks/analyzers/bandit_api.py`, what a review does since r19)
_BANDIT = _TREE + r"""
import importlib, os, subprocess
path, mode, files = sys.argv[1], sys.argv[2], sys.argv[3:]
for name in open(path).read().split():
    if not name.startswith(('bandit', 'stevedore')):  # what a review loads, bandit not run
        importlib.import_module(name)
from reviewloop.sandbox.process import project_env
argv = ['-f', 'json', '-q', '--ignore-nosec', '-x', '/dev/null/none', '--', *files]
if mode == 'in process':
    from reviewloop.checks.analyzers import bandit_api
    out = bandit_api.report(files, None).encode()
elif mode == 'spawned':
    out = subprocess.run([sys.executable, '-m', 'bandit', *argv], capture_output=True,
                         env=project_env(), stdin=subprocess.DEVNULL).stdout
else:
    read, write = os.pipe()
    env = project_env()
    if (pid := os.fork()) == 0:
        if mode == 'fork only':
            os._exit(0)
        os.dup2(write, 1)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = ['bandit', *argv]
        from bandit.cli.main import main
        try:
            main()
        except SystemExit:
            pass
        os._exit(0)
    os.close(write)
    out = b''
    while chunk := os.read(read, 1 << 16):
        out += chunk
    os.waitpid(pid, 0)
print(len(out))
"""


def run(code: str, *args: str, cwd: Path, callgrind: Path | None) -> float:
    """CPU seconds (or with `callgrind`, instructions) of one child and its children. A
    forked process's callgrind count starts from its parent's at the fork, so a mode that
    forks is counted less what a copy that ends at once is counted (`fork only`)."""
    argv = [sys.executable, "-P", "-c", code, *args]
    env = users_env()
    if callgrind is not None:
        shutil.rmtree(callgrind, ignore_errors=True)
        callgrind.mkdir()
        env["PYTHONHASHSEED"] = "0"
        argv = ["valgrind", "--tool=callgrind", "--trace-children=yes",
                f"--callgrind-out-file={callgrind}/cg.%p", *argv]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if callgrind is None:
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    counts = [int(line.split()[1]) for out in callgrind.iterdir()
              for line in out.read_text(errors="replace").splitlines()
              if line.startswith("summary:")]
    if args[1:2] == ("fork only",):
        return float(min(counts))  # the copy's: what it inherited
    if args[1:2] == ("forked",):
        return sum(counts) - run(code, args[0], "fork only", *args[2:], cwd=cwd,
                                 callgrind=callgrind)
    return float(sum(counts))


def compare(label: str, sides: dict[str, list[str]], repeats: int, cwd: Path,
            callgrind: Path | None) -> None:
    """Each side's median and best, the sides alternating which goes first."""
    took: dict[str, list[float]] = {name: [] for name in sides}
    for turn in range(1 if callgrind else repeats):
        for name in (list(sides) if turn % 2 == 0 else list(reversed(sides))):
            took[name].append(run(*sides[name], cwd=cwd, callgrind=callgrind))
    unit = "G instructions" if callgrind else "s CPU"
    scale = 1e-9 if callgrind else 1.0
    shown = "; ".join(f"{name} {statistics.median(times) * scale:.3f} (best "
                      f"{min(times) * scale:.3f})" for name, times in took.items())
    print(f"{label} [{unit}]: {shown}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--callgrind", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reviewloop-levers-") as tmp:
        root = new_repo(Path(tmp) / "findings")
        files = [str(root / f) for f in change(root, 216, _NOISY)]
        modules = str(Path(tmp) / "modules")
        subprocess.run([sys.executable, "-P", "-c", _RECORD, modules, "review", "--fail-on",
                        "never", "--base", "main", "--head", "feature"], cwd=root,
                       env=users_env(), check=True, capture_output=True)
        subprocess.run([sys.executable, "-P", "-c", _IMPORTS, modules, "dependents",
                        OTHERS],
                       cwd=root, env=users_env(), check=True, capture_output=True)
        count = len(Path(modules).read_text().split())
        callgrind = Path(tmp) / "callgrind" if args.callgrind else None
        compare(f"1. the review's {count} modules imported, the other languages' analyzers "
                "and their importers left out",
                {"without": [_IMPORTS, modules, "without", OTHERS],
                 "with the analyzers": [_IMPORTS, modules, "with", OTHERS]}, args.repeats, root,
                callgrind)
        compare(f"2. bandit on {len(files)} files from a process holding those modules",
                {"spawned": [_BANDIT, modules, "spawned", *files],
                 "forked": [_BANDIT, modules, "forked", *files],
                 "in process": [_BANDIT, modules, "in process", *files]}, args.repeats, root,
                callgrind)
    return 0


if __name__ == "__main__":
    sys.exit(main())
