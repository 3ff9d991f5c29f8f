"""The symlinks of a commit that its export leaves out, with where each leads.

An export of a commit (`git.export.write_blobs`) writes a link only when it ends at a file of
the commit: a link to a folder is left out, so that no analyzer walks one folder twice. Yet
such a link names every file under the folder anew (`.husky -> tools/hooks` makes
`tools/hooks/pre-commit` husky's `.husky/pre-commit`, a shell script): the coverage matrix
asks here for the links the export has not (`review.linked`).
"""

from __future__ import annotations

from reviewloop.git.command import GitCommand
from reviewloop.git.export import link_texts
from reviewloop.git.names import shown
from reviewloop.git.repository import NO_TREE_CODE, Repository

_LINK = "120000"


def left_out_links(repo: Repository, rev: str | None) -> dict[str, str]:
    """Each symlink of commit `rev` (None: none, the working tree has its own) → the text it
    points at, from the commit's listing and one `git cat-file --batch`."""
    if rev is None:
        return {}
    links: dict[str, str] = {}
    for meta, _, path in (record.partition("\t")
                          for record in repo.tree_listing(rev).split("\0") if record):
        mode, _, rest = meta.partition(" ")
        if mode == _LINK:
            links[shown(path)] = rest.split()[1]
    texts = link_texts(GitCommand(repo.root), NO_TREE_CODE, sorted(set(links.values())))
    return {path: texts[sha] for path, sha in links.items() if texts.get(sha)}
