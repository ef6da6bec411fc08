# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Advice appended to a violation for the usual inventory surprises: YAML 1.1 reading yes/no as
booleans, 10:30 as a base-60 number and an empty value as null, and host names written as URLs.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Controller side only; no Ansible imports.
"""

from __future__ import annotations

import json
import re

from .words import TIME_PATTERN

_YAML_FALSE_WORDS = ("no", "off", "false")
_YAML_TRUE_WORDS = ("yes", "on", "true")


def _expects_string(schema):
    types = schema.get("type")
    if types == "string" or (isinstance(types, list) and "string" in types):
        return True
    for key in ("enum", "const"):
        values = schema.get(key) if key == "enum" else [schema.get(key)] if key in schema else []
        if values and all(isinstance(v, str) for v in values):
            return True
    return False


def bool_hint(value, candidates=None):
    """Advice for a boolean where a word was expected (``candidates``: the words allowed there)."""
    words = _YAML_FALSE_WORDS if value is False else _YAML_TRUE_WORDS
    for word in words:
        if candidates and word in candidates:
            return "quote it: '%s' (YAML reads an unquoted %s as %s)" % (word, word, json.dumps(value))
    return "YAML reads unquoted yes/no/on/off/true/false as %s; if you meant a word, put it in quotes" % (
        "booleans" if candidates is None else "the boolean " + json.dumps(value)
    )


def _null_hint(schema):
    if schema.get("type") == "object":
        return "an empty YAML key is null: remove the key, or write {} to leave everything as the server has it"
    if schema.get("type") == "array":
        return "an empty YAML key is null: remove the key, or give a list"
    return "the key has no value (YAML reads an empty value as null): remove the key or give a value"


def _time_hint(value):
    text = 'write the time as a quoted string "HH:MM", such as time: "03:00"'
    if isinstance(value, int):
        text = "YAML 1.1 reads unquoted times such as 10:30 as base-60 numbers; " + text
    if isinstance(value, int) and 0 <= value < 25 * 60:  # beyond 24:59 it may have been H:MM:SS
        hours, minutes = divmod(value, 60)
        text = "YAML 1.1 reads an unquoted %d:%02d as the number %d; " % (hours, minutes, value)
        if hours < 24:
            text += 'write the time as a quoted string "HH:MM", such as time: "%02d:%02d"' % (hours, minutes)
        else:
            text += 'write the time as a quoted string "HH:MM" from "00:00" to "23:59" (midnight is "00:00")'
    return text


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def yaml_hints(value, schema, parts):
    """Extra advice for the usual inventory (YAML 1.1) surprises: a new list, possibly empty."""
    last = parts[-1] if parts else None
    if value is None:
        return [_null_hint(schema)]
    if isinstance(value, bool) and _expects_string(schema):
        return [bool_hint(value, schema.get("enum") or ([schema["const"]] if "const" in schema else None))]
    if _is_number(value) and (last == "time" or schema.get("pattern") == TIME_PATTERN):
        return [_time_hint(value)]
    if isinstance(value, str) and schema.get("type") in ("integer", "number"):
        return ["write the number without quotes"] if value.strip().lstrip("+-").isdigit() else []
    if isinstance(value, float) and schema.get("type") == "integer":
        return ["write a whole number"]
    if _is_number(value) and schema.get("type") == "string":
        return ["if this is meant as text, put it in quotes"]
    return []


def host_hints(value, port_key=None):
    """Advice for a host name that is not one: a URL, a path, a port, non-ASCII letters, spaces.
    ``port_key``: the path of the key the port belongs in ("smtp.port"), to name it."""
    hints: list = []
    if not isinstance(value, str):
        return hints
    if "://" in value:
        hints.append("write only the host name, without a scheme like http://")
    elif "/" in value:
        hints.append("write only the host name, without a path")
    elif re.search(r":\d*$", value):
        hints.append("give the port in the port key%s, not in the host name" % (" (%s)" % port_key if port_key else ""))
    if any(ord(c) > 127 for c in value):
        hints.append(
            "it contains non-ASCII characters: write an internationalized name in its ASCII (punycode, xn--) form"
        )
    if any(c.isspace() for c in value):
        hints.append("it contains spaces")
    return hints
