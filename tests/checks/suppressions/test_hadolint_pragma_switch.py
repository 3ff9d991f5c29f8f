"""A project's `.hadolint.yaml` that says `disable-ignore-pragma: true` switches the review's
hadolint pragmas off too, as the trusted side has it.

Before, the review honoured a trusted `# hadolint ignore=` / `global ignore=` pragma whatever
the project's config said, so a DL4006 plain hadolint reports (its pragmas off by the
project's config) was suppressed (review round 9, D1).

Generated: the config's name (the two hadolint reads from the folder it runs in) × its value
(the spellings hadolint takes: YAML 1.2's booleans, a comment, null) × what the change does
to it (leaves it, deletes it, sets it false, sets it true where the base has none, shadows
it with a `.hadolint.yaml` of its own) × the pragma (`ignore=`, `global ignore=`) on an
unchanged Dockerfile and on one the change edits. The oracle is plain hadolint run on the
head's Dockerfiles beside the trusted (base) config, with its pragmas and without
(`--disable-ignore-pragma`): a finding it reports only without them is one a pragma waived,
and the review's suppressor must say the same of every finding."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.suppressions.scope import pr_trust, suppressions_for
from reviewloop.git.repository import open_repository
from tests.support.plain_hadolint import finding, reported
from tests.support.repos import commit, write_files
from tests.support.suppression_trust import pr_repo

NAMES = (".hadolint.yaml", ".hadolint.yml")
VALUES = ("true", "True", "TRUE", "true  # no pragmas here", "false", "~", None)
# what the change does to the base's config: (name, text) it writes; None: deletes it
EDITS: dict[str, Callable[[str, str | None], dict[str, str | None]]] = {
    "kept": lambda name, value: {},
    "deleted": lambda name, value: {name: None},
    "set false": lambda name, value: {name: "disable-ignore-pragma: false\n"},
    "set true": lambda name, value: {name: "disable-ignore-pragma: true\n"},
    "shadowed": lambda name, value: {".hadolint.yaml": "ignored: [DL3000]\n"},
}
PRAGMAS = ("# hadolint ignore=DL4006", "# hadolint global ignore=DL4006")
PIPED = "RUN curl -fsSL https://example.org/i.sh | bash\n"


FILES = ("a/Dockerfile", "b/Dockerfile", "c/Dockerfile", "d/Dockerfile")


def _dockerfiles(shell: bool) -> dict[str, str]:
    """Each pragma over a piped RUN, in a Dockerfile the change leaves alone (a, c) and in
    one whose SHELL set pipefail at the base (b, d; `shell`): deleting that SHELL makes
    DL4006 fire under the unchanged pragma."""
    pipefail = 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
    return {path: f"FROM debian:12.5\n{pipefail if shell and edited else ''}{pragma}\n"
                  f"{PIPED}RUN echo done\n"
            for path, (pragma, edited) in
            zip(FILES, itertools.product(PRAGMAS, (False, True)), strict=True)}


def _cases() -> list[tuple[str, str | None, str]]:
    """(config name, value, edit); `set true` only on a base with no config."""
    return [(name, value, edit) for name, value, edit in
            itertools.product(NAMES, VALUES, EDITS)
            if (value is None) == (edit == "set true")
            and not (value is None and name != NAMES[0])]


def _reported(binary: Path, root: Path, home: Path, *options: str) -> set[tuple[str, int, str]]:
    # no user config of hadolint's
    return reported(binary, root, FILES, *options, env={"HOME": str(home), "PATH": "/usr/bin:/bin"})


@pytest.mark.pypi
def test_the_trusted_config_switches_the_pragmas_off_as_hadolint_does(
        iac_tools: Path, tmp_path: Path) -> None:
    binary = iac_tools / TOOLS["hadolint"].folder / "bin" / "hadolint"
    home = tmp_path / "home"
    home.mkdir()
    wrong, waived = [], 0
    oracles: dict[tuple[str, str | None], tuple[set[tuple[str, int, str]], ...]] = {}
    for number, (name, value, edit) in enumerate(_cases()):
        config = {} if value is None else {name: f"disable-ignore-pragma: {value}\n"}
        base = {**config, **_dockerfiles(shell=True)}
        head = {**_dockerfiles(shell=False), **EDITS[edit](name, value)}
        root = pr_repo(tmp_path / f"c{number}", base)
        for path, text in head.items():
            if text is None:
                (root / path).unlink()
        commit(root, {path: text for path, text in head.items() if text is not None}, "pr")
        if (name, value) not in oracles:  # plain hadolint: the same for every edit
            oracle = tmp_path / f"o{number}"
            write_files(oracle, {**config, **_dockerfiles(shell=False)})
            oracles[name, value] = (_reported(binary, oracle, home),
                                    _reported(binary, oracle, home, "--disable-ignore-pragma"))
        honoured, every = oracles[name, value]
        repo = open_repository(root)
        suppress = suppressions_for(repo, root, pr_trust(repo, "main", "feature")).suppress
        for file, line, rule in sorted(every):
            hidden = (file, line, rule) not in honoured
            waived += hidden
            if hidden is (suppress(finding(file, line, rule)) is None):
                wrong.append((name, value, edit, file, line, rule,
                              "hadolint waived it" if hidden else "reported"))
    assert waived and not wrong, wrong[:10]
