# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The state and last result of a server's synchronization, from GetSubscriptionState,
GetServerSyncProgress and the event history. No Ansible imports.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

[MS-WSUSAR] has no operation for the last result; WSUS records server synchronization events in
namespace 2 (382 manual start, 381 scheduled start, 384 succeeded, 385 canceled, 386 failed; see
docs/protocol-notes.md), and the result is derived from the newest of them.
"""

from __future__ import annotations

from ._wsusar.client import SYNC_EVENTS

START_EVENTS = (381, 382)
END_RESULTS = {384: "succeeded", 385: "canceled", 386: "failed"}


def iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def progress_dict(progress):
    percent = int(progress.processed * 100 / progress.total) if progress.total else 0
    return {"phase": progress.phase, "processed": progress.processed, "total": progress.total,
            "percent": min(percent, 100)}


def summarize_events(events, running):
    """(result, sync) from sync events (oldest first) and whether one is running now."""
    starts = [event for event in events if event.get("EventId") in START_EVENTS]
    ends = [event for event in events if event.get("EventId") in END_RESULTS]
    last_start = starts[-1] if starts else None
    if running:
        return "running", _sync_dict(last_start, None)
    if not ends:
        return ("unknown" if starts else "never_run"), _sync_dict(last_start, None)
    last_end = ends[-1]
    ended_at = last_end.get("TimeAtServer")
    started = [event for event in starts if not ended_at or not event.get("TimeAtServer")
               or event["TimeAtServer"] <= ended_at]
    return END_RESULTS[last_end["EventId"]], _sync_dict(started[-1] if started else None, last_end)


def _sync_dict(start, end):
    started_at = start.get("TimeAtServer") if start else None
    finished_at = end.get("TimeAtServer") if end else None
    error_text = None
    if end is not None and end.get("EventId") == 386:
        strings = [text for text in end.get("ReplacementStrings") or [] if text]
        error_text = strings[0] if strings else (end.get("MessageTemplate") or "synchronization failed")
    return {
        "started_at": iso(started_at),
        "finished_at": iso(finished_at),
        "duration_s": round((finished_at - started_at).total_seconds(), 3) if started_at and finished_at else None,
        "manual": (start.get("EventId") == 382) if start else None,
        "error_text": error_text,
    }


def read_sync_status(client, state=None, progress=None):
    """{result, sync, progress, state}: state, progress and the event history, each read unless given."""
    state = client.get_subscription_state() if state is None else state
    progress = client.get_sync_progress() if progress is None else progress
    events = [event for event in client.get_sync_events() if event.get("EventId") in SYNC_EVENTS]
    result, sync = summarize_events(events, running=state != 0)
    return {"result": result, "sync": sync, "progress": progress_dict(progress), "state": state}
