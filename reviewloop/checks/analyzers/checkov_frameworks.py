"""Which of checkov's Azure, Ansible, Serverless and CI-pipeline frameworks reads a file, where
the one-run view puts it, and when checkov's own gate makes it read none of it.

Each rule is checkov 3's own (its `<framework>/runner.py` or `utils.py`), so a file is given
to checkov exactly when plain `checkov -d .` would read it:

* by name: Bicep (`*.bicep`), Serverless (`serverless.yml`/`.yaml`, only those names), Azure
  Pipelines (a name ending `azure-pipelines.yml`/`.yaml`), GitLab CI (ending
  `.gitlab-ci.yml`/`.yaml`), Bitbucket Pipelines (ending `bitbucket-pipelines.yml`/`.yaml`),
  CircleCI (a name ending `config.yml`/`.yaml` with `circleci` in its path: checkov's own
  test, so `.circleci/continue_config.yml` and `circleci/config.yml` too);
* by text: Ansible (YAML that is a list of plays with `hosts` and `tasks` or `roles`, a
  role's `tasks/`/`handlers/` list, and any list of mappings with a `- name:` line: checkov's
  Ansible runner opens every such YAML and checks its items as tasks, wherever it is). ARM
  templates, told by their parsed `$schema`, are `checkov_documents`' with the other parsed
  kinds.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from reviewloop.memo import compiled_on_first_use

# name → framework, each a suffix of the file's name as checkov tests it (`endswith`)
_BY_SUFFIX = (
    (("azure-pipelines.yml", "azure-pipelines.yaml"), "azure_pipelines"),
    ((".gitlab-ci.yml", ".gitlab-ci.yaml"), "gitlab_ci"),
    (("bitbucket-pipelines.yml", "bitbucket-pipelines.yaml"), "bitbucket_pipelines"),
)
SERVERLESS = ("serverless.yml", "serverless.yaml")  # checkov's SLS_FILE_MASK: whole names
_role_tasks = compiled_on_first_use(r"(^|/)roles/[^/]+/(tasks|handlers)/[^/]+\.ya?ml$")
# checkov's ansible TASK_NAME_PATTERN: it opens no YAML file without such a line
_ansible_gate = compiled_on_first_use(r"^\s*-\s+name:\s+", re.MULTILINE)
_top_list = compiled_on_first_use(r"^(?:-(?:[ \t]|$)|\[)", re.MULTILINE)
PLAY_BODIES = ("tasks", "roles")
# frameworks whose YAML checkov loads with its strict loader, and skips quietly when that fails
_NAMED_KINDS = {"bicep": "a Bicep file (`*.bicep`)",
                "serverless": "a Serverless service (`serverless.yml`/`.yaml`)",
                "azure_pipelines": "an Azure Pipelines file (`*azure-pipelines.yml`)",
                "gitlab_ci": "a GitLab CI file (`*.gitlab-ci.yml`)",
                "bitbucket_pipelines": "a Bitbucket Pipelines file (`*bitbucket-pipelines.yml`)",
                "circleci_pipelines": "a CircleCI config (`config.yml` under `circleci`)"}
YAML_DOCS = frozenset({"ansible", "azure_pipelines", "gitlab_ci", "bitbucket_pipelines",
                       "circleci_pipelines", "github_actions"})


def by_name(path: str) -> str | None:
    """The framework checkov reads `path` under by its name alone, if any: told in any case
    (`Storage.Bicep`, `Serverless.yml`), for `misnamed` to name one checkov's test, which
    is case-sensitive, skips."""
    return _by_name(path.lower())


def _by_name(path: str) -> str | None:
    name = PurePosixPath(path).name
    if name.endswith(".bicep"):
        return "bicep"
    if name in SERVERLESS:
        return "serverless"
    # checkov's `is_workflow_file`: "circleci" anywhere in the path and a name ending
    # `config.yml` (`.circleci/continue_config.yml`, `circleci/config.yml`, a subfolder's)
    if "circleci" in path and name.endswith(("config.yml", "config.yaml")):
        return "circleci_pipelines"
    return next((kind for suffixes, kind in _BY_SUFFIX if name.endswith(suffixes)), None)


def misnamed(kind: str, path: str) -> str | None:
    """Why checkov skips `path`, which names a file of `kind` only in another case than its
    own test's (`Storage.Bicep`, `Serverless.yml`, `.GitLab-CI.yml`); None when it reads it."""
    if kind not in _NAMED_KINDS or _by_name(path) == kind or by_name(path) != kind:
        return None
    return f"checkov tells {_NAMED_KINDS[kind]} by its name in lower case only, and skips " \
           f"this one's `{PurePosixPath(path).name}`: it did not read it"


