"""Include patterns inherited through `extend` start at the folder of the config that declares
them, as ruff resolves them (fuzz round 9a, D4): a root `extend-include = ["api/bin/*.cgi"]`
inherited by `api/ruff.toml` makes `api/bin/x.cgi` Python, and `["bin/*.cgi"]` does not.

Generated: the pattern, which config declares it (the root one, or the nested one that
extends it) and with which key (`include`, `extend-include`), and whether the nested config
sets an `include` of its own; oracle: the files plain `ruff check --show-files .` lints."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff import ruff_command
from reviewloop.checks.analyzers.ruff_includes import anchored, matches
from reviewloop.checks.analyzers.ruff_lookup import Lookup

FILES = ("api/bin/x.cgi", "api/x.cgi", "api/deep/bin/y.cgi", "bin/z.cgi")
PATTERNS = ("api/bin/*.cgi", "bin/*.cgi", "*.cgi", "**/bin/*.cgi", "./api/bin/*.cgi",
            "a*/x.cgi", "deep/**")


def _plain(folder: Path) -> set[str]:
    argv = [*ruff_command(), "check", "--no-cache", "--show-files", "."]
    done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return {os.path.relpath(line.strip(), folder) for line in done.stdout.splitlines()
            if line.strip().endswith(".cgi")}


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pattern=st.sampled_from(PATTERNS), in_root=st.booleans(),
       key=st.sampled_from(("include", "extend-include")), own_include=st.booleans())
@example(pattern="api/bin/*.cgi", in_root=True, key="extend-include", own_include=False)
@example(pattern="bin/*.cgi", in_root=True, key="extend-include", own_include=False)
def test_an_inherited_include_starts_at_its_declaring_folder(tmp_path_factory, pattern, in_root,
                                                             key, own_include):
    folder = Path(os.path.realpath(tmp_path_factory.mktemp("inc")))
    listed = f'{key} = ["*.py", "{pattern}"]\n' if key == "include" else \
        f'{key} = ["{pattern}"]\n'
    root = 'lint.select = ["F"]\n' + (listed if in_root else "")
    nested = 'extend = "../ruff.toml"\n' + ("" if in_root else listed) + \
        ('include = ["*.py"]\n' if own_include and (in_root or key != "include") else "")
    (folder / "api").mkdir()
    (folder / "ruff.toml").write_text(root)
    (folder / "api" / "ruff.toml").write_text(nested)
    for path in FILES:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text("print(undefined_name)\n")

    def read(path: str) -> str | None:
        file = folder / path
        return file.read_text() if file.is_file() else None

    lookup = Lookup(None, read)
    ours = set()
    for path in FILES:
        config = lookup.of(path)
        if config is not None and matches(path, anchored(config.layers),
                                          (folder / path).as_posix()):
            ours.add(path)
    assert ours == _plain(folder), (pattern, in_root, key, own_include)
