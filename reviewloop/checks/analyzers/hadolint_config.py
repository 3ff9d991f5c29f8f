"""What a project's `.hadolint.yaml`, as the trusted side has it (`trusted_config`), adds to
reviewloop's hadolint run, which reads no config of its own (it runs outside the tree).

* `trustedRegistries` (DL3026: a `FROM` image from any other registry), `label-schema`
  (DL3049-DL3058: required labels and their formats) and `strict-labels` (DL3050: a label the
  schema does not name) switch rules on: they are given to hadolint as its options
  (`--trusted-registry`, `--require-label`, `--strict-labels`).
* `override` changes rules' levels: a level the project raises counts (`--error DL3008`
  makes it should_fix); one it lowers does not lower reviewloop's.
* `ignored` is honoured where every tool's skip list is, as a listed suppression
  (`reviewloop.checks.suppressions.tool_config`).
* `disable-ignore-pragma: true` makes hadolint read no `# hadolint ignore=` or `global
  ignore=` pragma (`ignores_pragmas`): the review then honours none either
  (`suppressions.base_markers`). hadolint reads YAML 1.2, where only `true`, `True` and
  `TRUE` are true (`yes`, `on` or `1` make it refuse the whole file and lint with none of
  it; `1` is refused here too (`accepted`), but PyYAML reads `yes` and `on` as true: pragmas
  off there, the wider reading).
* A file hadolint refuses adds nothing and skips nothing: hadolint lints with none of it.
  It refuses a key twice in any mapping, and what is no YAML 1.2 mapping (`hadolint_yaml`),
  and a known key with a value of another type (`accepted`).

The file is the first of the root's `.hadolint.yaml`, `.hadolint.yml` the trusted side has:
hadolint reads one, from the folder it runs in (measured with hadolint 2.15: a root
`hadolint.yaml` or `hadolint.yml` is not read, and `.hadolint.yml` only without a
`.hadolint.yaml`); one that does not parse adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.hadolint_yaml import LEVELS, accepted, mapping
from reviewloop.checks.analyzers.trusted_config import tightened_text

NAMES = (".hadolint.yaml", ".hadolint.yml")  # the first hadolint finds is the one it reads


@dataclass(frozen=True)
class ProjectSettings:
    """The options the project's config gives hadolint, and the levels it raises rules to."""

    options: tuple[str, ...] = ()
    levels: Mapping[str, str] = field(default_factory=dict)

    def level(self, rule: str, reported: str) -> str:
        """The higher of hadolint's level for `rule` and the project's override."""
        raised = self.levels.get(rule)
        return raised if raised is not None and reported in LEVELS and \
            LEVELS.index(raised) > LEVELS.index(reported) else reported


Load = Callable[[str], Mapping[str, Any] | None]  # a config file's mapping; None: no file


def project_config(load: Load) -> Mapping[str, Any] | None:
    """The mapping of the first config file `load` finds (one that does not parse, or that
    hadolint refuses, `accepted`: empty; hadolint then lints with no config)."""
    data = next((data for name in NAMES if (data := load(name)) is not None), None)
    return data if data is None or accepted(data) else {}


def read(text: str | None) -> dict[str, Any] | None:
    """The mapping hadolint reads from a config file's `text` (`hadolint_yaml`); None: no
    file."""
    return None if text is None else mapping(text)


def ignores_pragmas(load: Load) -> bool:
    """Whether the project's config tells hadolint to read no ignore pragma."""
    data = project_config(load)
    return data is not None and data.get("disable-ignore-pragma") is True


def project_settings(ctx: AnalyzerContext) -> ProjectSettings:
    """The trusted config's widening settings; none without one."""
    data = project_config(lambda name: read(tightened_text(ctx, name)))
    if data is None:
        return ProjectSettings()
    options = [arg for registry in _names(data.get("trustedRegistries"))
               for arg in ("--trusted-registry", registry)]
    schema = data.get("label-schema")
    for label, kind in (schema.items() if isinstance(schema, dict) else ()):
        options += ["--require-label", f"{label}:{kind}"]
    if data.get("strict-labels") is True:
        options.append("--strict-labels")
    override = data.get("override")
    levels = {rule: level for level in LEVELS
              for rule in _names((override if isinstance(override, dict) else {}).get(level))}
    return ProjectSettings(tuple(options), levels)


def _names(value: Any) -> list[str]:
    """A YAML list of names (or one name)."""
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [str(item).strip() for item in items if str(item).strip()]
