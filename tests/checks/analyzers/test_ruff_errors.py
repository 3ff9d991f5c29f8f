"""`ruff_errors.reason`: ruff's refusal of a config, kept from its head, about the
repository's own paths."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import OUTPUT_CHARS
from reviewloop.checks.analyzers.ruff_errors import reason

FIELDS = st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True), min_size=0,
                  max_size=80)


@given(fields=FIELDS, key=st.from_regex(r"[a-z]{3,12}", fullmatch=True),
       line=st.integers(1, 9999))
def test_the_field_and_line_survive_any_list_of_expected_fields(
        fields: list[str], key: str, line: int) -> None:
    mirror = "/tmp/reviewloop-ruff-config-abc"
    said = ("ruff failed\n"
            f"  Cause: Failed to load configuration `{mirror}/api/ruff.toml`\n"
            f"  Cause: Failed to parse {mirror}/api/ruff.toml\n"
            f"  Cause: TOML parse error at line {line}, column 1\n  |\n"
            f"{line} | {key} = [\"E501\"]\n  | ^^^^^^\n"
            f"unknown field `{key}`, expected one of "
            + ", ".join(f"`{f}`" for f in fields) + "\n")
    shown = reason(said, mirror)
    assert len(shown) <= OUTPUT_CHARS
    assert f"unknown field `{key}`" in shown and f"at line {line}" in shown, shown
    assert "Failed to parse api/ruff.toml" in shown and mirror not in shown, shown
