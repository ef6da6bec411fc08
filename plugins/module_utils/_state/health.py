# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Is a server synchronizing? The health of one server from what was read from it. PURE: no I/O, no Ansible.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

``evaluate`` takes the reads (the namespace-2 synchronization events, the subscription row, the next planned
synchronization, the content download backlog, the failed downloads and the components in error) and the
current time, and returns ``{status, reasons, ...}``: ``status`` is the worst of the checks (healthy <
warning < critical) and each reason is one sentence an administrator can act on.

Schedule adherence: WSUS starts an automatic synchronization (event 381) at each of
``NumberOfSynchronizationsPerDay`` times a day, evenly spaced from ``synchronizeAutomaticallyTimeOfDay``
(UTC), plus a random offset of up to 30 minutes. A planned time counts as missed when no 381 started between
it and the tolerance after it, and the tolerance after it has passed. Planned times before the subscription
was last modified (the schedule may have been different) and while another run was going (WSUS does not
start a second run) are not counted.
"""

from __future__ import annotations

import datetime

from .._wsusar.client import SCHEDULED_START, SUCCEEDED, SYNC_START_EVENTS

HEALTHY = "healthy"
WARNING = "warning"
CRITICAL = "critical"

DEFAULT_THRESHOLDS = {
    # the last successful synchronization is older than this many hours: warning, critical
    "success_age_warning_hours": 26.0,
    "success_age_critical_hours": 72.0,
    # the most recent planned automatic synchronizations missed in a row: warning, critical
    "missed_schedules_warning": 1,
    "missed_schedules_critical": 2,
    # WSUS's random offset after a planned time, in minutes
    "schedule_tolerance_minutes": 30.0,
    # how far back planned times are checked, in hours
    "schedule_window_hours": 72.0,
    # bytes of update content still to download: warning (0: never)
    "pending_download_bytes_warning": 0,
    # updates whose content failed to download: warning, critical (0: never)
    "failed_downloads_warning": 1,
    "failed_downloads_critical": 0,
}

# The order of the statuses; the fleet filters rank with it too.
RANK = {HEALTHY: 0, WARNING: 1, CRITICAL: 2}


def worst(statuses):
    found = HEALTHY
    for status in statuses:
        if RANK[status] > RANK[found]:
            found = status
    return found


def iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def _utc(value):
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    if value.year <= 1:
        return None  # DateTime.MinValue: never
    return value


def _hours(seconds):
    hours = seconds / 3600.0
    if hours >= 48:
        return "%.1f days" % (hours / 24.0)
    return "%.1f h" % hours


def _daily_offsets(time_of_day_seconds, per_day):
    """The planned times of a day, in seconds after midnight UTC, earliest first."""
    per_day = max(1, int(per_day))
    first = int(time_of_day_seconds) % 86400
    return sorted((first + k * 86400 // per_day) % 86400 for k in range(per_day))


def planned_times(time_of_day_seconds, per_day, after, until):
    """The planned automatic synchronization times in (after, until], oldest first (aware UTC datetimes)."""
    offsets = _daily_offsets(time_of_day_seconds, per_day)
    day = after.replace(hour=0, minute=0, second=0, microsecond=0)
    found = []
    while day <= until:
        for offset in offsets:
            moment = day + datetime.timedelta(seconds=offset)
            if after < moment <= until:
                found.append(moment)
        day += datetime.timedelta(days=1)
    return found


def _clock(time_of_day_seconds, per_day):
    times = _daily_offsets(time_of_day_seconds, per_day)
    return ", ".join("%02d:%02d" % (value // 3600, value % 3600 // 60) for value in times)


def schedule_adherence(events, subscription, now, thresholds, running_spans=()):
    """{enabled, per_day, planned, missed, missed_in_a_row, last_scheduled_start, status, reason}."""
    tolerance = datetime.timedelta(minutes=float(thresholds["schedule_tolerance_minutes"]))
    enabled = bool(subscription.get("SynchronizeAutomatically"))
    per_day = int(subscription.get("NumberOfSynchronizationsPerDay") or 1)
    time_of_day = int(subscription.get("synchronizeAutomaticallyTimeOfDay") or 0)
    scheduled = sorted(
        _utc(e.get("TimeAtServer"))
        for e in events
        if e.get("EventId") == SCHEDULED_START and _utc(e.get("TimeAtServer"))
    )
    last = scheduled[-1] if scheduled else None
    result = {
        "enabled": enabled,
        "per_day": per_day,
        "times_utc": _clock(time_of_day, per_day) if enabled else None,
        "planned": 0,
        "missed": 0,
        "missed_in_a_row": 0,
        "scheduled_starts_seen": 0,
        "last_scheduled_start": iso(last),
        "status": HEALTHY,
        "reason": None,
    }
    if not enabled:
        return result
    after = now - datetime.timedelta(hours=float(thresholds["schedule_window_hours"]))
    modified = _utc(subscription.get("LastModifiedTime"))
    if modified and modified > after:
        after = modified
    planned = planned_times(time_of_day, per_day, after, now - tolerance)
    planned = [moment for moment in planned if not any(start <= moment < end for start, end in running_spans)]
    seen = [start for start in scheduled if start > after]
    outcomes = [
        any(moment - datetime.timedelta(seconds=60) <= start <= moment + tolerance for start in seen)
        for moment in planned
    ]
    in_a_row = 0
    for hit in reversed(outcomes):
        if hit:
            break
        in_a_row += 1
    result.update(
        planned=len(planned),
        missed=outcomes.count(False),
        missed_in_a_row=in_a_row,
        scheduled_starts_seen=len(seen),
    )
    critical_at = int(thresholds["missed_schedules_critical"])
    warning_at = int(thresholds["missed_schedules_warning"])
    status = HEALTHY
    if critical_at and in_a_row >= critical_at:
        status = CRITICAL
    elif warning_at and in_a_row >= warning_at:
        status = WARNING
    if status != HEALTHY:
        since = (
            "since %s" % iso(last)
            if last and last > after
            else "in the last %s" % _hours((now - after).total_seconds())
        )
        result["status"] = status
        result["reason"] = (
            "Scheduled synchronizations are not starting: no scheduled synchronization (event 381) %s, and the "
            "last %d planned start(s) (%d a day at %s UTC, +30 min tolerance) were missed; check that the WSUS "
            "service is running and look at SoftwareDistribution.log on the server."
            % (since, in_a_row, per_day, result["times_utc"])
        )
    return result


def _end_event(events, last_sync):
    event_id = last_sync.get("event_id")
    finished = last_sync.get("finished_at")
    for event in reversed(events):
        if event.get("EventId") == event_id and iso(_utc(event.get("TimeAtServer"))) == finished:
            return event
    return None


def _last_sync_checks(result, last_sync, events):
    """(kind, error_code, checks) of the last synchronization."""
    end = _end_event(events, last_sync) if result == "failed" else None
    error_code = end.get("Win32HResult") if end else None
    manual = last_sync.get("manual")
    kind = "manual" if manual else "scheduled" if manual is False else "unknown"
    started = last_sync.get("started_at") or "at an unknown time"
    checks = []
    if result == "failed":
        # "reason": the error text without its generic "Synchronization failed. Reason:" words
        text = (
            last_sync.get("reason")
            or last_sync.get("error_text")
            or ("the server recorded no error text (look at the Synchronizations node of the console)")
        )
        code = " (error code %s)" % error_code if error_code else ""
        checks.append(
            (
                WARNING,
                "The last synchronization (%s, started %s) failed: %s%s; fix the cause and start one with "
                "ops.wsus.sync." % (kind, started, text, code),
            )
        )
    elif result == "canceled":
        checks.append((WARNING, "The last synchronization (%s, started %s) was canceled." % (kind, started)))
    elif result == "unknown":
        checks.append((WARNING, "The last synchronization's result is unknown (no end event ops.wsus knows)."))
    return kind, error_code, checks


def _age_checks(last_success, age, limits):
    warn_h = float(limits["success_age_warning_hours"] or 0)
    crit_h = float(limits["success_age_critical_hours"] or 0)
    if last_success is None:
        return [(CRITICAL, "The server has never synchronized successfully; start one with ops.wsus.sync.")]
    for status, hours in ((CRITICAL, crit_h), (WARNING, warn_h)):
        if hours and age >= hours * 3600:
            return [
                (
                    status,
                    "The last successful synchronization was %s ago (%s), more than %s; look at the reasons "
                    "above and the server's Synchronizations node."
                    % (_hours(age), iso(last_success), _hours(hours * 3600)),
                )
            ]
    return []


def _running_spans(events, result, now):
    """(start, end) of each run: a planned time inside one is not expected to start a run."""
    spans = []
    start = None
    for event in sorted(events, key=lambda e: _utc(e.get("TimeAtServer")) or now):
        moment = _utc(event.get("TimeAtServer"))
        if event.get("EventId") in SYNC_START_EVENTS:
            start = moment
        elif start is not None and moment is not None:
            spans.append((start, moment))
            start = None
    if start is not None and result == "running":
        spans.append((start, now + datetime.timedelta(days=1)))
    return spans


def _content_checks(pending, failed_downloads, components, limits):
    checks = []
    pending_limit = int(limits["pending_download_bytes_warning"] or 0)
    if pending_limit and pending >= pending_limit:
        checks.append(
            (WARNING, "%d bytes of update content are waiting to download (threshold %d)." % (pending, pending_limit))
        )
    failed_critical = int(limits["failed_downloads_critical"] or 0)
    failed_warning = int(limits["failed_downloads_warning"] or 0)
    failed = (
        "%d update(s) failed to download their content; check the content directory's free space and the "
        "upstream or Microsoft Update connection." % failed_downloads
    )
    if failed_critical and failed_downloads >= failed_critical:
        checks.append((CRITICAL, failed))
    elif failed_warning and failed_downloads >= failed_warning:
        checks.append((WARNING, failed))
    if components:
        checks.append(
            (
                CRITICAL,
                "Server component(s) in error: %s; see the console's Server Status and the Application event log."
                % ", ".join(components),
            )
        )
    return checks


def evaluate(
    now,
    result,
    last_sync,
    events,
    subscription,
    next_sync=None,
    downloads=(0, 0),
    failed_downloads=0,
    components_with_errors=(),
    thresholds=None,
):
    """The health of one server. ``result``/``last_sync``: as ``_sync_status.summarize_events`` gives them;
    ``events``: the namespace-2 synchronization events (any order); ``subscription``: the GetSubscription row
    as a mapping; ``downloads``: (bytes downloaded, bytes to download)."""
    limits = dict(DEFAULT_THRESHOLDS)
    limits.update({key: value for key, value in (thresholds or {}).items() if value is not None})
    now = _utc(now)
    successes = sorted(
        _utc(e.get("TimeAtServer")) for e in events if e.get("EventId") == SUCCEEDED and _utc(e.get("TimeAtServer"))
    )
    last_success = successes[-1] if successes else _utc(subscription.get("LastSynchronizationTime"))
    age = (now - last_success).total_seconds() if last_success else None

    kind, error_code, checks = _last_sync_checks(result, last_sync, events)
    checks += _age_checks(last_success, age, limits)
    schedule = schedule_adherence(events, subscription, now, limits, _running_spans(events, result, now))
    if schedule["reason"]:
        checks.append((schedule["status"], schedule["reason"]))
    schedule["next_sync"] = iso(_utc(next_sync))
    if schedule["enabled"] and schedule["next_sync"] is None:
        checks.append((WARNING, "Automatic synchronization is on but the server plans no next synchronization."))
    downloaded, pending = (list(downloads) + [0, 0])[:2]
    components = list(components_with_errors or [])
    checks += _content_checks(pending, failed_downloads, components, limits)

    return {
        "status": worst(status for status, dummy in checks),
        "reasons": [reason for dummy, reason in checks],
        "last_sync": dict(
            {key: value for key, value in last_sync.items() if key != "reason"},
            result=result,
            kind=kind,
            error_code=error_code,
        ),
        "last_success": iso(last_success),
        "last_success_age_s": round(age, 1) if age is not None else None,
        "schedule": schedule,
        "downloads": {"downloaded_bytes": downloaded, "pending_bytes": pending, "failed_updates": failed_downloads},
        "components_with_errors": components,
        "thresholds": limits,
    }
