"""Render docs/images/demo-summary.svg: `reviewloop demo`'s terminal output as an SVG.

    python docs/tools/screenshot.py

Runs the demo (offline, in a temporary folder) with colours forced, reads its stdout back as
rich text into a recording console and saves that as SVG. The temporary folder's path is
shown as /tmp/demo so the picture does not change with it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.text import Text

ROOT = Path(__file__).resolve().parents[2]
IMAGE = ROOT / "docs" / "images" / "demo-summary.svg"
WIDTH = 120  # what `reviewloop` prints at when stdout is not a terminal


def demo_output(folder: Path) -> str:
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": str(WIDTH),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "reviewloop", "demo", "--dir", str(folder)],
                          cwd=folder, env=env, capture_output=True, text=True, check=False,
                          timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"reviewloop demo exited {done.returncode}:\n{done.stderr[-2000:]}")
    return done.stdout.replace(str(folder), "/tmp/demo")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        output = demo_output(Path(tmp).resolve())
    console = Console(record=True, width=WIDTH, force_terminal=True, file=io.StringIO())
    console.print(Text.from_ansi(output), soft_wrap=True)
    IMAGE.parent.mkdir(parents=True, exist_ok=True)
    console.save_svg(str(IMAGE), title="reviewloop demo")
    print(f"wrote {IMAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
