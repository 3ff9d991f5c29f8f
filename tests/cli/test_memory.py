"""`reviewloop.cli.memory`: the process's garbage collection, set at the CLI's edge."""

from __future__ import annotations

import gc

import pytest

from reviewloop.cli import app
from reviewloop.cli.memory import THRESHOLDS, tune_collector


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_the_collector_stays_on_and_collects_less_often(thresholds) -> None:
    gc.set_threshold(700, 10, 10)
    tune_collector()
    assert gc.get_threshold() == THRESHOLDS
    assert gc.isenabled()
    assert THRESHOLDS[0] > 700


def test_the_cli_tunes_the_collector_before_any_command(thresholds, capsys) -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(SystemExit) as exit_:
        app.main(["--version"])
    assert exit_.value.code == 0
    assert gc.get_threshold() == THRESHOLDS


# A reference cycle alive at exit whose `__del__` says so: CPython's shutdown collection finds
# it unless every object was moved out of the collector's reach first.
_CYCLE_AT_EXIT = """
import sys
{setup}
class Node:
    def __del__(self):
        sys.stdout.write("collected at exit\\n")
        sys.stdout.flush()
node = Node()
node.self = node
"""


@pytest.mark.parametrize(("setup", "collected"), [
    ("", True),
    ("from reviewloop.cli.memory import tune_collector; tune_collector(); tune_collector()",
     False),
])
def test_a_tuned_process_skips_the_collection_at_exit(setup: str, collected: bool) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _CYCLE_AT_EXIT.format(setup=setup)],
                          capture_output=True, text=True, check=True)
    assert ("collected at exit" in done.stdout) is collected, done.stdout + done.stderr


# Records the collector's thresholds when the command line's module is first looked for, then
# loads the entry point (`python -m reviewloop` and the `reviewloop` script both start there).
_THRESHOLDS_AT_CLI_IMPORT = """
import gc, importlib.abc, json, sys

seen = []

class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "reviewloop.cli.app":
            seen.append(gc.get_threshold())
        return None

sys.meta_path.insert(0, Watch())
import reviewloop.__main__
print(json.dumps(seen))
"""


def test_the_collector_is_tuned_before_the_command_line_loads() -> None:
    import json
    import subprocess
    import sys
    import tomllib

    from tests.support.paths import ROOT

    done = subprocess.run([sys.executable, "-c", _THRESHOLDS_AT_CLI_IMPORT], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    assert [tuple(t) for t in json.loads(done.stdout)] == [THRESHOLDS], done.stderr
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"reviewloop": "reviewloop.__main__:main"}  # the script starts there too


# `python -m reviewloop review` with every collection the process runs listed (its generation
# and the young generation's threshold then), written to the file named by the first argument
# at exit (before the interpreter's own).
_COLLECTIONS_IN_A_REVIEW = """
import atexit, gc, json, runpy, sys

out = sys.argv.pop(1)
collections = []
gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(
    [info["generation"], gc.get_threshold()[0]]))
atexit.register(lambda: open(out, "w").write(json.dumps(collections)))
sys.argv = ["reviewloop", *sys.argv[1:]]
runpy.run_module("reviewloop", run_name="__main__")
"""


def test_an_offline_review_runs_no_collection_once_tuned(tmp_path) -> None:
    """Its start-up makes ~72,000 objects the collector tracks, all alive until exit: a young
    generation smaller than that walked them all once (~14 ms) to find almost no garbage."""
    import json
    import os
    import subprocess
    import sys

    from tests.support.paths import ROOT
    from tests.support.review_cli import repo

    root = repo(tmp_path)
    (root / "app.py").write_text("import subprocess\n\n\ndef run(cmd):\n"
                                 "    return subprocess.call(cmd, shell=True)\n")
    seen = tmp_path / "collections.json"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
           "FORCE_COLOR": "1", "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-P", "-c", _COLLECTIONS_IN_A_REVIEW, str(seen),
                           "review", "--fail-on", "never"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert "Review" in done.stdout  # the panel was drawn
    tuned = [gen for gen, young in json.loads(seen.read_text()) if young == THRESHOLDS[0]]
    assert tuned == []  # (a few collect at CPython's own thresholds before it)
