"""A `.hadolint.yaml` counts for the review exactly as plain hadolint 2.15 takes it: a file
it refuses ("Error parsing your config file") skips nothing and switches no pragma off.

Before, the review read the file with PyYAML (YAML 1.1, the last of a duplicated key kept):
`ignored:` twice, any key twice in any mapping, `no-color: yes` or `on` (no YAML 1.2
boolean), `ignored: [DL3008, 1e3]` (a float in YAML 1.2), `format: TTY` or a label kind
hadolint does not know made hadolint lint with none of the file while the review still
waived DL3008 by its `ignored` list (rev10 D6).

Generated: a library of top-level settings (each known key with values hadolint takes and
refuses, unknown keys, YAML 1.1/1.2 scalar spellings), each beside `ignored: [DL3008]` and a
`disable-ignore-pragma` spelling, once and written twice; `ignored` lists with scalars the
two YAML versions read differently; whole-file shapes. The oracle is plain hadolint run in
the folder: DL3008 is left out of its report exactly when the review's skip list covers it,
and the pragma'd DL3015 exactly when the review reads the pragma."""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.suppressions.tool_config import config_skips, markers_off
from tests.support.iac_tools import iac_tools as iac_tools  # the fixture

DOCKERFILE = ("FROM debian:latest\n"
              "RUN apt-get update && apt-get install -y --no-install-recommends curl\n"
              "# hadolint ignore=DL3015\nRUN apt-get install -y wget\n")
REPORTED = re.compile(r'"(?:code|check_name|ruleId)":"(DL[0-9]{4})"')  # json, *codeclimate, sarif
SWITCHES = ("true", "True", "TRUE", "yes", "on", "y", "1", "'true'", "false", "no", "off", "")
SETTINGS = {
    "failure-threshold": ("error", "none", "Error", "bogus", "''", "1", "[error]", ""),
    "format": ("json", "sarif", "gitlab_codeclimate", "TTY", "bogus", ""),
    "label-schema": ("{a: text}", "{a: url}", "{a: ''}", "{a: rawtext}", "{a: URL}",
                     "{1: text}", "{a: [text]}", "[]", "{a: }", "{a: text, a: url}"),
    "override": ("{error: [DL3007]}", "{error: DL3007}", "{error: [1]}", "{fatal: [DL3007]}",
                 "[DL3007]", "", "{error: }", "{error: [DL3007], error: [DL3009]}"),
    "trustedRegistries": ("[docker.io]", "docker.io", "[1]", "[~]", "[yes]", ""),
    "strict-labels": SWITCHES,
    "no-color": SWITCHES,
    "unknown-key": ("1", "[a, a]", "{a: 1, b: 2}", "{a: 1, a: 2}", "[{a: 1, a: 2}]"),
    "ignored": ("[DL3009]", "[DL3008]"),  # the key twice: refused either way
}
# scalars in the `ignored` list: strings to hadolint, or another type in YAML 1.2 or 1.1
ITEMS = ("", ", 1e3", ", .5", ", .inf", ", 3", ", 0o7", ", 0x1F", ", yes", ", on", ", 0b1",
         ", 1_000", ", 2001-12-14", ", ~", ", ''", ", True", ", 1:20")
WHOLE = ("", "~\n", "# only a comment\n", "- ignored: [DL3008]\n", "DL3008\n",
         "ignored: [DL3008]\n---\nno-color: true\n", "{ignored: [DL3008], ignored: [DL3008]}\n",
         "%YAML 1.2\n---\nignored: [DL3008]\n", "? ignored\n: [DL3008]\n",
         "\ufeffignored: [DL3008]\n", "ignored: [DL3008]\r\nno-color: on\r\n",
         "ignored:\n\t- DL3008\n", '"ignored": [DL3008]\nignored: [DL3008]\n')


def _configs() -> list[str]:
    configs: list[str] = list(WHOLE)
    pairs = [(key, value) for key, values in SETTINGS.items() for value in values]
    for number, ((key, value), twice) in enumerate(itertools.product(pairs, (False, True))):
        switch = SWITCHES[number % len(SWITCHES)]
        setting = f"{key}: {value}\n" * (2 if twice else 1)
        configs.append(f"ignored: [DL3008]\ndisable-ignore-pragma: {switch}\n{setting}")
    for number, item in enumerate(ITEMS):
        configs.append(f"ignored: [DL3008{item}]\n"
                       f"disable-ignore-pragma: {SWITCHES[number % len(SWITCHES)]}\n")
    return configs


@pytest.mark.pypi  # hadolint from the shared tools cache
def test_the_review_takes_a_hadolint_config_as_hadolint_takes_it(
        tmp_path: Path, iac_tools: Path) -> None:
    tool = TOOLS["hadolint"]
    binary = str(tool.command_in(iac_tools / tool.folder))
    wrong: list[tuple[str, list[str], tuple[bool, bool]]] = []
    refused = 0
    for number, config in enumerate(_configs()):
        folder = tmp_path / f"c{number}"
        folder.mkdir()
        (folder / ".hadolint.yaml").write_text(config, encoding="utf-8")
        (folder / "Dockerfile").write_text(DOCKERFILE)
        done = subprocess.run([binary, "--no-fail", "-f", "json", "Dockerfile"], cwd=folder,
                              capture_output=True, text=True, check=False, timeout=60,
                              env={"HOME": str(folder), "XDG_CONFIG_HOME": str(folder / "x")})
        refused += "Error parsing your config file" in done.stderr + done.stdout
        plain = set(REPORTED.findall(done.stdout))  # the file's `format:` wins over `-f`

        def read(path: str, folder: Path = folder) -> str | None:
            file = folder / path
            return file.read_text(encoding="utf-8") if file.is_file() else None

        skipped = {skip.rule for skip in config_skips(read) if skip.source == "hadolint"}
        review = ("DL3008" in skipped, not markers_off("hadolint", read))
        if review != ("DL3008" not in plain, "DL3015" not in plain):
            wrong.append((config, sorted(plain), review))
    assert refused > 60 and not wrong, wrong[:6]
