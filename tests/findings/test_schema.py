"""The findings schema: validation, fingerprints, and the structured-output schema."""

from __future__ import annotations

from pathlib import PurePosixPath

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError, model_validator

from reviewloop.findings.code_index import CodeIndex, code_snippet
from reviewloop.findings.ledger import Entry, Status
from reviewloop.findings.schema import (
    SEVERITY_GUIDE,
    Finding,
    FindingDraft,
    ReviewReply,
    Severity,
    fingerprint,
    location_hash,
    normalise_path,
    normalise_title,
    short_fingerprint,
)
from reviewloop.git.names import shown


def draft(**overrides) -> dict:
    fields = {"severity": "should_fix", "file": "src/app/db.py", "start_line": 3,
              "end_line": 4, "title": "SQL built with an f-string",
              "rationale": "request data reaches the query unescaped", "confidence": 0.8}
    return {**fields, **overrides}


def finding(**overrides) -> Finding:
    return Finding(**{"agent": "security", **draft(**overrides)})


CODE = [
    "import sqlite3",
    "",
    "def load(db, name):",
    "    return db.execute(f'select * from t where n = {name}')",
    "",
]


# --- Severity ----------------------------------------------------------------------------


def test_severity_order_and_labels():
    assert [s.value for s in sorted(Severity, key=lambda s: s.rank)] == [
        "must_fix", "should_fix", "nit"]
    assert [s.emoji for s in Severity] == ["🔴", "🟡", "🟢"]
    assert Severity.MUST_FIX.label == "must fix"


def test_only_nits_are_not_actionable():
    assert Severity.MUST_FIX.actionable and Severity.SHOULD_FIX.actionable
    assert not Severity.NIT.actionable


def test_at_least_and_highest():
    assert Severity.MUST_FIX.at_least(Severity.SHOULD_FIX)
    assert Severity.SHOULD_FIX.at_least(Severity.SHOULD_FIX)
    assert not Severity.NIT.at_least(Severity.SHOULD_FIX)
    assert Severity.highest([Severity.NIT, Severity.MUST_FIX, Severity.SHOULD_FIX]) \
        is Severity.MUST_FIX


@pytest.mark.parametrize("value", ["critical", "MUST_FIX", "must fix", "", None, 1])
def test_unknown_severity_is_refused(value):
    with pytest.raises(ValidationError, match="severity"):
        FindingDraft(**draft(severity=value))


@pytest.mark.parametrize("value", ["must_fix", "should_fix", "nit"])
def test_known_severities_are_accepted(value):
    assert FindingDraft(**draft(severity=value)).severity is Severity(value)


# --- paths -------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "expected"), [
    ("src/app/db.py", "src/app/db.py"),
    ("./src/app/db.py", "src/app/db.py"),
    ("src//app/./db.py", "src/app/db.py"),
    ("  src/app/db.py\n", "src/app/db.py"),
    ("src/app/", "src/app"),
    ("README", "README"),
])
def test_paths_are_normalised(given, expected):
    assert normalise_path(given) == expected
    assert FindingDraft(**draft(file=given)).file == expected


@pytest.mark.parametrize(("given", "message"), [
    ("", "must not be empty"),
    ("   ", "must not be empty"),
    ("/etc/passwd", "relative to the repository root"),
    ("C:/work/app.py", "relative to the repository root"),
    ("c:app.py", "relative to the repository root"),
    ("src\\app\\db.py", "forward slashes"),
    ("../outside.py", "inside the repository"),
    ("src/../../outside.py", "inside the repository"),
    (".", "must name a file"),
    ("./", "must name a file"),
])
def test_bad_paths_are_refused_with_a_reason(given, message):
    with pytest.raises(ValueError, match=message):
        normalise_path(given)
    with pytest.raises(ValidationError, match=message):
        FindingDraft(**draft(file=given))


