"""When checkov, given a file, reads none or part of it without a word: its own parsers'
skip conditions (checkov 3.3), tested on the file's text whatever the kinds it declares.

* a name: a Bicep, Serverless or CI-pipeline file named in another case than checkov's
  case-sensitive test (`Storage.Bicep`, `Serverless.yml`: `checkov_frameworks.misnamed`); its
  runners test suffixes case-sensitively (`.yaml`, `.yml`, `.json`,
  `.template`), so `deploy.YAML`, which `kubectl apply -f` and CloudFormation read, is
  skipped (a `.TF` Terraform reads no more than checkov does); and each runner its own
  (`OWN_SUFFIXES`): a manifest named `pod.template` is CloudFormation's suffix, which
  checkov's Kubernetes runner never opens;
* Kubernetes (`kubernetes/parser/k8_yaml.py`, `parser.py`, `validatior.py`): a YAML file
  holding a Helm placeholder (`{{ .Values.`, `{{- .Release.`) or a document YAML's safe
  loader refuses (a tab, an unknown tag, a broken later document), or a JSON file it
  cannot load as one YAML list of its objects, is read as nothing, as is an array of
  manifests at a JSON file's top level; a
  document with a `name` anywhere in it that is not a string, is over 253 characters or
  holds `#`, `{` or `}` is dropped;
* CloudFormation (`cfn_utils.build_definitions_context`, `runner.py`): a resource whose
  lines checkov's line finder does not find (a flow-YAML template after a comment line) is
  skipped;
* a GitHub workflow, an Ansible file and the CI pipelines: YAML its strict loader refuses
  (`checkov_frameworks.skipped`, with ARM's and Ansible's gates);
* Serverless (`serverless_iam.unchecked`): the managed policies a service attaches, on which
  checkov has no check, and v3's `provider.iam.role.statements` beside the old
  `provider.iamRoleStatements`, of which it reads the old alone (v3's alone is given to it
  re-keyed, `serverless_iam.rekeyed`);
* Ansible (`ansible_sections.unchecked`): a block's `rescue` and `always` tasks, which its
  runner never reads (a play's `pre_tasks`, `post_tasks` and `handlers` it is given as copies);
* Bicep (`bicep_loops.unchecked`): a resource declared in a loop or under a condition whose
  head the review cannot unwrap for it (it checks such a resource's wrapper, not its body;
  the others are given to it unwrapped, `bicep_loops.unwrapped`);
* Terraform (`terraform_dynamic.unchecked`): a resource holding a `dynamic` block, whose
  generated blocks checkov does not evaluate (a `dynamic "ingress"` opening SSH to the world
  passes CKV_AWS_24): named with its lines as not fully checked;
* a `.tf.json` with a repeated key: Terraform's JSON syntax keeps every repeated
  property (each block is planned), Python's JSON, which checkov reads it with, the last.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.ansible_sections import unchecked as rescued
from reviewloop.checks.analyzers.bicep_loops import unchecked as wrapped
from reviewloop.checks.analyzers.checkov_documents import shape_of
from reviewloop.checks.analyzers.checkov_frameworks import (
    any_tag_loader,
    load_all_as_checkov,
    misnamed,
    skipped,
)
from reviewloop.checks.analyzers.serverless_iam import unchecked
from reviewloop.checks.analyzers.terraform_dynamic import unchecked as generated
from reviewloop.memo import compiled_on_first_use

# checkov's k8_yaml.load: a file holding either is taken for a Helm template
_helm = compiled_on_first_use(r"\{\{-?\s*\.Release\.|\{\{-?\s*\.Values\.")
# a block YAML document's own `kind:` (at the line's start: not a nested one, nor a line of
# an indented block of text), for a file YAML cannot parse
_top_kind = compiled_on_first_use(
    r"^[\"']?kind[\"']?[ \t]*:[ \t]*[\"']?(\w+)[\"']?[ \t]*(?:#.*)?$", re.MULTILINE)
_bad_name = compiled_on_first_use(r"[#{}]+")  # checkov's K8sValidator.name_disallowed_chars
SUFFIXES = (".yaml", ".yml", ".json", ".template")
_NAMED = {"kubernetes", "cloudformation", "argo_workflows", "openapi", "arm", "ansible",
          "serverless", "github_actions", "azure_pipelines", "gitlab_ci", "bitbucket_pipelines",
          "circleci_pipelines", "terraform_plan"}
_WHOLE = "; checkov then reads none of the file{declared}: it did not read it"
# the suffixes a runner opens, where fewer than `SUFFIXES` (checkov's K8_POSSIBLE_ENDINGS,
# its OpenAPI runner's, its Argo runner's `.yaml`/`.yml` test)
OWN_SUFFIXES = {"kubernetes": (".yaml", ".yml", ".json"), "openapi": (".json", ".yml", ".yaml"),
                "argo_workflows": (".yaml", ".yml")}
_LABELS = {"kubernetes": "Kubernetes", "openapi": "OpenAPI", "argo_workflows": "Argo Workflows"}


def skip(kind: str, path: str, text: str,
         touched: Callable[[int, int], bool] | None = None) -> str | None:
    """Why checkov, given `path` (of framework `kind`, with this `text`), reads none or only
    part of it; None when none of its skip conditions holds. `touched`: whether lines
    start..end of it are the change's (a part checkov skips that the change left as it was
    is not named; without it, any is)."""
    if why := misnamed(kind, path):  # `Storage.Bicep`: by a name in its own case only
        return why
    suffix = PurePosixPath(path).suffix
    own = OWN_SUFFIXES.get(kind, SUFFIXES)
    if kind in _LABELS and suffix.lower() not in own:
        return f"checkov's {_LABELS[kind]} runner opens only {_listing(own)} files, and " \
               f"this one ends `{suffix}`: it did not read it"
    if kind in _NAMED and suffix.lower() in own and suffix not in own:
        return f"checkov reads a file ending `{suffix.lower()}` only with that suffix in " \
               f"lower case, and skips this one's `{suffix}`: it did not read it"
    if kind == "kubernetes":
        return kubernetes(path, text)
    if kind == "cloudformation":
        return cloudformation(text)
    if kind == "terraform_json":
        return repeated_key(text)
    if kind == "terraform":
        return generated(text, touched)
    if kind == "serverless":
        return unchecked(text)
    if kind == "bicep":
        return wrapped(text)
    return skipped(kind, text) or (rescued(text) if kind == "ansible" else None)


def _listing(suffixes: tuple[str, ...]) -> str:
    """`.yaml`, `.yml` and `.json`."""
    quoted = [f"`{s}`" for s in suffixes]
    return f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def kubernetes(path: str, text: str) -> str | None:
    """Why checkov's Kubernetes parser reads none or part of the manifest `text`."""
    import yaml  # ~13 ms, and only for a manifest

    if not all(key in text for key in ("apiVersion", "kind")):
        return None  # checkov's own gate, and no manifest
    if path.endswith((".yaml", ".yml")):
        if found := _helm().search(text):
            return f"checkov skips a file holding a Helm placeholder (`{found.group()}`)" \
                   f"{_WHOLE.format(declared=_declared(path, text))}"
        try:
            documents = load_all_as_checkov(text)
        except yaml.YAMLError as exc:
            return f"a YAML document in it does not load ({_problem(exc)})" \
                   f"{_WHOLE.format(declared=_declared(path, text))}"
        except (RecursionError, ValueError):
            return f"YAML's safe loader cannot load it" \
                   f"{_WHOLE.format(declared=_declared(path, text))}"
    else:  # checkov's k8_json: the objects of the file as one YAML list
        joined = "[" + text.replace("}{", "},{").replace("}\n{", "},\n{") + "]"
        try:
            loaded = load_all_as_checkov(joined)
            documents = (loaded[0] if loaded else None) or []
        except (yaml.YAMLError, RecursionError, ValueError):
            return f"checkov's loader, which reads it as YAML, cannot load it" \
                   f"{_WHOLE.format(declared=_declared(path, text))}"
    for document in documents:
        if isinstance(document, list) and any(isinstance(d, dict) and "kind" in d
                                              for d in document):
            return "checkov reads the objects at a JSON manifest's top level, and drops " \
                   "an array of them: it did not read them"
        if isinstance(document, dict) and "apiVersion" in document and "kind" in document \
                and (name := _invalid_name(document)) is not None:
            return f"checkov drops the {document['kind']} document whose name {name!r} is " \
                   f"not a string of at most 253 characters without `#`, `{{` or `}}`: " \
                   f"it did not read that document"
    return None


