"""Which file names are Dockerfiles, as docker and podman build them, and which contents
start as one (`languages` asks here).

docker build's default name is `Dockerfile` (falling back to `dockerfile`), podman's
`Containerfile`; the usual variants are `Dockerfile.prod`, `Dockerfile-prod`,
`Dockerfile_dev`, `api.Dockerfile`, `api.Dockerfile.prod` (checkov's own mask),
`Containerfile.dev` and `web.containerfile`. The names are matched whatever their case: on
a case-insensitive checkout (macOS, Windows) `docker build .` opens `DOCKERFILE` or
`DockerFile` as its `Dockerfile`, and Windows drops a trailing dot, so `Dockerfile.` is one
too. hadolint reads any file it is given, and checkov reads each under a link named
`Dockerfile` (`checks.analyzers.checkov`), so both read every name here. A `-`/`_` variant
holds no dot (`dockerfile_gen.go` is Go); a `.` variant is one when its suffix names no
other kind of file (`languages.OTHER_KINDS`, asked first).
"""

from __future__ import annotations

import re

from reviewloop.memo import compiled_on_first_use

_NAME = re.compile(r"^(?:dockerfile|containerfile)(?:\..*|[-_][^.]+)?$"
                   r"|\.(?:dockerfile|containerfile)(?:\..*)?$", re.IGNORECASE)
# checkov's own mask for a Dockerfile (and podman's name in its place), in any case: a name
# of another kind (`Dockerfile.go`, `api.Dockerfile.txt`) is one when its content starts as
# a Dockerfile does
_STEM = compiled_on_first_use(r"(?i)^(?:.+\.)?(?:dockerfile|containerfile)(?:\..*)?$")


def dockerfile_name(name: str) -> bool:
    """Whether the file name `name` is one docker or podman builds an image from."""
    return _NAME.search(name) is not None


def docker_stem(name: str) -> bool:
    """Whether `name` has a Dockerfile's stem, whatever its suffix (`Dockerfile.go`)."""
    return _STEM().search(name) is not None


def builds_an_image(start: bytes) -> bool:
    """Whether `start`'s first instruction (after blank lines, comments and parser
    directives) is `FROM` or `ARG`, as a Dockerfile's must be; a UTF-8 BOM before it passed
    over, as BuildKit, hadolint and checkov pass it."""
    for line in start.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace").splitlines():
        words = line.split(maxsplit=1)
        if words and not words[0].startswith("#"):
            return words[0].upper() in ("FROM", "ARG") and len(words) == 2
    return False