@given(st.from_regex(r"[A-Za-z]:[A-Za-z0-9:+._ -]{0,12}(/[A-Za-z0-9:+._-]{1,8}){0,2}",
                     fullmatch=True).filter(lambda name: ".." not in name.split("/")
                                             and name.rstrip("/. ") not in ("", ".")))
def test_a_real_file_named_with_a_letter_and_a_colon_is_its_own_name(name: str) -> None:
    """On POSIX `c:notes.txt` is a file's name, not a Windows drive: a path git or a tool
    gives keeps it (a change holding one crashed the review), while a model naming one is
    still asked again (the bad paths above)."""
    assert normalise_path(name, named_by_a_model=False) == "/".join(
        p for p in name.split("/") if p not in ("", "."))


# --- ranges, text, confidence, extra keys ------------------------------------------------


def test_single_line_range_is_fine():
    assert FindingDraft(**draft(start_line=7, end_line=7)).end_line == 7


def test_reversed_range_is_refused():
    with pytest.raises(ValidationError, match=r"end_line \(2\) must not be smaller than "
                                              r"start_line \(5\)"):
        FindingDraft(**draft(start_line=5, end_line=2))


@pytest.mark.parametrize("field", ["start_line", "end_line"])
@pytest.mark.parametrize("value", [0, -1])
def test_lines_are_one_based(field, value):
    with pytest.raises(ValidationError, match=field):
        FindingDraft(**draft(**{field: value, "start_line": 1} if field == "end_line"
                             else {field: value}))


@pytest.mark.parametrize("value", [0.0, 0.5, 1.0, 1])
def test_confidence_within_bounds(value):
    assert FindingDraft(**draft(confidence=value)).confidence == value


@pytest.mark.parametrize("value", [-0.01, 1.01, 2, float("nan"), float("inf")])
def test_confidence_out_of_bounds_is_refused(value):
    with pytest.raises(ValidationError, match="confidence"):
        FindingDraft(**draft(confidence=value))


def test_confidence_is_required():
    fields = draft()
    del fields["confidence"]
    with pytest.raises(ValidationError, match="confidence"):
        FindingDraft(**fields)


def test_title_is_stripped_and_bounded():
    assert FindingDraft(**draft(title="  Unused import  ")).title == "Unused import"
    assert len(FindingDraft(**draft(title="x" * 120)).title) == 120
    with pytest.raises(ValidationError, match="title"):
        FindingDraft(**draft(title="x" * 121))
    with pytest.raises(ValidationError, match="title"):
        FindingDraft(**draft(title="   "))


def test_rationale_must_say_something():
    with pytest.raises(ValidationError, match="rationale"):
        FindingDraft(**draft(rationale=" \n "))


def test_optional_fields_default_to_none_and_keep_an_empty_replacement():
    plain = FindingDraft(**draft())
    assert plain.suggestion is None and plain.replacement is None
    # An empty replacement means "delete these lines", so it must not become None.
    assert FindingDraft(**draft(replacement="")).replacement == ""


@pytest.mark.parametrize("extra", [{"line": 3}, {"severity_level": "nit"}, {"agent": "x"}])
def test_draft_refuses_extra_keys(extra):
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        FindingDraft(**draft(**extra))


def test_finding_refuses_extra_keys_too():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        finding(reviewer="security")


def test_reply_refuses_extra_keys_and_validates_each_finding():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ReviewReply(findings=[], verdict="ok")
    with pytest.raises(ValidationError, match=r"findings\.1\.file"):
        ReviewReply.model_validate({"findings": [draft(), draft(file="/abs.py")]})
    assert ReviewReply.model_validate({"findings": []}).findings == []


def test_finding_needs_an_agent_and_a_well_formed_source():
    with pytest.raises(ValidationError, match="agent"):
        Finding(**draft(), agent="")
    with pytest.raises(ValidationError, match="source"):
        finding(source="Bandit Scanner")
    assert finding(source="bandit", rule="B608").source == "bandit"


