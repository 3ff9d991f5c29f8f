"""An implementer plugin that raises, answers garbage or calls sys.exit() during a run: a
failed attempt whose reason names the plugin, its package and the fix, which the run
escalates (exit 1) — it ended exit 3 with a reviewloop crash log, or exit 0 with the run
failed (fz2 D13)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewloop import plugins
from reviewloop.implement.implementer import ImplementResult, _result
from tests.support.bedrock import BedrockFake
from tests.support.gitutil import git
from tests.support.loop_cli import MODEL, SPEC, cli, fake_env, make_example
from tests.support.paths import ROOT
from tests.support.plugins import install

FAILING = """
from dataclasses import dataclass
import sys

@dataclass(frozen=True)
class Impl:
    does: str
    uses_model: bool = False
    your_change: bool = False
    takes_argument: bool = False
    def implement(self, request):
        if self.does == "exit":
            sys.exit(0)
        if self.does == "raise":
            raise RuntimeError("implementer exploded")
        return "garbage"

EXIT, RAISE, GARBAGE = Impl("exit"), Impl("raise"), Impl("garbage")
"""
WHY = {"exits": "failed: it called sys.exit(0)",
       "boom": "failed: RuntimeError: implementer exploded",
       "garbage": "gave str, not an ImplementResult"}


@pytest.mark.parametrize("name", sorted(WHY))
def test_a_failing_plugin_implementer_is_a_failed_attempt_naming_its_package(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    install(site, "rl-impl", {plugins.IMPLEMENTERS: {
        "exits": "rl_impl:EXIT", "boom": "rl_impl:RAISE", "garbage": "rl_impl:GARBAGE"}},
        {"rl_impl": FAILING})
    monkeypatch.setenv("REVIEWLOOP_COLD_CLI", "1")  # a fresh interpreter that sees the plugin
    env = {"PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    example = make_example(tmp_path)
    git(example, "switch", "-qc", "work")
    with BedrockFake() as fake:
        done = cli(example, "run", "T2", "--spec", SPEC, "--implementer", name, "--model",
                   MODEL, "--yes", env={**fake_env(fake), **env})
    said = " ".join((done.stdout + done.stderr).split()).replace("│", "")
    said = " ".join(said.split())
    assert done.returncode == 1, done.stdout + done.stderr  # escalated: never 0, never 3
    assert f'the implementer "{name}" of rl-impl {WHY[name]}' in said, said
    assert "pip uninstall rl-impl" in said and "internal error" not in said


@pytest.mark.parametrize("final", [True, False])
def test_a_plugin_s_final_attempt_stays_final_through_the_boundary(final: bool) -> None:
    """An implementer plugin that says another attempt cannot do better (`final`) is not
    retried: the checked copy of its result keeps the flag (it was dropped, and retried)."""
    checked = _result(ImplementResult("no tool here", ok=False, final=final))
    assert isinstance(checked, ImplementResult) and checked.final is final
    assert isinstance(_result(ImplementResult("s", final="yes")), plugins.Wrong)  # type: ignore[arg-type]
