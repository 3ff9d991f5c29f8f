"""Settings: flags > environment (REVIEWLOOP_*) > .reviewloop.toml / [tool.reviewloop] > defaults.

Built once at the edge (CLI, Action), frozen, and passed down. Every validation error names
where the value came from and its key path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from reviewloop.config_file import CONFIG_FILE as CONFIG_FILE  # imported from here elsewhere
from reviewloop.config_file import PYPROJECT_TABLE, read_file_layer
from reviewloop.config_values import MIN_CONTEXT_WINDOW as MIN_CONTEXT_WINDOW
from reviewloop.config_values import PRICE_KEYS as PRICE_KEYS
from reviewloop.config_values import Globs, check_price, check_windows, scalar_kind, unknown_key_fix
from reviewloop.config_values import value_fix as list_fix
from reviewloop.errors import ConfigError

ENV_PREFIX = "REVIEWLOOP_"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_not_booleans(cls, value: Any, info: ValidationInfo) -> Any:
        return scalar_kind(value, cls.model_fields[info.field_name or ""].annotation)


class ModelRoles(_Frozen):
    """Per-role model overrides; unset roles use `model`."""

    implement: str | None = None
    review: str | None = None
    fix: str | None = None
    spec: str | None = None  # writing specs (`reviewloop spec new`); the spec_* keys per phase
    spec_research: str | None = None
    spec_requirements: str | None = None
    spec_design: str | None = None
    spec_tasks: str | None = None


class ModelRouting(_Frozen):
    """Models by kind of work (the seed-style `model_routing`), under the per-role overrides:
    `reasoning` judges and plans (the reviewers, spec authoring), `generation` writes code
    (the implementer, the fixer)."""

    reasoning: str | None = None
    generation: str | None = None


# Which kind of work each role family is (`model_routing`).
ROLE_KINDS = {"implement": "generation", "fix": "generation", "review": "reasoning",
              "spec": "reasoning"}


class Gates(_Frozen):
    """Guard-rail commands and the branch rule."""

    # None: detect from the project (pytest, npm, go, cargo, make); [] turns the gate off.
    build: tuple[str, ...] | None = None
    test: tuple[str, ...] | None = None
    # "report": untested new public functions are test-quality findings; "strict": a failure.
    coverage: Literal["report", "strict"] = "report"
    # Share of the change's executable Python lines the tests must run (0.85 = 85%); below
    # it, a finding ("report") or a gate failure ("strict"). None: no threshold, unless
    # `.kiro/governance.yaml` sets quality_gates.test_coverage.
    coverage_threshold: float | None = Field(default=None, gt=0, le=1)
    protected_branches: tuple[str, ...] = ("main", "master", "release/*")
    max_retries: int = Field(default=2, ge=0, le=10)
    timeout_seconds: int = Field(default=900, ge=1)
    # Run your own pre-commit hook on the change, sandboxed (git itself never runs hooks).
    hooks: bool = True
    # Run the project's Kiro hooks (.kiro/hooks/) whose action is a command, sandboxed.
    kiro_hooks: bool = True


class Commands(_Frozen):
    """What the implementer's command tool may run (deny wins)."""

    allow: tuple[str, ...] | None = None
    deny: tuple[str, ...] | None = None


