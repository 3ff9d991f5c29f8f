"""`reviewloop install-hook` as a click command (registered lazily by `cli.app`): a hooks
folder every repository uses (a global `core.hooksPath`) is written only with `--shared`;
the work is `cli.init.install_hook`, imported only when it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from reviewloop.cli.app import Context


@click.command("install-hook")
@click.option("--force", is_flag=True,
              help="Replace a pre-commit hook reviewloop did not write (it is kept as a backup).")
@click.option("--uninstall", "remove", is_flag=True, help="Remove reviewloop's hook.")
@click.option("--shared", is_flag=True,
              help="Git's hooks folder is your global (or system) core.hooksPath, used by "
              "every repository: install (or uninstall) there anyway.")
@click.pass_obj
def install_hook_cmd(obj: Context, force: bool, remove: bool, shared: bool) -> int:
    """Install a git pre-commit hook running `reviewloop review --staged --fail-on must_fix`
    (for projects without pre-commit; with pre-commit use `init --pre-commit`)."""
    from reviewloop.cli import init, ui
    from reviewloop.git.hooks import hooks_folder
    from reviewloop.git.repository import open_repository
    from reviewloop.install import githook

    folder = hooks_folder(open_repository(obj.root))
    if not shared:
        githook.refuse_shared(folder, remove=remove)
    code = init.install_hook(obj.root, force=force, remove=remove)
    if folder.shared and not remove:
        ui.console().print(f"{folder.path} is your {folder.scope} hooks folder: commits of "
                           "every repository using it now run the review", markup=False)
    return code
