# -*- coding: utf-8 -*-
# Copyright: contributors to the ops.wsus collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate a ``wsus_sync`` document against ``schemas/wsus_sync.schema.json``.

Runs on the Ansible controller before any call to a WSUS server, for the modules
and the role alike. Pure Python: no Ansible imports. ``jsonschema`` is optional at
import time; check :data:`HAS_JSONSCHEMA` (the validating functions raise
``ImportError`` with :data:`MISSING_JSONSCHEMA_MSG` when it is missing).

Public API
----------
``HAS_JSONSCHEMA``, ``JSONSCHEMA_IMPORT_ERROR``, ``MISSING_JSONSCHEMA_MSG``
    Whether ``jsonschema`` could be imported, the traceback if not, and the
    message telling the user to install it.
``SCHEMA_PATH``
    Default location of the schema (``<collection>/schemas/wsus_sync.schema.json``).
``Violation(path, message, got=None)``
    One problem. ``path`` names the key (``wsus_sync.proxy.port``, list items as
    ``wsus_sync.products[3]``); ``message`` says what is wrong and what is
    allowed; ``got`` is a short display of the offending value, or ``None`` when
    there is nothing to show or the value is secret (shown as ``********``).
    ``str(violation)`` is ``"<path>: <message> (got <got>)"``.
``load_schema(path=None)``
    The schema as a dict, read once and cached. Do not modify the result.
``validate_document(document, root="wsus_sync")``
    Every violation in ``document``, sorted by path and deduplicated; an empty
    list means the document is valid.
``format_violations(violations, header=None, limit=100)``
    One readable multi-line message for an error report.

Messages never contain the value of a key that looks like a password.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import traceback
from typing import NamedTuple, Optional

try:
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend as _extend_validator
except ImportError:  # pragma: no cover - exercised via HAS_JSONSCHEMA in tests
    HAS_JSONSCHEMA = False
    JSONSCHEMA_IMPORT_ERROR = traceback.format_exc()
    Draft202012Validator = None
    _extend_validator = None
else:
    HAS_JSONSCHEMA = True
    JSONSCHEMA_IMPORT_ERROR = None

__all__ = [
    "HAS_JSONSCHEMA",
    "JSONSCHEMA_IMPORT_ERROR",
    "MISSING_JSONSCHEMA_MSG",
    "SCHEMA_PATH",
    "Violation",
    "load_schema",
    "validate_document",
    "format_violations",
]

MISSING_JSONSCHEMA_MSG = (
    "The Python library 'jsonschema' (4.18 or later) is required on the Ansible controller "
    "to validate wsus_sync. Install it in the controller's Python environment, for example: "
    "python3 -m pip install 'jsonschema>=4.18,<5'"
)

SCHEMA_PATH = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "schemas", "wsus_sync.schema.json")
)

MASK = "********"
_GOT_MAX = 60


class Violation(NamedTuple):
    """One problem found in the document (see the module docstring)."""

    path: str
    message: str
    got: Optional[str] = None

    def __str__(self):
        text = "%s: %s" % (self.path, self.message)
        if self.got is not None:
            text += " (got %s)" % self.got
        return text


# --------------------------------------------------------------------------- schema

_SCHEMA_CACHE = {}
_VALIDATOR_CACHE = {}


def load_schema(path=None):
    """Return the wsus_sync JSON Schema as a dict (cached per file; do not modify it).

    ``path`` defaults to :data:`SCHEMA_PATH`, the ``schemas/`` folder of the collection
    found relative to this file.
    """
    path = os.path.abspath(path or SCHEMA_PATH)
    schema = _SCHEMA_CACHE.get(path)
    if schema is None:
        with open(path, "rb") as handle:
            schema = json.loads(handle.read().decode("utf-8"))
        _SCHEMA_CACHE[path] = schema
    return schema


def _is_strict_integer(checker, instance):
    # jsonschema accepts 8530.0 as an integer; the WSUS fields are integers, so do not.
    return isinstance(instance, int) and not isinstance(instance, bool)


def _validator(path=None):
    if not HAS_JSONSCHEMA:
        raise ImportError(MISSING_JSONSCHEMA_MSG)
    key = os.path.abspath(path or SCHEMA_PATH)
    validator = _VALIDATOR_CACHE.get(key)
    if validator is None:
        schema = load_schema(key)
        cls = _extend_validator(
            Draft202012Validator,
            type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_strict_integer),
        )
        validator = cls(schema)
        _VALIDATOR_CACHE[key] = validator
    return validator


