"""The documentation cannot go stale: docs/cli.md is what the commands say, the site builds
with warnings as errors, every link points somewhere, and the tables that mirror the code
(exit codes, settings, environment variables, output formats) hold what the code holds."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import click
import pytest
from pydantic import BaseModel

from reviewloop import config
from reviewloop.cli.app import cli
from reviewloop.config import Settings
from reviewloop.errors import ExitCode
from tests.support.paths import ROOT

DOCS = ROOT / "docs"
REPO_URL = re.compile(r"https://github\.com/reviewloop/reviewloop/(?:blob|tree)/main/([^)#\s]+)")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cli_reference",
                                                  DOCS / "tools" / "cli_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the CLI reference ------------------------------------------------------------------


def test_the_cli_reference_is_what_the_commands_say():
    written = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert written == _generator().render(), \
        "docs/cli.md is out of date: run python docs/tools/cli_reference.py"


def _paths(command: click.Command, ctx: click.Context) -> Iterator[str]:
    yield ctx.command_path
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _paths(sub, click.Context(sub, info_name=name, parent=ctx))


def test_the_cli_reference_has_a_section_per_command_and_subcommand():
    headings = re.findall(r"^## (.+)$", (DOCS / "cli.md").read_text(), flags=re.M)
    expected = list(_paths(cli, click.Context(cli, info_name="reviewloop")))
    assert headings == expected
    assert {"reviewloop tools install", "reviewloop spec new", "reviewloop agents validate"} \
        <= set(headings)


def test_the_commands_page_has_a_line_for_every_command():
    page = (DOCS / "commands.md").read_text(encoding="utf-8")
    paths = list(_paths(cli, click.Context(cli, info_name="reviewloop")))[1:]
    assert [path for path in paths if f"`{path}" not in page] == []


def test_the_generator_walks_nested_groups_and_leaves_hidden_commands_out():
    @click.group()
    def top() -> None:
        """Top <level> help."""

    @top.group("outer")
    def outer() -> None:
        """An outer group."""

    @outer.command("inner")
    @click.option("--mode", type=click.Choice(["a", "b"]), help="Pick *one* of a|b.")
    @click.argument("path")
    def inner(mode: str, path: str) -> None:
        """Do the inner thing.

        A second paragraph."""

    @top.command("secret", hidden=True)
    def secret() -> None:
        """Not for users."""

    page = _generator().render(top)

    assert re.findall(r"^## (.+)$", page, flags=re.M) == [
        "reviewloop", "reviewloop outer", "reviewloop outer inner"]
    assert "Usage: `reviewloop outer inner [OPTIONS] PATH`" in page
    assert "| `--mode [a\\|b]` | Pick \\*one\\* of a\\|b. |" in page  # a table cell stays one
    assert "Top \\<level\\> help." in page and "A second paragraph." in page
    assert "secret" not in page
    assert "[`inner`](#reviewloop-outer-inner)" in page


# --- the site ---------------------------------------------------------------------------


def test_the_site_builds_with_warnings_as_errors(tmp_path: Path):
    pytest.importorskip("mkdocs", reason="mkdocs is not installed: pip install -e '.[docs]' "
                        "(CI installs it and runs this test)")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "cli" / "index.html").is_file()
    assert (tmp_path / "site" / "images" / "demo-summary.svg").is_file()


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def _links(page: Path) -> Iterator[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    yield from LINK.findall(text)


def test_every_link_points_at_something_that_exists():
    broken = []
    for page in _pages():
        for link in _links(page):
            target = link.split("#", 1)[0]
            if match := REPO_URL.match(link):
                if not (ROOT / match[1]).exists():
                    broken.append(f"{page.relative_to(ROOT)}: {link}")
            elif target and not re.match(r"[a-z]+:", target):
                resolved = (page.parent / target).resolve()
                inside = page.parent == ROOT or resolved.is_relative_to(DOCS)
                if not resolved.exists() or not inside:  # the site holds docs/ alone
                    broken.append(f"{page.relative_to(ROOT)}: {link}")
    assert broken == []


def test_the_readme_stays_a_short_path_into_the_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    assert "docs/images/demo-summary.svg" in readme
    named = set(re.findall(r"\]\(docs/([\w-]+\.md)\)", readme))
    assert {"getting-started.md", "commands.md", "cli.md", "configuration.md",
            "troubleshooting.md", "architecture.md"} <= named


def test_the_getting_started_page_repeats_the_readme_s_quick_start():
    def block(text: str) -> str:
        found = re.search(r"```bash\n(.*?)```", text.split("## Quick start", 1)[1], re.S)
        assert found
        return found[1]

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert block((DOCS / "getting-started.md").read_text(encoding="utf-8")) == block(readme)


# --- tables that mirror the code --------------------------------------------------------


def test_the_exit_code_table_and_the_cli_help_name_every_exit_code():
    page = (DOCS / "troubleshooting.md").read_text(encoding="utf-8")
    table = page.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    assert {int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.M)} \
        == {int(code) for code in ExitCode}
    help_text = " ".join((cli.help or "").split())
    for code in ExitCode:
        assert f" {int(code)} " in f" {help_text} ", code


def _keys(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            yield from _keys(field.annotation, key + ".")
        else:
            yield key, field.get_default(call_default_factory=True)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, Path) else value


def test_the_settings_table_has_every_key_with_its_default():
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([\w.]+)` \| ([^|]+?) \|", page, flags=re.M))
    documented = {key: None if cell == "unset" else tomllib.loads(f"v = {cell.strip('`')}")["v"]
                  for key, cell in rows.items()}
    assert documented == {key: _plain(default) for key, default in _keys(Settings)}


def test_every_environment_variable_the_settings_read_is_documented():
    page = (DOCS / "configuration.md").read_text(encoding="utf-8")
    section = page.split("## Environment variables", 1)[1]
    named = set(re.findall(r"`(REVIEWLOOP_[A-Z_]+)`", section.split("```", 1)[0]))
    assert named == {config.ENV_PREFIX + suffix for suffix in config._ENV_KEYS}


def test_the_review_formats_paragraph_names_every_format_review_accepts():
    page = (DOCS / "commands.md").read_text(encoding="utf-8")
    paragraph = page[page.index("`--format` for `review`:"):].split("Every format lists", 1)[0]
    option = next(p for p in cli.commands["review"].params if "--format" in p.opts)
    assert isinstance(option.type, click.Choice)
    assert [f for f in option.type.choices if f"`{f}`" not in paragraph] == []


def test_the_untracked_folders_left_out_are_each_named_in_the_findings_page():
    """docs/findings.md lists every folder name `git/untracked.py` leaves out of a
    working-tree review (it named only `build` and `dist` while node_modules, __pycache__,
    .tox, .nox and the tool caches were left out as well: fzb D6)."""
    from reviewloop.git.untracked import _GENERATED_DIRS

    page = " ".join((DOCS / "findings.md").read_text(encoding="utf-8").split())
    paragraph = page[page.index("untracked folder of generated files"):][:600]
    assert [name for name in [*_GENERATED_DIRS, "*.egg-info"]
            if f"`{name}`" not in paragraph] == []
