"""The project's own checkov policies, as the trusted side's `.checkov.yaml` names them.

A user who runs `checkov -d .` in the project gets the checks its `.checkov.yaml` (or
`.checkov.yml`, read from the folder checkov runs in) adds: `external-checks-dir` names
folders of the project's own policies. reviewloop's checkov runs outside the tree
(`Checkov.isolated`) and reads no config there, so it adds them itself:

* a policy written as data — checkov's graph policies, `*.yaml`, `*.yml` and `*.json`
  anywhere under the folder, as checkov walks it — is given to checkov as the trusted side
  has it (`trusted_config`): a change's own edit to a policy never widens or narrows the
  review of that change;
* a check written in Python (a `*.py` file beside an `__init__.py`, which checkov would
  import) is code, and is not run: every file checkov reads is named as not fully analysed,
  with the fix;
* `external-checks-git` (a repository checkov would clone) and a folder outside the tree
  (absolute, `~`, `..`) are named the same way: a review reads nothing from the network or
  from elsewhere on the machine.

Its `var-file` (variable files plain `checkov -d .` loads into every Terraform folder it
reads, after Terraform's own) is given to reviewloop's Terraform runs too (`var_files`):
without it an SSH port opened through `prod.tfvars` passed. One outside the tree is not read:
the changed Terraform files are named instead (`terraform_var_files.gaps`).

The config's keys that narrow a run (`check`, `framework`) never narrow reviewloop's, and
`skip-check` is honoured as a listed suppression (`reviewloop.checks.suppressions`).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.trusted_config import (
    MAX_BYTES,
    trusted_files,
    trusted_text,
    trusted_yaml,
)
from reviewloop.git.names import on_disk
from reviewloop.memo import compiled_on_first_use

# checkov reads both, in this order, the second's keys taking precedence (configargparse)
NAMES = (".checkov.yaml", ".checkov.yml")
DATA = (".yaml", ".yml", ".json")  # checkov's policy files (`CHECKS_POSSIBLE_ENDING`)
MAX_POLICIES = 500  # policy files read from the project's folders; past it, named
# checkov's words for a policy it skipped: "Failed to parse check id 'X' from file f: why"
_SKIPPED = compiled_on_first_use(r"Failed to parse check id '([^']+)' from file [^\n]*?: ([^\n]*)")
FIX = ("fix: write them as YAML policies (checkov's custom policy format) in a folder "
       "`external-checks-dir` names")


@dataclass(frozen=True)
class Policies:
    """The project's policies to give checkov, and why some of its checks were not run."""

    files: tuple[tuple[str, str], ...] = ()  # (repository path, text), as the trusted side
    unrun: str = ""  # "" when every check the config adds is among `files`
    ids: Mapping[str, str] = field(default_factory=dict)  # check id → its policy file

    def rejected(self, log: str) -> dict[str, str]:
        """The policies checkov's `log` says it skipped (an operator it does not support, a
        field missing), each with what it said: checkov runs on without them."""
        found = {}
        for check, said in _SKIPPED().findall(log):
            if check in self.ids:
                found[self.ids[check]] = said.strip()
        return found

    def write(self, folder: Path) -> None:
        """Each policy file under `folder`, at its own place in the repository (so two of
        the same name stay apart)."""
        for path, text in self.files:
            target = folder.joinpath(*PurePosixPath(on_disk(path)).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


def project_policies(ctx: AnalyzerContext) -> Policies:
    """The trusted side's `.checkov.yaml` policies (none without a config naming any), once
    per analyzer context."""
    return ctx.once("checkov project policies", lambda: _policies(ctx))


def var_files(ctx: AnalyzerContext) -> tuple[str, ...]:
    """The repository paths of the variable files the trusted side's config names
    (`var-file`), inside the tree, once per analyzer context."""
    return ctx.once("checkov var files", lambda: tuple(dict.fromkeys(
        inside for name in _names(_config(ctx).get("var-file"))
        if (inside := _inside(name)))))


def outside_var_files(ctx: AnalyzerContext) -> list[str]:
    """The variable files the trusted side's config names outside the tree (`/etc/x`,
    `../x`, `~/x`): plain checkov reads them, a review does not."""
    return [name for name in _names(_config(ctx).get("var-file")) if _inside(name) is None]


def _config(ctx: AnalyzerContext) -> dict[str, Any]:
    """The trusted side's checkov config, `.checkov.yml`'s keys over `.checkov.yaml`'s."""
    read = [c for name in NAMES if (c := trusted_yaml(ctx, name)) is not None]
    return {key: value for each in read for key, value in each.items()}


def _policies(ctx: AnalyzerContext) -> Policies:
    config = _config(ctx)
    if not config:
        return Policies()
    files: list[tuple[str, str]] = []
    unrun: list[str] = []
    ids: dict[str, str] = {}
    for folder in _names(config.get("external-checks-dir")):
        inside = _inside(folder)
        if inside is None:
            unrun.append(f"its folder {folder} is outside the repository")
            continue
        listed = trusted_files(ctx, inside, links=True)
        code = _python_checks(listed)
        if code:
            unrun.append(f"{len(code)} Python check(s) in {inside or '.'} ({code[0]}"
                         f"{', …' if len(code) > 1 else ''}) are code, which reviewloop "
                         "does not run")
        for path in (p for p in listed if PurePosixPath(p).suffix in DATA):
            if len(files) == MAX_POLICIES:
                unrun.append(f"only the first {MAX_POLICIES} policy files were read")
                break
            text = trusted_text(ctx, path)
            check, problem = _policy(path, text) if text is not None else \
                (None, f"the policy {path} could not be read (over {MAX_BYTES:,} bytes, or "
                       "not a regular file)")
            if problem:
                unrun.append(problem)
            elif check is not None and text is not None:
                files.append((path, text))
                ids[check] = path
    for source in _names(config.get("external-checks-git")):
        unrun.append(f"the checks of {source} (external-checks-git) are fetched from a "
                     "repository, and a review reads nothing from the network")
    reason = ("the project's own checkov checks (.checkov.yaml) were not all run on it: "
              + "; ".join(unrun) + f"; {FIX}") if unrun else ""
    return Policies(tuple(files), reason, ids)


def _policy(path: str, text: str) -> tuple[str | None, str]:
    """(check id, "") for a policy checkov can load; (None, why) for one it would fail on,
    which would stop its whole run (checkov exits 2 on a policy that does not parse);
    (None, "") for a file that is no policy (checkov passes it by)."""
    from yaml import YAMLError, safe_load  # loaded by `load_yaml` already

    try:
        data = json.loads(text) if path.endswith(".json") else safe_load(text)
    except (ValueError, YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"the policy {path} does not parse ({first[:120]})"
    if not isinstance(data, dict) or "definition" not in data:
        return None, ""
    metadata = data.get("metadata")
    check = metadata.get("id") if isinstance(metadata, dict) else None
    if not isinstance(check, str) or not check:
        return None, f"the policy {path} has no metadata.id"
    return check, ""


def _names(value: Any) -> list[str]:
    """A YAML list of strings, or one string (configargparse takes either)."""
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items if isinstance(item, (str, int)) and str(item)]


def _inside(folder: str) -> str | None:
    """`folder` as a repository path (checkov resolves it from the root it runs in); None
    for one outside the tree."""
    if folder.startswith(("/", "~")):
        return None
    normal = posixpath.normpath(folder)
    if normal == ".." or normal.startswith("../"):
        return None
    return "" if normal == "." else normal


def _python_checks(files: list[str]) -> list[str]:
    """The files checkov would import as Python checks: `*.py` whose name does not start
    with `__` (checkov's `_file_can_be_imported`) in a folder holding an `__init__.py`."""
    packages = {posixpath.dirname(p) for p in files if posixpath.basename(p) == "__init__.py"}
    return [p for p in files if p.endswith(".py") and posixpath.dirname(p) in packages
            and not posixpath.basename(p).startswith("__")]
