"""Which checkov framework reads a YAML or JSON file, by its parsed documents, as checkov
decides: a Terraform plan, CloudFormation, Kubernetes, ARM, Argo Workflows or OpenAPI.

checkov parses a file before it looks at its keys, so an escape (`"\\u0041WS::S3::Bucket"`,
`"\\x6bind": Pod`), a `!!str` tag or a comment changes nothing for it; a test of the raw text
was fooled by each (a comment naming `AWS::SSM::Parameter` made a Pod a template, and the
template an escape hid was no template). So each test here is on the documents, read with
YAML's safe loader (JSON's own parser first for `.json`), CloudFormation's short-form tags
(`!Ref`, `!Sub`) read as nothing:

* a Terraform plan (`.json` but `tsconfig.json`, `terraform show -json`'s output): a
  top-level `terraform_version`;
* ARM (`.json`): a `$schema` naming a deployment template;
* CloudFormation: a top-level `Resources` mapping, with `AWSTemplateFormatVersion` or a
  resource whose `Type` starts `AWS::`;
* Argo Workflows (`.yaml`/`.yml`): an `argoproj.io/` document of a workflow kind, in a file
  with the lines checkov's runner looks for (`apiVersion: argoproj.io/`, `kind: Workflow…`
  at a line's start): any other it leaves to Kubernetes;
* Kubernetes: a document with `apiVersion` and `kind`;
* OpenAPI: a top-level `openapi` or `swagger` version.

Only a file holding the words checkov's own gate looks for in the raw text (`$schema`,
`Resources`, `argoproj.io`, `apiVersion` and `kind`, `swagger` or `openapi`), an escaped key
spelled as it parses (`checkov_keys.plain`), is parsed: checkov reads none without them,
and is given a copy with its escaped keys so spelled (`unescaped`). Its Terraform plan
runner loads every `.json` file: one holding `terraform_version`, or an escape that could
spell it, is parsed. A file that does not
parse is told by its text as before (`_by_text`): checkov then lists it under
parsing_errors, or `checkov_reads` names it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.checkov_frameworks import any_tag_loader
from reviewloop.checks.analyzers.checkov_keys import plain, unescaped_files
from reviewloop.git.encodings import text_of
from reviewloop.git.names import under
from reviewloop.git.sizes import MAX_DIFFED_BYTES
from reviewloop.memo import TextMemo, compiled_on_first_use

YAML = (".yaml", ".yml")
# the order a file matching several is read in: an ARM resource has `apiVersion` and `kind`
ORDER = ("terraform_plan", "arm", "cloudformation", "argo_workflows", "kubernetes", "openapi")
ARGO_KINDS = frozenset({"Workflow", "CronWorkflow", "WorkflowTemplate",
                        "ClusterWorkflowTemplate"})
_deployment = compiled_on_first_use(r"deploymentTemplate\.json", re.IGNORECASE)
# checkov's argo_workflows runner: it reads a file only with both lines
_argo_api = compiled_on_first_use(r"^apiVersion:\s*argoproj.io/", re.MULTILINE)
_argo_kind = compiled_on_first_use(r"^kind:\s*Workflow", re.MULTILINE)
# the tests of the text, for a file that does not parse: a key anywhere in the file
_arm_schema = compiled_on_first_use(
    r"\"\$schema\"\s*:\s*\"[^\"]*deploymentTemplate\.json", re.IGNORECASE)
_cloudformation = compiled_on_first_use(
    r"AWSTemplateFormatVersion|Type[\"']?\s*:\s*[\"']?AWS::")
_k8s_api = compiled_on_first_use(r"apiVersion[\"']?\s*:")
_k8s_kind = compiled_on_first_use(r"kind[\"']?\s*:")
_type = compiled_on_first_use(r"Type[\"']?\s*:\s*[\"']?(AWS::\w+::\w+)")


@dataclass(frozen=True)
class Shape:
    """What a parsed file is to checkov: the frameworks its documents satisfy, the
    CloudFormation resource types it declares, whether a workflow has a `spec` (the part
    checkov's Argo checks read), and the Kubernetes kinds it declares."""
    kinds: frozenset[str]
    types: tuple[str, ...] = ()
    argo_spec: bool = False
    k8s_kinds: frozenset[str] = frozenset()


# small results, kept for every file of a wide change: routing asks twice (the targets,
# then the report's) and `checkov_reads` once more
_JSON: TextMemo[Shape | None] = TextMemo(100_000, from_chars=0, budget=8_000_000)
_YAML: TextMemo[Shape | None] = TextMemo(100_000, from_chars=0, budget=8_000_000)


def kind_of(path: str, text: str) -> str | None:
    """The framework checkov reads the YAML/JSON file `path` under (None: none of these)."""
    spelled = plain(path, text)  # an escaped key as it parses: `"\\u0061piVersion"`
    gates = _gates(path, spelled)
    if not gates:
        return None
    shape = shape_of(path, text)
    if shape is None:
        return _by_text(path, spelled)
    return next((kind for kind in ORDER if kind in gates and kind in shape.kinds), None)


def unescaped(given: dict[str, str], links: dict[str, str], targets: dict[str, str],
              at: Path, view: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The staged run's `given` and `links` with each file of a kind told here whose keys
    hold an escape given as a copy with them spelled plainly (`checkov_keys`)."""
    return unescaped_files(given, links, targets, at, view, frozenset(ORDER))


def shape_of(path: str, text: str) -> Shape | None:
    """The parsed file's `Shape` (None: it does not parse); parsed once per text."""
    if path.lower().endswith(".json"):
        return _JSON.get(text, lambda: _shape(_json_documents(text)))
    return _YAML.get(text, lambda: _shape(_yaml_documents(text)))


def cloudformation_types(path: str, text: str) -> tuple[str, ...]:
    """The `AWS::` resource types a template declares, escapes resolved; by its text when it
    does not parse."""
    shape = shape_of(path, text)
    return shape.types if shape is not None else tuple(_type().findall(text))


def _gates(path: str, text: str) -> set[str]:
    """The frameworks whose words checkov's gate finds in the raw text of `path`."""
    suffix = PurePosixPath(path).suffix.lower()  # `.YAML` too: `checkov_skips` names it
    gates = set()
    if suffix == ".json" and "$schema" in text:
        gates.add("arm")
    if suffix == ".json" and ("terraform_version" in text or "\\u" in text) \
            and PurePosixPath(path).name != "tsconfig.json":
        gates.add("terraform_plan")  # checkov's plan runner loads every one: its key may be
        # escaped (`"terraform\\u005fversion"`), which only a parse reads
    if "Resources" in text:
        gates.add("cloudformation")
    if suffix in YAML and "argoproj.io" in text and _argo_api().search(text) \
            and _argo_kind().search(text):
        gates.add("argo_workflows")
    if "apiVersion" in text and "kind" in text:
        gates.add("kubernetes")
    if suffix != ".template" and ("swagger" in text or "openapi" in text):
        gates.add("openapi")
    return gates


def _by_text(path: str, text: str) -> str | None:
    """A file that does not parse, by its keys anywhere in the text (what checkov makes of
    it, a parsing error or a silent skip, is then its report's to tell)."""
    if path.endswith(".json") and "$schema" in text and _arm_schema().search(text):
        return "arm"
    if "AWS" in text and _cloudformation().search(text):
        return "cloudformation"
    if "apiVersion" in text and "kind" in text \
            and _k8s_api().search(text) and _k8s_kind().search(text):
        return "kubernetes"
    return None


def _json_documents(text: str) -> list[Any] | None:
    """A JSON file's one document; as YAML when JSON's parser refuses it (checkov parses
    JSON with YAML's loader, and with JSON's where YAML's refuses a tab)."""
    try:
        return [json.loads(text)]
    except (ValueError, RecursionError):
        return _yaml_documents(text)


def _yaml_documents(text: str) -> list[Any] | None:
    import yaml  # ~13 ms, and only for a file that passed a gate

    try:
        return list(yaml.load_all(text, Loader=any_tag_loader()))
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


def _shape(documents: list[Any] | None) -> Shape | None:
    if documents is None:
        return None
    kinds: set[str] = set()
    types: list[str] = []
    argo_spec = False
    for document in documents:
        if not isinstance(document, dict):
            continue
        if document.get("terraform_version"):  # `terraform show -json`'s plan
            kinds.add("terraform_plan")
        schema = document.get("$schema")
        if isinstance(schema, str) and _deployment().search(schema):
            kinds.add("arm")
        resources = document.get("Resources")
        if isinstance(resources, dict):
            declared = [t for r in resources.values() if isinstance(r, dict)
                        and isinstance(t := r.get("Type"), str) and t.startswith("AWS::")]
            types += declared
            if declared or "AWSTemplateFormatVersion" in document:
                kinds.add("cloudformation")
        if "apiVersion" in document and "kind" in document:
            kinds.add("kubernetes")
            api, kind = document["apiVersion"], document["kind"]
            if isinstance(api, str) and api.startswith("argoproj.io/") \
                    and isinstance(kind, str) and kind in ARGO_KINDS:
                kinds.add("argo_workflows")
                argo_spec = argo_spec or isinstance(document.get("spec"), dict)
        if any(isinstance(document.get(key), (str, int, float)) and
               not isinstance(document.get(key), bool) for key in ("openapi", "swagger")):
            kinds.add("openapi")
    return Shape(frozenset(kinds), tuple(types), argo_spec, frozenset(declared_kinds(documents)))


def declared_kinds(documents: list[Any]) -> set[str]:
    """The kinds `documents` declare: each one's own, and those of a `List`'s items."""
    kinds: set[str] = set()
    for document in documents:
        if not isinstance(document, dict):
            continue
        kinds.add(str(document.get("kind")))
        items = document.get("items")
        if isinstance(items, list):
            kinds.update(str(item.get("kind")) for item in items if isinstance(item, dict))
    return kinds


def sniffed(root: Path, path: str) -> str | None:
    """The text of a YAML or JSON file, whose kind only its text tells; None for others.
    All of it, not a window at its start (a licence header or a long Description must not
    hide a template), up to the analyzers' ceiling: a larger file is named as not read by
    every analyzer (`git.sizes`). A file in UTF-16 or UTF-32 is told by its decoded text
    (`git.encodings`: kubectl applies a manifest with a byte-order mark), so its kind makes
    it checkov's, which the coverage matrix names as not read (it reads UTF-8 only)."""
    if PurePosixPath(path).suffix.lower() not in (".yaml", ".yml", ".json", ".template"):
        return None
    try:
        with under(root, path).open("rb") as handle:
            return text_of(handle.read(MAX_DIFFED_BYTES))
    except OSError:
        return None
