"""Steering files: front matter, glob matching and which files apply."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.spec.steering import (
    Inclusion,
    SteeringFile,
    applicable,
    glob_matches,
    load_steering,
    read_steering,
)

CORPUS = Path("/work/shared/corpus/specs")
SEO = CORPUS / "FouadABT__kiroween-dashtact__.kiro__steering__metadata-seo.md"
BEDROCK = CORPUS / "aws-samples__sample-voice-of-customer-datalake__.kiro__steering__bedrock-ai.md"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def steering(name: str, inclusion: Inclusion, patterns=(), description="") -> SteeringFile:
    return SteeringFile(Path(f"{name}.md"), name, inclusion, tuple(patterns), "body",
                        description=description)


# ---- loading ----------------------------------------------------------------------------


def test_no_front_matter_means_always(tmp_path):
    path = write(tmp_path, "tech.md", "# Tech\n\nUse Python 3.11.\n")
    item = read_steering(path)
    assert (item.name, item.inclusion, item.patterns, item.diagnostic) == (
        "tech", Inclusion.ALWAYS, (), None)
    assert item.body == "# Tech\n\nUse Python 3.11.\n"


def test_front_matter_is_read_and_removed_from_the_body(tmp_path):
    path = write(tmp_path, "py.md", "---\ninclusion: fileMatch\nfileMatchPattern: '**/*.py'\n"
                                    "---\n\n# Python rules\n")
    item = read_steering(path)
    assert item.inclusion is Inclusion.FILE_MATCH
    assert item.patterns == ("**/*.py",)
    assert item.body == "# Python rules\n"


def test_pattern_lists_and_comma_lists(tmp_path):
    listed = write(tmp_path, "a.md", "---\ninclusion: fileMatch\nfileMatchPattern:\n"
                                     "  - 'src/**/*.ts'\n  - '*.tsx'\n---\nx")
    commas = write(tmp_path, "b.md", "---\ninclusion: fileMatch\n"
                                     "fileMatchPattern: 'a/*.py, {b,c}/*.py'\n---\nx")
    assert read_steering(listed).patterns == ("src/**/*.ts", "*.tsx")
    assert read_steering(commas).patterns == ("a/*.py", "{b,c}/*.py")


def test_manual_and_crlf_front_matter(tmp_path):
    path = tmp_path / "deploy.md"
    path.write_bytes(b"---\r\ninclusion: manual\r\n---\r\nDeploy with care.\r\n")
    item = read_steering(path)
    assert item.inclusion is Inclusion.MANUAL
    assert item.body.strip() == "Deploy with care."


def test_real_file_match_steering_from_the_corpus(tmp_path):
    shutil.copy(SEO, tmp_path / "metadata-seo.md")
    (item,) = load_steering(tmp_path)
    assert item.inclusion is Inclusion.FILE_MATCH
    assert item.diagnostic is None
    assert item.matches("frontend/src/app/blog/[slug]/page.tsx")
    assert item.matches("frontend/src/lib/metadata-config.ts")
    assert not item.matches("backend/src/main.ts")
    assert item.body.startswith("# Page Metadata & SEO System")


def test_real_auto_steering_from_the_corpus(tmp_path):
    shutil.copy(BEDROCK, tmp_path / "bedrock-ai.md")
    (item,) = load_steering(tmp_path)
    assert item.inclusion is Inclusion.AUTO
    assert item.name == "bedrock-ai"
    assert item.description.startswith("Bedrock AI model standards")


@pytest.mark.parametrize("text, line, message", [
    ("---\ninclusion: [always\n---\nbody", 2, "front matter: "),
    ("---\ninclusion: sometimes\n---\nbody", 2, "unknown inclusion 'sometimes'"),
    ("---\n- just\n- a list\n---\nbody", 2, "front matter is not a mapping"),
    ("---\ninclusion: fileMatch\n---\nbody", 2, "fileMatch needs a fileMatchPattern"),
    ("---\ninclusion: manual\nbody without an end", 1, "never closed"),
    ('---\ninclusion: fileMatch\nfileMatchPattern: ["*.py", 3]\n---\nbody', 3,
     "fileMatchPattern holds 3, not a glob in quotes"),
    ("---\ninclusion: fileMatch\nfileMatchPattern: 7\n---\nbody", 3,
     "fileMatchPattern holds 7"),
])
def test_malformed_front_matter_is_always_plus_a_diagnostic(tmp_path, text, line, message):
    path = write(tmp_path, "bad.md", text)
    item = read_steering(path)
    assert item.inclusion is Inclusion.ALWAYS
    assert item.diagnostic is not None
    assert item.diagnostic.file == str(path)
    assert item.diagnostic.line == line
    assert message in item.diagnostic.message
    assert "body" in item.body


def test_empty_front_matter_is_always(tmp_path):
    item = read_steering(write(tmp_path, "e.md", "---\n---\nbody"))
    assert (item.inclusion, item.diagnostic, item.body) == (Inclusion.ALWAYS, None, "body")


def test_load_reads_md_files_by_name_and_ignores_the_rest(tmp_path):
    write(tmp_path, "b.md", "b")
    write(tmp_path, "a.md", "a")
    write(tmp_path, "notes.txt", "x")
    write(tmp_path / "sub", "c.md", "c")
    assert [f.name for f in load_steering(tmp_path)] == ["a", "b"]


def test_load_without_a_folder_is_empty(tmp_path):
    assert load_steering(None) == []
    assert load_steering(tmp_path / "missing") == []


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT, codec=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"]),
       before=st.sampled_from(["", "---\ninclusion: always\n---\n"]))
def test_a_file_that_is_not_utf8_is_refused_never_altered(tmp_path, text, codec, before):
    """Whatever the editor saved: UTF-8 (with or without a BOM) reads back exactly; any
    other bytes are refused with the file, its line and the fix, no replacement character
    ever reaching a prompt."""
    try:
        raw = (before + text).encode(codec)
    except UnicodeEncodeError:
        return  # not writable in that encoding: nothing an editor would save
    path = tmp_path / "rules.md"
    path.write_bytes(raw)
    item = read_steering(path)
    try:
        expected = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        assert item.diagnostic is not None and "not UTF-8" in item.diagnostic.message
        assert item.fix.startswith("save it as UTF-8") and item.body == ""
        return
    assert item.diagnostic is None or "front matter" in item.diagnostic.message \
        or "never closed" in item.diagnostic.message
    assert item.body in (expected, expected.partition("\n---\n")[2].lstrip("\r\n"))


# ---- globs ------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern, path, expected", [
    ("**/*.py", "a.py", True),
    ("**/*.py", "pkg/sub/a.py", True),
    ("**/*.py", "a.pyc", False),
    ("src/**/*.ts", "src/a.ts", True),
    ("src/**/*.ts", "src/x/y/a.ts", True),
    ("src/**/*.ts", "lib/src/a.ts", False),
    ("src/*.ts", "src/x/a.ts", False),
    ("*.tsx", "src/App.tsx", True),
    ("docs/**", "docs/a/b.md", True),
    ("{api,web}/**/*.go", "web/x.go", True),
    ("{api,web}/**/*.go", "cli/x.go", False),
    ("./src/?.js", "src/a.js", False),  # minimatch never matches it: refused on reading
    ("src/?.js", "src/ab.js", False),
    ("", "a.py", False),
])
def test_glob_matches(pattern, path, expected):
    assert glob_matches(pattern, path) is expected


def test_windows_separators_are_normalised():
    assert glob_matches("src/**/*.py", "src\\pkg\\a.py")


# ---- applicable -------------------------------------------------------------------------


def test_applicable_picks_always_and_matching_files_in_order():
    files = [steering("tech", Inclusion.ALWAYS),
             steering("py", Inclusion.FILE_MATCH, ["**/*.py"]),
             steering("ts", Inclusion.FILE_MATCH, ["**/*.ts"]),
             steering("deploy", Inclusion.MANUAL)]
    assert [f.name for f in applicable(files, ["todo/store.py"])] == ["tech", "py"]
    assert [f.name for f in applicable(files, [])] == ["tech"]


def test_manual_files_only_when_named():
    files = [steering("deploy", Inclusion.MANUAL), steering("api", Inclusion.MANUAL)]
    assert applicable(files, ["a.py"]) == []
    for name in ("deploy", "#deploy", "deploy.md", "Deploy"):
        assert [f.name for f in applicable(files, [], [name])] == ["deploy"]


def test_auto_files_when_named_or_described_by_the_task_text():
    files = [steering("bedrock-ai", Inclusion.AUTO,
                      description="Bedrock model standards, Claude model resolution, prompts")]
    assert applicable(files, [], text="Render the HTML page") == []
    assert applicable(files, [], ["bedrock-ai"]) == files
    assert applicable(files, [], text="Follow bedrock-ai rules") == files
    assert applicable(files, [], text="Resolve the Claude model for Bedrock") == files