class Review(_Frozen):
    """The review phase: what `reviewloop review` may run, and what a round may cost."""

    # Run the configured (or detected) test command, sandboxed, for the coverage analyzer.
    run_tests: bool = False
    # Context windows in tokens by model id, over the built-in table (at least
    # MIN_CONTEXT_WINDOW: the rules, the prompt and a diff must fit in one call).
    context_windows: dict[str, int] = Field(default_factory=dict)
    # Most diff tokens one reviewer call carries; None: half the model's context window (the
    # rest holds the rules, the task, the agent's prompt, tool results and the reply).
    chunk_tokens: int | None = Field(default=None, ge=1_000)
    # Stop before a round whose estimated cost exceeds this (USD); None: no limit.
    max_cost_usd: float | None = Field(default=None, gt=0)
    # Bedrock: the first reviewer's request writes the shared prompt to the cache, the others
    # wait for its prefill and read it (0.1x, not 1.25x each; `review/cache_gate.py`).
    cache_warm: bool = True
    # At most this many reviewers run (built-ins, those `reviewers` lists, the rest by name);
    # the others are named in a warning and the report (never clean: `review/reviewer_set.py`).
    max_reviewers: int = Field(default=20, ge=1)
    # An agent file's own `model` answers for it; false: the review role's (the bench's).
    agent_models: bool = True
    # Round 2 on, the re-reviewers on one model judge a fix in one call (`review/rereview.py`).
    combined_rereview: bool = True
    # Round 1 too: a chunk's reviewers on one model in one call, each one's instructions in it
    # (`review/rereview.py`); false: one call each, in parallel: separate judgements, more tokens.
    combined_review: bool = True
    executed_files: Globs = ()  # globs of files a tool runs: levers (lever_files)

    @field_validator("context_windows")
    @classmethod
    def _windows_hold_a_call(cls, windows: dict[str, int]) -> dict[str, int]:
        return check_windows(windows)


class Governance(_Frozen):
    """Changes that need an explicit human approval, even with --yes."""

    max_files: int | None = Field(default=20, ge=1)
    max_lines: int | None = Field(default=800, ge=1)
    approval_paths: Globs | None = None  # None: the built-in list (migrations, CI, …)