def test_fingerprint_must_be_sha256_hex_when_given():
    with pytest.raises(ValidationError, match="fingerprint"):
        finding(fingerprint="not-a-digest")
    given = "a" * 64
    assert finding(fingerprint=given).fingerprint == given


# --- normalisation helpers ---------------------------------------------------------------


def test_normalise_title_drops_case_punctuation_and_digits():
    assert normalise_title("  Unused import: `os` (line 12)!") == "unused import os line #"
    assert normalise_title("N+1 query in loop") == normalise_title("n+2 QUERY in  loop")


def test_code_snippet_drops_whitespace_and_is_one_based():
    assert code_snippet(CODE, 3, 4) == (
        "defload(db,name):returndb.execute(f'select*fromtwheren={name}')")
    assert code_snippet(CODE, 2, 2) == ""
    assert code_snippet(CODE, 50, 60) == ""


# --- fingerprints ------------------------------------------------------------------------


def test_default_fingerprint_is_sha256_hex_and_short_id_is_its_prefix():
    found = finding()
    assert len(found.fingerprint) == 64
    int(found.fingerprint, 16)
    assert found.short_id == found.fingerprint[:12] == short_fingerprint(found.fingerprint)


def test_fingerprint_survives_line_shifts():
    shifted = ["# a header comment", "# another", *CODE]
    before = finding(start_line=3, end_line=4).with_code(CODE)
    after = finding(start_line=5, end_line=6).with_code(shifted)
    assert before.fingerprint == after.fingerprint


def test_fingerprint_survives_reindenting_and_rewrapping():
    rewrapped = [
        "import sqlite3",
        "",
        "def load(db,   name):",
        "        return db.execute(",
        "            f'select * from t where n = {name}'",
        "        )",
    ]
    before = finding(start_line=3, end_line=4).with_code(CODE)
    after = finding(start_line=3, end_line=6).with_code(rewrapped)
    assert after.fingerprint == before.fingerprint


def test_fingerprint_survives_tabs_trailing_spaces_and_crlf():
    messy = [*CODE[:2], "def load(db,name):\r",
             "\treturn db.execute(f'select * from t where n = {name}')  \r"]
    assert finding().with_code(messy).fingerprint == finding().with_code(CODE).fingerprint


def test_fingerprint_survives_cosmetic_title_changes():
    one = finding(title="SQL built with an f-string").with_code(CODE)
    two = finding(title="sql built with an F-String.").with_code(CODE)
    assert one.fingerprint == two.fingerprint


def test_fingerprint_ignores_severity_confidence_and_prose():
    base = finding().with_code(CODE)
    other = finding(severity="must_fix", confidence=0.2, rationale="another reason",
                    suggestion="use parameters", replacement="x").with_code(CODE)
    assert base.fingerprint == other.fingerprint


def test_different_code_gives_a_different_fingerprint():
    changed = [*CODE[:3], "    return db.execute('select * from t where n = ?', (name,))"]
    assert finding().with_code(CODE).fingerprint != finding().with_code(changed).fingerprint


@pytest.mark.parametrize("change", [
    {"file": "src/app/other.py"},
    {"title": "Query results never closed"},
])
def test_different_file_or_title_gives_a_different_fingerprint(change):
    assert finding().with_code(CODE).fingerprint != finding(**change).with_code(CODE).fingerprint


def test_agent_is_part_of_the_identity_without_a_rule():
    one = Finding(**draft(), agent="security").with_code(CODE)
    two = Finding(**draft(), agent="performance").with_code(CODE)
    assert one.fingerprint != two.fingerprint


def test_an_analyzer_rule_matches_whichever_agent_reports_it():
    one = Finding(**draft(), agent="security", source="bandit", rule="B608").with_code(CODE)
    two = Finding(**draft(), agent="maintainability", source="bandit",
                  rule="B608").with_code(CODE)
    other_rule = Finding(**draft(), agent="security", source="bandit",
                         rule="B602").with_code(CODE)
    assert one.fingerprint == two.fingerprint != other_rule.fingerprint


