"""A library of the ways a repository tells docker to build a Dockerfile under another name:
a Compose file's `build.dockerfile` (with a `context` or without), a GitHub workflow's
`docker/build-push-action` `file:`, a Makefile's `docker build -f` / `--file=`. Each draws
the named file's path (a name no language claims, in a folder or at the top) and the files
that name it. New forms are added here."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from hypothesis import strategies as st

NAMES = ("web.docker", "WebImage", "app.containerdef", "img", "build.spec")
FOLDERS = ("", "build", "ci/img")
FORMS = ("compose-context", "compose", "workflow", "make-f", "make-file")


@dataclass(frozen=True)
class Built:
    form: str
    path: str  # the Dockerfile under another name
    files: dict[str, str]  # the files that tell docker to build it (path → text)


@st.composite
def builds(draw: st.DrawFn) -> Built:
    form = draw(st.sampled_from(FORMS))
    folder = draw(st.sampled_from(FOLDERS))
    path = posixpath.join(folder, draw(st.sampled_from(NAMES)))
    if form == "compose-context":  # the file relative to the context, itself to the file
        context = folder or "."
        rest = posixpath.relpath(path, context)
        return Built(form, path, {"compose.yaml": f"services:\n  web:\n    build:\n      "
                                                  f"context: {context}\n      "
                                                  f"dockerfile: {rest}\n"})
    if form == "compose":
        return Built(form, path, {"docker-compose.yml": "services:\n  web:\n    build:\n"
                                                        f"      dockerfile: {path}\n"})
    if form == "workflow":
        return Built(form, path, {".github/workflows/image.yml": (
            "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: docker/build-push-action@v6\n        with:\n"
            f"          context: .\n          file: {path}\n")})
    flag = "-f " if form == "make-f" else "--file="
    return Built(form, path, {"Makefile": f"image:\n\tdocker build {flag}{path} -t web .\n"})
