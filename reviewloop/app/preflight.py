"""Preflight: what `run`, `resume` and `approve` need, checked before anything is created.

Each check raises a `UserInputError` or `ConfigError` (exit 2) naming what is wrong and the
`fix:` line, and reads only: no `.reviewloop/` folder, worktree or branch exists because a
check failed. The sandbox is probed here too, before any model call.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reviewloop.config import Settings, model_for
from reviewloop.errors import ConfigError, StoreDamaged, UserInputError
from reviewloop.git.identity import IDENTITY_FIX, missing_identity
from reviewloop.git.repository import Repository, open_repository
from reviewloop.github.remote import check_ready
from reviewloop.landing.modes import land_mode
from reviewloop.runs.damage import CHECKPOINTS, health
from reviewloop.runs.registry import REPAIR_FIX
from reviewloop.sandbox.bubblewrap import Sandbox, require
from reviewloop.state_dir import state_folder

REGISTRY_FILE = "runs.sqlite"


@dataclass(frozen=True)
class Needs:
    """What the command about to run will do."""

    commit: bool = True  # it may commit: git identity and a first commit are needed
    llm_implementer: bool = False  # the implementer is `llm`: a model and credentials
    require_llm: bool = False  # --require-llm: the reviewers' model and credentials
    check_model: bool = True  # False when the caller brings its own model factory (tests)
    existing_runs: bool = False  # it reads runs (resume, approve): the store must hold some
    sandbox: bool = True  # it runs gates or model commands: the sandbox must work here
    remote: bool = False  # it may land: the land mode, and the remote if it needs one


def preflight(settings: Settings, root: Path, needs: Needs) -> Repository:
    """The repository, once every check passed; the first failing check raises."""
    repo = open_repository(root)
    if needs.commit:
        check_identity(repo)
        check_default_branch(repo)
    if needs.sandbox:  # before any model call or worktree: the test gate would fail later
        require(Sandbox.from_settings(settings))
    # it may land: an unknown run.land is refused, and a mode that needs the remote (pr)
    # finds it and the token, before .reviewloop/, a worktree or a model
    if needs.remote and land_mode(settings.run.land).needs_remote:
        check_ready(repo, settings.run.remote, os.environ)
    if needs.llm_implementer and needs.check_model:
        check_implementer_model(settings)
    if needs.require_llm and needs.check_model:
        check_review_model(settings)
    check_store(settings, repo.root, existing_runs=needs.existing_runs)
    return repo


def in_repository(root: Path) -> Repository:
    """`runs` and `clean`: exit 2 outside a git repository, creating nothing."""
    return open_repository(root)


def check_identity(repo: Repository) -> None:
    """The identity `git commit` will use (`git.identity`)."""
    reason = missing_identity(repo)
    if reason is not None:
        raise UserInputError(f"{reason}, so the run's commit would fail",
                             where=str(repo.root), fix=IDENTITY_FIX)


def check_default_branch(repo: Repository) -> None:
    """A first commit to start runs from, and a default branch that names a real ref."""
    if repo.try_git("rev-parse", "--verify", "--quiet", "HEAD^{commit}")[0] != 0:
        raise UserInputError("the repository has no commit yet: a run starts from HEAD",
                             where=str(repo.root),
                             fix='git add -A && git commit -m "initial commit"')
    name = repo.default_branch()
    for ref in (f"refs/heads/{name}", f"refs/remotes/origin/{name}"):
        if repo.try_git("rev-parse", "--verify", "--quiet", ref)[0] == 0:
            return
    raise UserInputError(
        f"the default branch cannot be resolved: no branch {name!r} here or on origin",
        where=str(repo.root),
        fix="git config init.defaultBranch <your default branch> (or, with a remote: "
            "git remote set-head origin --auto)")


def check_implementer_model(settings: Settings) -> None:
    from reviewloop.agent.model_ids import check_model_id
    from reviewloop.agent.models import check_credentials

    model = model_for(settings, "implement")
    if not model:
        raise ConfigError("the llm implementer needs a model and credentials",
                          where="--implementer",
                          fix='set --model (or `model` in .reviewloop.toml), or use '
                              '--implementer manual / cmd:"…"')
    check_credentials(model, settings.region)  # CredentialsError with the exact fix
    check_model_id(model, settings.region)  # ConfigError naming the closest valid ids


def check_review_model(settings: Settings) -> None:
    """--require-llm: the reviewers' model is set, its credentials resolve, and the provider
    knows it."""
    from reviewloop.agent.model_ids import check_model_id
    from reviewloop.agent.models import check_credentials

    model = model_for(settings, "review")
    if not model:
        raise ConfigError("--require-llm is set but no model is configured", where="model",
                          fix="pass --model or set `model` in .reviewloop.toml")
    check_credentials(model, settings.region)
    check_model_id(model, settings.region)


def check_store(settings: Settings, root: Path, *, existing_runs: bool = False) -> None:
    """The checkpoint store: the Postgres URL reachable, or `.reviewloop/` writable (or
    creatable) — and, for commands that read runs, holding some."""
    from reviewloop.runs.store import connect, postgres_url

    url = postgres_url(settings)
    if url is not None:
        connect(url).close()  # UserInputError naming the URL's problem
        return
    state = state_folder(root)  # a file there is named, exit 2
    if existing_runs and not (state / REGISTRY_FILE).exists():
        raise UserInputError("no runs in this repository yet", where=str(root),
                             fix="start one with `reviewloop run TASK|next|all`")
    target = state if state.is_dir() else root
    if not os.access(target, os.W_OK | os.X_OK):
        raise UserInputError(f"the checkpoint store is not writable: {target}",
                             where=str(target),
                             fix=f"make {target} writable (chmod u+w), or set checkpoint_url "
                                 "to a postgresql:// URL")
    for name in (REGISTRY_FILE, CHECKPOINTS):
        path = state / name
        if path.exists() and not os.access(path, os.R_OK | os.W_OK):
            raise UserInputError(f"the checkpoint store is not writable: {path}",
                                 where=str(path), fix=f"chmod u+rw {path}")
        reason = health(path)  # a damaged file fails the run later, after model calls
        if reason is not None:
            raise StoreDamaged(f"{name} is damaged: {reason}", where=str(path), fix=REPAIR_FIX)


def has_runs(root: Path) -> bool:
    """Whether the SQLite registry exists (reading it would otherwise create it)."""
    # exit 2 for a file in place of the folder; a folder in place of the registry is named
    # damaged by the registry, never "no runs yet"
    return (state_folder(root) / REGISTRY_FILE).exists()
