"""What the project's zizmor config, as the trusted side has it (`trusted_config`), tells
zizmor: the settings that switch a rule's check on or tighten it (`forbidden-uses`' deny or
allow list, `dependabot-cooldown`'s days, `unpinned-uses`' policies). zizmor ran with
`--no-config`, so a project whose config denies `tj-actions/*` had that use pass (fuzz
round 9a, D12).

The file is the first of `.github/zizmor.yml`, `.github/zizmor.yaml`, `zizmor.yml`,
`zizmor.yaml` at the root the trusted side has: where `zizmor .` looks, in the order it
takes them (measured with zizmor 1.32: `.github/` before the root, `.yml` before `.yaml`;
`.zizmor.yml` is not read). Each rule's `ignore` list and `disable` switch are taken out:
`reviewloop.checks.suppressions` honours those, the trusted side's only, and lists what they
waive. A config that is not a YAML mapping is given as it is, and zizmor refuses it as the
plain run does.
"""

from __future__ import annotations

import json
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.trusted_config import trusted_text
from reviewloop.config import load_yaml

NAMES = (".github/zizmor.yml", ".github/zizmor.yaml", "zizmor.yml", "zizmor.yaml")
WAIVERS = ("ignore", "disable")  # honoured by reviewloop.checks.suppressions


def trusted_settings(ctx: AnalyzerContext) -> str | None:
    """The config text zizmor is given; None when the trusted side has none, or one that
    sets nothing but waivers."""
    text = next((t for name in NAMES if (t := trusted_text(ctx, name)) is not None), None)
    if text is None:
        return None
    from yaml import YAMLError  # loaded by `load_yaml`: here only for its error

    try:
        data = load_yaml(text)
    except YAMLError:
        return text
    if data is None:
        return None
    if not isinstance(data, dict):
        return text
    kept = {**data, "rules": _settings(data["rules"])} if "rules" in data else data
    if not kept.get("rules", True) and len(kept) == 1:
        return None
    return json.dumps(kept)  # JSON is YAML


def _settings(rules: Any) -> Any:
    if not isinstance(rules, dict):
        return rules
    kept = {}
    for rule, options in rules.items():
        if isinstance(options, dict):
            options = {key: value for key, value in options.items() if key not in WAIVERS}
            if not options:
                continue
        kept[rule] = options
    return kept
