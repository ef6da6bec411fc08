# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate a ``wsus_sync`` document against ``schemas/wsus_sync.schema.json``.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

Runs on the Ansible controller before any call to a WSUS server, for the modules
and the role alike (the action plugins import it). Pure Python: no Ansible imports.
``jsonschema`` is optional at import time; check :data:`HAS_JSONSCHEMA` (the
validating functions raise ``ImportError`` with :data:`MISSING_JSONSCHEMA_MSG`
when it is missing).

Public API
----------
``HAS_JSONSCHEMA``, ``JSONSCHEMA_IMPORT_ERROR``, ``MISSING_JSONSCHEMA_MSG``
    Whether ``jsonschema`` could be imported, the traceback if not, and the
    message telling the user to install it.
``SCHEMA_PATH``
    Where the collection's schema is (``<collection>/schemas/wsus_sync.schema.json``,
    found through the collection's package; see :mod:`.schema`).
``Violation(path, message, got=None)``
    One problem. ``path`` names the key (``wsus_sync.proxy.port``, list items as
    ``wsus_sync.products[3]``); ``message`` says what is wrong and what is
    allowed; ``got`` is a short display of the offending value, or ``None`` when
    there is nothing to show or the value is secret (shown as ``********``).
    ``str(violation)`` is ``"<path>: <message> (got <got>)"``.
``load_schema(path=None)``
    The schema as a dict, read once and cached (the collection's own by default,
    read as package data). Do not modify the result.
``validate_document(document, root="wsus_sync")``
    Every violation in ``document``, sorted by path and deduplicated; an empty
    list means the document is valid.
``format_violations(violations, header=None, limit=100)``
    One readable multi-line message for an error report.
``plain_data(value)``
    ``value`` as plain Python data (Ansible's templated types unwrapped), for
    :func:`validate_document`.

Messages never contain the value of a key that looks like a password. The words of
the messages are in :mod:`.words` and :mod:`.hints`; :mod:`.convert` turns each
jsonschema error into them, one converter per schema keyword. The rules JSON Schema cannot
express (recipient lists unique ignoring case and short enough once joined, a time zone the
controller knows) are the table of :mod:`.extra`.
"""

from __future__ import annotations

import json
import re
import traceback
from typing import NamedTuple, Optional

from .convert import convert
from .ecma import pattern_keyword
from .extra import extra_findings
from .schema import SCHEMA_PATH, load_schema, schema_key
from .words import MASK, PATTERN_MESSAGES, show as _show
from .words import is_secret_key as _is_secret_key

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
    JSONSCHEMA_IMPORT_ERROR = None  # type: ignore[assignment]

__all__ = [
    "HAS_JSONSCHEMA",
    "JSONSCHEMA_IMPORT_ERROR",
    "MISSING_JSONSCHEMA_MSG",
    "SCHEMA_PATH",
    "MASK",
    "PATTERN_MESSAGES",
    "Violation",
    "load_schema",
    "validate_document",
    "format_violations",
    "plain_data",
]

MISSING_JSONSCHEMA_MSG = (
    "The Python library 'jsonschema' (4.18 or later) is required on the Ansible controller "
    "to validate wsus_sync. Install it in the controller's Python environment, for example: "
    "python3 -m pip install 'jsonschema>=4.18,<5'"
)

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


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


# --------------------------------------------------------------------------- the validator

_VALIDATOR_CACHE: dict = {}


def _is_strict_integer(checker, instance):
    # jsonschema accepts 8530.0 as an integer; the WSUS fields are integers, so do not.
    return isinstance(instance, int) and not isinstance(instance, bool)


def _validator(path=None):
    if not HAS_JSONSCHEMA:
        raise ImportError(MISSING_JSONSCHEMA_MSG)
    key = schema_key(path)
    validator = _VALIDATOR_CACHE.get(key)
    if validator is None:
        schema = load_schema(key)
        cls = _extend_validator(
            Draft202012Validator,
            # "$" ends the string, as in ECMA-262: "host\n" must not pass "^...$" (see ecma.py)
            validators={"pattern": pattern_keyword},
            type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_strict_integer),
        )
        validator = cls(schema)
        _VALIDATOR_CACHE[key] = validator
    return validator


# --------------------------------------------------------------------------- paths


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


def _not_a_mapping(document, root):
    sections = "update_source, proxy, products, classifications, schedule, languages, storage, notifications"
    if document is None:
        message = (
            "must be a mapping of sections (%s); it is empty (null): write %s: {} to leave the server as it is"
            % (sections, root)
        )
        return Violation(root, message, None)
    return Violation(root, "must be a mapping of sections (%s)" % sections, _show(document))


def validate_document(document, root="wsus_sync"):
    """Validate ``document`` and return every :class:`Violation` (empty list: valid).

    ``root`` is the name used at the start of every path (the inventory variable).
    Raises ``ImportError`` with :data:`MISSING_JSONSCHEMA_MSG` if jsonschema is missing.
    """
    validator = _validator()
    if not isinstance(document, dict):
        return [_not_a_mapping(document, root)]

    root_schema = validator.schema
    found = [finding for error in validator.iter_errors(document) for finding in convert(validator, error, root_schema)]
    # the rules JSON Schema cannot express (extra.py), on values the schema found nothing wrong with
    found += extra_findings(document, reported=frozenset(finding.parts for finding in found))
    findings = {}
    for finding in found:
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
