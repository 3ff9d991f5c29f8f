"""How bandit reads a `# nosec` comment: which of its tests the comment silences.

bandit (1.9) takes `# nosec` from a comment token only (`checks.suppressions.comments`
holds that part), then reads the words after it (`nosec: B602`, `nosec B607, B603`,
`nosec start_process_with_partial_path`) as test ids or test names; a word that is neither
(`nosec - reviewed by the team`, an unknown `B999`) is dropped, and a comment left naming no
test silences every test; it reads `nosec` in lower case only. A test name was read as no
id at all, so `# nosec start_process_with_partial_path` (B607 only, to bandit) silenced B602
on its line here, and so did a `# NOSEC` bandit ignores. The names are bandit's own (its
plugins' and blacklists'), kept here so a review reads a marker without loading bandit;
`tests/checks/analyzers/test_bandit_nosec.py` holds the table to the installed bandit.
"""

from __future__ import annotations

import re

from reviewloop.memo import compiled_on_first_use

# bandit.core.manager's NOSEC_COMMENT and NOSEC_COMMENT_TESTS, as bandit writes them: the
# tests part ends at the next `#`, and of `B607,B603` (no space) only the last is read
# (compiled when first asked: a change that adds no `# nosec` never reads one)
_NOSEC = compiled_on_first_use(r"#\s*nosec:?\s*(?P<tests>[^#]+)?#?")  # lower case, as bandit
_TESTS = compiled_on_first_use(r"(?:(B\d+|[a-z\d_]+),?)+", re.IGNORECASE)

TEST_IDS = {  # a bandit test's name → its id
    "assert_used": "B101", "exec_used": "B102", "set_bad_file_permissions": "B103",
    "hardcoded_bind_all_interfaces": "B104", "hardcoded_password_string": "B105",
    "hardcoded_password_funcarg": "B106", "hardcoded_password_default": "B107",
    "hardcoded_tmp_directory": "B108", "try_except_pass": "B110", "try_except_continue": "B112",
    "request_without_timeout": "B113", "flask_debug_true": "B201",
    "tarfile_unsafe_members": "B202", "pickle": "B301", "marshal": "B302", "md5": "B303",
    "ciphers": "B304", "cipher_modes": "B305", "mktemp_q": "B306", "eval": "B307",
    "mark_safe": "B308", "urllib_urlopen": "B310", "random": "B311", "telnetlib": "B312",
    "xml_bad_cElementTree": "B313", "xml_bad_ElementTree": "B314",
    "xml_bad_expatreader": "B315", "xml_bad_expatbuilder": "B316", "xml_bad_sax": "B317",
    "xml_bad_minidom": "B318", "xml_bad_pulldom": "B319", "ftplib": "B321",
    "unverified_context": "B323", "hashlib_insecure_functions": "B324",
    "import_telnetlib": "B401", "import_ftplib": "B402", "import_pickle": "B403",
    "import_subprocess": "B404", "import_xml_etree": "B405", "import_xml_sax": "B406",
    "import_xml_expat": "B407", "import_xml_minidom": "B408", "import_xml_pulldom": "B409",
    "import_xmlrpclib": "B411", "import_httpoxy": "B412", "import_pycrypto": "B413",
    "import_pyghmi": "B415", "request_with_no_cert_validation": "B501",
    "ssl_with_bad_version": "B502", "ssl_with_bad_defaults": "B503",
    "ssl_with_no_version": "B504", "weak_cryptographic_key": "B505", "yaml_load": "B506",
    "ssh_no_host_key_verification": "B507", "snmp_insecure_version": "B508",
    "snmp_weak_cryptography": "B509", "paramiko_calls": "B601",
    "subprocess_popen_with_shell_equals_true": "B602",
    "subprocess_without_shell_equals_true": "B603",
    "any_other_function_with_shell_equals_true": "B604", "start_process_with_a_shell": "B605",
    "start_process_with_no_shell": "B606", "start_process_with_partial_path": "B607",
    "hardcoded_sql_expressions": "B608", "linux_commands_wildcard_injection": "B609",
    "django_extra_used": "B610", "django_rawsql_used": "B611",
    "logging_config_insecure_listen": "B612", "trojansource": "B613", "pytorch_load": "B614",
    "huggingface_unsafe_download": "B615", "jinja2_autoescape_false": "B701",
    "use_of_mako_templates": "B702", "django_mark_safe": "B703",
    "markupsafe_markup_xss": "B704",
}
BUILTIN = frozenset({"B001"})  # bandit's own id for a file it could not parse
_KNOWN = frozenset(TEST_IDS.values()) | BUILTIN


def nosec_ids(comment: str) -> frozenset[str] | None:
    """The test ids a `# nosec` comment silences, as bandit reads it; None: every test. A
    `# NOSEC` bandit does not read (it silences nothing; a change that adds one is still
    told, as the marker is found in any case)."""
    found = _NOSEC().search(comment)
    if found is None:
        return frozenset()
    words = [m.group(1) for m in _TESTS().finditer(found.group("tests") or "")]
    ids = {word if word in _KNOWN else TEST_IDS.get(word, "") for word in words} - {""}
    return frozenset(ids) or None
