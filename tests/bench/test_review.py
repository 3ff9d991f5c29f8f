"""The bench reviews a case as `review` does, the checkout's `sandbox` setting included
(r21): it called the analyzers without it, so every bench confined them as "auto" whatever
the user had set, and a machine without bubblewrap, where the user set `sandbox = "off"`,
failed the analyzers that run project material (Helm, Kustomize, an ESLint project config)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reviewloop.bench import review as bench_review
from reviewloop.cli import bench
from reviewloop.config import Settings
from reviewloop.sandbox.bubblewrap import MODES
from tests.support.bedrock import BedrockFake, aws_env
from tests.support.bench_repo import planted

SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"


@pytest.mark.parametrize("mode", MODES)
def test_the_analyzers_run_with_the_checkouts_sandbox_setting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        mode: str) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = tmp_path / "r"
    planted(root)
    asked: list[Any] = []
    analyze = bench_review.analyze

    def recorded(*args: Any, **kwargs: Any) -> Any:  # the real analyzers, their call kept
        asked.append(kwargs.get("sandbox"))
        return analyze(*args, **kwargs)

    monkeypatch.setattr(bench_review, "analyze", recorded)
    settings = Settings(model=SONNET, sandbox=mode)
    with BedrockFake() as fake:
        for name, value in aws_env(fake).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = bench.run(lambda _root, _config: settings, root,
                         bench.BenchOptions(models=(SONNET,), format="json", limit=1))
    report = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and report["models"][0]["model"] == SONNET
    assert asked and set(asked) == {mode}