def test_without_code_a_finding_is_located_by_its_lines():
    # The old code-less form ignored lines, so two findings of one kind in a file collapsed.
    near = finding(start_line=3, end_line=4)
    far = finding(start_line=30, end_line=31)
    assert near.location_hash == "L3-4" and far.location_hash == "L30-31"
    assert near.fingerprint != far.fingerprint
    assert near.fingerprint == fingerprint(near)
    assert near.with_code(CODE).fingerprint != near.fingerprint


def test_blank_or_missing_lines_fall_back_to_the_line_form():
    plain = finding(start_line=2, end_line=2)
    assert plain.with_code(CODE).fingerprint == plain.fingerprint  # line 2 is blank
    beyond = finding(start_line=90, end_line=95)
    assert beyond.with_code(CODE).fingerprint == beyond.fingerprint


SHELL = "    subprocess.call(cmd, shell=True)"
THREE = ["import subprocess", "", "def run(cmd):", SHELL, SHELL, "    x = 1", SHELL]


def bandit(line: int, **kw) -> Finding:
    return Finding(**draft(file="run.py", start_line=line, end_line=line, **kw),
                   agent="security", source="bandit", rule="B602")


def test_identical_lines_are_distinct_findings_by_occurrence_index():
    found = [bandit(n).with_code(THREE) for n in (4, 5, 7)]
    assert len({f.fingerprint for f in found}) == 3
    assert [f.location_hash.rsplit(":", 1)[1] for f in found] == ["0", "1", "2"]
    assert len({f.location_hash.split(":")[0] for f in found}) == 1  # same code, same digest


def test_identity_survives_lines_inserted_above_identical_lines():
    before = [bandit(n).with_code(THREE) for n in (4, 5, 7)]
    moved = [*THREE[:1], "import os", "", "", *THREE[1:]]
    after = [bandit(n + 3).with_code(moved) for n in (4, 5, 7)]
    assert [f.fingerprint for f in after] == [f.fingerprint for f in before]


def test_a_short_line_borrows_the_following_lines_as_context():
    code = ["def a():", "    return 1", "}", "x = compute(value)", "}", "y = other(value)"]
    first = finding(start_line=3, end_line=3).with_code(code)
    second = finding(start_line=5, end_line=5).with_code(code)
    assert first.location_hash.endswith(":0") and second.location_hash.endswith(":0")
    assert first.fingerprint != second.fingerprint


def test_file_and_symbol_level_findings_ignore_the_line_they_are_shown_on():
    one = finding(level="file", start_line=3, end_line=3).with_code(CODE)
    two = finding(level="file", start_line=40, end_line=41)
    assert one.location_hash == two.location_hash == "file"
    assert one.fingerprint == two.fingerprint and one.location == "src/app/db.py"
    f = finding(level="symbol", symbol="load", start_line=3, end_line=4).with_code(CODE)
    g = finding(level="symbol", symbol="load", start_line=9, end_line=12)
    h = finding(level="symbol", symbol="save", start_line=3, end_line=4)
    assert f.fingerprint == g.fingerprint != h.fingerprint
    with pytest.raises(ValidationError, match="symbol"):
        finding(level="symbol")


def test_moved_recomputes_the_identity_of_a_line_located_finding():
    plain = finding(start_line=3, end_line=4)
    assert plain.moved(start_line=5, end_line=6).fingerprint == finding(
        start_line=5, end_line=6).fingerprint
    coded = plain.with_code(CODE)
    assert coded.moved(start_line=9, end_line=10).fingerprint == coded.fingerprint


def test_fingerprint_survives_a_json_round_trip():
    found = finding().with_code(CODE)
    again = Finding.model_validate_json(found.model_dump_json())
    assert again == found
    assert Finding(**found.model_dump(mode="json")).fingerprint == found.fingerprint


# --- from_draft and Finding helpers ------------------------------------------------------