class Runs(_Frozen):
    """Where a run works and how its approved commit reaches your branch (`[run]`)."""

    branch: str = "reviewloop/{spec}/{task}"  # {spec}: the spec's name (worktrees.spec_name)
    # merge: fast-forward (or replay) onto your branch; branch-only: leave it on the run's
    # branch; pr: push the run's branch to `remote` and open (or update) its pull request
    land: str = "merge"  # a mode of the registry `landing.modes` (plugins add more)
    remote: str = Field(default="origin", pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")  # for pr
    jobs: int = Field(default=1, ge=1, le=32)  # `run all`: tasks of one wave at a time
    # after a --yes approval, run these next steps too (reports/next_steps.py); by default
    # they are only printed as commands to copy. A pull request is `land = "pr"`.
    then: tuple[Literal["handoff", "next"], ...] = ()


class Commits(_Frozen):
    """How a run's commit message reads (`[commit]`); see `landing.message`."""

    # conventional-commit subjects ("feat: …", "fix: …"): "auto" when most of the branch's
    # recent subjects are conventional, "on"/"off" always/never
    conventional: Literal["auto", "on", "off"] = "auto"
    type: str | None = Field(default=None, pattern=r"^[a-z]+$")  # fixed; None: from the task
    scope: str | None = Field(default=None, pattern=r"^[\w.\-/]+$")  # "api" -> "feat(api): …"


class Settings(_Frozen):
    """Every setting reviewloop reads. Unknown keys are errors."""

    spec: Path | None = None
    agents_dirs: tuple[Path, ...] = ()
    reviewers: tuple[str, ...] = ()
    model: str | None = None
    models: ModelRoles = ModelRoles()
    model_routing: ModelRouting = ModelRouting()
    # When a role's model fails or is throttled past one retry, its fallback answers instead
    # (recorded in the summary): `fallbacks.<role>`, else `fallback_model`.
    fallback_model: str | None = None
    fallbacks: ModelRoles = ModelRoles()
    region: str | None = None
    max_rounds: int = Field(default=3, ge=1, le=10)
    # Total seconds one model call may take, retries included; then the agent fails visibly.
    llm_timeout_s: float = Field(default=300, gt=0, le=3600)
    gates: Gates = Gates()
    run: Runs = Runs()
    commit: Commits = Commits()
    commands: Commands = Commands()
    review: Review = Review()
    # How commands for the project or a model run: "auto" = bubblewrap, refusing to run
    # anything when it does not work here; "off" = unsandboxed (say so explicitly).
    sandbox: Literal["auto", "bwrap", "off"] = "auto"
    sandbox_network: bool = False  # let sandboxed commands use the network
    sandbox_env: tuple[str, ...] = ()  # extra environment variables passed into commands
    sandbox_read: tuple[Path, ...] = ()  # hidden paths (in $HOME, /tmp, …) shown read-only
    sensitive: Globs | None = None  # {a,b} alternatives expanded, as in every glob setting
    governance: Governance = Governance()
    # USD per million tokens by model id: {input, output, cache_read, cache_write}.
    prices: dict[str, dict[str, float]] = Field(default_factory=dict)
    # Shared run state for batches: a postgresql:// URL; None keeps SQLite under .reviewloop/.
    checkpoint_url: str | None = None
    # A run's lease (runs/lease.py): its holder beats every lease_beat_seconds; a holder on
    # another host is taken as dead lease_seconds after its last beat (on the same host, at
    # once when its process is gone).
    lease_seconds: float = Field(default=20, ge=1, le=3600)
    lease_beat_seconds: float = Field(default=5, gt=0, le=1800)
    # USD a run may spend (it stops at the next node boundary, escalated) and a spec's batch
    # may spend in all (`plan` then starts nothing more); None: no limit.
    budget_usd: float | None = Field(default=None, gt=0)
    batch_budget_usd: float | None = Field(default=None, gt=0)
    # Outputs files the handoff lists deployed resources from (session/resources.py).
    handoff_outputs: tuple[str, ...] = ()

    @field_validator("prices", mode="before")
    @classmethod
    def _known_prices(cls, prices: object) -> object:
        if isinstance(prices, Mapping):
            for model, price in prices.items():
                check_price(str(model), price)
        return prices

    @field_validator("lease_beat_seconds")
    @classmethod
    def _beat_within_lease(cls, beat: float, info: ValidationInfo) -> float:
        ttl = info.data.get("lease_seconds")
        if ttl is not None and beat * 2 > ttl:  # one late beat must not lose the lease
            raise ValueError(f"must be at most half of lease_seconds ({ttl:g})")
        return beat


# Environment variables are flat; these are the ones read, with how to split lists.
_ENV_KEYS: dict[str, tuple[str, ...]] = {
    "SPEC": ("spec",),
    "AGENTS_DIRS": ("agents_dirs",),
    "REVIEWERS": ("reviewers",),
    "MODEL": ("model",),
    "MODEL_IMPLEMENT": ("models", "implement"),
    "MODEL_REVIEW": ("models", "review"),
    "MODEL_FIX": ("models", "fix"),
    "MODEL_SPEC": ("models", "spec"),
    "FALLBACK_MODEL": ("fallback_model",),
    "REGION": ("region",),
    "MAX_ROUNDS": ("max_rounds",),
    "LLM_TIMEOUT_S": ("llm_timeout_s",),
    "SANDBOX": ("sandbox",),
    "SANDBOX_NETWORK": ("sandbox_network",),
    "RUN_TESTS": ("review", "run_tests"),
    "MAX_COST_USD": ("review", "max_cost_usd"),
    "MAX_REVIEWERS": ("review", "max_reviewers"),
    "CHECKPOINT_URL": ("checkpoint_url",),
    "LEASE_SECONDS": ("lease_seconds",),
    "LEASE_BEAT_SECONDS": ("lease_beat_seconds",),
}
_LIST_KEYS = {("agents_dirs",), ("reviewers",)}


def load_settings(
    root: Path,
    *,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Merge the four layers and validate once."""
    environ = os.environ if environ is None else environ
    layers: list[tuple[str, dict[str, Any]]] = []
    file_layer = read_file_layer(root, config_file)
    if file_layer:
        layers.append(file_layer)
    layers.append(("environment", _env_layer(environ)))
    layers.append(("command line", {k: v for k, v in (flags or {}).items() if v is not None}))
    merged: dict[str, Any] = {}
    for source, data in layers:  # pyproject.toml's headers name the table the settings are in
        outer = PYPROJECT_TABLE if source.endswith(f" [{PYPROJECT_TABLE}]") else ""
        _check_keys(data, Settings, source, (), outer)
        _deep_merge(merged, data)
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        raise _config_error(exc, layers) from None
    return _resolve_paths(settings, root)


def _env_layer(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for suffix, keypath in _ENV_KEYS.items():
        raw = environ.get(ENV_PREFIX + suffix)
        if raw is None or raw == "":
            continue
        value: Any = [p for p in raw.split(os.pathsep) if p] if keypath in _LIST_KEYS else raw
        node = out
        for key in keypath[:-1]:
            node = node.setdefault(key, {})
        node[keypath[-1]] = value
    return out


def _check_keys(data: Mapping[str, Any], model: type[BaseModel], source: str, path: tuple,
                outer: str = "") -> None:
    """Unknown keys get a message with the key path and the fix (`unknown_key_fix`)."""
    fields = model.model_fields
    for key, value in data.items():
        if key not in fields:
            raise ConfigError(f'unknown key "{".".join((*path, key))}"', where=source,
                              fix=unknown_key_fix(key, path, fields, Settings.model_fields, outer))
        annotation = fields[key].annotation
        if isinstance(value, Mapping) and isinstance(annotation, type) and \
                issubclass(annotation, BaseModel):
            _check_keys(value, annotation, source, (*path, key), outer)


def _deep_merge(into: dict[str, Any], data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value


def _config_error(exc: ValidationError, layers: list[tuple[str, dict[str, Any]]]) -> ConfigError:
    err = exc.errors()[0]
    keypath = tuple(str(p) for p in err["loc"])
    source = next((name for name, data in reversed(layers) if _has_path(data, keypath)), "config")
    dotted = ".".join(keypath)
    if source == "environment":
        var = next((ENV_PREFIX + k for k, v in _ENV_KEYS.items() if keypath[: len(v)] == v), "")
        source = f"environment variable {var}" if var else source
    return ConfigError(f'key "{dotted}": {err["msg"]} (got {err.get("input")!r})', where=source,
                       fix=list_fix(dotted, err["type"], err.get("input")))


def _has_path(data: Any, keypath: tuple[str, ...]) -> bool:
    for key in keypath:
        if isinstance(data, Mapping) and key in data:
            data = data[key]
        elif isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        else:
            return False
    return True


def _resolve_paths(settings: Settings, root: Path) -> Settings:
    spec = settings.spec if settings.spec is None or settings.spec.is_absolute() \
        else root / settings.spec
    dirs = tuple(d if d.is_absolute() else root / d for d in settings.agents_dirs)
    shown = tuple(p.expanduser() if str(p).startswith("~") or p.is_absolute() else root / p
                  for p in settings.sandbox_read)
    return settings.model_copy(update={"spec": spec, "agents_dirs": dirs,
                                       "sandbox_read": shown})


def model_for(settings: Settings, role: str) -> str | None:
    """The model string for a role: the role override, else its family's (`spec` for
    `spec_design`), else its kind of work's (`model_routing`), else the global model."""
    family = role.split("_", 1)[0]
    kind = ROLE_KINDS.get(family)
    return (getattr(settings.models, role, None) or getattr(settings.models, family, None)
            or (getattr(settings.model_routing, kind) if kind else None) or settings.model)


def fallback_for(settings: Settings, role: str, primary: str | None = None) -> str | None:
    """The fallback model string for a role (`fallbacks.<role>`, its family's, else
    `fallback_model`); None when there is none or it is the primary itself."""
    family = role.split("_", 1)[0]
    found = (getattr(settings.fallbacks, role, None) or getattr(settings.fallbacks, family, None)
             or settings.fallback_model)
    return None if found is None or found == (primary or model_for(settings, role)) else found


def project_root(start: Path) -> Path:
    """The enclosing git work tree, or `start` itself outside one."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def load_yaml(text: str) -> Any:
    """Parse one YAML document with the safe loader, aliases refused (a `MarkedYAMLError`).
    PyYAML loads here, when a YAML file is read (~13 ms of a start-up otherwise)."""
    import yaml

    return yaml.load(text, Loader=no_alias_loader())  # a SafeLoader subclass: no objects


@cache
def no_alias_loader() -> Any:
    """PyYAML's safe loader without aliases: `*name` is refused where it is read, so a few
    hundred bytes of nested aliases (a "billion laughs") cannot expand into gigabytes."""
    import yaml
    from yaml.composer import ComposerError

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise ComposerError(
                    None, None, f"aliases (*{event.anchor}) are not allowed in reviewloop's "
                    "YAML files; write the value out", event.start_mark)
            return super().compose_node(parent, index)

    return NoAliasLoader