# --------------------------------------------------------------------------- words

# Phrases for the patterns used in the schema (tests check that every pattern has one).
_HOST_PATTERN = (
    "^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?$"
)
_GUID_PATTERN = "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"
_TIME_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
PATTERN_MESSAGES = {
    _HOST_PATTERN: (
        "must be a host name or IPv4 address: ASCII letters, digits, hyphens, underscores and dots "
        "(labels of at most 63 characters), without scheme, port, path or spaces"
    ),
    _GUID_PATTERN: (
        "must be a GUID: 32 hexadecimal digits in groups 8-4-4-4-12 without braces, "
        "such as E6CF1350-C01B-414D-A61F-263D14D133B4"
    ),
    _TIME_PATTERN: 'must be a time of day "HH:MM" in 24-hour format, from 00:00 to 23:59, such as "03:00"',
    "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$": (
        "must be an IANA time zone name such as UTC, Europe/Berlin or America/New_York "
        "(no spaces; not a Windows time zone name or a UTC offset)"
    ),
    "^\\S(.*\\S)?$": "must be a single-line title that does not start or end with spaces",
    "^[^\\\\\\s]([^\\\\]*[^\\\\\\s])?$": (
        "must be a user name without a domain part (no backslash) and without leading or "
        "trailing spaces; give the domain in proxy.domain"
    ),
    "^[^\\\\\\s]+$": "must be a domain name without backslashes or spaces",
}

_TYPE_WORDS = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "null",
}

_YAML_FALSE_WORDS = ("no", "off", "false")
_YAML_TRUE_WORDS = ("yes", "on", "true")
_SECRET_PARTS = ("pass", "pwd", "secret", "token")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _is_secret_key(key):
    if not isinstance(key, str):
        return False
    low = key.lower()
    if low == "update_password":
        return False
    return low == "pw" or any(part in low for part in _SECRET_PARTS)


