"""One field table (plugins/module_utils/_state/fields.py): the schema, the sync_options argument spec, the
role's argument spec and the table name exactly the same document keys, with the same types; every row
field the table names exists; the planner and the reader go through it. The notifications section has its own
module and table (_state/notifications.py): the schema, the notifications argument spec and that table name the
same keys too."""

from __future__ import annotations

import copy
import json
import os
import re

import pytest
import yaml

from ansible_collections.ops.wsus.plugins.module_utils._state import fields
from ansible_collections.ops.wsus.plugins.module_utils._state import notifications
from ansible_collections.ops.wsus.plugins.module_utils._state.document import SECTIONS
from ansible_collections.ops.wsus.plugins.module_utils._state.read import read_keyed_section
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.operations import (
    CONFIGURATION_FIELD_ORDER,
    SUBSCRIPTION_FIELD_ORDER,
)
from ansible_collections.ops.wsus.plugins.modules.notifications import ARGSPEC as NOTIFICATIONS_ARGSPEC
from ansible_collections.ops.wsus.plugins.modules.notifications import SECTION_OPTIONS
from ansible_collections.ops.wsus.plugins.modules.sync_options import ARGSPEC

from state_fixtures import config_row

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SCHEMA_FILE = os.path.join(REPO, "schemas", "wsus_sync.schema.json")
ROLE_SPECS = os.path.join(REPO, "roles", "wsus_sync", "meta", "argument_specs.yml")
SCHEMA_KINDS = {"boolean": "bool", "integer": "int", "string": "str"}


