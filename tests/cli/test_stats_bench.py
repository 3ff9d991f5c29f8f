"""`reviewloop stats` and `report` after a `reviewloop bench`: the bench's reviews of past
commits are its replays, not the project's reviews. A bench adds nothing to the project's
figures (metamorphic: stats before and after it agree but for the replays' number), and
`report` still shows the project's newest review. Before, each replay counted as a review and
the newest replay was "the newest review"."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, aws_env, tool_use
from tests.support.bench_repo import planted
from tests.support.gitutil import git

pytestmark = pytest.mark.timeout(600)
MODELS = ("us.anthropic.claude-sonnet-4-5-20250929-v1:0",
          "us.anthropic.claude-haiku-4-5-20251001-v1:0")
SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def cli(root: Path, fake: BedrockFake, tmp_path: Path, *args: str) -> dict:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    done = warm_cli.run(list(args), root, timeout=300,
                        env={**kept, **aws_env(fake), "HOME": str(tmp_path / "home")})
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize("models", [MODELS[:1], MODELS])
def test_bench_replays_are_not_the_projects_reviews(tmp_path: Path,
                                                    models: tuple[str, ...]) -> None:
    root = tmp_path / "r"
    planted(root)
    with BedrockFake() as fake:
        fake.enqueue(*[tool_use("submit_findings", {"findings": []})] * 400)
        (root / "runner.py").write_text(SHELL)
        git(root, "add", "runner.py")
        reviewed = cli(root, fake, tmp_path, "review", "--staged", "--json", "--fail-on",
                       "never")
        before = cli(root, fake, tmp_path, "stats", "--json")
        git(root, "reset", "-q")
        (root / "runner.py").unlink()
        benched = cli(root, fake, tmp_path, "bench", "--json",
                      *(a for m in models for a in ("--model", m)))
        after = cli(root, fake, tmp_path, "stats", "--json")
        newest = cli(root, fake, tmp_path, "report", "--format", "json")
    cases = sum(m["cases"] for m in benched["models"])
    assert cases == 3 * len(models)
    assert after["sources"] == {**before["sources"], "bench_replays": cases}
    assert before["sources"]["reviews"] == 1
    assert {k: v for k, v in after.items() if k != "sources"} == \
        {k: v for k, v in before.items() if k != "sources"}
    assert newest["task"] == reviewed["task"] and newest["ledger"] == reviewed["ledger"]
