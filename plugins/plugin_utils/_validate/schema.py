# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsus_sync JSON Schema: read as package data of the collection, and walked by JSON pointer.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Controller side only; no Ansible imports.

The schema is ``schemas/wsus_sync.schema.json`` of the collection, found through the collection's
package ``ansible_collections.ops.wsus`` rather than by a path relative to this file: with Ansible's
collection loader (action plugins, an installed collection) :func:`pkgutil.get_data` reads it; when
the collection is a plain namespace package on ``sys.path`` (the tests), it is read from the
package's folder.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys

COLLECTION_PACKAGE = "ansible_collections.ops.wsus"
SCHEMA_RESOURCE = "schemas/wsus_sync.schema.json"


def _collection_file(resource):
    """The path of ``resource`` ("folder/name" from the collection root), in the first folder of the
    collection's package that holds it (the first folder when none does)."""
    package = sys.modules.get(COLLECTION_PACKAGE) or importlib.import_module(COLLECTION_PACKAGE)
    candidates = [os.path.join(location, *resource.split("/")) for location in getattr(package, "__path__", ())]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return os.path.abspath(candidate)
    return os.path.abspath(candidates[0]) if candidates else None


SCHEMA_PATH = _collection_file(SCHEMA_RESOURCE)

_SCHEMA_CACHE: dict = {}


def schema_key(path=None):
    """The cache key of the schema at ``path`` (default: the collection's schema)."""
    return os.path.abspath(path) if path else SCHEMA_PATH


def _read_packaged():
    data = pkgutil.get_data(COLLECTION_PACKAGE, SCHEMA_RESOURCE)
    if data is None:  # a namespace package (no collection loader) has no loader to read data through
        data = _read_file(SCHEMA_PATH)
    return data


def _read_file(path):
    with open(path, "rb") as handle:
        return handle.read()


def load_schema(path=None):
    """Return the wsus_sync JSON Schema as a dict (cached per file; do not modify it).

    ``path`` defaults to the collection's own schema, read as package data (:data:`SCHEMA_PATH`
    is where it is); another path reads that file instead.
    """
    key = schema_key(path)
    schema = _SCHEMA_CACHE.get(key)
    if schema is None:
        data = _read_packaged() if key == schema_key() else _read_file(key)
        schema = json.loads(data.decode("utf-8"))
        _SCHEMA_CACHE[key] = schema
    return schema


# --------------------------------------------------------------------------- schema walking


def resolve(root, ref):
    """The node a local ``$ref`` ("#/$defs/guid") points to in ``root``; None for a remote one."""
    if not ref.startswith("#"):
        return None
    node = root
    for token in [t for t in ref[1:].split("/") if t]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            token = int(token)
        node = node[token]
    return node


def _step(root, node, key):
    for dummy in range(8):
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            return node[key]
        if isinstance(node, dict):
            if key in node:
                return node[key]
            if "$ref" in node:
                node = resolve(root, node["$ref"])
                continue
        return None
    return None


def rule_for(root, schema_path):
    """The description of the innermost ``allOf`` rule on ``schema_path``, if any."""
    node = root
    why = None
    previous = None
    for key in schema_path:
        parent_key = previous
        node = _step(root, node, key)
        if node is None:
            break
        if parent_key == "allOf" and isinstance(node, dict) and node.get("description"):
            why = node["description"]
        previous = key
    return why


def deref(root, schema):
    """``schema`` with a ``$ref`` replaced by its target, the keys beside the ``$ref`` winning."""
    for dummy in range(8):
        if isinstance(schema, dict) and "$ref" in schema and "type" not in schema and "const" not in schema:
            target = resolve(root, schema["$ref"])
            if target is None:
                return schema
            merged = dict(target)
            merged.update({k: v for k, v in schema.items() if k != "$ref"})
            schema = merged
        else:
            return schema
    return schema
