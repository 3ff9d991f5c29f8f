"""The project's own bandit plugin settings, as the trusted side has them (`trusted_config`),
carried into reviewloop's bandit run where they widen a check.

`[tool.bandit.hardcoded_tmp_directory] tmp_dirs = [..., "/data/scratch"]` in the base's
`pyproject.toml` (run as `bandit -c pyproject.toml -r .`), or the same in a `bandit.yaml`:
plain bandit reports B108 on `open("/data/scratch/out.txt", "w")`. The review ran bandit
with its defaults and passed complete. Now the settings of the trusted `pyproject.toml`
`[tool.bandit]` and YAML configs (`bandit.yaml`, `bandit.yml`, `.bandit.yaml`,
`.bandit.yml`; the INI `.bandit` holds no plugin settings) join bandit's defaults in a config
file reviewloop passes with `-c`.

Only widening counts (`WIDENING`): a list joins bandit's own (`tmp_dirs`, the shell
functions of B602-B607, `bad_protocol_versions`, `extend_markup_names`), a switch turns on
(`check_typed_exception`), a weak-key size can only rise. Settings that narrow a check
(`assert_used.skips`, `markupsafe_xss.allowed_calls`) are not carried: only
`reviewloop.checks.suppressions` waives a finding.

A widening setting of the wrong type is not carried either, and it is named (`malformed`):
bandit runs with it as given — `tmp_dirs = "notalist"` is iterated letter by letter (B108 on
any string starting with `n`, `o`, `t`…, none on `/tmp`), `tmp_dirs = 5` fails the check on
every string — so what plain bandit reports is not what this review's run reports, and
bandit's files are named as not fully analysed. The review dropped it silently.

The config the project's pre-commit bandit hook passes (`args: ['-c', 'security/bandit.yml']`,
`--configfile`, `-c=`; `precommit_hooks`) is read too, a `.toml` one by its `[tool.bandit]`
as bandit reads it: the review read only the root's names, and a hook's config under `ci/`
or `security/` widened nothing (the fuzzer's D2). A hook config the trusted side does not
have, or that does not parse, is named (`malformed`).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.precommit_hooks import PRE_COMMIT, hook_config, refused
from reviewloop.checks.analyzers.trusted_config import trusted_text, trusted_yaml
from reviewloop.config import load_yaml
from reviewloop.git.scratch import LazyFolder

YAML_CONFIGS = ("bandit.yaml", "bandit.yml", ".bandit.yaml", ".bandit.yml")
HOOKS = frozenset({"bandit"})  # bandit's own pre-commit hook (PyCQA/bandit)
OPTIONS = ("-c", "--configfile")
_KEY_SIZES = {f"weak_key_size_{kind}_{level}": size for kind, sizes in
              (("dsa", (1024, 2048)), ("rsa", (1024, 2048)), ("ec", (160, 224)))
              for level, size in zip(("high", "medium"), sizes, strict=True)}
# bandit's (1.9) defaults (each plugin's `gen_config`) of the settings that widen a check
WIDENING: Mapping[str, Mapping[str, Any]] = {
    "hardcoded_tmp_directory": {"tmp_dirs": ["/tmp", "/var/tmp", "/dev/shm"]},  # nosec B108
    "shell_injection": {
        "subprocess": ["subprocess.Popen", "subprocess.call", "subprocess.check_call",
                       "subprocess.check_output", "subprocess.run"],
        "shell": ["os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4",
                  "popen2.popen2", "popen2.popen3", "popen2.popen4", "popen2.Popen3",
                  "popen2.Popen4", "commands.getoutput", "commands.getstatusoutput",
                  "subprocess.getoutput", "subprocess.getstatusoutput"],
        "no_shell": ["os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execv",
                     "os.execve", "os.execvp", "os.execvpe", "os.spawnl", "os.spawnle",
                     "os.spawnlp", "os.spawnlpe", "os.spawnv", "os.spawnve", "os.spawnvp",
                     "os.spawnvpe", "os.startfile"]},
    "ssl_with_bad_version": {"bad_protocol_versions": [
        "PROTOCOL_SSLv2", "SSLv2_METHOD", "SSLv23_METHOD", "PROTOCOL_SSLv3", "PROTOCOL_TLSv1",
        "SSLv3_METHOD", "TLSv1_METHOD", "PROTOCOL_TLSv1_1", "TLSv1_1_METHOD"]},
    "markupsafe_xss": {"extend_markup_names": [], "allowed_calls": []},
    "try_except_pass": {"check_typed_exception": False},
    "try_except_continue": {"check_typed_exception": False},
    "weak_cryptographic_key": _KEY_SIZES,
}
NARROWING = frozenset({("markupsafe_xss", "allowed_calls")})  # kept at bandit's default


def plugin_settings(ctx: AnalyzerContext) -> dict[str, dict[str, Any]]:
    """{plugin config name: its settings} for the plugins the trusted configs widen, each
    with bandit's defaults joined; empty when none does."""
    merged: dict[str, dict[str, Any]] = {}
    for _, table in _tables(ctx):
        for plugin, defaults in WIDENING.items():
            given = table.get(plugin)
            if not isinstance(given, dict):
                continue
            settings = merged.setdefault(plugin, json.loads(json.dumps(defaults)))
            for key, value in given.items():
                if key in defaults and (plugin, key) not in NARROWING:
                    settings[key] = _widened(settings[key], value)
    return merged