def declared(path: str, text: str) -> set[str]:
    """The kinds a manifest declares, as YAML reads it past a tag or a tab its loader stops
    at (an escaped `kind` is still a Pod); by each block document's own `kind:` line when
    it does not parse."""
    shape = shape_of(path, text)
    return set(shape.k8s_kinds) if shape else set(_top_kind().findall(text))


def _declared(path: str, text: str) -> str:
    """`, the Pod and Service it declares`, or nothing when the text does not tell."""
    kinds = sorted(kind for kind in declared(path, text) if kind != "None")
    return f", the {' and '.join(kinds)} it declares" if kinds else ""


def _invalid_name(section: dict[Any, Any]) -> object | None:
    """The first `name` value checkov's K8sValidator refuses in `section` (None: none)."""
    for key, value in section.items():
        if isinstance(value, dict):
            found = _invalid_name(value)
        elif isinstance(value, list):
            found = next((bad for entry in value if isinstance(entry, dict)
                          and (bad := _invalid_name(entry)) is not None), None)
        elif key == "name" and (not isinstance(value, str) or len(value) > 253
                                or _bad_name().search(value)):
            found = value if value is not None else "null"
        else:
            found = None
        if found is not None:
            return found
    return None


def cloudformation(text: str) -> str | None:
    """The resources of a template whose lines checkov's line finder misses (it then runs
    no check on them), as a reason; None when it finds every one's."""
    import yaml

    lines = text.splitlines(keepends=True)
    first = next((line.strip() for line in lines if line.strip()), "")
    if not first or first.startswith("{"):
        return None  # JSON: checkov shifts its lines by one, and finds each
    try:
        root = yaml.compose(text, Loader=any_tag_loader())
    except (yaml.YAMLError, RecursionError, ValueError):
        return None  # a parse error or a silent skip: the report's to tell
    missed = [f"{key.value} ({_type(value)})" for key, value in _resources(root)
              if isinstance(value, yaml.MappingNode)
              and not _code_lines(lines, value.start_mark.line, value.end_mark.line)]
    if not missed:
        return None
    return f"checkov finds no lines for {', '.join(missed[:5])} (its line finder misses a " \
           f"flow-YAML template after a comment line) and runs no check on it: it did not " \
           f"read it"


