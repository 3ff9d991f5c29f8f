"""Installed plugins without pip: a distribution's metadata and modules written into a folder
put on sys.path, found by `importlib.metadata` as pip would have installed them."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from reviewloop import plugins


def install(site: Path, dist: str, entry_points: Mapping[str, Mapping[str, str]],
            modules: Mapping[str, str]) -> Path:
    """`dist` installed into `site`: `entry_points` {group: {name: "module:attr"}}, and
    `modules` {module name: source}."""
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
        for group, points in entry_points.items()))
    for name, source in modules.items():
        (site / f"{name}.py").write_text(source)
    return site


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path to install fake plugins into; the registries read it afresh."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    before = set(sys.modules)
    plugins.forget()
    yield folder
    plugins.forget()
    for name in set(sys.modules) - before:
        if getattr(sys.modules[name], "__file__", "") and \
                str(folder) in str(sys.modules[name].__file__):
            del sys.modules[name]
