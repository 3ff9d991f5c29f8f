"""A library of infrastructure files whose key words are escaped: each content-detected
kind's documents (`iac_variants.KINDS`, a Swagger 2.0 spec and a Terraform plan besides),
written as JSON or YAML with some characters of the keys checkov's gate looks for (`Resources`,
`apiVersion`, `kind`, `$schema`, `openapi`, `swagger`, `terraform_version`) escaped in one of
the forms the format decodes: JSON's `\\uXXXX`, YAML double-quoted `\\xXX`, `\\uXXXX` and
`\\UXXXXXXXX`. New kinds and forms are added here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.support.iac_variants import KINDS

# the key words checkov's gate looks for in the raw text, by kind
GATES = {"cloudformation": ("Resources",), "kubernetes": ("apiVersion", "kind"),
         "arm": ("$schema",), "openapi": ("openapi",), "swagger": ("swagger",),
         "terraform_plan": ("terraform_version",)}
FORMS = {".json": ("\\u%04x",), ".yaml": ("\\x%02x", "\\u%04x", "\\U%08x")}
SWAGGER = {"swagger": "2.0", "info": {"title": "api", "version": "1"},
           "paths": {"/items": {"get": {"security": [],
                                        "responses": {"200": {"description": "ok"}}}}}}
PLAN = {"format_version": "1.2", "terraform_version": "1.7.0",
        "planned_values": {"root_module": {"resources": []}}}
# (kind as `framework` names it, its gate's words, document)
DOCUMENTS = (*((k.kind, GATES[k.kind], k.document) for k in KINDS if k.kind in GATES),
             ("openapi", GATES["swagger"], SWAGGER),
             ("terraform_plan", GATES["terraform_plan"], PLAN))


@dataclass(frozen=True)
class Escaped:
    kind: str
    words: tuple[str, ...]  # the words checkov's gate looks for
    suffix: str
    text: str  # the file, its gate keys escaped
    document: Any  # what it parses to


@st.composite
def escaped(draw: st.DrawFn, kinds: tuple[str, ...] | None = None) -> Escaped:
    """A file of a kind among `kinds` (any when None) with at least one of its gate keys
    escaped in a form its format decodes (all of them for a kind with one)."""
    kind, gates, document = draw(st.sampled_from([d for d in DOCUMENTS
                                                  if kinds is None or d[0] in kinds]))
    suffix = ".json" if kind in ("arm", "terraform_plan") else \
        draw(st.sampled_from((".json", ".yaml")))
    hidden = draw(st.lists(st.sampled_from(gates), min_size=1, unique=True))
    form = draw(st.sampled_from(FORMS[suffix]))
    text = json.dumps(document, indent=2) if suffix == ".json" else \
        yaml.safe_dump(document, sort_keys=False)
    for key in hidden:
        marks = draw(st.lists(st.booleans(), min_size=len(key), max_size=len(key))
                     .filter(any))
        spelled = "".join(form % ord(c) if mark else c for c, mark in zip(key, marks,
                                                                            strict=True))
        pattern = rf'"{re.escape(key)}"(?=:)' if suffix == ".json" else \
            rf"(?m)^([ \t]*(?:- )?){re.escape(key)}(?=:)"
        text = re.sub(pattern, lambda m, to=spelled: f'{m.group(1) if m.groups() else ""}"{to}"',
                      text)
    return Escaped(kind, gates, suffix, text, document)