def _sanitize(value):
    if isinstance(value, dict):
        return {k: (MASK if _is_secret_key(k) else _sanitize(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_sanitize(v) for v in value]
    return value


def _show(value):
    """A short, JSON-like display of a value (secrets already removed)."""
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    else:
        try:
            text = json.dumps(_sanitize(value), ensure_ascii=False, sort_keys=False, default=repr)
        except (TypeError, ValueError):
            text = repr(value)
    if len(text) > _GOT_MAX:
        text = text[: _GOT_MAX - 3] + "..."
        if isinstance(value, str):
            text += " (%d characters)" % len(value)
        elif isinstance(value, (list, tuple)):
            text += " (%d items)" % len(value)
    return text


def _quote(word):
    return "'%s'" % word if isinstance(word, str) else json.dumps(word)


def _one_of(values):
    return ", ".join(str(v) if isinstance(v, str) else json.dumps(v) for v in values)


def _type_words(types):
    if isinstance(types, str):
        types = [types]
    return " or ".join(_TYPE_WORDS.get(t, t) for t in types)


def _range_words(schema):
    low = schema.get("minimum")
    high = schema.get("maximum")
    kind = "an integer" if schema.get("type") == "integer" else "a number"
    if low is not None and high is not None:
        return "%s from %s to %s" % (kind, low, high)
    if low is not None:
        return "%s of at least %s" % (kind, low)
    if high is not None:
        return "%s of at most %s" % (kind, high)
    return kind


def _path_parts_to_str(root, document, parts):
    text = root
    node = document
    for part in parts:
        if isinstance(node, list) and isinstance(part, int):
            text += "[%d]" % part
        elif isinstance(part, str) and _IDENT.match(part):
            text += "." + part
        else:
            text += "[%s]" % (json.dumps(part, ensure_ascii=False) if isinstance(part, str) else repr(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return text


def _sort_key(parts):
    key = []
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            key.append((1, part, ""))
        else:
            key.append((0, 0, str(part)))
    return key


# --------------------------------------------------------------------------- schema walking


def _resolve(root, ref):
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
                node = _resolve(root, node["$ref"])
                continue
        return None
    return None


def _rule_for(root, schema_path):
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


def _deref(root, schema):
    for dummy in range(8):
        if isinstance(schema, dict) and "$ref" in schema and "type" not in schema and "const" not in schema:
            target = _resolve(root, schema["$ref"])
            if target is None:
                return schema
            merged = dict(target)
            merged.update({k: v for k, v in schema.items() if k != "$ref"})
            schema = merged
        else:
            return schema
    return schema


# --------------------------------------------------------------------------- hints


def _expects_string(schema):
    types = schema.get("type")
    if types == "string" or (isinstance(types, list) and "string" in types):
        return True
    for key in ("enum", "const"):
        values = schema.get(key) if key == "enum" else [schema.get(key)] if key in schema else []
        if values and all(isinstance(v, str) for v in values):
            return True
    return False


def _bool_hint(value, candidates=None):
    words = _YAML_FALSE_WORDS if value is False else _YAML_TRUE_WORDS
    for word in words:
        if candidates and word in candidates:
            return "quote it: '%s' (YAML reads an unquoted %s as %s)" % (word, word, json.dumps(value))
    return (
        "YAML reads unquoted yes/no/on/off/true/false as %s; if you meant a word, put it in quotes"
        % ("booleans" if candidates is None else "the boolean " + json.dumps(value))
    )


def _suggest(value, options):
    if not isinstance(value, str):
        return None
    options = [o for o in options if isinstance(o, str)]
    for option in options:
        if option.lower() == value.lower().strip():
            return option
    prefix = value.lower().split("-")[0]
    if "-" in value and prefix in options:
        return prefix  # a region code such as en-us for the language en
    matches = difflib.get_close_matches(value.lower(), options, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _hints(value, schema, parts):
    """Extra advice for the usual inventory (YAML 1.1) surprises."""
    hints = []
    last = parts[-1] if parts else None
    if value is None:
        if schema.get("type") == "object":
            hints.append("an empty YAML key is null: remove the key, or write {} to leave everything as the server has it")
        elif schema.get("type") == "array":
            hints.append("an empty YAML key is null: remove the key, or give a list")
        else:
            hints.append("the key has no value (YAML reads an empty value as null): remove the key or give a value")
    elif isinstance(value, bool) and _expects_string(schema):
        hints.append(_bool_hint(value, schema.get("enum") or ([schema["const"]] if "const" in schema else None)))
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and (
        last == "time" or schema.get("pattern") == _TIME_PATTERN
    ):
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
        hints.append(text)
    elif isinstance(value, str) and schema.get("type") in ("integer", "number"):
        if value.strip().lstrip("+-").isdigit():
            hints.append("write the number without quotes")
    elif isinstance(value, float) and schema.get("type") == "integer":
        hints.append("write a whole number")
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and schema.get("type") == "string":
        hints.append("if this is meant as text, put it in quotes")
    return hints


def _host_hints(value):
    hints = []
    if not isinstance(value, str):
        return hints
    if "://" in value:
        hints.append("write only the host name, without a scheme like http://")
    elif "/" in value:
        hints.append("write only the host name, without a path")
    elif re.search(r":\d*$", value):
        hints.append("give the port in the port key, not in the host name")
    if any(ord(c) > 127 for c in value):
        hints.append(
            "it contains non-ASCII characters: write an internationalized name in its ASCII (punycode, xn--) form"
        )
    if any(c.isspace() for c in value):
        hints.append("it contains spaces")
    return hints


# --------------------------------------------------------------------------- error conversion


class _Finding(NamedTuple):
    parts: tuple
    message: str
    value: object
    show: bool


def _join(base, hints=(), why=None):
    text = base
    for hint in hints:
        if hint:
            text += "; " + hint
    if why:
        text += " (%s)" % why
    return text


def _branch_phrase(root, branch):
    branch = _deref(root, branch)
    if branch.get("title"):
        title = branch["title"]
        if "const" in branch and title == branch["const"]:
            return _quote(title)
        return title
    if "const" in branch:
        return _quote(branch["const"])
    if "enum" in branch:
        return "one of: " + _one_of(branch["enum"])
    if "required" in branch and "type" not in branch:
        return "a mapping with " + ", ".join(_quote(k) for k in branch["required"])
    if "type" in branch:
        return _type_words(branch["type"])
    return "a value of another form"


def _accepts_type(validator, branch, value):
    if "type" in branch:
        types = branch["type"] if isinstance(branch["type"], list) else [branch["type"]]
        return any(validator.is_type(value, t) for t in types)
    if "const" in branch:
        return type(branch["const"]) is type(value)
    if "enum" in branch:
        return any(type(v) is type(value) for v in branch["enum"])
    return True


def _convert(validator, error, root_schema):
    """Turn one jsonschema error into findings (path parts, message, value, show value?)."""
    kind = error.validator
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    parts = tuple(error.absolute_path)
    why = _rule_for(root_schema, list(error.absolute_schema_path))
    expected = error.validator_value

    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        found = []
        for key in value:
            if key in schema.get("properties", {}):
                continue
            if isinstance(key, bool):
                base = "unknown key %s; YAML reads an unquoted yes/no/on/off key as a boolean" % json.dumps(key)
            else:
                base = "unknown key %s" % (_quote(key) if isinstance(key, str) else repr(key))
            guess = _suggest(key, allowed) if isinstance(key, str) else None
            if guess:
                base += "; did you mean %s?" % _quote(guess)
            else:
                base += "; allowed keys: " + ", ".join(allowed)
            found.append(_Finding(parts + (key,), base, None, False))
        return found

    if kind == "required":
        return [
            _Finding(parts + (key,), _join("is required", why=why), None, False)
            for key in expected
            if isinstance(value, dict) and key not in value
        ]

    if kind == "dependentRequired":
        found = []
        for key, needs in expected.items():
            if isinstance(value, dict) and key in value:
                for need in needs:
                    if need not in value:
                        found.append(
                            _Finding(parts + (need,), _join("is required when %s is declared" % key, why=why), None, False)
                        )
        return found

    if kind in ("anyOf", "oneOf"):
        return _convert_combinator(validator, error, root_schema, why)

    if kind is None or (kind == "not" and expected == {}):
        return [_Finding(parts, _join("must not be declared", why=why), value, False)]

    if kind == "not":
        return [_Finding(parts, _join("is not allowed", why=why), value, True)]

    hints = _hints(value, schema, parts)

    if kind == "type":
        if schema.get("type") in ("integer", "number") and ("minimum" in schema or "maximum" in schema):
            base = "must be " + _range_words(schema)
        elif "enum" in schema and all(isinstance(v, str) for v in schema["enum"]):
            base = "must be one of: " + _one_of(schema["enum"])
        elif expected == "string" and schema.get("pattern") == _TIME_PATTERN:
            base = PATTERN_MESSAGES[_TIME_PATTERN]
        else:
            base = "must be " + _type_words(expected)
        return [_Finding(parts, _join(base, hints, why), value, True)]

    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [_Finding(parts, _join("must be " + _range_words(schema), hints, why), value, True)]

    if kind == "enum":
        base = "must be one of: " + _one_of(expected)
        guess = _suggest(value, expected)
        if guess and guess != value:
            hints.append("did you mean %s?" % _quote(guess))
        elif value == "all" and parts and isinstance(parts[-1], int):
            hints.append("to select every language write languages: all, not a list")
        return [_Finding(parts, _join(base, hints, why), value, True)]

    if kind == "const":
        base = "must be " + _quote(expected)
        # inside a cross-field rule the value's own problems are reported separately
        return [_Finding(parts, _join(base, () if why else hints, why), value, True)]

    if kind == "pattern":
        if value == "" and schema.get("minLength", 0) >= 1:
            return []  # reported once, by minLength: "must not be empty"
        base = PATTERN_MESSAGES.get(expected, "must match the pattern %s" % expected)
        if expected == _HOST_PATTERN:
            hints.extend(_host_hints(value))
        return [_Finding(parts, _join(base, hints, why), value, True)]

    if kind == "maxLength":
        return [_Finding(parts, _join("must be at most %d characters long" % expected, hints, why), value, True)]

    if kind == "minLength":
        base = "must not be empty" if expected == 1 else "must be at least %d characters long" % expected
        return [_Finding(parts, _join(base, hints, why), value, True)]

    if kind == "maxItems":
        base = "must have at most %d items (it has %d)" % (expected, len(value))
        return [_Finding(parts, _join(base, hints, why), None, False)]

    if kind == "minItems":
        base = "must have at least %d item%s" % (expected, "" if expected == 1 else "s")
        return [_Finding(parts, _join(base, hints, why), value, True)]

    if kind == "uniqueItems":
        found = []
        for index, item in enumerate(value):
            for earlier in range(index):
                if _same(value[earlier], item):
                    base = "repeats item [%d]; list items must be unique" % earlier
                    found.append(_Finding(parts + (index,), _join(base, why=why), item, True))
                    break
        return found or [_Finding(parts, _join("list items must be unique", why=why), value, True)]

    return [
        _Finding(parts, _join("does not satisfy the schema keyword %r" % kind, hints, why), value, True)
    ]


def _same(left, right):
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return left == right


def _convert_combinator(validator, error, root_schema, why):
    value = error.instance
    parts = tuple(error.absolute_path)
    branches = [_deref(root_schema, b) for b in error.validator_value]
    by_branch = {}
    for sub in error.context or ():
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)

    if all(set(b) <= {"required"} for b in branches):
        keys = [k for b in branches for k in b.get("required", [])]
        base = "needs one of the keys: " + ", ".join(keys)
        return [_Finding(parts, _join(base, why=why), value, True)]

    candidates = [i for i, b in enumerate(branches) if _accepts_type(validator, b, value)]
    if len(candidates) == 1:
        branch = branches[candidates[0]]
        if "const" not in branch and "enum" not in branch and by_branch.get(candidates[0]):
            found = []
            for sub in by_branch[candidates[0]]:
                found.extend(_convert(validator, sub, root_schema))
            return found

    base = "must be " + " or ".join(_branch_phrase(root_schema, b) for b in branches)
    options = [b["const"] for b in branches if "const" in b]
    for b in branches:
        options.extend(b.get("enum", []))
    hints = []
    if value is None:
        hints.append("the key has no value (YAML reads an empty value as null): remove the key or give a value")
    elif isinstance(value, bool) and options and all(isinstance(o, str) for o in options):
        hints.append(_bool_hint(value))
    guess = _suggest(value, options)
    if guess and guess != value:
        hints.append("did you mean %s?" % _quote(guess))
    return [_Finding(parts, _join(base, hints, why), value, True)]


# --------------------------------------------------------------------------- public API


def plain_data(value):
    """Plain Python values for jsonschema: templated values arrive as Ansible's tagged str/int/dict types.

    Keys YAML read as booleans (``yes:``, ``no:``) stay booleans, so that the validator names them."""
    if isinstance(value, dict):
        return {(str(key) if isinstance(key, str) else key): plain_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    for plain in (int, float, str):
        if isinstance(value, plain):
            return plain(value)
    return value


def validate_document(document, root="wsus_sync"):
    """Validate ``document`` and return every :class:`Violation` (empty list: valid).

    ``root`` is the name used at the start of every path (the inventory variable).
    Raises ``ImportError`` with :data:`MISSING_JSONSCHEMA_MSG` if jsonschema is missing.
    """
    validator = _validator()
    if not isinstance(document, dict):
        if document is None:
            message = (
                "must be a mapping of sections (update_source, proxy, products, classifications, schedule, "
                "languages, storage); it is empty (null): write %s: {} to leave the server as it is" % root
            )
        else:
            message = (
                "must be a mapping of sections (update_source, proxy, products, classifications, schedule, "
                "languages, storage)"
            )
        return [Violation(root, message, None if document is None else _show(document))]

    root_schema = validator.schema
    findings = {}
    for error in validator.iter_errors(document):
        for finding in _convert(validator, error, root_schema):
            path = _path_parts_to_str(root, document, finding.parts)
            got = None
            if finding.show:
                got = MASK if any(_is_secret_key(p) for p in finding.parts) else _show(finding.value)
            key = (path, finding.message)
            if key not in findings:
                findings[key] = (_sort_key(finding.parts), Violation(path, finding.message, got))
    return [violation for dummy, violation in sorted(findings.values(), key=lambda item: (item[0], item[1].message))]


def format_violations(violations, header=None, limit=100):
    """Format violations as one message: a header line, then one "- path: message" line each.

    ``header`` defaults to "<root> is invalid", the root taken from the first path.
    At most ``limit`` violations are listed; the rest are counted.
    """
    violations = list(violations)
    if not violations:
        return ""
    if header is None:
        header = "%s is invalid" % re.split(r"[.\[]", violations[0].path, maxsplit=1)[0]
    count = len(violations)
    lines = ["%s (%d problem%s):" % (header, count, "" if count == 1 else "s")]
    for violation in violations[:limit]:
        lines.append("- " + str(violation))
    if count > limit:
        lines.append("- ... and %d more" % (count - limit))
    return "\n".join(lines)
