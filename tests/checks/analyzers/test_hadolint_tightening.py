"""`tightening` calls a `.hadolint.yaml` edit a tightening only when plain hadolint with the
change's config reports all it reports with the base's, each at a level at least as high, and
fails whenever it failed (fuzz round 9a, D13/D6b). Before, only `trustedRegistries` set or
shortened counted: a change that raised a rule (`override: {error: [DL3008]}`), switched
`strict-labels` on, required a label or lowered `failure-threshold` was set aside as a
suppression and its own Dockerfile reviewed without it.

Generated (hypothesis, derandomized): a base config over `override`, `strict-labels`,
`label-schema`, `failure-threshold`, `trustedRegistries` and `ignored`, and the change's: a
tightening of some of its settings, its twin with one setting loosened, or any other config
(and two loosening twins as examples). The oracle is plain hadolint 2.15 on a Dockerfile
that trips the rules involved."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.suppressions.tightening import tightening
from tests.support.iac_tools import iac_tools as iac_tools  # the fixture

DOCKERFILE = ('FROM quay.io/a/b:latest\nLABEL owner="me" url="not a url" extra="x"\n'
              "RUN apt-get update && apt-get install -y curl\n")
RULES = ("DL3007", "DL3008", "DL3009", "DL3015", "DL3026")
LEVELS = ("style", "info", "warning", "error")
THRESHOLDS = (*LEVELS, "ignore", "none")
LABELS = {"owner": "text", "url": "url", "version": "semver", "extra": "text"}

_OVERRIDE = st.dictionaries(st.sampled_from(RULES), st.sampled_from(LEVELS), max_size=3)
_CONFIG = st.fixed_dictionaries({
    "override": _OVERRIDE,
    "strict-labels": st.sampled_from((None, True, False)),
    "label-schema": st.lists(st.sampled_from(sorted(LABELS)), unique=True, max_size=3),
    "failure-threshold": st.sampled_from((None, *THRESHOLDS)),
    "trustedRegistries": st.none() | st.lists(st.sampled_from(("docker.io", "quay.io",
                                                              "gcr.io")), unique=True),
    "ignored": st.lists(st.sampled_from(("DL3009", "DL3015")), unique=True, max_size=1),
})


def _text(config: dict[str, Any]) -> str:
    data: dict[str, Any] = {}
    for key, value in config.items():
        if key == "override":
            by_level: dict[str, list[str]] = {}
            for rule, level in value.items():
                by_level.setdefault(level, []).append(rule)
            value = by_level or None
        elif key == "label-schema":
            value = {label: LABELS[label] for label in value} or None
        if value is not None and value != []:
            data[key] = value
    return yaml.safe_dump(data) if data else "{}\n"


@st.composite
def _edits(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A base config and the change's: some of its settings tightened (and maybe one
    loosened), or any other."""
    base: dict[str, Any] = dict(draw(_CONFIG))
    if draw(st.booleans()):
        return base, dict(draw(_CONFIG))
    head = dict(base)
    if draw(st.booleans()):  # rules raised, one new under error
        head["override"] = {rule: LEVELS[max(LEVELS.index(level),
                                             draw(st.integers(0, 3)))]
                            for rule, level in base["override"].items()}
        head["override"][draw(st.sampled_from(RULES))] = "error"
    if draw(st.booleans()):
        head["strict-labels"] = True
    if draw(st.booleans()):  # a label required (with strict-labels on, one allowed)
        missing = [label for label in sorted(LABELS) if label not in base["label-schema"]]
        head["label-schema"] = [*base["label-schema"], *missing[:draw(st.integers(1, 2))]]
    if draw(st.booleans()):
        fails = THRESHOLDS.index(base["failure-threshold"] or "info")
        head["failure-threshold"] = THRESHOLDS[draw(st.integers(0, fails))]
    if draw(st.booleans()):
        registries = base["trustedRegistries"] or ["docker.io", "quay.io", "gcr.io"]
        head["trustedRegistries"] = registries[:draw(st.integers(1, len(registries)))]
    return base, _loosened(draw, head)


def _loosened(draw: st.DrawFn, head: dict[str, Any]) -> dict[str, Any]:
    """`head`, or its twin with one setting loosened (the judge must see it)."""
    twin = dict(head)
    match draw(st.sampled_from(("none", "threshold", "registry", "strict", "label", "rule"))):
        case "threshold":
            twin["failure-threshold"] = draw(st.sampled_from(("error", "ignore")))
        case "registry":
            twin["trustedRegistries"] = [*(head["trustedRegistries"] or []), "quay.io"]
        case "strict":
            twin["strict-labels"] = False
        case "label":
            twin["label-schema"] = head["label-schema"][1:]
        case "rule":
            twin["override"] = {**head["override"], draw(st.sampled_from(RULES)): "style"}
    return twin


