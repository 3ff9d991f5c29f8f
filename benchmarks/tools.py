"""What the provisioned analyzers cost: installing checkov, and reviewing IaC with it.

    python benchmarks/tools.py [--cache DIR]

Installs checkov (the pinned version in `provision.TOOLS`) into a fresh tools folder (or
reuses `--cache DIR` when it already holds it; needs PyPI otherwise), then times the
infrastructure reviewer's analyzers (checkov, hadolint, zizmor, whichever are cached) on a
fixture change of two Terraform files, a Kubernetes manifest, two Dockerfiles and a
workflow: first run and a second one. Prints the times and the ratio of the review to the
one-off install.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from reviewloop.checks.analyzers.provision import TOOLS, cached, install  # noqa: E402
from reviewloop.review.definitions import builtin_agents  # noqa: E402
from reviewloop.review.evidence import run_for_agent  # noqa: E402

BUCKET = 'resource "aws_s3_bucket" "b{n}" {{\n  bucket = "b{n}"\n  acl    = "public-read"\n}}\n'
FIXTURE = {
    "infra/storage.tf": "".join(BUCKET.format(n=n) + "\n" for n in range(6)),
    "infra/network.tf": 'resource "aws_security_group" "web" {\n  ingress {\n'
                        '    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n'
                        '    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n',
    "k8s/web.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n"
                    "  containers:\n    - name: web\n      image: nginx:latest\n",
    "Dockerfile": "FROM python:latest\nADD . /app\nRUN pip install -r /app/req.txt\n",
    "deploy/worker.Dockerfile": "FROM ubuntu\nRUN apt-get update && apt-get install -y curl\n",
    ".github/workflows/ci.yml": "on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest"
                                "\n    steps:\n      - uses: actions/checkout@v4\n"
                                "      - run: echo \"${{ github.event.pull_request.title }}\"\n",
}


def fixture(root: Path) -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                              text=True).stdout
    git("init", "-q", "-b", "main")
    (root / "README.md").write_text("fixture\n")
    git("add", "-A")
    git("-c", "user.name=b", "-c", "user.email=b@b.invalid", "commit", "-qm", "base")
    for name, text in FIXTURE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git("add", "-A")
    return git("diff", "--cached", "HEAD")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, help="a tools folder to reuse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp) / "tools"
        os.environ["REVIEWLOOP_TOOLS_DIR"] = str(cache)
        os.environ["REVIEWLOOP_TOOLS_OFFLINE"] = "1"  # the review must not install anything
        checkov = TOOLS["checkov"]
        was_cached = cached(checkov, cache) is not None
        started = time.perf_counter()
        install(checkov, cache)
        install_s = time.perf_counter() - started
        (Path(tmp) / "repo").mkdir()
        diff = fixture(Path(tmp) / "repo")
        infra = next(a for a in builtin_agents() if a.name == "review-infrastructure")
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            report = run_for_agent(infra, Path(tmp) / "repo", diff)
            runs.append(time.perf_counter() - started)
    ran = [n for n in infra.analyzers if n not in {m.split(":")[0] for m in report.missing}]
    print(f"checkov {checkov.version} install: {install_s:.1f} s"
          + (" (already cached: no install)" if was_cached else ""))
    print(f"IaC fixture ({len(FIXTURE)} files), analyzers {', '.join(ran)}: "
          f"first {runs[0]:.1f} s, second {runs[1]:.1f} s, {len(report.findings)} findings")
    if report.missing:
        print("missing: " + "; ".join(report.missing))
    if not was_cached:
        print(f"ratio (review / one-off install): {runs[1] / install_s:.2f}")


if __name__ == "__main__":
    main()
