"""The wrapped tools' own skip lists, read from their config files."""

from __future__ import annotations

from reviewloop.checks.suppressions.tool_config import ConfigSkip, config_skips

FILES = {
    ".checkov.yaml": "framework: terraform\nskip-check:\n  - CKV_AWS_20\n  - CKV2_AWS_*\n"
                     "  - LOW\n",
    ".hadolint.yml": "ignored: [DL3008, DL3020]\n",
    ".github/zizmor.yml": "rules:\n  template-injection:\n    ignore:\n      - ci.yml:7\n"
                          "      - release.yml\n  unpinned-uses:\n    disable: true\n"
                          "  artipacked: broken\n",
}


def test_each_tools_skips_are_read_from_its_config_files() -> None:
    skips = config_skips(FILES.get)

    assert skips == [
        ConfigSkip("checkov", "CKV_AWS_20", ".checkov.yaml"),
        ConfigSkip("checkov", "CKV2_AWS_*", ".checkov.yaml"),  # severities are not known
        ConfigSkip("hadolint", "DL3008", ".hadolint.yml"),
        ConfigSkip("hadolint", "DL3020", ".hadolint.yml"),
        ConfigSkip("zizmor", "template-injection", ".github/zizmor.yml", file="ci.yml", line=7),
        ConfigSkip("zizmor", "template-injection", ".github/zizmor.yml", file="release.yml"),
        ConfigSkip("zizmor", "unpinned-uses", ".github/zizmor.yml")]


def test_a_config_that_is_no_mapping_skips_nothing() -> None:
    broken = {".checkov.yaml": "skip-check: [unclosed\n", ".hadolint.yaml": "- DL3008\n",
              "zizmor.yml": "rules: [a, b]\n"}
    assert config_skips(broken.get) == []
    assert config_skips({".checkov.yml": "skip-check: CKV_AWS_20, CKV_AWS_21\n"}.get) == [
        ConfigSkip("checkov", "CKV_AWS_20", ".checkov.yml"),
        ConfigSkip("checkov", "CKV_AWS_21", ".checkov.yml")]