def _resources(root: Any) -> list[tuple[Any, Any]]:
    import yaml

    if not isinstance(root, yaml.MappingNode):
        return []
    return next((list(value.value) for key, value in root.value
                 if isinstance(key, yaml.ScalarNode) and key.value == "Resources"
                 and isinstance(value, yaml.MappingNode)), [])


def _type(resource: Any) -> str:
    """A resource mapping node's `Type` value (`?` when it has none a scalar gives)."""
    return next((str(value.value) for key, value in resource.value
                 if getattr(key, "value", None) == "Type" and isinstance(value.value, str)),
                "?")


def _code_lines(lines: list[str], start: int, end: int) -> list[str]:
    """checkov's `build_definitions_context` for a YAML template: the lines of a resource
    from its mapping's marks, comments and blank lines around it left out (Python's
    negative indexes and all)."""
    def blank(at: int) -> bool:
        line = lines[at - 1].strip() if -len(lines) <= at - 1 < len(lines) else "x"
        return not line or line[0] == "#"

    for _ in range(len(lines)):
        if not blank(start):
            break
        start -= 1
    for _ in range(len(lines)):
        if not blank(end):
            break
        end -= 1
    return lines[start - 1:end]


def repeated_key(text: str) -> str | None:
    """A key repeated in one object of a `.tf.json`, as a reason (None: none)."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        repeated.extend(key for key in dict.fromkeys(keys) if keys.count(key) > 1)
        return dict(items)

    try:
        json.loads(text, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return None
    if not repeated:
        return None
    return f"it repeats the key {', '.join(map(repr, repeated[:5]))}: Terraform keeps every " \
           f"repeated block, checkov reads only the last: it did not read the others"


def _problem(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f"{getattr(exc, 'problem', None) or 'a YAML error'}" + (
        f", line {mark.line + 1}" if mark is not None else "")