def by_text(path: str, text: str) -> str | None:
    """Ansible for a YAML file by its text (None: it is not)."""
    suffix = PurePosixPath(path).suffix.lower()  # `.YAML` too: `checkov_skips` names it
    if suffix not in (".yaml", ".yml") or not _top_list().search(text):
        return None
    # checkov's Ansible runner parses any YAML with a `- name:` line, a list's items as tasks
    # (`tasks/setup.yml` an `include_tasks` names, a role's subfolder): a role's file without
    # one is given too, for `skipped` to name
    if _role_tasks().search(path) or _ansible_gate().search(text):
        if _is_task_list(text):
            return "ansible"
        if _role_tasks().search(path):
            return None
    if "hosts" in text and any(body in text for body in PLAY_BODIES) and _is_playbook(text):
        return "ansible"
    return None


def view_path(kind: str, name: str) -> str:
    """Where a file checkov is to read under `kind` goes in its own folder of the one-run
    view (`Checkov.staged`): a workflow and a CircleCI config in the folder checkov looks in
    for one, and a hidden name behind a `_` (walking a folder, checkov skips a name starting
    with `.`, except `.gitlab-ci.yml`; every framework's name test here is a suffix, which
    `_` keeps)."""
    if name.startswith(".") and name not in (".gitlab-ci.yml", ".gitlab-ci.yaml"):
        name = f"_{name}"
    if kind == "github_actions":
        return f".github/workflows/{name}"
    if kind == "circleci_pipelines":
        return f".circleci/{name}"
    return name


def skipped(kind: str, text: str) -> str | None:
    """Why checkov, given a file of `kind` with this `text`, reads none of it by a gate of its
    own (None: no such gate stops it). Each is a test checkov makes before parsing."""
    if kind == "arm" and "contentVersion" not in text:
        return "checkov reads an ARM template only when it holds both `$schema` and " \
               "`contentVersion`, and this one has no `contentVersion`: it did not read it"
    if kind == "ansible" and not _ansible_gate().search(text):
        return "checkov opens an Ansible file only when a line starts a list item with " \
               "`name:` (`- name: …`), and this one has none: it did not read it"
    if kind in YAML_DOCS and (why := _strict_yaml_error(text)):
        return f"checkov's YAML loader cannot load it ({why}), and then reads none of the " \
               f"file without a word: it did not read it"
    return None


def _is_playbook(text: str) -> bool:
    """Every document a list (or empty), and one item a play: `hosts` and `tasks`/`roles`."""
    documents = _documents(text)
    if documents is None or not all(d is None or isinstance(d, list) for d in documents):
        return False
    return any(isinstance(play, dict) and "hosts" in play
               and any(body in play for body in PLAY_BODIES)
               for document in documents if document for play in document)


def _is_task_list(text: str) -> bool:
    """A role's tasks or handlers file: its documents lists of mappings."""
    documents = _documents(text)
    if not documents:
        return False
    return any(documents) and all(
        d is None or (isinstance(d, list) and all(isinstance(t, dict) for t in d))
        for d in documents)


def _documents(text: str) -> list[Any] | None:
    """The YAML documents of `text`, any tag (Ansible's `!vault`) read as nothing; None when
    it is not YAML."""
    import yaml  # ~13 ms, and only for a YAML list that may be Ansible

    try:
        return list(yaml.load_all(text, Loader=any_tag_loader()))
    except yaml.YAMLError:
        return None


def load_all_as_checkov(text: str) -> list[Any]:
    """Every document of `text` as checkov's loader, PyYAML's pure-Python safe loader, reads
    it: libyaml's first (faster), and where libyaml refuses (a surrogate pair's escape, as
    `json.dumps` writes an emoji: `\\ud83d\\ude80`, which the pure loader joins) the pure one,
    whose error is then the answer; a text holding a tab is read by the pure one alone
    (libyaml takes a tab after a value, `key: v\t`, that the pure loader refuses)."""
    import yaml

    if (fast := getattr(yaml, "CSafeLoader", None)) is not None and "\t" not in text:
        try:
            return list(yaml.load_all(text, Loader=fast))
        except yaml.YAMLError:
            pass
    return list(yaml.load_all(text, Loader=yaml.SafeLoader))


def _strict_yaml_error(text: str) -> str | None:
    """What stops YAML's safe loader, which checkov's is, loading every document of `text`."""
    import yaml

    try:
        load_all_as_checkov(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "a YAML error"
        mark = getattr(exc, "problem_mark", None)
        return f"{problem}" + (f", line {mark.line + 1}" if mark is not None else "")
    return None


@cache
def any_tag_loader() -> Any:
    """YAML's safe loader (libyaml's when there), reading a tag it does not know (`!vault`,
    CloudFormation's `!Ref`) as nothing; `!!str` and the other standard tags it resolves."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class AnyTag(base):  # type: ignore[misc, valid-type]
        """The safe loader, reading a tag it does not know as nothing."""

    AnyTag.add_multi_constructor("!", lambda loader, suffix, node: None)
    return AnyTag
