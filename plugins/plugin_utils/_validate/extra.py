# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules of the document that JSON Schema cannot express, checked on the controller with the schema.

FOR INTERNAL COLLECTION USE ONLY: may change in any release. Controller side only; no Ansible imports.

:data:`EXTRA_CHECKS` is a table from a path in the document to a check; :func:`extra_findings` runs
each check whose key is declared and whose value the schema found nothing wrong with (a list that is
not a list is reported once, by the schema). A check returns :class:`~.convert.Finding` items, which
``validate_document`` turns into violations like the schema's own.
"""

from __future__ import annotations

import difflib

from ansible_collections.ops.wsus.plugins.module_utils._state.schedule import ScheduleError, zone
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.recipients import RECIPIENTS_SEPARATOR, join_recipients

from .convert import Finding
from .words import quote

# WSUS keeps a recipient list as one string, "shorter than 2,560 characters" (DOC, IEmailNotification
# Configuration); the client writes the addresses joined with RECIPIENTS_SEPARATOR (imported: one constant).
RECIPIENTS_MAX_JOINED = 2559

_MISSING = object()


def _duplicates_ignoring_case(parts, items):
    """Items equal to an earlier one except for case; exact repeats are the schema's (uniqueItems)."""
    found = []
    seen: dict = {}
    for index, item in enumerate(items):
        if not isinstance(item, str):
            continue
        earlier = seen.setdefault(item.lower(), index)
        if earlier != index and items[earlier] != item:
            message = (
                "repeats item [%d] %s except for case; addresses are compared ignoring case, "
                "list each recipient once" % (earlier, quote(items[earlier]))
            )
            found.append(Finding(parts + (index,), message, item, True))
    return found


def _joined_length(parts, items):
    addresses = [item for item in items if isinstance(item, str)]
    length = len(join_recipients(addresses))
    if length <= RECIPIENTS_MAX_JOINED:
        return []
    message = (
        "the addresses joined with %s are %d characters long; WSUS takes a recipient list shorter "
        "than 2,560 characters: send to a distribution list instead" % (quote(RECIPIENTS_SEPARATOR), length)
    )
    return [Finding(parts, message, None, False)]


def recipients(parts, value):
    """A recipient list: unique ignoring case, and short enough for WSUS once joined."""
    if not isinstance(value, list):
        return []
    return _duplicates_ignoring_case(parts, value) + _joined_length(parts, value)


def _zone_hints(name):
    if name.isalpha() and name.isupper() and len(name) <= 5:
        return ["an abbreviation such as CEST or PST is not a zone: write the zone's IANA name, such as Europe/Berlin"]
    hints: list = []
    try:
        from zoneinfo import available_timezones
    except ImportError:  # pragma: no cover - Python < 3.9
        return hints
    guess = difflib.get_close_matches(name, sorted(available_timezones()), n=1, cutoff=0.8)
    if guess:
        hints.append("did you mean %s?" % quote(guess[0]))
    return hints


def known_time_zone(parts, value):
    """A time zone name the controller's time zone database has (the planner converts with it)."""
    if not isinstance(value, str):
        return []
    try:
        zone(value)
    except ScheduleError:
        message = "is not a time zone of the controller's time zone database (Python zoneinfo)"
        for hint in _zone_hints(value):
            message += "; " + hint
        return [Finding(parts, message, value, True)]
    return []


# path in the document -> check(parts, value) -> [Finding]
EXTRA_CHECKS = (
    (("schedule", "timezone"), known_time_zone),
    (("notifications", "new_updates", "recipients"), recipients),
    (("notifications", "status_report", "recipients"), recipients),
    (("notifications", "status_report", "timezone"), known_time_zone),
)


def _at(document, parts):
    node = document
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def extra_findings(document, reported=frozenset()):
    """The findings of :data:`EXTRA_CHECKS` in ``document``; a path in ``reported`` (path parts the
    schema already reported) is skipped."""
    found = []
    for parts, check in EXTRA_CHECKS:
        if parts in reported:
            continue
        value = _at(document, parts)
        if value is not _MISSING:
            found.extend(check(parts, value))
    return found
