"""The ruff config a project's pre-commit hook passes with `--config` replaces the discovered
one for every file, as `ruff check --config ci/ruff.toml` does (the fuzzer's D4): the review
applied only the root's `pyproject.toml`, and the hook config's rules were neither reported
nor named.

Explicit variants: the option's spelling (`--config PATH`, `--config=PATH`, `./PATH`), the
hook's id (`ruff`, `ruff-check`), a `per-file-ignores` pattern the hook config writes from
the root (ruff reads a `--config` file's patterns from its working folder, where pre-commit
runs it), an `extend` from the hook config; each review is compared with plain ruff run as
the hook runs it. A hook naming a file the repository does not have is named.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.project_rules import found, reviewed

CODE = ("import os\n\n\n"  # 1: F401, ignored for pkg/* by the hook config
        "def go(a, b, c, d, e, f):\n"  # 4: PLR0913 (max-args 5)
        "    print(a)\n")  # 5: T201
ROOT = '[project]\nname = "x"\nversion = "0"\n\n[tool.ruff.lint]\nselect = ["E", "F"]\n'
HOOK = ('[lint]\nselect = ["F", "T20", "PLR0913"]\n'
        '[lint.per-file-ignores]\n"pkg/*" = ["F401"]\n')
SHARED = ('[lint]\nselect = ["F", "T20", "PLR0913"]\n'
          '[lint.per-file-ignores]\n"pkg/*" = ["F401"]\n')
# variant → (the hook's id, its args, the config files of the base)
VARIANTS: dict[str, tuple[str, list[str], dict[str, str]]] = {
    "--config PATH": ("ruff", ["--config", "ci/ruff.toml", "--fix"], {"ci/ruff.toml": HOOK}),
    "--config=PATH": ("ruff-check", ["--config=ci/ruff.toml"], {"ci/ruff.toml": HOOK}),
    "./PATH extends": ("ruff", ["--config", "./ci/lint/ruff.toml"],
                       {"ci/lint/ruff.toml": 'extend = "../shared.toml"\n',
                        "ci/shared.toml": SHARED}),
}
WANTED = {("T201", 5), ("PLR0913", 4)}


def _hook(hook: str, args: list[str]) -> str:
    return ("repos:\n- repo: https://github.com/astral-sh/ruff-pre-commit\n  rev: v0.17.6\n"
            f"  hooks:\n  - id: {hook}\n    args: {json.dumps(args)}\n")


def _plain(root: Path, config: str) -> set[tuple[str, int]]:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
                           config, "--output-format", "json", "."], cwd=root,
                          capture_output=True, text=True, check=False)
    assert done.returncode in (0, 1), done.stderr
    return {(d["code"], d["location"]["row"]) for d in json.loads(done.stdout)
            if d["filename"].endswith("pkg/app.py")}


@pytest.fixture(scope="module")
def reviews(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], Path]]:
    done = {}
    for name, (hook, args, configs) in VARIANTS.items():
        root = tmp_path_factory.mktemp("hook")
        base = {"pyproject.toml": ROOT, ".pre-commit-config.yaml": _hook(hook, args), **configs}
        done[name] = (reviewed(root, base, {"pkg/app.py": CODE}), root)
    root = tmp_path_factory.mktemp("missing")
    base = {"pyproject.toml": ROOT, ".pre-commit-config.yaml": _hook("ruff", ["--config",
                                                                            "ci/gone.toml"])}
    done["missing"] = (reviewed(root, base, {"pkg/app.py": CODE}), root)
    return done


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_hooks_config_governs_as_ruff_config(
        reviews: dict[str, tuple[dict[str, Any], Path]], variant: str) -> None:
    report, root = reviews[variant]
    args = VARIANTS[variant][1]
    config = args[1] if args[0] == "--config" else args[0].split("=", 1)[1]
    plain = _plain(root, config)
    assert plain == WANTED, plain  # F401 ignored by the hook config's root-relative pattern
    flagged = set(found(report, "ruff", "pkg/app.py"))
    assert flagged >= WANTED, (variant, flagged)
    assert report["health"]["complete"] is True


def test_a_hooks_config_the_repository_lacks_is_named(
        reviews: dict[str, tuple[dict[str, Any], Path]]) -> None:
    report, _ = reviews["missing"]
    rows = {r["path"]: r for r in report["health"]["files"]}
    said = " ".join(str(n) for n in rows["pkg/app.py"]["not_read"])
    assert "ruff hook passes --config ci/gone.toml" in said, rows["pkg/app.py"]
    assert report["health"]["complete"] is False
