# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The words of the validator's messages: schema patterns and types in plain words, values shown
short and without secrets, "did you mean" guesses.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Controller side only; no Ansible imports.
The GUID pattern, the secret keys and their mask are those of module_utils (``_guid``, ``_state.secrets``).
"""

from __future__ import annotations

import difflib
import json

from ansible_collections.ops.wsus.plugins.module_utils._guid import GUID_PATTERN
from ansible_collections.ops.wsus.plugins.module_utils._state.secrets import MASK, is_secret_key

_GOT_MAX = 60

# Phrases for the patterns used in the schema (tests check that every pattern has one).
HOST_PATTERN = (
    "^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?$"
)
TIME_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
EMAIL_PATTERN = (
    "^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    "@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
EMAIL_LANGUAGE_PATTERN = "^[a-z]{2,3}(-[a-z]{2,4})?$"
ONE_LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f]*$"
PATTERN_MESSAGES = {
    HOST_PATTERN: (
        "must be a host name or IPv4 address: ASCII letters, digits, hyphens, underscores and dots "
        "(labels of at most 63 characters), without scheme, port, path or spaces"
    ),
    GUID_PATTERN: (
        "must be a GUID: 32 hexadecimal digits in groups 8-4-4-4-12 without braces, "
        "such as E6CF1350-C01B-414D-A61F-263D14D133B4"
    ),
    TIME_PATTERN: 'must be a time of day "HH:MM" in 24-hour format, from 00:00 to 23:59, such as "03:00"',
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
    EMAIL_PATTERN: (
        "must be one plain e-mail address such as wsus-admins@example.com: ASCII letters, digits and "
        "!#$%&'*+/=?^_`{|}~- before the @ (at most 64, dots only between them), a host name after it; "
        "no display name, spaces, commas or semicolons"
    ),
    EMAIL_LANGUAGE_PATTERN: (
        "must be a language code in lower case as WSUS lists its e-mail languages, such as en, de, fr, ja, "
        "zh-cn or zh-tw"
    ),
    ONE_LINE_PATTERN: (
        "must be one line without line breaks, tabs or other control characters "
        "(a line break would start a new mail header)"
    ),
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


def _sanitize(value):
    if isinstance(value, dict):
        return {k: (MASK if is_secret_key(k) else _sanitize(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_sanitize(v) for v in value]
    return value


def show(value):
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


def quote(word):
    """A key or value as a message names it: 'word' for a string, JSON otherwise."""
    return "'%s'" % word if isinstance(word, str) else json.dumps(word)


def one_of(values):
    """Allowed values as a comma-separated list."""
    return ", ".join(str(v) if isinstance(v, str) else json.dumps(v) for v in values)


def type_words(types):
    """A JSON Schema type (or list of types) in words: "an integer or null"."""
    if isinstance(types, str):
        types = [types]
    return " or ".join(_TYPE_WORDS.get(t, t) for t in types)


def range_words(schema):
    """The minimum and maximum of a numeric schema in words: "an integer from 1 to 65535"."""
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


def suggest(value, options):
    """The option that ``value`` was probably meant to be (case, region code, typo), or None."""
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
