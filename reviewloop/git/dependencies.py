"""A commit's export gets the dependencies the checkout has installed.

`review --head` (and `review --github`) reads the head commit's files from an export, which
has no `node_modules`: the CDK CLI, cdk-nag and the project's own ESLint plugins were then
"not installed" although the checkout has them, and the analyzers needing them ran nothing.
For every `package.json` of the export whose folder has an installed `node_modules` in the
checkout, the export gets a link to that folder. The sandbox shows the link's target
read-only (`sandbox.bubblewrap`): a command run on the export reads the packages and can change
none of them.
"""

from __future__ import annotations

from pathlib import Path

from reviewloop.git.names import posix_name

PACKAGES = "node_modules"
_PACKAGE = "package.json"


def link_installed(checkout: Path, export: Path, files: list[str]) -> list[Path]:
    """Link the checkout's installed `node_modules` beside each `package.json` of `export`
    (holding the repository paths `files`); return the linked folders' real places."""
    linked = []
    # its name as text, the word looked for first: a `Path` only for a package.json,
    # and only the package.json files sorted, not each changed file
    for path in sorted(p for p in files if _PACKAGE in p and posix_name(p) == _PACKAGE):
        if PACKAGES in Path(path).parts:
            continue
        folder = Path(path).parent
        installed, target = checkout / folder / PACKAGES, export / folder / PACKAGES
        # a real folder, inside the checkout: a `node_modules` link the change commits
        # could name any folder of the host
        if installed.is_symlink() or not installed.is_dir() or target.exists() \
                or target.is_symlink():
            continue
        real = installed.resolve()
        if not real.is_relative_to(checkout.resolve()) or ".git" in real.parts:
            continue
        target.symlink_to(real, target_is_directory=True)
        linked.append(real)
    return linked

