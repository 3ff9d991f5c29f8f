"""The peer, PR-Agent, driven through the same loopback Bedrock fake as reviewloop.

    python benchmarks/peer.py /path/to/repo main     # one `review`, prints the fake's log

PR-Agent comes from PyPI into its own virtualenv under the benchmarks' cache folder
(`$REVIEWLOOP_BENCH_CACHE`, default `~/.cache/reviewloop-bench`), made once with a Python
>= 3.12 (its releases need one): `python3.13`/`python3.12` on PATH, else a pyenv version.
Its `review` command runs with the local git provider (the repository's checked-out branch
against `target`, review written to `review.md`), through litellm's Bedrock Converse route,
pointed at the fake with `AWS_BEDROCK_RUNTIME_ENDPOINT` and dummy credentials. Offline:
litellm's bundled price map, and tiktoken reads the encodings litellm ships.

Its context limit is raised to the 200k window reviewloop's reviewers get (its default,
32k, would clip the 3k-line diff), so both see the whole change.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import MODEL, child_env  # noqa: E402
from tests.support.bedrock import BedrockFake, RecordedRequest  # noqa: E402

PACKAGE = "pr-agent==0.49.0"
WINDOW = 200_000
# A review PR-Agent's schema accepts: one call, no retry for a malformed answer.
ANSWER = """```yaml
review:
  estimated_effort_to_review_[1-5]: |
    2
  relevant_tests: |
    No
  key_issues_to_review: []
  security_concerns: |
    No
```"""


class PeerUnavailable(RuntimeError):
    """PR-Agent cannot be installed or run here; the message says why."""


def cache_dir() -> Path:
    return Path(os.environ.get("REVIEWLOOP_BENCH_CACHE",
                               Path.home() / ".cache" / "reviewloop-bench"))


def _python312() -> str:
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found = [shutil.which(name) for name in ("python3.13", "python3.12")]
    found += sorted(glob.glob(str(pyenv / "3.1[2-9]*" / "bin" / "python")), reverse=True)
    for candidate in filter(None, found):
        works = subprocess.run([candidate, "-c", "import sys; assert sys.version_info >= (3, 12)"],
                               capture_output=True)
        if works.returncode == 0:  # a pyenv shim of a version not selected fails here
            return candidate
    raise PeerUnavailable("PR-Agent needs Python >= 3.12 (its releases for 3.11 pin a litellm "
                          "PyPI no longer serves): install python3.12 or a pyenv 3.12")


def pr_agent_python() -> Path:
    """The PR-Agent virtualenv's interpreter, made (once) when missing."""
    venv = cache_dir() / "pr-agent"
    python = venv / "bin" / "python"
    marker = venv / f".installed-{PACKAGE}"
    if marker.exists():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([_python312(), "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", PACKAGE],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise PeerUnavailable(f"pip install {PACKAGE} failed:\n{done.stderr[-2000:]}")
    marker.touch()
    return python


def _tokenizers(python: Path) -> str:
    """litellm ships tiktoken's encoding files; PR-Agent counts tokens with them."""
    found = glob.glob(str(python.parents[1] / "lib" / "python3.*" / "site-packages" / "litellm"
                          / "litellm_core_utils" / "tokenizers"))
    if not found:
        raise PeerUnavailable("litellm's bundled tokenizers are missing from the PR-Agent venv")
    return found[0]


def peer_env(python: Path, fake: BedrockFake) -> dict[str, str]:
    return child_env(
        fake, AWS_BEDROCK_RUNTIME_ENDPOINT=fake.url, AWS_REGION_NAME="us-east-1",
        CONFIG__GIT_PROVIDER="local", CONFIG__MODEL=f"bedrock/{MODEL}",
        CONFIG__FALLBACK_MODELS="[]", CONFIG__MAX_MODEL_TOKENS=str(WINDOW),
        CONFIG__PUBLISH_OUTPUT="true", LITELLM_LOCAL_MODEL_COST_MAP="True",
        TIKTOKEN_CACHE_DIR=_tokenizers(python), LOG_LEVEL="WARNING")


def review(python: Path, repo: Path, target: str, fake: BedrockFake
           ) -> tuple[RecordedRequest, ...]:
    """PR-Agent's `review` of `repo`'s checked-out branch against `target`: the model calls
    the fake received."""
    seen = len(fake.requests)
    fake.enqueue(ANSWER)
    done = subprocess.run([str(python), "-m", "pr_agent.cli", "--pr_url", target, "review"],
                          cwd=repo, env=peer_env(python, fake), capture_output=True, text=True,
                          timeout=600)
    calls = tuple(fake.requests[seen:])
    if done.returncode != 0 or not calls or any(r.status != 200 for r in calls):
        raise PeerUnavailable(f"PR-Agent's review failed (exit {done.returncode}, "
                              f"{len(calls)} model call(s)):\n{done.stdout[-2000:]}"
                              f"{done.stderr[-2000:]}")
    return calls


def main() -> None:
    repo, target = Path(sys.argv[1]), sys.argv[2]
    with BedrockFake(prompt_cache=True, context_window=WINDOW) as fake:
        for call in review(pr_agent_python(), repo, target, fake):
            print(f"{call.path}: {call.tokens} tokens, {call.input_tokens} uncached")


if __name__ == "__main__":
    main()
