"""Path confinement: the repository an agent works in, and the files it must never touch.

`Workspace.resolve` turns an agent's path into a real path inside the repository, or raises
`ToolRefused` saying why not (outside the root, through a symlink, into .git, or a secret).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePath

from reviewloop.errors import ReviewloopError
from reviewloop.git.names import shown
from reviewloop.policy.sensitive import DEFAULT_SENSITIVE, is_sensitive


class ToolRefused(ReviewloopError):
    """An agent asked for something outside its sandbox; `reason` is shown to the model."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Workspace:
    """The repository an agent works in, and the files it must never touch."""

    root: Path
    sensitive: tuple[str, ...] = DEFAULT_SENSITIVE
    max_read_bytes: int = 200_000

    def __post_init__(self) -> None:
        # Path normalisation only; every check below compares against the real root.
        object.__setattr__(self, "root", Path(self.root).resolve())

    def resolve(self, path: str) -> Path:
        """The real path `path` names inside the repository, or ToolRefused saying why not."""
        if not path or "\x00" in path:
            raise ToolRefused("an empty or malformed path")
        # a model's path is taken as written: it never names bytes that are not UTF-8, so
        # nothing it writes gets a name the run's snapshots would hold in another form
        joined = self.root / path  # an absolute `path` replaces the root
        lexical = Path(os.path.normpath(joined))
        if not lexical.is_relative_to(self.root):
            raise ToolRefused(f"{path} is outside the repository")
        try:
            real = joined.resolve()  # follows symlinks before applying `..`, as the OS does
        except (OSError, RuntimeError) as exc:  # a symlink loop
            raise ToolRefused(f"{path} cannot be resolved ({exc})") from None
        if not real.is_relative_to(self.root):
            raise ToolRefused(f"{path} leads outside the repository through a symlink")
        for rel in (lexical.relative_to(self.root), real.relative_to(self.root)):
            if ".git" in (part.lower() for part in rel.parts):
                raise ToolRefused(f"{path} is inside .git; use the loop's git steps instead")
            if self.is_sensitive(rel):
                raise ToolRefused(f"{path} may hold secrets and is off limits")
        return real

    def is_sensitive(self, rel: PurePath) -> bool:
        return is_sensitive(rel, self.sensitive)

    def relative(self, real: Path) -> str:
        """`real` as the model is shown it: in text form (`git.names`), so a listing with a
        name that is not UTF-8 still goes into a prompt."""
        return shown(real.relative_to(self.root).as_posix())
