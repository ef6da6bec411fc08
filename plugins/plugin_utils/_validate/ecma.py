# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The schema's ``pattern`` keyword with the meaning JSON Schema gives it (an ECMA-262 regular expression).

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Controller side only; no Ansible imports.

jsonschema runs a pattern with Python's :func:`re.search`, where ``$`` also matches *before* a final line
break; in ECMA-262 (what editors use with the same schema) ``$`` matches only at the end. So "^...$" let
"smtp.example.com\\n" or "wsus@example.com\\n" through, and a line break is exactly what must never reach a
mail header or a host name. :func:`python_pattern` rewrites each ``$`` outside a character class to ``\\Z``
(the end of the string, only), so both readers of the schema agree.
"""

from __future__ import annotations

import functools
import re

try:
    from jsonschema.exceptions import ValidationError
except ImportError:  # pragma: no cover - validate.py reports the missing library
    ValidationError = None


@functools.lru_cache(maxsize=256)
def python_pattern(pattern):
    """``pattern`` compiled for :mod:`re` with ``$`` (outside ``[...]``) meaning the end of the string."""
    out = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])  # an escape: copied as it is, \$ stays a dollar sign
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True  # the schema's classes never start with "]" or "^]"
        elif char == "$":
            char = r"\Z"
        out.append(char)
        index += 1
    return re.compile("".join(out))


def pattern_keyword(validator, pattern, instance, schema):
    """The ``pattern`` keyword for jsonschema's ``validators.extend`` (same error as jsonschema's own)."""
    if validator.is_type(instance, "string") and not python_pattern(pattern).search(instance):
        yield ValidationError("%r does not match %r" % (instance, pattern))
