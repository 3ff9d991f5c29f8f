"""A Terraform file a change renamed into a module it was no part of.

Terraform reads a module as the `.tf` files of one folder and the variable files it loads by
itself there (`terraform.tfvars`, `*.auto.tfvars`, their `.json` forms); checkov reads the
folder's `.hcl` files with them. A rename from a name
it does not load (`open.tfvars.example` made `terraform.tfvars`, `open.tf.off` made
`open.tf`) or from another folder into one that holds the module's other files adds the whole
file to that module without a changed line. A folder renamed, or a module moved whole, is
the same module under another name: nothing joined it. The other way, a module file deleted
or renamed away (`taken_from`) leaves its module without it: a bucket's public access block,
a variable file's safe value.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from reviewloop.git.diff import ChangeSet, FileDiff, FileStatus
from reviewloop.git.names import under
from reviewloop.memo import compiled_on_first_use

# the variable files Terraform loads by itself from a module's folder, by name
AUTO_VARS = compiled_on_first_use(r"^(terraform\.tfvars|.+\.auto\.tfvars)(\.json)?$")
# a module's own files; `.hcl` ones (Terragrunt's, Packer's) checkov reads with them, its
# Terraform runner taking `.tf` and `.hcl` alike, though Terraform does not
_SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json", ".hcl")
# Terraform's provider pins: no resources, and hidden, so `checkov -d` never opens it
LOCK_FILE = ".terraform.lock.hcl"


def loaded(name: str) -> bool:
    """Whether Terraform (or OpenTofu) reads a file of this name in a module's folder, or
    checkov with them (an `.hcl` file)."""
    return (name.endswith(_SUFFIXES) and name != LOCK_FILE) or AUTO_VARS().match(name) is not None


def moved_in(diff: FileDiff, changes: ChangeSet, root: Path) -> bool:
    """Whether the change renamed `diff`'s file into a module (see the module docstring):
    under a name Terraform loads, from one it does not, or from another folder into one
    whose other module files (in the tree at `root`) did not all come with it from there
    or with the change."""
    old = diff.old_path
    now = PurePosixPath(diff.path)
    if old is None or old == diff.path or not loaded(now.name):
        return False
    was = PurePosixPath(old)
    if not loaded(was.name):
        return True
    if was.parent == now.parent:
        return False
    folder = now.parent.as_posix()
    try:
        names = os.listdir(under(root, folder) if folder != "." else root)
    except OSError:
        return False
    prefix = "" if folder == "." else f"{folder}/"
    return any(loaded(name) and not _came_with(changes.file(f"{prefix}{name}"), was.parent)
               for name in names)


def taken_from(changes: ChangeSet) -> list[FileDiff]:
    """The diffs of the module files the change deleted, or renamed away from their module
    (to another folder, or to a name Terraform does not load); each one's `old_path` is
    where the module had it."""
    return [diff for diff in changes.files
            if diff.old_path and loaded(PurePosixPath(diff.old_path).name)
            and (diff.status is FileStatus.DELETED
                 or (diff.old_path != diff.path
                     and (PurePosixPath(diff.old_path).parent != PurePosixPath(diff.path).parent
                          or not loaded(PurePosixPath(diff.path).name))))]


def _came_with(diff: FileDiff | None, folder: PurePosixPath) -> bool:
    """Whether a file of the new folder came with the change: added by it, or renamed from
    `folder` with the file asked about (one lookup a file, not a pass over the change)."""
    return diff is not None and (diff.status is FileStatus.ADDED or (
        diff.old_path is not None and PurePosixPath(diff.old_path).parent == folder))
