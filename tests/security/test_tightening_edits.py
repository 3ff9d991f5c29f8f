"""A change that only TIGHTENS a tool's config (switches checks on) and adds code the new
checks flag: plain tools at the head report it. The review read the base's config, dropped
those findings, and called the edit "This change suppresses findings … what it would hide"
(fuzz round 9a, D13) — it hides nothing. Now shellcheck and hadolint run with such an edit
(it can only add findings), so does ruff (`test_ruff_tightened_config`), and an edit that
loosens anything is still set aside and flagged `adds-suppression`.

Generated: a fixed product of variants over three repositories. shellcheck: the optional
check (require-variable-braces SC2250, add-default-case SC2249, deprecate-which SC2230) ×
how the edit enables it (a new `enable=` line, added to an `enable=` list), each in its own
folder with its own rc, and the twin that enables it but also disables a check (a loosening).
hadolint (one root config a repository): `trustedRegistries` set where the base had none
(and an empty `ignored: []` dropped), shortened, and lengthened (a loosening); a label
required with `strict-labels` on, a rule raised and the threshold lowered (DL3049). ruff: `T20`
added to `select`, and the twin that drops `F`. The oracle is each plain tool on the
checkout: with the head's config for a tightening, with the base's for a loosening."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reviewloop.checks.analyzers.provision import TOOLS
from tests.support.gitutil import git
from tests.support.iac_tools import module_reviews
from tests.support.project_rules import found, reviewed, shown

pytestmark = pytest.mark.pypi  # checkov, hadolint and shellcheck from the shared tools cache

CHECKS = {"require-variable-braces": "SC2250", "add-default-case": "SC2249",
          "deprecate-which": "SC2230"}
OPTIONAL = frozenset(CHECKS.values())
SCRIPT = '#!/bin/sh\nx=1\necho "$x"\nwhich ls\ncase "$1" in\n  a) echo a ;;\nesac\n'
DOCKERFILE = "FROM quay.io/a/b:1\nUSER 1000\n"
# the hadolint edit of each repository: (base, head), and whether it only tightens
HADOLINT = {"set": ("ignored: []\n", "trustedRegistries:\n  - docker.io\n", True),
            "shortened": ("trustedRegistries: [docker.io, quay.io]\n",
                          "trustedRegistries: [docker.io]\n", True),
            "lengthened": ("trustedRegistries: [docker.io]\n",
                           "trustedRegistries: [docker.io, quay.io]\n", False),
            "labels": ("failure-threshold: warning\n",
                       "failure-threshold: info\nlabel-schema: {owner: text}\n"
                       "strict-labels: true\noverride: {error: [DL3026]}\n", True)}
RUFF = ('[lint]\nselect = ["E4", "E7", "E9", "F"]\n',
        '[lint]\nselect = ["E4", "E7", "E9", "F", "T20"]\n',  # tightens
        '[lint]\nselect = ["E4", "E7", "E9"]\n')  # loosens


def _other(check: str) -> str:
    return next(c for c in CHECKS if c != check)


def _shellcheck_variants(tightens: bool) -> dict[str, tuple[str, str]]:
    """{folder: (base rc, head rc)}: each check × each way of enabling it, or its twins."""
    variants = {}
    for check, form in itertools.product(CHECKS, ("line", "list")):
        base = "# rc\n" if form == "line" else f"enable={_other(check)}\n"
        head = (f"enable={check}\n" if form == "line"
                else f"enable={_other(check)},{check}\n")
        if not tightens:  # the same, and a check of the base switched off
            base = f"enable={_other(check)}\n"
            head = f"enable={_other(check)}\nenable={check}\ndisable={CHECKS[_other(check)]}\n"
        variants[f"{check}-{form}"] = (base, head)
    return variants


def _repository(name: str) -> tuple[dict[str, str], dict[str, str]]:
    base_hd, head_hd, tightens = HADOLINT[name]
    base = {".hadolint.yaml": base_hd, "ruff.toml": RUFF[0], "app.py": "x = 1\n"}
    change = {".hadolint.yaml": head_hd, "Dockerfile": DOCKERFILE,
              "ruff.toml": RUFF[1] if tightens else RUFF[2], "app.py": "x = 1\nprint(x)\n"}
    if name not in ("shortened", "labels"):  # the shellcheck variants, once each way
        for folder, (rc, edit) in _shellcheck_variants(tightens).items():
            base[f"{folder}/.shellcheckrc"] = rc
            base[f"{folder}/run.sh"] = "#!/bin/sh\ntrue\n"
            change[f"{folder}/.shellcheckrc"] = edit
            change[f"{folder}/run.sh"] = SCRIPT
    return base, change


def _plain(tools: Path, root: Path, scripts: list[str]) -> set[tuple[str, str]]:
    """(file, rule) plain shellcheck and hadolint report on the checkout, as users run them."""
    def binary(name: str) -> str:
        return str(TOOLS[name].command_in(tools / TOOLS[name].folder))

    seen = set()
    for script in scripts:  # from its folder: shellcheck reads the rc nearest the script
        shell = subprocess.run([binary("shellcheck"), "-f", "json", "run.sh"],
                               cwd=root / Path(script).parent, capture_output=True,
                               text=True, check=False)
        seen |= {(script, f"SC{f['code']}") for f in json.loads(shell.stdout)}
    docker = subprocess.run([binary("hadolint"), "-f", "json", "Dockerfile"], cwd=root,
                            capture_output=True, text=True, check=False)
    return seen | {("Dockerfile", f["code"]) for f in json.loads(docker.stdout)}


Oracle = dict[str, set[tuple[str, str]]]


@pytest.fixture(scope="module")
def reviews(tmp_path_factory: pytest.TempPathFactory, iac_tools: Path
            ) -> dict[str, tuple[dict[str, Any], Oracle]]:
    """Each repository's report, and the plain tools' answer with either side's config."""
    done = {}
    with module_reviews(tmp_path_factory, iac_tools, "shellcheck"):
        for name in HADOLINT:
            root = tmp_path_factory.mktemp(name)
            base, change = _repository(name)
            report = reviewed(root, base, change)
            scripts = sorted(p for p in change if p.endswith(".sh"))
            oracle = {"head": _plain(iac_tools, root, scripts)}
            configs = [p for p in base if p.endswith((".shellcheckrc", ".hadolint.yaml"))]
            git(root, "checkout", "-q", "main", "--", *configs)
            oracle["base"] = _plain(iac_tools, root, scripts)
            git(root, "checkout", "-q", "feature", "--", *configs)
            done[name] = (report, oracle)
    return done


