# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""jsonschema errors -> findings: what is wrong, in words, at which path.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Controller side only; no Ansible imports.

:func:`convert` looks the failed schema keyword (``error.validator``) up in :data:`CONVERTERS`, a
table from keyword to a small converter; a keyword without one gets a generic message. A converter
takes the :class:`_Error` (the error with what it needs already worked out) and returns a list of
:class:`Finding`.
"""

from __future__ import annotations

import json
from typing import NamedTuple, Optional

from .hints import bool_hint, host_hints, yaml_hints
from .mail_hints import address_hints, language_hints, recipients_hints
from .schema import deref, rule_for
from .words import (
    EMAIL_LANGUAGE_PATTERN,
    EMAIL_PATTERN,
    HOST_PATTERN,
    PATTERN_MESSAGES,
    TIME_PATTERN,
    one_of,
    quote,
    range_words,
    suggest,
    type_words,
)

# the key that takes the port of a host name key, by the host name key
_PORT_KEYS = {"server": "port", "ssl_server": "ssl_port", "host": "port"}


def _host_hints(value, parts):
    key = parts[-1] if parts else None
    port_key = None
    if len(parts) >= 2 and isinstance(key, str) and key in _PORT_KEYS:
        port_key = "%s.%s" % (parts[-2], _PORT_KEYS[key])
    return host_hints(value, port_key)


# pattern -> advice(value, parts) for the usual mistakes of that kind of value
_PATTERN_HINTS = {
    HOST_PATTERN: _host_hints,
    EMAIL_PATTERN: address_hints,
    EMAIL_LANGUAGE_PATTERN: lambda value, parts: language_hints(value),
}

_NULL_HINT = "the key has no value (YAML reads an empty value as null): remove the key or give a value"


class Finding(NamedTuple):
    """One problem: the path parts under the root, the message, the value, and whether to show it."""

    parts: tuple
    message: str
    value: object
    show: bool


class _Error(NamedTuple):
    """One jsonschema error, with what the converters need worked out."""

    validator: object  # the jsonschema validator: is_type(), and sub-errors are converted with it
    root: dict  # the whole schema: $ref targets, allOf descriptions
    error: object  # the jsonschema ValidationError
    value: object  # the offending value
    schema: dict  # the schema the value failed
    parts: tuple  # the path of the value
    why: Optional[str]  # the description of the allOf rule that failed, if any
    expected: object  # the value of the keyword that failed (a list of enum values, a minimum...)

    def finding(self, message, hints=(), show=True):
        """A finding for this error's value, at its path: the hints and ``why`` appended to ``message``."""
        return Finding(self.parts, _join(message, hints, self.why), self.value, show)

    def hints(self):
        """The YAML hints for this error's value (a new list)."""
        return yaml_hints(self.value, self.schema, self.parts)


def _join(base, hints=(), why=None):
    text = base
    for hint in hints:
        if hint:
            text += "; " + hint
    if why:
        text += " (%s)" % why
    return text


def convert(validator, error, root_schema):
    """Turn one jsonschema error into findings (path parts, message, value, show value?)."""
    described = _Error(
        validator=validator,
        root=root_schema,
        error=error,
        value=error.instance,
        schema=error.schema if isinstance(error.schema, dict) else {},
        parts=tuple(error.absolute_path),
        why=rule_for(root_schema, list(error.absolute_schema_path)),
        expected=error.validator_value,
    )
    return CONVERTERS.get(error.validator, _other_keyword)(described)


# --------------------------------------------------------------------------- keys


def _unknown_key(key, allowed):
    if isinstance(key, bool):
        base = "unknown key %s; YAML reads an unquoted yes/no/on/off key as a boolean" % json.dumps(key)
    else:
        base = "unknown key %s" % (quote(key) if isinstance(key, str) else repr(key))
    guess = suggest(key, allowed) if isinstance(key, str) else None
    if guess:
        return base + "; did you mean %s?" % quote(guess)
    return base + "; allowed keys: " + ", ".join(allowed)


def _additional_properties(err):
    properties = err.schema.get("properties", {})
    allowed = sorted(properties)
    return [
        Finding(err.parts + (key,), _unknown_key(key, allowed), None, False)
        for key in err.value
        if key not in properties
    ]


def _required(err):
    return [
        Finding(err.parts + (key,), _join("is required", why=err.why), None, False)
        for key in err.expected
        if isinstance(err.value, dict) and key not in err.value
    ]


def _dependent_required(err):
    if not isinstance(err.value, dict):
        return []
    return [
        Finding(err.parts + (need,), _join("is required when %s is declared" % key, why=err.why), None, False)
        for key, needs in err.expected.items()
        if key in err.value
        for need in needs
        if need not in err.value
    ]


def _not_declared(err):
    return [err.finding("must not be declared", show=False)]


def _not(err):
    if err.expected == {}:
        return _not_declared(err)
    return [err.finding("is not allowed")]


# --------------------------------------------------------------------------- anyOf / oneOf


def _branch_phrase(root, branch):
    branch = deref(root, branch)
    if branch.get("title"):
        title = branch["title"]
        if "const" in branch and title == branch["const"]:
            return quote(title)
        return title
    if "const" in branch:
        return quote(branch["const"])
    if "enum" in branch:
        return "one of: " + one_of(branch["enum"])
    if "required" in branch and "type" not in branch:
        return "a mapping with " + ", ".join(quote(k) for k in branch["required"])
    if "type" in branch:
        return type_words(branch["type"])
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


