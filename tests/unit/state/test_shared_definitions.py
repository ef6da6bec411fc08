"""Definitions made once and used everywhere: the GUID pattern, the secret keys and their mask, the
section groups. Each test checks that the schema, the argument spec and the validator agree with them."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.ops.wsus.plugins.module_utils import _guid
from ansible_collections.ops.wsus.plugins.module_utils._state import document, resolve, secrets
from ansible_collections.ops.wsus.plugins.module_utils._wsusar import soap
from ansible_collections.ops.wsus.plugins.modules.sync_options import ARGSPEC
from ansible_collections.ops.wsus.plugins.plugin_utils._validate import validate, words

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


@pytest.fixture(scope="module")
def schema():
    with open(os.path.join(REPO, "schemas", "wsus_sync.schema.json"), encoding="utf-8") as handle:
        return json.load(handle)


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def _keys(schema):
    """Every document key of the schema (section keys and the keys inside sections)."""
    keys = set(schema["properties"])
    for section in schema["properties"].values():
        keys.update(section.get("properties", {}))
    return keys


# --------------------------------------------------------------------------- GUID


def test_the_schema_guid_pattern_is_the_collection_one(schema):
    assert schema["$defs"]["guid"]["pattern"] == _guid.GUID_PATTERN
    guid_like = {node["pattern"] for node in _nodes(schema) if "{8}-" in str(node.get("pattern", ""))}
    assert guid_like == {_guid.GUID_PATTERN}


def test_codec_resolver_and_validator_use_the_one_pattern():
    assert soap.GUID_RE is resolve.GUID_RE is _guid.GUID_RE
    assert words.GUID_PATTERN is _guid.GUID_PATTERN and _guid.GUID_PATTERN in validate.PATTERN_MESSAGES
    assert _guid.GUID_RE.match("E6CF1350-C01B-414D-A61F-263D14D133B4")
    assert not _guid.GUID_RE.match("{E6CF1350-C01B-414D-A61F-263D14D133B4}")


# --------------------------------------------------------------------------- secrets


def test_the_schema_secrets_are_the_secret_keys(schema):
    assert {key for key in _keys(schema) if secrets.is_secret_key(key)} == set(secrets.SECRET_KEYS)


def test_the_argument_spec_hides_exactly_the_secret_keys():
    no_log = {
        name
        for section in ARGSPEC.values()
        for name, option in section.get("options", {}).items()
        if option.get("no_log")
    }
    assert no_log == set(secrets.SECRET_KEYS)


def test_one_rule_and_one_mask_for_the_diff_and_the_validator():
    assert validate.MASK is words.MASK is secrets.MASK
    assert validate._is_secret_key is secrets.is_secret_key
    for key in ("password", "Proxy_Password", "pwd", "pw", "client_secret", "api_token"):
        assert secrets.is_secret_key(key), key
    for key in ("update_password", "username", "server", 3, None):
        assert not secrets.is_secret_key(key), key


def test_mask_secrets_masks_set_secrets_at_any_depth():
    value = {
        "proxy": {"password": "S3cret", "update_password": "always", "username": "svc"},
        "list": [{"token": "t"}],
        "unset": {"password": None},
    }
    assert secrets.mask_secrets(value) == {
        "proxy": {"password": secrets.MASK, "update_password": "always", "username": "svc"},
        "list": [{"token": secrets.MASK}],
        "unset": {"password": None},
    }
    assert value["proxy"]["password"] == "S3cret", "a copy, the argument unchanged"


# --------------------------------------------------------------------------- section groups


def test_configuration_and_subscription_sections_split_the_document():
    configuration, subscription = set(document.CONFIGURATION_SECTIONS), set(document.SUBSCRIPTION_SECTIONS)
    assert not configuration & subscription
    assert configuration | subscription == set(document.SECTIONS)
