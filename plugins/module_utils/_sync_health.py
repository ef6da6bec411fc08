# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reads of ops.wsus.sync_health: each operation at most once, all of them reads. No Ansible imports.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

Reads, in order: GetServerVersion (for the hierarchy checks), GetSubscriptionState, ExecuteSPSearchEventHistory
(the namespace-2 synchronization events),
GetSubscription, GetSubscriptionNextSynchronizationTime, ExecuteSPGetContentDownloadProgress,
ExecuteSPGetFailedToDownloadUpdatesCount, ExecuteSPGetComponentsWithErrors. The evaluation is
``_state.health.evaluate`` (pure).
"""

from __future__ import annotations

import datetime

from ._state import health
from ._sync_status import reason_of, summarize_events
from ._wsusar.client import SYNC_EVENTS

SUBSCRIPTION_FIELDS = (
    ("SynchronizeAutomatically", "bool"),
    ("NumberOfSynchronizationsPerDay", "int"),
    ("synchronizeAutomaticallyTimeOfDay", "int"),
    ("LastModifiedTime", "datetime"),
    ("LastSynchronizationTime", "datetime"),
)


def subscription_mapping(row):
    getters = {"bool": row.get_bool, "int": row.get_int, "datetime": row.get_datetime}
    return {name: getters[kind](name) for name, kind in SUBSCRIPTION_FIELDS}


def read_sync_health(client, thresholds=None, now=None):
    """The health of one server (see ``_state.health.evaluate``), plus ``state``."""
    version = client.get_server_version()
    state = client.get_subscription_state()
    events = [event for event in client.get_sync_events() if event.get("EventId") in SYNC_EVENTS]
    subscription = subscription_mapping(client.get_subscription())
    next_sync = client.get_next_sync_time()
    downloads = client.get_content_download_progress()
    failed = client.get_failed_download_count()
    components = client.get_components_with_errors()
    result, last_sync = summarize_events(events, running=state != 0)
    if last_sync.get("error_text"):
        last_sync["reason"] = reason_of(last_sync["error_text"])
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    report = health.evaluate(
        now,
        result,
        last_sync,
        events,
        subscription,
        next_sync=next_sync,
        downloads=downloads,
        failed_downloads=failed,
        components_with_errors=components,
        thresholds=thresholds,
    )
    report["state"] = state
    report["version"] = version
    report["checked_at"] = health.iso(health._utc(now))
    return report
