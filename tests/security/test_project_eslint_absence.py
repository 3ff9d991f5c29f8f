"""The project's own ESLint rules are never silently absent: where `eslint .`, as the project
runs it, would lint a changed file with the project's config, reviewloop runs that config's
rules on it or names the file as not read, with the reason and the fix — never exit 0 with a
complete review and the rules gone.

Generated (`tests/support/project_eslint.py`): every flat config name, importing its plugin from
`node_modules` or not, under installed, absent and linked packages; TypeScript and legacy
configs; a folder under none. Reviewed with the change touching no manifest, the root
`package.json` (a version bump), or a nested `package-lock.json`: the base's config then runs
without the checkout's packages, so one that needs them is named as not read; and a
manifest beside the linted files (`docs/package.json`), which installs nothing they load.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.checks.analyzers.eslint_configs import has_jiti
from reviewloop.checks.analyzers.provision import TOOLS, home
from tests.support.project_eslint import CHANGES, VARIANTS, build, check, expected, reviewed


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("eslint-absence"))


@pytest.mark.npm
@pytest.mark.parametrize("change", list(CHANGES))
def test_the_projects_rules_run_or_the_file_is_named_as_not_read(
        project: Path, eslint_tools: Path, change: str) -> None:
    tool_home = home(TOOLS["eslint"])
    jiti = tool_home is not None and has_jiti(tool_home)
    report = reviewed(project, change)
    for variant in VARIANTS:
        check(report, variant, expected(variant, change, jiti))
    assert report["health"]["complete"] is False  # the legacy configs at least