def test_from_draft_attributes_and_fingerprints_on_the_code():
    reply = ReviewReply.model_validate({"findings": [draft(file="./src/app/db.py")]})
    made = Finding.from_draft(reply.findings[0], agent="security", code_lines=CODE)
    assert made.agent == "security" and made.source == "llm" and made.rule is None
    assert made.file == "src/app/db.py"
    assert made.severity is Severity.SHOULD_FIX
    assert made.fingerprint == fingerprint(made) == finding().with_code(CODE).fingerprint
    assert made.also_reported_by == [] and made.merged_fingerprints == []


def test_from_draft_without_code_uses_the_code_less_fingerprint():
    made = Finding.from_draft(FindingDraft(**draft()), agent="security")
    assert made.fingerprint == fingerprint(made) and made.location_hash == "L3-4"


def test_with_code_returns_a_copy():
    plain = finding()
    coded = plain.with_code(CODE)
    assert coded is not plain and plain.fingerprint == fingerprint(plain)
    assert coded.location_hash != plain.location_hash


def test_location_agents_and_fingerprints():
    one_line = finding(start_line=4, end_line=4)
    assert one_line.location == "src/app/db.py:4"
    assert finding().location == "src/app/db.py:3-4"
    merged = finding(also_reported_by=["performance"], merged_fingerprints=["b" * 64])
    assert merged.agents == ("security", "performance")
    assert merged.fingerprints == {merged.fingerprint, "b" * 64}


def test_sort_key_puts_the_most_severe_first_then_file_and_line():
    items = [finding(severity="nit"), finding(file="a.py", start_line=9, end_line=9),
             finding(severity="must_fix", file="z.py"), finding(file="a.py")]
    ordered = sorted(items, key=Finding.sort_key)
    assert [(f.severity.value, f.file, f.start_line) for f in ordered] == [
        ("must_fix", "z.py", 3), ("should_fix", "a.py", 3), ("should_fix", "a.py", 9),
        ("nit", "src/app/db.py", 3)]


# --- the structured-output schema ---------------------------------------------------------


REQUIRED = {"severity", "file", "start_line", "end_line", "title", "rationale", "confidence"}


def _resolve(schema: dict, node: dict) -> dict:
    ref = node.get("$ref")
    return schema["$defs"][ref.rsplit("/", 1)[1]] if ref else node


def test_reply_schema_is_a_valid_object_schema_with_a_findings_array():
    schema = ReviewReply.model_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert schema["required"] == ["findings"]
    assert schema["additionalProperties"] is False
    findings = schema["properties"]["findings"]
    assert findings["type"] == "array"
    item = _resolve(schema, findings["items"])
    assert item["type"] == "object" and item["additionalProperties"] is False
    assert set(item["required"]) == REQUIRED
    assert set(item["properties"]) == REQUIRED | {"suggestion", "replacement"}


def test_reply_schema_carries_the_instructions_and_bounds():
    schema = ReviewReply.model_json_schema()
    item = _resolve(schema, schema["properties"]["findings"]["items"])
    props = item["properties"]
    assert _resolve(schema, props["severity"])["enum"] == ["must_fix", "should_fix", "nit"]
    assert props["severity"]["description"] == SEVERITY_GUIDE
    assert props["confidence"]["minimum"] == 0.0 and props["confidence"]["maximum"] == 1.0
    assert props["start_line"]["minimum"] == 1
    assert props["title"]["maxLength"] == 120
    assert all(p.get("description") for p in props.values())
    assert schema["description"].startswith("Your review of the change.")


def test_reply_schema_accepts_what_the_model_accepts_and_refuses_the_rest():
    validator = jsonschema.Draft202012Validator(ReviewReply.model_json_schema())
    good = {"findings": [draft(), draft(severity="nit", suggestion="rename")],
            "summary": "fine"}
    assert not list(validator.iter_errors(good))
    ReviewReply.model_validate(good)
    for bad in ({"findings": [draft(severity="critical")]},
                {"findings": [draft(confidence=3)]},
                {"findings": [{**draft(), "line": 1}]},
                {"findings": [{k: v for k, v in draft().items() if k != "title"}]},
                {}):
        assert list(validator.iter_errors(bad)), bad
        with pytest.raises(ValidationError):
            ReviewReply.model_validate(bad)


