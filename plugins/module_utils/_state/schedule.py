# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time of day conversions for the synchronization schedule. Pure functions, no I/O.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

WSUS stores the first synchronization's time of day in UTC, as seconds since midnight
(``synchronizeAutomaticallyTimeOfDay``). A declared local time is converted with the zone's UTC
offset *at the moment of planning*. Daylight saving: the server keeps a fixed UTC time, so after a
change of offset the local wall-clock time of the synchronization moves by the difference (an
hour); the next run of the playbook plans the new offset and reports that change.
"""

from __future__ import annotations

import datetime

from .errors import DocumentError

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - Python < 3.9
    ZoneInfo = None  # type: ignore[assignment,misc]
    ZoneInfoNotFoundError = KeyError  # type: ignore[assignment,misc]

SECONDS_PER_DAY = 86400


class ScheduleError(DocumentError):
    """A time or time zone that cannot be converted."""


def zone(name):
    if name in (None, "UTC", "Etc/UTC"):
        return datetime.timezone.utc
    if ZoneInfo is None:
        raise ScheduleError("time zones other than UTC need Python 3.9 or later on the controller")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError("unknown time zone %r (use an IANA name such as Europe/Berlin)" % name) from None


def parse_hhmm(text):
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
    except ValueError:
        raise ScheduleError('time must be "HH:MM", got %r' % text) from None
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ScheduleError("time must be between 00:00 and 23:59, got %r" % text)
    return hours, minutes


def local_to_utc_seconds(text, timezone="UTC", now=None):
    """Seconds after midnight UTC of the local time ``HH:MM`` in ``timezone`` (offset of today)."""
    hours, minutes = parse_hhmm(text)
    tz = zone(timezone)
    today = (now or datetime.datetime.now(datetime.timezone.utc)).astimezone(tz).date()
    local = datetime.datetime(today.year, today.month, today.day, hours, minutes, tzinfo=tz)
    utc = local.astimezone(datetime.timezone.utc)
    return (utc.hour * 3600 + utc.minute * 60) % SECONDS_PER_DAY


def utc_seconds_to_local(seconds, timezone="UTC", now=None):
    """``HH:MM`` in ``timezone`` (offset of today) for seconds after midnight UTC (seconds dropped)."""
    tz = zone(timezone)
    today = (now or datetime.datetime.now(datetime.timezone.utc)).date()
    seconds = int(seconds) % SECONDS_PER_DAY
    utc = datetime.datetime(today.year, today.month, today.day, tzinfo=datetime.timezone.utc) + datetime.timedelta(
        seconds=seconds
    )
    local = utc.astimezone(tz)
    return "%02d:%02d" % (local.hour, local.minute)


def same_minute(seconds_a, seconds_b):
    """WSUS may keep seconds the document cannot say: compare at minute precision."""
    return (int(seconds_a) % SECONDS_PER_DAY) // 60 == (int(seconds_b) % SECONDS_PER_DAY) // 60