def _sole_branch_errors(err, branches):
    """The errors inside the only branch whose type fits the value, when it is not a choice of
    constants; None otherwise (the value fits none or several branches)."""
    candidates = [i for i, b in enumerate(branches) if _accepts_type(err.validator, b, err.value)]
    if len(candidates) != 1:
        return None
    branch = branches[candidates[0]]
    if "const" in branch or "enum" in branch:
        return None
    return [sub for sub in err.error.context or () if sub.relative_schema_path[0] == candidates[0]] or None


def _branch_hints(value, branches):
    options = [b["const"] for b in branches if "const" in b]
    for b in branches:
        options.extend(b.get("enum", []))
    hints = []
    if value is None:
        hints.append(_NULL_HINT)
    elif isinstance(value, bool) and options and all(isinstance(o, str) for o in options):
        hints.append(bool_hint(value))
    guess = suggest(value, options)
    if guess and guess != value:
        hints.append("did you mean %s?" % quote(guess))
    return hints


def _combinator(err):
    branches = [deref(err.root, b) for b in err.expected]
    if all(set(b) <= {"required"} for b in branches):
        keys = [k for b in branches for k in b.get("required", [])]
        return [err.finding("needs one of the keys: " + ", ".join(keys))]
    inner = _sole_branch_errors(err, branches)
    if inner:
        return [finding for sub in inner for finding in convert(err.validator, sub, err.root)]
    base = "must be " + " or ".join(_branch_phrase(err.root, b) for b in branches)
    return [err.finding(base, _branch_hints(err.value, branches))]


# --------------------------------------------------------------------------- values


def _type(err):
    schema, expected = err.schema, err.expected
    if schema.get("type") in ("integer", "number") and ("minimum" in schema or "maximum" in schema):
        base = "must be " + range_words(schema)
    elif "enum" in schema and all(isinstance(v, str) for v in schema["enum"]):
        base = "must be one of: " + one_of(schema["enum"])
    elif expected == "string" and schema.get("pattern") == TIME_PATTERN:
        base = PATTERN_MESSAGES[TIME_PATTERN]
    else:
        base = "must be " + type_words(expected)
    hints = err.hints()
    if expected == "array":
        hints.extend(recipients_hints(err.value, err.parts))
    return [err.finding(base, hints)]


def _range(err):
    return [err.finding("must be " + range_words(err.schema), err.hints())]


def _enum(err):
    hints = err.hints()
    guess = suggest(err.value, err.expected)
    if guess and guess != err.value:
        hints.append("did you mean %s?" % quote(guess))
    elif err.value == "all" and err.parts and isinstance(err.parts[-1], int):
        hints.append("to select every language write languages: all, not a list")
    return [err.finding("must be one of: " + one_of(err.expected), hints)]


def _const(err):
    # inside a cross-field rule the value's own problems are reported separately
    return [err.finding("must be " + quote(err.expected), () if err.why else err.hints())]


def _pattern(err):
    if err.value == "" and err.schema.get("minLength", 0) >= 1:
        return []  # reported once, by minLength: "must not be empty"
    hints = err.hints()
    if err.expected in _PATTERN_HINTS:
        hints.extend(_PATTERN_HINTS[err.expected](err.value, err.parts))
    base = PATTERN_MESSAGES.get(err.expected, "must match the pattern %s" % err.expected)
    return [err.finding(base, hints)]


def _max_length(err):
    return [err.finding("must be at most %d characters long" % err.expected, err.hints())]


def _min_length(err):
    expected = err.expected
    base = "must not be empty" if expected == 1 else "must be at least %d characters long" % expected
    return [err.finding(base, err.hints())]


def _max_items(err):
    base = "must have at most %d items (it has %d)" % (err.expected, len(err.value))
    return [Finding(err.parts, _join(base, err.hints(), err.why), None, False)]


def _min_items(err):
    expected = err.expected
    return [err.finding("must have at least %d item%s" % (expected, "" if expected == 1 else "s"), err.hints())]


def _same(left, right):
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return left == right


def _unique_items(err):
    found = []
    for index, item in enumerate(err.value):
        earlier = next((e for e in range(index) if _same(err.value[e], item)), None)
        if earlier is not None:
            base = "repeats item [%d]; list items must be unique" % earlier
            found.append(Finding(err.parts + (index,), _join(base, why=err.why), item, True))
    return found or [err.finding("list items must be unique")]


def _other_keyword(err):
    return [err.finding("does not satisfy the schema keyword %r" % err.error.validator, err.hints())]


CONVERTERS = {
    # keys of a mapping
    "additionalProperties": _additional_properties,
    "required": _required,
    "dependentRequired": _dependent_required,
    None: _not_declared,  # a false schema: "this key must not be there"
    "not": _not,
    # a choice of branches
    "anyOf": _combinator,
    "oneOf": _combinator,
    # the value itself
    "type": _type,
    "minimum": _range,
    "maximum": _range,
    "exclusiveMinimum": _range,
    "exclusiveMaximum": _range,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "maxLength": _max_length,
    "minLength": _min_length,
    "maxItems": _max_items,
    "minItems": _min_items,
    "uniqueItems": _unique_items,
}
