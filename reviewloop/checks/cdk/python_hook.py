"""The Python preload that records where a Python CDK app creates each construct, written as
`sitecustomize.py` next to the synth's output and found through `PYTHONPATH`.

A Python app's constructs are made by the jsii kernel in Node: the creation stacks the cloud
assembly records (`aws:cdk:creationStack`) hold only the kernel's frames, never the app's
lines. The preload waits until the app imports jsii's kernel, then wraps `Kernel.create`:
after a construct is created, the frames of the Python stack outside the interpreter's and
the virtualenv's packages (the innermost first) are written, with the construct's path, as
one JSON line to the file `REVIEWLOOP_CDK_ORIGINS` names — in the creation stack's own form
(`/app/stack.py:12:9`), so `reviewloop.checks.cdk.assembly` reads them like Node frames and
takes the first inside the app's folder. Any
error is swallowed: the preload never breaks the user's synth (a construct it could not
record is reported on its stack, as the rationale says).
"""

from __future__ import annotations

ORIGINS = "reviewloop-cdk-origins.jsonl"
HOOK = r'''"""reviewloop: where a Python CDK app creates each construct (one synth)."""
import importlib.abc
import importlib.util
import json
import os
import sys

_OUT = os.environ.get("REVIEWLOOP_CDK_ORIGINS")
_PACKAGES = tuple(os.path.realpath(p) + os.sep for p in {sys.prefix, sys.base_prefix})


def _frames(limit=8):
    found = []
    frame = sys._getframe(2)
    while frame is not None and len(found) < limit:
        name = os.path.realpath(frame.f_code.co_filename)
        if os.path.isabs(frame.f_code.co_filename) and not name.startswith(_PACKAGES) \
                and "site-packages" not in name:
            positions = list(frame.f_code.co_positions())[frame.f_lasti // 2]
            column = (positions[2] or 0) + 1
            found.append(f"{name}:{frame.f_lineno}:{column}")
        frame = frame.f_back
    return found


def _patch(module):
    create = module.Kernel.create

    def recorded(self, klass, obj, args=None):
        ref = create(self, klass, obj, args)
        try:
            constructs = sys.modules.get("constructs")
            if constructs is not None and isinstance(obj, constructs.Construct):
                frames = _frames()
                if frames:
                    with open(_OUT, "a", encoding="utf-8") as out:
                        out.write(json.dumps({"path": obj.node.path, "frames": frames}) + "\n")
        except Exception:
            pass
        return ref

    module.Kernel.create = recorded


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "jsii._kernel":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            try:
                _patch(module)
            except Exception:
                pass

        spec.loader.exec_module = exec_module
        return spec


if _OUT:
    sys.meta_path.insert(0, _Finder())
'''