def _hadolint(tools: Path, folder: Path, config: str) -> tuple[dict[tuple[int, str], int], bool]:
    """Each finding's (line, rule) → its level's rank, and whether hadolint failed."""
    (folder / ".hadolint.yaml").write_text(config)
    (folder / "Dockerfile").write_text(DOCKERFILE)
    tool = TOOLS["hadolint"]
    done = subprocess.run([str(tool.command_in(tools / tool.folder)), "-f", "json",
                           "Dockerfile"], cwd=folder, capture_output=True, text=True,
                          check=False, env={"HOME": str(folder)})
    assert "Error parsing" not in done.stderr, config
    found = json.loads(done.stdout)
    return ({(f["line"], f["code"]): LEVELS.index(f["level"]) for f in found},
            done.returncode != 0)


HITS: list[list[str]] = []


def _config(**settings: Any) -> dict[str, Any]:
    return {"override": {}, "strict-labels": None, "label-schema": [],
            "failure-threshold": None, "trustedRegistries": None, "ignored": [], **settings}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(_edits())
@example((_config(**{"strict-labels": True, "label-schema": ["owner"]}),
          _config(**{"strict-labels": False, "label-schema": ["owner"],
                     "failure-threshold": "style"})))
@example((_config(trustedRegistries=["docker.io"]),
          _config(trustedRegistries=["docker.io", "quay.io"], override={"DL3009": "error"})))
def _only_adds_findings(iac_tools: Path, edit: tuple[dict[str, Any], dict[str, Any]]) -> None:
    before, after = _text(edit[0]), _text(edit[1])
    named = tightening(".hadolint.yaml", after, before)
    if named is None:
        return
    with tempfile.TemporaryDirectory() as folder:
        (trusted, failed), (mine, fails) = (_hadolint(iac_tools, Path(folder), before),
                                            _hadolint(iac_tools, Path(folder), after))
    assert all(mine.get(key, -1) >= level for key, level in trusted.items()), (before, after)
    assert fails or not failed, (before, after)
    HITS.append(named)


@pytest.mark.pypi  # hadolint from the shared tools cache
def test_a_hadolint_tightening_only_adds_findings_and_the_generator_reaches_each_kind(
        iac_tools: Path) -> None:
    """The property over every drawn edit, then what its tightenings covered: one pass (a
    test of the generator's reach of its own ran all its hadolint runs again)."""
    HITS.clear()
    _only_adds_findings(iac_tools)
    kinds = {entry.split(":")[0].split(" ")[0] for named in HITS for entry in named}
    assert kinds == {"override", "strict-labels", "label-schema", "failure-threshold",
                     "trustedRegistries"}, kinds
    assert len(HITS) >= 30


_BREAKS = ("ignored: {}\n", "label-schema: []\n", "override: []\n", "no-color: yes\n",
           "failure-threshold: bogus\n", "trustedRegistries: {}\n")


@pytest.mark.pypi
@settings(max_examples=40, deadline=None, derandomize=True)
@given(_CONFIG, st.sampled_from(_BREAKS), st.booleans())
@example(_config(**{"failure-threshold": "warning"}), "ignored: {}\n", True)
def test_a_config_hadolint_refuses_is_never_a_tightening(
        iac_tools: Path, base: dict[str, Any], breaks: str, after: bool) -> None:
    """rev11 D11: hadolint lints with none of a file it refuses, the base's `override` and
    `ignored` lost with it; a base's `failure-threshold: warning` beside a refused edit read
    as one lowered to `info`."""
    before = _text(base)
    head = before.removeprefix("{}\n") + breaks if after else breaks + before
    tool = TOOLS["hadolint"]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / ".hadolint.yaml").write_text(head)
        (Path(folder) / "Dockerfile").write_text(DOCKERFILE)
        done = subprocess.run([str(tool.command_in(iac_tools / tool.folder)), "Dockerfile"],
                              cwd=folder, capture_output=True, text=True, check=False,
                              env={"HOME": folder})
    assert "Error parsing your config file" in done.stderr + done.stdout, head
    assert tightening(".hadolint.yaml", head, before) is None, (before, head)
