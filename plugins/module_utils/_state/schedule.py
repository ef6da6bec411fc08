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


def next_offset_change(timezone, now=None, days=366):
    """The first hour (aware, UTC) within ``days`` from ``now`` at which ``timezone``'s UTC offset differs
    from its offset at ``now`` (a daylight saving change), or None. Hour precision is enough: callers name
    the day."""
    tz = zone(timezone)
    start = (now or datetime.datetime.now(datetime.timezone.utc)).astimezone(datetime.timezone.utc)
    if tz is datetime.timezone.utc:
        return None
    offset = start.astimezone(tz).utcoffset()
    moment = start.replace(minute=0, second=0, microsecond=0)
    for hour in range(1, days * 24 + 1):
        candidate = moment + datetime.timedelta(hours=hour)
        if candidate.astimezone(tz).utcoffset() != offset:
            return candidate
    return None


def offset_change_note(seconds, timezone, now=None, what="the time"):
    """A line for a time WSUS stores in UTC (``seconds`` after midnight) and the document declares in
    ``timezone``: when the zone's offset changes within a year, on which day the stored UTC time starts to
    mean another local time, and that the playbook must run again then to move it back. None when no change
    comes (UTC, or a zone without daylight saving)."""
    change = next_offset_change(timezone, now)
    if change is None:
        return None
    tz = zone(timezone)
    local_now = utc_seconds_to_local(seconds, timezone, now)
    local_then = utc_seconds_to_local(seconds, timezone, change + datetime.timedelta(days=1))
    utc_text = "%02d:%02d" % divmod((int(seconds) % SECONDS_PER_DAY) // 60, 60)
    return (
        "on %s %s changes its UTC offset: %s, stored as %s UTC, will then mean %s local time instead of %s; "
        "run the role again on or after that day to move it back"
        % (change.astimezone(tz).date().isoformat(), timezone, what, utc_text, local_then, local_now)
    )