def test_occurrence_counts_the_identical_windows_above_for_every_height():
    # what CodeIndex indexes once per height, counted the slow way for each range
    lines = [f"{'x = 1' if n % 3 else 'y = 2'}\n" for n in range(40)]
    index = CodeIndex(lines)
    for start in range(1, 41):
        for end in (start, start + 1, start + 4):
            text = index.window(start, end)
            slow = sum(1 for n in range(1, start)
                       if index.window(n, n + end - start) == text)
            assert index.occurrence(start, end) == slow, (start, end)


def test_a_window_is_its_lines_widened_line_by_line_to_min_window_characters():
    """CodeIndex cuts a window out of the compact lines end to end: the same text as
    joining the range's lines and adding following ones until MIN_WINDOW, as written here."""
    import random

    from reviewloop.findings.code_index import MAX_WINDOW_LINES, MIN_WINDOW

    def widened(compact: list[str], start: int, end: int) -> str:
        if start < 1 or start > len(compact):
            return ""
        text = "".join(compact[start - 1:end])
        last = min(end, len(compact))
        while text and len(text) < MIN_WINDOW and last < min(end + MAX_WINDOW_LINES,
                                                             len(compact)):
            text += compact[last]
            last += 1
        return text

    rng = random.Random(3)
    pool = ["", "  ", "}", "x = 1", "return value", "def f(a, b):", "a" * 20, "c d", "é ü"]
    for _ in range(200):
        lines = [rng.choice(pool) for _ in range(rng.randrange(0, 30))]
        index = CodeIndex(lines)
        for start in range(len(lines) + 3):
            for end in range(start, start + 6):
                assert index.window(start, end) == widened(index.compact, start, end), (
                    lines, start, end)


@given(st.lists(st.sampled_from(["a", "b.py", ".", "..", "", " ", "x\\y"]), min_size=1,
                max_size=5).map("/".join))
def test_a_tool_s_path_is_normalised_as_pure_posix_path_reads_it(path: str) -> None:
    """Paths are normalised without a PurePosixPath each (a 5,000-file change's scope):
    the same path, or the same refusal, as by PurePosixPath's parts."""
    parts = PurePosixPath(path).parts
    expected = None if not path.strip() or path.startswith("/") or ".." in parts \
        or not parts else PurePosixPath(*parts).as_posix()
    try:
        assert normalise_path(path, named_by_a_model=False) == expected
    except ValueError:
        assert expected is None


# texts a tool may give: ASCII, other Unicode, and bytes that are not UTF-8 as
# `surrogateescape` decodes them (U+DC80-U+DCFF), a lone surrogate of another range too
_TOOL_TEXT = st.text(st.one_of(st.characters(max_codepoint=0x7F),
                               st.characters(min_codepoint=0x80, max_codepoint=0x2FFF),
                               st.characters(min_codepoint=0xDC70, max_codepoint=0xDD10)),
                     max_size=12)


@given(title=_TOOL_TEXT, rationale=_TOOL_TEXT, symbol=st.one_of(st.none(), _TOOL_TEXT),
       agent=st.sampled_from(["security", "s\udc9f"]))
def test_a_tools_text_is_held_in_the_names_text_form_value_by_value(
        title: str, rationale: str, symbol: str | None, agent: str) -> None:
    """`_as_text` reads all of a finding's texts at once (#41: a search of each value cost
    ~2 µs a finding): the same answer as asking each value, on any mix of texts."""
    data = {**draft(title=title, rationale=rationale), "symbol": symbol, "agent": agent,
            "start_line": 3}

    def raw(value: object) -> bool:
        return isinstance(value, str) and any("\udc80" <= c <= "\udcff" for c in value)

    found = any(map(raw, data.values()))
    expected = {k: shown(v) if raw(v) else v for k, v in data.items()} if found else data
    assert Finding._as_text(data) == expected
    assert (Finding._as_text(data) is data) == (not found)


