# -*- coding: utf-8 -*-
"""The validate.py API: loading, paths, messages, masking, ordering, formatting."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.ops.wsus.plugins.plugin_utils._validate import validate

SECRET = "Quokka-Lantern-5512!"


def paths(document, **kwargs):
    return [v.path for v in validate.validate_document(document, **kwargs)]


def test_dependency_flag():
    assert validate.HAS_JSONSCHEMA is True
    assert validate.JSONSCHEMA_IMPORT_ERROR is None
    assert "pip install" in validate.MISSING_JSONSCHEMA_MSG and "jsonschema" in validate.MISSING_JSONSCHEMA_MSG


def test_missing_jsonschema_gives_a_clear_error(monkeypatch):
    monkeypatch.setattr(validate, "HAS_JSONSCHEMA", False)
    with pytest.raises(ImportError, match="jsonschema"):
        validate.validate_document({})


def test_no_ansible_imports():
    with open(validate.__file__, encoding="utf-8") as handle:
        source = handle.read()
    assert "import ansible" not in source and "from ansible" not in source


def test_load_schema_default_path_and_cache():
    expected = os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
        "schemas",
        "wsus_sync.schema.json",
    )
    assert os.path.realpath(validate.SCHEMA_PATH) == os.path.realpath(expected)
    first = validate.load_schema()
    assert first is validate.load_schema()
    assert first is validate.load_schema(validate.SCHEMA_PATH)
    assert first["$id"].endswith("/wsus_sync.schema.json")


@pytest.mark.parametrize("document", [None, [], ["products"], "microsoft_update", 42, True])
def test_root_must_be_a_mapping(document):
    violations = validate.validate_document(document)
    assert len(violations) == 1
    assert violations[0].path == "wsus_sync"
    assert violations[0].message.startswith("must be a mapping")


def test_root_name_is_used_in_paths():
    assert paths({"prodcts": []}, root="wsus") == ["wsus.prodcts"]
    assert validate.validate_document(None, root="site_sync")[0].path == "site_sync"


def test_valid_document_has_no_violations():
    assert validate.validate_document({}) == []
    assert validate.validate_document({"languages": "all", "storage": {"local": False}}) == []


def test_unknown_key_suggestion_and_allowed_keys():
    (violation,) = validate.validate_document({"schedule": {"tme": "03:00"}})
    assert violation.path == "wsus_sync.schedule.tme"
    assert violation.message == "unknown key 'tme'; did you mean 'time'?"
    assert violation.got is None
    (violation,) = validate.validate_document({"storage": {"zzz": 1}})
    assert "allowed keys: download_only_approved, express_files, local" in violation.message


def test_port_message_and_got():
    (violation,) = validate.validate_document({"proxy": {"server": "p", "port": 70000}})
    assert violation == validate.Violation("wsus_sync.proxy.port", "must be an integer from 1 to 65535", "70000")
    assert str(violation) == "wsus_sync.proxy.port: must be an integer from 1 to 65535 (got 70000)"


def test_integers_are_strict():
    assert paths({"proxy": {"port": 8080.0}}) == ["wsus_sync.proxy.port"]
    assert paths({"proxy": {"port": True}}) == ["wsus_sync.proxy.port"]
    assert paths({"schedule": {"per_day": "4"}}) == ["wsus_sync.schedule.per_day"]


def test_enum_lists_the_allowed_values():
    (violation,) = validate.validate_document({"update_source": {"type": "wsus"}})
    assert "must be one of: microsoft_update, upstream" in violation.message


def test_yaml_sexagesimal_time_hint():
    document = yaml.safe_load("schedule:\n  time: 10:30\n")
    assert document == {"schedule": {"time": 630}}
    (violation,) = validate.validate_document(document)
    assert violation.path == "wsus_sync.schedule.time"
    assert "10:30 as the number 630" in violation.message
    assert 'write the time as a quoted string "HH:MM"' in violation.message


def test_yaml_boolean_language_hint():
    document = yaml.safe_load("languages: [en, no]\n")
    (violation,) = validate.validate_document(document)
    assert violation.path == "wsus_sync.languages[1]"
    assert "quote it: 'no'" in violation.message


def test_none_section_hint():
    (violation,) = validate.validate_document({"storage": None})
    assert violation.path == "wsus_sync.storage"
    assert "write {}" in violation.message


def test_non_ascii_host_hint():
    (violation,) = validate.validate_document({"proxy": {"server": "prôxy.example"}})
    assert "non-ASCII" in violation.message


def test_cross_field_messages_explain_the_rule():
    document = {"update_source": {"type": "upstream", "server": "u", "replica": True}, "products": ["Windows 11"]}
    (violation,) = validate.validate_document(document)
    assert violation.path == "wsus_sync.products"
    assert violation.message.startswith("must not be declared (a replica")


def test_every_violation_is_reported_sorted_and_once():
    document = {
        "storage": {"local": "no"},
        "products": [str(i) for i in range(2)] + [1] + [str(i) for i in range(3, 10)] + [10, "0"],
        "proxy": {"port": 0, "ssl_port": 0},
        "classifications": [1, 1],
    }
    violations = validate.validate_document(document)
    got = [v.path for v in violations]
    assert got == [
        "wsus_sync.classifications[0]",
        "wsus_sync.classifications[1]",
        "wsus_sync.classifications[1]",
        "wsus_sync.products[2]",
        "wsus_sync.products[10]",
        "wsus_sync.products[11]",
        "wsus_sync.proxy.port",
        "wsus_sync.proxy.ssl_port",
        "wsus_sync.proxy.ssl_server",
        "wsus_sync.storage.local",
    ]
    assert len(set(violations)) == len(violations)


def test_password_is_never_shown():
    document = {
        "proxy": {"server": "p", "password": SECRET * 20, "pasword": SECRET, "update_password": "sometimes"},
        "update_source": {"password": SECRET},
    }
    violations = validate.validate_document(document)
    report = validate.format_violations(violations)
    assert SECRET not in report
    assert all(SECRET not in repr(v) for v in violations)
    by_path = {v.path: v for v in violations}
    assert by_path["wsus_sync.proxy.password"].got == validate.MASK
    assert "did you mean 'password'?" in by_path["wsus_sync.proxy.pasword"].message
    # update_password is not a secret: its bad value is shown
    assert by_path["wsus_sync.proxy.update_password"].got == '"sometimes"'


def test_password_inside_a_shown_mapping_is_masked():
    violations = validate.validate_document({"products": [{"password": SECRET}]})
    report = validate.format_violations(violations)
    assert SECRET not in report
    assert validate.MASK in report


def test_long_values_are_truncated():
    (violation,) = validate.validate_document({"update_source": {"type": "x" * 1000}})
    assert len(violation.got) < 90
    assert violation.got.endswith("(1000 characters)")


def test_format_violations():
    assert validate.format_violations([]) == ""
    one = [validate.Violation("wsus_sync.proxy.port", "must be an integer from 1 to 65535", "70000")]
    assert validate.format_violations(one) == (
        "wsus_sync is invalid (1 problem):\n- wsus_sync.proxy.port: must be an integer from 1 to 65535 (got 70000)"
    )
    many = [validate.Violation("wsus_sync.products[%d]" % i, "must be a string or a mapping", "1") for i in range(5)]
    text = validate.format_violations(many, header="Host wsus01: wsus_sync is invalid", limit=2)
    assert text.splitlines() == [
        "Host wsus01: wsus_sync is invalid (5 problems):",
        "- wsus_sync.products[0]: must be a string or a mapping (got 1)",
        "- wsus_sync.products[1]: must be a string or a mapping (got 1)",
        "- ... and 3 more",
    ]


def test_big_documents_are_fast_enough():
    document = {"products": ["Product %d" % i for i in range(5000)], "classifications": [1] * 200}
    violations = validate.validate_document(document)
    assert violations[0].path == "wsus_sync.classifications"
    assert "wsus_sync.products" in [v.path for v in violations]
