"""The Terraform modules a changed variable file of the trusted checkov config sets values in.

checkov loads each `--var-file` the config names (`checkov_policies.var_files`) into every
folder it reads, so a change to `envs/prod.tfvars` can open a security group in any module
that declares a variable it sets, wherever that module is. Such a module is read with the
change (`reached`), at the base too: the trusted side's files that checkov's Terraform
runner reads (`declares`: `.tf`, `.hcl`, and `.tofu`, which the review reads as `.tf`) are
searched for a `variable "x"` block naming what the changed file sets, as the tree has them.
Past `MAX_SEARCHED` files the search stops and the variable file is named as not fully
analysed (`gaps`). A module in the file's own folder is read with it anyway. A `.tf.json`
file is not searched: checkov's JSON runner resolves no variable and its Terraform runner
does not read the file, so no value of a variable file reaches a variable declared there.

A changed variable file that is a link is read as its target when that is a regular file
inside the tree, and named as not read otherwise (`terraform_var_links`).

A changed variable file no run loads — neither Terraform by itself (`*.auto.tfvars`) nor the
config's `var-file` — is named as not read (`gaps`): its values reach no checkov run. With a
`var-file` outside the tree in the config, each changed Terraform file is named: the values
plain checkov would read into it were not.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_policies import outside_var_files, var_files
from reviewloop.checks.analyzers.terraform_modules import HCL, TOFU, module_files
from reviewloop.checks.analyzers.terraform_moves import AUTO_VARS, LOCK_FILE
from reviewloop.checks.analyzers.terraform_var_links import followed, unfollowed
from reviewloop.checks.analyzers.trusted_config import trusted_files
from reviewloop.checks.paths import in_tree_file, repo_path
from reviewloop.git.names import under
from reviewloop.git.sizes import MAX_DIFFED_BYTES

MAX_SEARCHED = 2_000  # Terraform files searched for the variables a changed file sets
STRAY = ("Terraform loads this variable file only when a `-var-file` names it, and the "
         "trusted .checkov.yaml's `var-file` does not: no checkov run read its values; fix: "
         "name it there (`var-file:`), or rename it `*.auto.tfvars`")
CUT = (f"checkov loads it into every module, and the search for the modules that declare "
       f"what it sets stopped after {MAX_SEARCHED:,} .tf/.hcl/.tofu files: those past it "
       "were not read with it")
_TERRAFORM = (".tf", ".tf.json", ".tofu", ".tofu.json")  # a module's own files, by name
_ASSIGNED = re.compile(r"^[ \t]*([A-Za-z_][\w-]*)[ \t]*=(?!=)", re.MULTILINE)


def reached(ctx: AnalyzerContext) -> dict[str, str]:
    """The files, by framework, of the modules outside their own folder that the changed
    config variable files set a declared variable of; once per analyzer context."""
    return ctx.once("checkov var-file search", lambda: _reached(ctx))[0]


def gaps(ctx: AnalyzerContext) -> dict[str, str]:
    """The changed files whose variables' values no checkov run fully read, with why: the
    variable files no run loads, the config's when the search for their modules was cut,
    and every Terraform file when the config loads a variable file from outside the tree."""
    named = set(var_files(ctx))
    found = {path: STRAY for path in ctx.files if path.endswith((".tfvars", ".tfvars.json"))
             and path not in named and not AUTO_VARS().match(PurePosixPath(path).name)}
    found |= unfollowed(ctx)  # a link checkov follows out of the tree, or to no file
    if ctx.once("checkov var-file search", lambda: _reached(ctx))[1]:
        found |= dict.fromkeys((p for p in ctx.files if p in named), CUT)
    if outside := outside_var_files(ctx):
        why = (f"the trusted .checkov.yaml loads {', '.join(outside)} into every Terraform "
               "module, a file outside the repository, which a review does not read: its "
               "values were not checked")
        found |= {p: why for p in ctx.files if p not in found and p.endswith(_TERRAFORM)}
    return found


def _reached(ctx: AnalyzerContext) -> tuple[dict[str, str], bool]:
    named = set(var_files(ctx))
    changed = [path for path in (*ctx.files, *followed(ctx)) if path in named]
    names = {name for path in changed for name in _set(_text(ctx, path))}
    if not names:
        return {}, False
    own = {PurePosixPath(path).parent.as_posix() for path in changed}
    declared = re.compile(r'^[ \t]*variable[ \t]+"?(?:' + "|".join(map(re.escape, names))
                          + r')"?[ \t]*\{', re.MULTILINE)
    sources = [p for p in trusted_files(ctx, "") if declares(PurePosixPath(p).name)]
    folders = sorted({PurePosixPath(p).parent.as_posix() for p in sources[:MAX_SEARCHED]
                      if declared.search(_text(ctx, p))} - own)
    files = {repo_path(ctx.root, str(source)): "terraform_json" if name.endswith(".json")
             else "terraform"
             for folder in folders
             for name, source in module_files(under(ctx.root, folder), ctx.root).items()}
    return files, len(sources) > MAX_SEARCHED


def declares(name: str) -> bool:
    """Whether a file of this name declares variables a `--var-file` sets: one checkov's
    Terraform runner reads (`.tf`, `.hcl` but Terraform's lock file) or the review shows it
    as one (`.tofu`, `checkov.staged`)."""
    return name.endswith((".tf", TOFU, HCL)) and name != LOCK_FILE


def _set(text: str) -> set[str]:
    """The variables a `.tfvars` (or `.tfvars.json`) text sets."""
    try:
        data = json.loads(text)
    except ValueError:
        return set(_ASSIGNED.findall(text))
    return {str(key) for key in data} if isinstance(data, dict) else set()


def _text(ctx: AnalyzerContext, path: str) -> str:
    """The start of `path`'s text, a regular file inside the tree only (a link the change
    made to `/dev/zero` or out of the tree is not read)."""
    real = in_tree_file(under(ctx.root, path), ctx.root)
    if real is None:
        return ""
    try:
        with real.open("rb") as handle:
            return handle.read(MAX_DIFFED_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""
