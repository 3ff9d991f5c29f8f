"""The variable files checkov loads that the change makes symlinks: followed, or named.

A symlink is reviewed as a link (`review.matrix`): no analyzer is given it. But plain
`checkov -d .` reads a variable file through a link — one Terraform loads by itself
(`terraform.tfvars`, `*.auto.tfvars`, their `.json` forms) or one the trusted config's
`var-file` names — and its values open resources in the modules it is loaded into. A link
to a regular file inside the tree is read as checkov reads it (`followed`: a changed
variable file whose values are its target's, `paths.in_tree_file`); any other (out of the
tree, dangling, to a folder or a device) is never followed, and is named as not read
(`unfollowed`): checkov reads what an outside file holds, a review does not.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_policies import var_files
from reviewloop.checks.analyzers.terraform_moves import AUTO_VARS
from reviewloop.checks.paths import in_tree_file
from reviewloop.git.diff import FileStatus
from reviewloop.git.diff_links import link_text
from reviewloop.git.names import under

UNFOLLOWED = ("a symlink to {target}, a variable file checkov loads: plain checkov follows "
              "it and reads its values into the module, the review reads no file outside "
              "the tree or that is not a regular file, so its values were not checked; fix: "
              "commit the variable file itself under this name")


def followed(ctx: AnalyzerContext) -> list[str]:
    """The changed variable files checkov loads that are links to a regular file inside
    the tree, read as that file."""
    return [path for path, why in _linked(ctx).items() if why is None]


def unfollowed(ctx: AnalyzerContext) -> dict[str, str]:
    """The changed variable files checkov loads that are links it reads and the review
    does not follow, with why."""
    return {path: why for path, why in _linked(ctx).items() if why is not None}


def _linked(ctx: AnalyzerContext) -> dict[str, str | None]:
    return ctx.once("checkov var-file links", lambda: _links(ctx))


def _links(ctx: AnalyzerContext) -> dict[str, str | None]:
    """Each changed variable file checkov loads that the change makes a link, retargets or
    renames into its name (`diff_links.link_text`: by its diff's mode, as the reviewed tree
    leaves a link out when it does not lead to a file inside it): None when it leads to a
    regular file inside the tree, else why it is not followed."""
    named = set(var_files(ctx))
    found: dict[str, str | None] = {}
    for diff in ctx.changes.files:
        path = diff.path
        if diff.status is FileStatus.DELETED or path in ctx.file_set or path in found \
                or (text := link_text(diff, ctx.root)) is None \
                or (path not in named and not AUTO_VARS().match(PurePosixPath(path).name)):
            continue
        found[path] = None if in_tree_file(under(ctx.root, path), ctx.root) is not None \
            else UNFOLLOWED.format(target=text)
    return found
