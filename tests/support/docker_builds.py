"""A library of the ways a repository tells docker to build a Dockerfile under another name:
a Compose file's `build.dockerfile` (with a `context` or without), a GitHub workflow's
`docker/build-push-action` `file:`, a Makefile's `docker build -f` / `--file=`, a
devcontainer.json's `build.dockerfile` / `dockerFile` (JSON with comments), a Bake file's
target (HCL or JSON, with a `context`), a Skaffold artifact, and a `docker build -f` (or
`docker buildx build`, `podman build`) in a package.json script, a justfile recipe, a GitLab
CI job's `script` and a workflow's `run:` (under a `working-directory`). Each draws the
named file's path (a name no language claims, in a folder or at the top, spelt plain or
`./`) and the files that name it. New forms are added here."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass

from hypothesis import strategies as st

NAMES = ("web.docker", "WebImage", "app.containerdef", "img", "build.spec")
FOLDERS = ("", "build", "ci/img")
FORMS = ("compose-context", "compose", "workflow", "make-f", "make-file", "devcontainer",
         "devcontainer-top", "devcontainer-legacy", "bake-hcl", "bake-json", "skaffold",
         "package", "justfile", "gitlab", "workflow-run")
COMMANDS = ("docker build -f {path} .", "docker buildx build --file={path} -t x .",
            "podman build --file {path} .", "docker build -t x \\\n  -f {path} .",
            "docker image build -f '{path}' .")


@dataclass(frozen=True)
class Built:
    form: str
    path: str  # the Dockerfile under another name
    files: dict[str, str]  # the files that tell docker to build it (path → text)


@st.composite
def builds(draw: st.DrawFn, forms: tuple[str, ...] = FORMS) -> Built:
    form = draw(st.sampled_from(forms))
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
    if form in ("make-f", "make-file"):
        flag = "-f " if form == "make-f" else "--file="
        return Built(form, path, {"Makefile": f"image:\n\tdocker build {flag}{path} -t web .\n"})
    return _other(draw, form, path, folder)


def _other(draw: st.DrawFn, form: str, path: str, folder: str) -> Built:
    """The forms `dockerfile_callers` reads."""
    dotted = draw(st.booleans())  # `./ops/x` as well as `ops/x`

    def spelt(relative: str) -> str:
        return f"./{relative}" if dotted and not relative.startswith("..") else relative

    if form.startswith("devcontainer"):
        at = "" if form == "devcontainer-top" else draw(st.sampled_from(
            [".devcontainer/", ".devcontainer/api/"]))
        json_at = f"{at}devcontainer.json" if at else ".devcontainer.json"
        named = spelt(posixpath.relpath(path, at or "."))
        key = '"dockerFile"' if form == "devcontainer-legacy" else '"build": {"dockerfile"'
        close = "" if form == "devcontainer-legacy" else "}"
        return Built(form, path, {json_at: f'// a dev container\n{{"name": "x", /* c */\n'
                                           f'  {key}: "{named}"{close},\n}}\n'})
    if form.startswith("bake"):
        context = folder or "."
        named = spelt(posixpath.relpath(path, context))
        if form == "bake-json":
            return Built(form, path, {"docker-bake.json": (
                f'{{"target": {{"app": {{"context": "{context}", "dockerfile": "{named}"}}}}}}\n')})
        return Built(form, path, {"docker-bake.hcl": (
            'variable "TAG" {\n  default = "latest"\n}\ngroup "default" {\n  targets = ["app"]\n}\n'
            f'target "app" {{\n  # the image\n  context = "{context}"\n'
            f'  dockerfile = "{named}"\n  tags = ["x:${{TAG}}"]\n}}\n')})
    if form == "skaffold":
        context = folder or "."
        named = spelt(posixpath.relpath(path, context))
        return Built(form, path, {"skaffold.yaml": (
            "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n"
            f"    - image: app\n      context: {context}\n      docker:\n"
            f"        dockerfile: {named}\n")})
    command = draw(st.sampled_from(COMMANDS))
    if form == "package":
        line = command.format(path=spelt(path)).replace("\\\n  ", "")
        return Built(form, path, {"package.json": json.dumps(
            {"name": "x", "scripts": {"image": line}}, indent=2)})
    if form == "justfile":
        return Built(form, path, {"justfile": (
            f"image:\n    {command.format(path=spelt(path))}\n")})
    if form == "gitlab":
        line = command.format(path=spelt(path)).replace("\\\n  ", "")
        return Built(form, path, {".gitlab-ci.yml": (
            f"build:\n  image: docker\n  script:\n    - echo hi\n    - {json.dumps(line)}\n")})
    working = folder or "."
    named = spelt(posixpath.relpath(path, working))
    run = command.format(path=named).replace("\n", "\n        ")  # the block's indent
    return Built(form, path, {".github/workflows/image.yml": (
        "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - run: |\n          {run}\n"
        f"        working-directory: {working}\n")})