@pytest.fixture(scope="module")
def schema():
    with open(SCHEMA_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def _paths(sections):
    """{section: keys or None} -> the set of "section" and "section.key" paths."""
    paths = set()
    for section, keys in sections.items():
        paths.add(section)
        paths.update("%s.%s" % (section, key) for key in keys or ())
    return paths


def schema_paths(schema):
    """The sections sync_options applies, and their keys (notifications has its own module: below)."""
    return _paths(
        {
            section: node.get("properties")
            for section, node in schema["properties"].items()
            if section != "notifications"
        }
    )


def argspec_paths(argspec):
    return _paths({section: spec.get("options") for section, spec in argspec.items()})


def table_paths():
    keys = fields.document_keys()
    return _paths({section: keys.get(section) for section in SECTIONS})


def _differences(sources, prefix=""):
    """Each path of ``sources`` ({source name: paths}) that not every source names:
    "<prefix><path>: in <sources>; not in <sources>"."""
    differences = []
    for path in sorted(set().union(*sources.values())):
        present = [name for name, paths in sources.items() if path in paths]
        if len(present) < len(sources):
            missing = [name for name in sources if name not in present]
            differences.append("%s%s: in %s; not in %s" % (prefix, path, ", ".join(present), ", ".join(missing)))
    return differences


def key_differences(schema, argspec=None):
    """Each section or key that not every source names: "<path>: in <sources>; not in <sources>"."""
    sources = {
        "the schema": schema_paths(schema),
        "the argument spec": argspec_paths(argspec or ARGSPEC),
        "fields.py": table_paths(),
    }
    return _differences(sources)


def test_the_schema_the_argument_spec_and_the_table_name_the_same_keys(schema):
    assert key_differences(schema) == []
    assert [section for section in schema["properties"] if section != "notifications"] == list(SECTIONS)
    assert list(SECTIONS) == list(ARGSPEC)


# ------------------------------------------------------------------ notifications


def _nested_paths(properties, prefix=""):
    """{name: node with "properties" or "options"} at any depth -> "a", "a.b" paths."""
    paths = set()
    for name, node in properties.items():
        paths.add(prefix + name)
        children = node.get("properties") or node.get("options") or {}
        paths |= _nested_paths(children, prefix + name + ".")
    return paths


def notification_differences(schema, argspec=None):
    sources = {
        "the schema": _nested_paths(schema["properties"]["notifications"]["properties"]),
        "the argument spec": _nested_paths(
            {name: spec for name, spec in (argspec or NOTIFICATIONS_ARGSPEC).items() if name in SECTION_OPTIONS}
        ),
        "_state/notifications.py": notifications.document_paths(),
    }
    return _differences(sources, prefix="notifications.")


def test_notifications_the_schema_the_module_and_its_table_name_the_same_keys(schema):
    assert notification_differences(schema) == []
    assert list(schema["properties"]["notifications"]["properties"]) == list(SECTION_OPTIONS)
    # every option of the module is a key of the section, but the task's own send_test_email
    assert set(NOTIFICATIONS_ARGSPEC) - set(SECTION_OPTIONS) == {"send_test_email"}


def test_a_notifications_key_missing_from_the_module_is_reported(schema):
    argspec = copy.deepcopy(NOTIFICATIONS_ARGSPEC)
    del argspec["smtp"]["options"]["sender_name"]
    assert notification_differences(schema, argspec) == [
        "notifications.smtp.sender_name: in the schema, _state/notifications.py; not in the argument spec"
    ]


def _notification_node(schema, path):
    node = schema["properties"]["notifications"]
    for part in path.split("."):
        node = node["properties"][part]
        while "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


@pytest.mark.parametrize("path, kind", sorted(notifications.key_kinds().items()))
def test_notifications_kinds_match_the_schema_and_the_module(schema, path, kind):
    node = _notification_node(schema, path)
    assert {"array": "list"}.get(node["type"], SCHEMA_KINDS.get(node["type"])) == kind
    section, _, name = path.rpartition(".")
    spec = NOTIFICATIONS_ARGSPEC[section]["options"][name] if section else NOTIFICATIONS_ARGSPEC[name]
    assert spec["type"] == kind


def test_a_key_added_to_the_schema_alone_is_reported(schema):
    changed = copy.deepcopy(schema)
    changed["properties"]["proxy"]["properties"]["timeout"] = {"type": "integer"}
    changed["properties"]["reporting"] = {"type": "object", "properties": {"enabled": {"type": "boolean"}}}
    assert key_differences(changed) == [
        "proxy.timeout: in the schema; not in the argument spec, fields.py",
        "reporting: in the schema; not in the argument spec, fields.py",
        "reporting.enabled: in the schema; not in the argument spec, fields.py",
    ]


def test_a_key_missing_from_the_argument_spec_is_reported(schema):
    argspec = copy.deepcopy(ARGSPEC)
    del argspec["storage"]["options"]["express_files"]
    assert key_differences(schema, argspec) == [
        "storage.express_files: in the schema, fields.py; not in the argument spec"
    ]


def test_every_key_is_a_row_field_or_listed_with_its_reason():
    row_keys = {(key.section, key.name) for key in fields.KEYS}
    assert not row_keys & set(fields.NOT_ROW_FIELDS)
    assert all(reason for reason in fields.NOT_ROW_FIELDS.values())
    assert len(row_keys) == len(fields.KEYS), "a key is in the table twice"


def _schema_kind(schema, node):
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return SCHEMA_KINDS[node["type"]]


@pytest.mark.parametrize("key", fields.KEYS, ids=repr)
def test_kind_matches_the_schema_and_the_argument_spec(schema, key):
    assert _schema_kind(schema, schema["properties"][key.section]["properties"][key.name]) == key.kind
    assert ARGSPEC[key.section]["options"][key.name]["type"] == key.kind


@pytest.mark.parametrize("key", fields.KEYS, ids=repr)
def test_row_fields_exist(key):
    order = SUBSCRIPTION_FIELD_ORDER if key.section == "schedule" else CONFIGURATION_FIELD_ORDER
    assert key.fields and set(key.fields) <= set(order)


def test_keyed_sections_are_the_configuration_sections_of_the_table():
    assert set(fields.KEYED_SECTIONS) == set(fields.BY_SECTION) - {"schedule"}


def test_the_role_names_the_document_sections():
    with open(ROLE_SPECS, encoding="utf-8") as handle:
        specs = yaml.safe_load(handle)
    option = specs["argument_specs"]["main"]["options"]["wsus_sync"]
    assert option["type"] == "raw", "the role takes the document as one value; its keys are the schema's"
    sentence = [line for line in option["description"] if "Its sections are" in line][0]
    named = re.findall(r"C\((\w+)\)", sentence.split("Its sections are", 1)[1].split(";", 1)[0])
    assert named == list(SECTIONS)


@pytest.mark.parametrize("key", [key for key in fields.KEYS if key.section != "schedule"], ids=repr)
def test_put_then_get_gives_the_value_back(key):
    value = {"bool": True, "int": 8081, "str": "proxy.corp"}[key.kind]
    if key.name == "type":
        value = fields.UPSTREAM
    row = config_row(
        SyncToMU=False,
        UseProxy=True,
        ProxyName="p",
        UseSeparateProxyForSsl=True,
        AnonymousProxyAccess=False,
        HostOnMu=False,
    )
    key.put(row, value)
    assert key.get(row) == value
    assert read_keyed_section(key.section, row)[key.name] == value


def test_reader_leaves_out_what_the_server_does_not_have():
    row = config_row(
        SyncToMU=True,
        UseProxy=False,
        ProxyName=None,
        UseSeparateProxyForSsl=False,
        AnonymousProxyAccess=True,
        ProxyUserName="ignored",
        HostOnMu=True,
    )
    assert read_keyed_section("update_source", row) == {"type": fields.MICROSOFT_UPDATE}
    assert read_keyed_section("proxy", row) == {"enabled": False, "allow_basic_auth": False}
    assert read_keyed_section("storage", row) == {"local": False}
