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

import collections
import datetime

from .errors import DocumentError

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
except ImportError:  # pragma: no cover - Python < 3.9
    ZoneInfo = None  # type: ignore[assignment,misc]
    ZoneInfoNotFoundError = KeyError  # type: ignore[assignment,misc]

SECONDS_PER_DAY = 86400
MINUTES_PER_DAY = 1440


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


def offset_minutes(timezone="UTC", now=None):
    """The UTC offset of ``timezone`` in force at ``now`` (default: this moment), in whole minutes.

    Both directions of the conversion use this one offset, so that they are exact inverses on every day,
    including the days of a daylight saving change: taking "today" as a date instead (the UTC date in one
    direction, the local date in the other) gives two different offsets on those days, and a time read
    back from the server then plans a change to itself. Historical offsets with seconds (local mean time)
    are rounded to the minute: the document speaks in minutes."""
    tz = zone(timezone)
    moment = (now or datetime.datetime.now(datetime.timezone.utc)).astimezone(tz)
    offset = moment.utcoffset() or datetime.timedelta(0)
    return int(round(offset.total_seconds() / 60.0))


def local_to_utc_seconds(text, timezone="UTC", now=None):
    """Seconds after midnight UTC of the local time ``HH:MM`` in ``timezone`` (offset in force at ``now``)."""
    hours, minutes = parse_hhmm(text)
    utc_minutes = (hours * 60 + minutes - offset_minutes(timezone, now)) % MINUTES_PER_DAY
    return utc_minutes * 60


def utc_seconds_to_local(seconds, timezone="UTC", now=None):
    """``HH:MM`` in ``timezone`` (offset in force at ``now``) for seconds after midnight UTC (seconds dropped)."""
    utc_minutes = (int(seconds) % SECONDS_PER_DAY) // 60
    local_minutes = (utc_minutes + offset_minutes(timezone, now)) % MINUTES_PER_DAY
    return "%02d:%02d" % divmod(local_minutes, 60)


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
    # ``change`` is the first hour with the new offset: the conversion at that moment uses it.
    local_then = utc_seconds_to_local(seconds, timezone, change)
    if local_then == local_now:  # an offset change of seconds (local mean time) moves nothing
        return None
    utc_text = "%02d:%02d" % divmod((int(seconds) % SECONDS_PER_DAY) // 60, 60)
    return (
        "on %s %s changes its UTC offset: %s, stored as %s UTC, will then mean %s local time instead of %s; "
        "run the role again on or after that day to move it back"
        % (change.astimezone(tz).date().isoformat(), timezone, what, utc_text, local_then, local_now)
    )


def checked_zone(timezone, path, error=ScheduleError):
    """``zone(timezone)``, its error raised as ``error`` naming the key (``path``), as every document error does."""
    try:
        return zone(timezone)
    except ScheduleError as failure:
        raise error("%s: %s" % (path, failure)) from None


# A declared local time of day against the UTC seconds a server stores: ``wanted`` (seconds UTC), the
# stored and wanted times as texts (``before``: local; ``before_utc``/``after_utc``: UTC), the daylight
# saving note (or None) and whether the two differ at minute precision.
TimeOfDayPlan = collections.namedtuple(
    "TimeOfDayPlan", ("wanted", "before", "before_utc", "after_utc", "dst_note", "differs")
)


def plan_time_of_day(text, timezone, current, now=None, what="the time"):
    """Compare the declared ``text`` (``HH:MM`` in ``timezone``) with ``current`` (seconds after midnight UTC);
    ``what`` names the key in the daylight saving note. The caller checks the zone first (``checked_zone``)."""
    wanted = local_to_utc_seconds(text, timezone, now)
    return TimeOfDayPlan(
        wanted,
        utc_seconds_to_local(current, timezone, now),
        utc_seconds_to_local(current),
        utc_seconds_to_local(wanted),
        offset_change_note(wanted, timezone, now, "%s (%s)" % (what, text)),
        not same_minute(current, wanted),
    )