@pytest.mark.parametrize("name", sorted(HADOLINT))
def test_the_review_reports_what_the_plain_tools_report_with_the_config_it_trusts(
        reviews: dict[str, tuple[dict[str, Any], Oracle]], name: str) -> None:
    """A tightening is judged as the plain tools at the head; a loosening as with the base's
    config. The optional checks, DL3026 and DL3049 are the ones the edits move."""
    report, oracle = reviews[name]
    trusted = oracle["head" if HADOLINT[name][2] else "base"]
    assert oracle["head"] != oracle["base"], "every variant's edit must move a finding"
    moved = OPTIONAL | {"DL3026", "DL3049"}
    files = {file for file, _ in oracle["head"] | oracle["base"]}
    for file in sorted(files):
        tool = "hadolint" if file == "Dockerfile" else "shellcheck"
        wanted = {rule for f, rule in trusted if f == file and rule in moved}
        assert shown(report, tool, file) & moved == wanted, (name, file)


@pytest.mark.parametrize("name", sorted(HADOLINT))
def test_a_tightening_is_never_called_a_suppression(
        reviews: dict[str, tuple[dict[str, Any], Oracle]], name: str) -> None:
    report, _ = reviews[name]
    _, change = _repository(name)
    tightens = HADOLINT[name][2]
    for config in sorted(p for p in change if p.endswith((".shellcheckrc", ".yaml", ".toml"))):
        rules = {rule for rule, _ in found(report, "reviewloop", config)}
        if not tightens:
            assert rules == {"adds-suppression"}, (name, config, rules)
        else:  # applied (ruff's too: T201, `test_ruff_tightened_config`): nothing to say
            assert rules == set(), (name, config, rules)
    assert ("T201" in shown(report, "ruff", "app.py")) is tightens  # plain ruff at the head
