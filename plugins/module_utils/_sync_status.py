# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The state and last result of a server's synchronization, from GetSubscriptionState,
GetServerSyncProgress and the event history. No Ansible imports.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

[MS-WSUSAR] has no operation for the last result; WSUS records server synchronization events in
namespace 2 (the ids are defined once, in ``_wsusar.client``; see docs/protocol-notes.md), and the
result is derived from the newest of them:

* an end event with a non-zero Win32HResult is a failure, whatever its id (a real failure carries
  ErrorCode -2146233079; a success 0). SeverityId is not used: its scale is not documented;
* otherwise 384 succeeded, 386 failed, 385 and 387 canceled;
* any other namespace-2 event after the newest start, while the server is idle, is an end event we do
  not know: the result is ``unknown`` and ``sync.event_id`` names it. A start newer than every end is
  never given the previous run's result.
"""

from __future__ import annotations

import re

from ._state.health import iso
from ._wsusar.client import SYNC_END_EVENTS, SYNC_START_EVENTS

# Where to look when the server recorded a failure without a reason.
NO_REASON_HINT = (
    "look at the Synchronizations node of the WSUS console and at "
    "%ProgramFiles%\\Update Services\\LogFiles\\SoftwareDistribution.log on the server"
)
# The generic words of a failure message ("Synchronization failed. Reason: ..."): what is left is the reason.
_GENERIC = re.compile(r"^\s*(synchroni[sz]ation\s+failed\b\s*[.:]?\s*)?(reason\b\s*:?\s*)?", re.I)
_PLACEHOLDER = re.compile(r"%(\d+)|\{(\d+)\}")


def progress_dict(progress):
    percent = int(progress.processed * 100 / progress.total) if progress.total else 0
    return {
        "phase": progress.phase,
        "processed": progress.processed,
        "total": progress.total,
        "percent": min(percent, 100),
    }


def is_start(event):
    return event.get("EventId") in SYNC_START_EVENTS


def end_result(event):
    """succeeded, failed, canceled, or unknown (an end event whose id we do not know, without an error)."""
    if event.get("Win32HResult"):
        return "failed"
    return SYNC_END_EVENTS.get(event.get("EventId"), "unknown")


def _time(event):
    return event.get("TimeAtServer")


def _before_or_at(event, moment):
    return not moment or not _time(event) or _time(event) <= moment


def summarize_events(events, running):
    """(result, sync) from namespace-2 events (oldest first) and whether one is running now. Every event
    that is not a start is an end."""
    starts = [event for event in events if is_start(event)]
    ends = [event for event in events if not is_start(event)]
    last_start = starts[-1] if starts else None
    if running:
        return "running", _sync_dict(last_start, None)
    if not ends:
        return ("unknown" if starts else "never_run"), _sync_dict(last_start, None)
    last_end = ends[-1]
    if last_start is not None and not _before_or_at(last_start, _time(last_end)):
        # The newest start has no end we can see: never the previous run's result.
        return "unknown", _sync_dict(last_start, None)
    started = [event for event in starts if _before_or_at(event, _time(last_end))]
    return end_result(last_end), _sync_dict(started[-1] if started else None, last_end)


def error_text(event):
    """The failure message of an end event (its template with the replacement strings filled in), or None
    when it gives no reason (empty, or only "Synchronization failed. Reason:")."""
    strings = [text or "" for text in event.get("ReplacementStrings") or []]
    template = (event.get("MessageTemplate") or "").strip()
    used = set()

    def fill(match):
        number = int(match.group(1) or match.group(2) or 0)
        index = number - 1 if match.group(1) else number  # %1 is the first string, {0} too
        used.add(index)
        return strings[index] if 0 <= index < len(strings) else ""

    text = _PLACEHOLDER.sub(fill, template)
    extra = [
        value.strip()
        for index, value in enumerate(strings)
        if index not in used and value.strip() and value.strip() not in text
    ]
    text = " ".join([text.strip()] + extra).strip()
    return text if reason_of(text) else None


def reason_of(text):
    """The reason in a failure message, without the generic "Synchronization failed. Reason:" words."""
    return _GENERIC.sub("", text or "", count=1).strip(" \t\r\n.:;-")


def _sync_dict(start, end):
    started_at = _time(start) if start else None
    finished_at = _time(end) if end else None
    failed = end is not None and end_result(end) == "failed"
    return {
        "started_at": iso(started_at),
        "finished_at": iso(finished_at),
        "duration_s": round((finished_at - started_at).total_seconds(), 3) if started_at and finished_at else None,
        "manual": (start.get("EventId") == 382) if start else None,
        "error_text": error_text(end) if failed else None,
        "event_id": end.get("EventId") if end is not None else None,
    }


def read_sync_status(client, state=None, progress=None):
    """{result, sync, progress, state}: state, progress and the event history, each read unless given.
    When the newest start has no known end and the server is idle, every namespace-2 event since that
    start is read as well (one more request), to find an end event whose id we do not know."""
    state = client.get_subscription_state() if state is None else state
    progress = client.get_sync_progress() if progress is None else progress
    events = client.get_sync_events()
    running = state != 0
    result, sync = summarize_events(events, running=running)
    starts = [event for event in events if is_start(event)]
    if result == "unknown" and not running and starts and _time(starts[-1]):
        since = _time(starts[-1])
        later = [
            event
            for event in client.get_sync_events(since=since, any_id=True)
            if _time(event) and _time(event) >= since
        ]
        earlier = [event for event in events if _time(event) and _time(event) < since]
        result, sync = summarize_events(earlier + later, running=False)
    return {"result": result, "sync": sync, "progress": progress_dict(progress), "state": state}
