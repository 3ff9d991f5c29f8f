"""A CDK CLI found on PATH outside the project runs from its package, which the sandbox shows
read-only: the `aws-cdk` package it belongs to, never the folders above a shim (`~/bin/cdk`
showed the user's home, `/opt/cdk` all of `/`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.checks.cdk.synth import _cli_package


@pytest.mark.parametrize(("layout", "shown"), [
    ({"lib/node_modules/aws-cdk/package.json": '{"name": "aws-cdk"}',
      "lib/node_modules/aws-cdk/bin/cdk": ""}, "lib/node_modules/aws-cdk"),
    ({"home/bin/cdk": ""}, None),  # a shim: no package above it
    ({"home/package.json": '{"name": "dotfiles"}', "home/bin/cdk": ""}, None),
    ({"opt/package.json": "not json", "opt/bin/cdk": ""}, None),
])
def test_only_the_aws_cdk_package_is_shown(tmp_path: Path, layout: dict[str, str],
                                           shown: str | None) -> None:
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    cli = next(tmp_path / name for name in layout if name.endswith("/cdk"))
    found = _cli_package(cli)
    assert found == (tmp_path / shown if shown else None)