def malformed(ctx: AnalyzerContext) -> list[str]:
    """Why bandit's own run would differ from this review's: each widening setting (or
    plugin table) of a trusted config whose value is not of the type bandit's default is."""
    hooked = _hook_problem(ctx)
    said = [hooked] if hooked else []
    for name, table in _tables(ctx):
        for plugin, defaults in WIDENING.items():
            given = table.get(plugin)
            if plugin in table and not isinstance(given, dict):
                said.append(f"{name} sets bandit's {plugin} to {_shown(given)}, not a table")
                continue
            for key, value in (given or {}).items():
                if key in defaults and not _same_type(defaults[key], value):
                    said.append(f"{name} sets bandit's {plugin}.{key} to {_shown(value)}, "
                                f"not {_kind(defaults[key])}")
    return [s if s.startswith(PRE_COMMIT) else f"{s}: plain bandit runs its check with that "
            "value, this review with bandit's default; fix the trusted config" for s in said]


def config_file(ctx: AnalyzerContext, folder: Path | LazyFolder) -> list[str]:
    """bandit's `-c FILE` for the trusted plugin settings (written in `folder`; JSON is
    YAML), or no arguments when there are none."""
    settings = plugin_settings(ctx)
    if not settings:
        return []
    path = folder / "bandit.yaml"
    path.write_text(json.dumps(settings), "utf-8")
    return ["-c", str(path)]


def _tables(ctx: AnalyzerContext) -> list[tuple[str, dict[str, Any]]]:
    """(file, its bandit table) of the trusted configs that parse: `pyproject.toml`'s
    `[tool.bandit]`, then each YAML config."""
    names = ["pyproject.toml", *YAML_CONFIGS]
    hooked = hook_config(ctx, HOOKS, OPTIONS)
    if hooked is not None and hooked not in names:
        names.append(hooked)
    return [(name, table) for name in names if (table := _table(ctx, name))]


def _table(ctx: AnalyzerContext, name: str) -> dict[str, Any] | None:
    """The bandit settings of the trusted config `name`: a `.toml`'s `[tool.bandit]`, else
    the YAML file's mapping; None when it has none (or does not parse)."""
    if not name.endswith(".toml"):
        return trusted_yaml(ctx, name)
    text = trusted_text(ctx, name)
    try:
        tool = tomllib.loads(text).get("tool") if text is not None else None
    except tomllib.TOMLDecodeError:
        tool = None
    found = tool.get("bandit") if isinstance(tool, dict) else None
    return found if isinstance(found, dict) else None


def _hook_problem(ctx: AnalyzerContext) -> str | None:
    """Why the config the pre-commit bandit hook names is not applied (None: it is, or
    there is none): the trusted side has no such file, or it does not parse."""
    hooked = hook_config(ctx, HOOKS, OPTIONS)
    if hooked is None:
        return refused(ctx, HOOKS)  # a config whose aliases stand for too much: said
    if hooked.startswith(("../", "/")) or hooked == "..":
        why = "is outside the repository, which reviewloop does not read"
    elif (text := trusted_text(ctx, hooked)) is None:
        why = "is not a file of the repository's trusted side"
    elif not _parses(hooked, text):
        why = "does not parse (bandit refuses it too)"
    else:
        return None
    return (f"{PRE_COMMIT}'s bandit hook passes -c {hooked}, which {why}: its plugin "
            "settings are not applied; fix: commit that file or correct the hook's args")


def _parses(name: str, text: str) -> bool:
    if name.endswith(".toml"):
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return False
        return True
    from yaml import YAMLError  # loaded by `load_yaml`: here only for its error

    try:
        load_yaml(text)
    except YAMLError:
        return False
    return True


def _same_type(default: Any, given: Any) -> bool:
    """Whether `given` is of the type of bandit's `default` (a list: of strings)."""
    if isinstance(default, bool) or isinstance(given, bool):
        return isinstance(default, bool) and isinstance(given, bool)
    if isinstance(default, list):
        return isinstance(given, list) and all(isinstance(v, str) for v in given)
    return isinstance(given, type(default))


def _kind(default: Any) -> str:
    return {bool: "true or false", int: "a number", list: "a list of strings"}[type(default)]


def _shown(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


def _widened(default: Any, given: Any) -> Any:
    """`given` joined to bandit's `default` so that the check only widens; a value of
    another type leaves the default."""
    if isinstance(default, bool):
        return default or given is True
    if isinstance(default, int):
        return max(default, given) if isinstance(given, int) and \
            not isinstance(given, bool) else default
    if isinstance(default, list) and isinstance(given, list):
        return [*default, *(v for v in given if isinstance(v, str) and v not in default)]
    return default
