# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reads of ops.wsus.sync_health: each operation at most once, all of them reads. No Ansible imports.

FOR INTERNAL COLLECTION USE ONLY: may change in any release.

Reads, in order: GetServerVersion (for the hierarchy checks), GetSubscriptionState, ExecuteSPSearchEventHistory
(the namespace-2 synchronization events),
GetSubscription, GetSubscriptionNextSynchronizationTime, ExecuteSPGetContentDownloadProgress,
ExecuteSPGetFailedToDownloadUpdatesCount, ExecuteSPGetComponentsWithErrors, ExecuteSPGetAllDownstreamServers
(the downstream servers registered here, read by ``_state.downstream``). The evaluation is
``_state.health.evaluate`` (pure).
"""

from __future__ import annotations

import datetime

from ._state import downstream, health
from ._sync_status import reason_of, summarize_events
from ._wsusar.errors import (
    WsusAuthenticationError,
    WsusConnectionError,
    WsusError,
    WsusHTTPError,
    WsusPermissionError,
    WsusProtocolError,
    WsusSoapFault,
    WsusTimeoutError,
    WsusTLSError,
)

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


def read_downstream_servers(client):
    """(the downstream servers registered at this server, None) or (None, why they could not be read).

    A server that refuses the call, answers rows of another layout, or does not answer it (a timeout, a lost
    connection: the list is the last read, and may be the largest) still gets its health read: the list only
    feeds the hierarchy check, and the reason says what went wrong (a warning, not a failed task). Credentials
    the server rejects still fail the task: that is no trouble with this one call."""
    where = getattr(client.transport, "where", "the server")
    try:
        rows = client.get_all_downstream_servers()
    except WsusAuthenticationError:
        raise
    except (WsusSoapFault, WsusPermissionError, WsusProtocolError) as error:
        return None, "Could not read the downstream servers of %s: %s" % (where, error)
    except WsusError as error:
        why = _unanswered(error)
        if why is None:
            raise
        return None, "Could not read the downstream servers of %s: %s: %s" % (where, why, error)
    try:
        return downstream.read_rows(rows), None
    except downstream.DownstreamRowError as error:
        return None, (
            "Could not read the downstream servers of %s: %s (the row layout is not the one documented; please "
            "report it)" % (where, error)
        )


def _unanswered(error):
    """What went wrong when ``error`` means the call got no (usable) answer, else None."""
    if isinstance(error, WsusTimeoutError):
        return "the call timed out"
    if isinstance(error, (WsusConnectionError, WsusTLSError)):
        return "the connection failed"
    if isinstance(error, WsusHTTPError):
        return "the call failed with HTTP %s" % error.status
    if error.outcome_unknown:
        return "the call got no answer"
    return None


def read_sync_health(client, thresholds=None, now=None):
    """The health of one server (see ``_state.health.evaluate``), plus ``state``."""
    version = client.get_server_version()
    state = client.get_subscription_state()
    events = client.get_sync_events()
    subscription = subscription_mapping(client.get_subscription())
    next_sync = client.get_next_sync_time()
    downloads = client.get_content_download_progress()
    failed = client.get_failed_download_count()
    components = client.get_components_with_errors()
    downstream_servers, downstream_error = read_downstream_servers(client)
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
    if downstream_error:
        report["reasons"].append(downstream_error)
        report["status"] = health.worst((report["status"], health.WARNING))
    report["downstream_servers"] = downstream_servers
    report["downstream_servers_error"] = downstream_error
    report["state"] = state
    report["version"] = version
    report["checked_at"] = health.iso(health._utc(now))
    return report