# --- checked once, when made ---------------------------------------------------------------


class _CheckedAfter(Finding):
    """The checks as they were: `after` validators, which pydantic runs again whenever a made
    finding goes into another model. The reference for `model_post_init`."""

    def model_post_init(self, context: object, /) -> None:
        return None

    @model_validator(mode="after")
    def _checks(self) -> _CheckedAfter:
        if self.end_line < self.start_line:
            raise ValueError(f"end_line ({self.end_line}) must not be smaller than "
                             f"start_line ({self.start_line})")
        if self.level == "symbol" and not self.symbol:
            raise ValueError("a symbol-level finding needs `symbol`")
        if not self.location_hash:
            self.location_hash = location_hash(self, None)
        if not self.fingerprint:
            self.fingerprint = fingerprint(self)
        return self


def _made(cls: type[Finding], fields: dict) -> object:
    try:
        return cls.model_validate(fields).model_dump()
    except ValidationError as exc:
        return [(e["loc"], e["msg"]) for e in exc.errors()]


@given(start=st.integers(1, 6), end=st.integers(1, 6),
       level=st.sampled_from(["line", "symbol", "file"]),
       symbol=st.none() | st.sampled_from(["", "load", "Db.run"]),
       rule=st.none() | st.just("B602"),
       given_hash=st.none() | st.sampled_from(["", "L1-1", "abc:0"]),
       given_print=st.none() | st.sampled_from(["", "a" * 64, "not hex"]),
       title=st.sampled_from(["t", "  padded  ", "x" * 121, ""]))
def test_a_finding_is_made_as_its_validators_made_it(start, end, level, symbol, rule,
                                                     given_hash, given_print, title):
    fields = {**draft(start_line=start, end_line=end, title=title), "agent": "security",
              "level": level, "symbol": symbol, "rule": rule}
    fields |= {k: v for k, v in (("location_hash", given_hash),
                                  ("fingerprint", given_print)) if v is not None}
    assert _made(Finding, fields) == _made(_CheckedAfter, fields)


def test_a_made_finding_is_not_checked_again_in_another_model():
    """Each of a review's findings went into five models (an entry twice, its reviewer's
    evidence and outcome): its `after` validators ran each time. Only the `before` one that
    spells a name's bytes remains a model validator."""
    modes = {name: d.info.mode for name, d in
             Finding.__pydantic_decorators__.model_validators.items()}
    assert modes == {"_as_text": "before"}
    made = finding()
    assert ReviewReply(findings=[made]).findings[0] is made
    outcome = Entry.single(made, Status.OPEN, "reported")
    assert outcome.finding is made and outcome.reports == [made]


@given(start=st.integers(1, 6), end=st.integers(1, 6),
       level=st.sampled_from(["line", "symbol", "file"]),
       symbol=st.none() | st.sampled_from(["load", "Db.run"]), rule=st.none() | st.just("B602"))
def test_model_construct_gives_a_finding_its_identity_and_checks_its_place(
        start, end, level, symbol, rule):
    """`model_construct` (no validation: pydantic's contract) runs `model_post_init` too:
    since r22 a constructed finding gets the identity a validated one gets — under the
    `after` validators it had none (`fingerprint == ""`, every ledger key broken) — and a
    range or symbol no reader can place is refused, with the validator's words."""
    fields = {**draft(start_line=start, end_line=end), "agent": "security", "level": level,
              "symbol": symbol, "rule": rule}
    try:
        made = Finding(**fields)
    except ValidationError as exc:
        [error] = exc.errors()
        with pytest.raises(ValueError) as raised:
            Finding.model_construct(**fields)
        assert str(raised.value) in error["msg"]
        return
    built = Finding.model_construct(**fields)
    assert (built.fingerprint, built.location_hash) == (made.fingerprint, made.location_hash)
    assert len(built.fingerprint) == 64
