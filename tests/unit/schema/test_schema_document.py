# -*- coding: utf-8 -*-
"""The schema file itself: valid 2020-12, documented, with valid examples and defaults."""

from __future__ import annotations

import json
import os
import re

import pytest
from jsonschema import Draft202012Validator

from ansible_collections.ops.wsus.plugins.plugin_utils._validate import validate

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SCHEMA_FILE = os.path.join(REPO_ROOT, "schemas", "wsus_sync.schema.json")
LANGUAGES_JSON = os.path.join(REPO_ROOT, "emulator", "wsus_emulator", "data", "languages.json")
SECTIONS = {
    "update_source",
    "proxy",
    "products",
    "classifications",
    "schedule",
    "languages",
    "storage",
    "notifications",
}


@pytest.fixture(scope="module")
def schema():
    with open(SCHEMA_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def _declaring_schemas(node, where="#"):
    """Yield (location, schema) for every schema that declares the document's shape.

    Conditional subschemas (if/then/else/not/dependentSchemas and allOf rules) only
    constrain properties declared elsewhere, so they are not walked.
    """
    if not isinstance(node, dict):
        return
    yield where, node
    for name, sub in node.get("properties", {}).items():
        yield from _declaring_schemas(sub, "%s/properties/%s" % (where, name))
    for name, sub in node.get("$defs", {}).items():
        yield from _declaring_schemas(sub, "%s/$defs/%s" % (where, name))
    if isinstance(node.get("items"), dict):
        yield from _declaring_schemas(node["items"], where + "/items")
    for keyword in ("anyOf", "oneOf"):
        for index, sub in enumerate(node.get(keyword, [])):
            yield from _declaring_schemas(sub, "%s/%s/%d" % (where, keyword, index))


def _all_nodes(node, trail=()):
    if isinstance(node, dict):
        yield trail, node
        for key, value in node.items():
            if key in ("examples", "default", "const", "enum"):
                continue
            yield from _all_nodes(value, trail + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _all_nodes(value, trail + (index,))


def test_schema_is_valid_2020_12(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_schema_identity(schema):
    assert schema["$id"] == "https://ops-wsus.example/schemas/wsus_sync.schema.json"
    assert schema["title"]
    assert schema["description"]
    assert set(schema["properties"]) == SECTIONS


def test_every_property_has_a_description(schema):
    missing = []
    for where, node in _declaring_schemas(schema):
        for name, sub in node.get("properties", {}).items():
            if not (isinstance(sub, dict) and isinstance(sub.get("description"), str) and sub["description"].strip()):
                missing.append("%s/properties/%s" % (where, name))
    assert missing == []


def test_every_rule_has_a_description(schema):
    """allOf rules carry the 'why' that validate.py appends to messages."""
    missing = []
    for trail, node in _all_nodes(schema):
        for index, rule in enumerate(node.get("allOf", [])):
            if "if" in rule and "else" not in rule and rule.get("if") == {"type": "string"}:
                continue  # structural: string-only constraints of a product item
            if not rule.get("description"):
                missing.append("/".join(map(str, trail + ("allOf", index))))
    assert missing == []


def test_additional_properties_false_everywhere(schema):
    loose = []
    for where, node in _declaring_schemas(schema):
        types = node.get("type")
        types = types if isinstance(types, list) else [types]
        if "object" in types or "properties" in node:
            if node.get("additionalProperties") is not False:
                loose.append(where)
    assert loose == []


def test_rules_name_declared_properties_only(schema):
    """Catch typos: a key used in required/dependentRequired/conditions is declared somewhere."""
    declared = set()
    for _, node in _declaring_schemas(schema):
        declared.update(node.get("properties", {}))
    used = set()
    for _, node in _all_nodes(schema):
        used.update(node.get("required", []))
        for key, needs in node.get("dependentRequired", {}).items():
            used.add(key)
            used.update(needs)
        used.update(node.get("dependentSchemas", {}))
        used.update(node.get("properties", {}))
    assert used - declared == set()


def test_examples_are_valid(schema):
    assert schema["examples"], "the schema needs examples"
    assert {} in schema["examples"]
    plain = Draft202012Validator(schema)
    for example in schema["examples"]:
        assert list(plain.iter_errors(example)) == []
        assert validate.validate_document(example) == []


def test_property_examples_and_defaults_are_valid(schema):
    checked = 0
    for where, node in _declaring_schemas(schema):
        standalone = dict(node, **{"$defs": schema["$defs"]})
        standalone.pop("$id", None)
        standalone.pop("examples", None)
        standalone.pop("default", None)
        validator = Draft202012Validator(standalone)
        for value in node.get("examples", []) + ([node["default"]] if "default" in node else []):
            assert list(validator.iter_errors(value)) == [], "%s: %r" % (where, value)
            checked += 1
    assert checked >= 10


def test_documented_defaults(schema):
    props = schema["properties"]
    assert props["update_source"]["properties"]["port"]["default"] == 8530
    assert props["proxy"]["properties"]["port"]["default"] == 80
    assert props["proxy"]["properties"]["update_password"]["default"] == "on_create"
    assert props["schedule"]["properties"]["timezone"]["default"] == "UTC"
    notifications = props["notifications"]["properties"]
    assert notifications["smtp"]["properties"]["port"]["default"] == 25
    assert notifications["smtp"]["properties"]["update_password"]["default"] == "on_create"
    assert notifications["status_report"]["properties"]["timezone"]["default"] == "UTC"


def test_limits(schema):
    props = schema["properties"]
    defs = schema["$defs"]
    assert defs["host_name"]["maxLength"] == 255
    assert props["proxy"]["properties"]["username"]["maxLength"] == 255
    assert props["proxy"]["properties"]["password"]["maxLength"] == 255
    assert props["products"]["maxItems"] == 1000 and props["products"]["uniqueItems"] is True
    assert props["classifications"]["maxItems"] == 50 and props["classifications"]["uniqueItems"] is True
    assert defs["guid"]["pattern"] == "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"


def test_every_pattern_has_a_message(schema):
    """validate.py turns each pattern into words; a changed pattern must change both."""
    patterns = set()
    for trail, node in _all_nodes(schema):
        if "if" in trail or "not" in trail:
            continue
        if isinstance(node.get("pattern"), str):
            patterns.add(node["pattern"])
    assert patterns - set(validate.PATTERN_MESSAGES) == set()
    for pattern in patterns:
        re.compile(pattern)


def test_language_codes_are_lowercase_and_unique(schema):
    codes = schema["$defs"]["language_code"]["enum"]
    assert len(codes) == len(set(codes)) >= 37
    assert all(code == code.lower() for code in codes)
    assert "no" in codes and "pt-br" in codes and "all" not in codes


def test_language_codes_match_emulator_data(schema):
    with open(LANGUAGES_JSON, encoding="utf-8") as handle:
        data = json.load(handle)
    shorts = [entry["short"] for entry in data["languages"]]
    assert sorted(schema["$defs"]["language_code"]["enum"]) == sorted(shorts)


def test_every_iana_zone_is_accepted():
    zoneinfo = pytest.importorskip("zoneinfo")
    names = sorted(zoneinfo.available_timezones())
    if not names:
        pytest.skip("no time zone database on this machine")
    rejected = [n for n in names if validate.validate_document({"schedule": {"timezone": n}})]
    assert rejected == []


@pytest.mark.parametrize(
    "name, hint",
    [
        ("Europe/Berlinn", "did you mean 'Europe/Berlin'?"),
        ("Mars/Olympus_Mons", "time zone database"),
    ],
)
def test_a_schedule_zone_the_database_lacks_is_refused_before_any_server_with_a_hint(name, hint):
    (violation,) = validate.validate_document({"schedule": {"time": "03:00", "timezone": name}})
    assert violation.path == "wsus_sync.schedule.timezone"
    assert hint in violation.message
