#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sync_health
short_description: Tell whether a WSUS server is synchronizing, with reasons an administrator can act on
version_added: 0.1.0
description:
  - Reads one server's last synchronization (result, start, end, manual or scheduled, error text and code)
    from its event history, the age of its last success, whether its automatic synchronizations start as
    scheduled, the next planned synchronization, the update content still to download and failed, and the
    server components in error.
  - On an upstream server, also lists its downstream servers and replicas (RV(downstream_servers)) with their
    name, version, replica or not, last synchronization and last rollup, for the hierarchy checks of
    P(ops.wsus.sync_health_hierarchy#filter).
  - Returns RV(status) (V(healthy), V(warning) or V(critical)), the worst of the checks, and RV(reasons), one
    sentence per finding.
  - "Schedule adherence: WSUS starts an automatic synchronization (event 381) at each of C(per_day) times a
    day, evenly spaced from the configured time of day (UTC), plus a random offset of up to 30 minutes. A
    planned time with no scheduled start within O(thresholds.schedule_tolerance_minutes) after it is missed.
    Planned times before the subscription was last changed, and while another synchronization was running,
    are not counted."
  - Only reads, each operation at most once (nine calls); never changes the server, in check mode or not.
  - The task does not fail on an unhealthy server; test RV(status) (see the examples).
author:
  - ops.wsus contributors (@ops)
extends_documentation_fragment:
  - ops.wsus.connection
  - ops.wsus.attributes.INFO_MODULE
options:
  thresholds:
    description: When a finding is a warning or critical. Omitted keys keep their defaults; V(0) turns a check off.
    type: dict
    default: {}
    suboptions:
      success_age_warning_hours:
        description: The last successful synchronization is older than this many hours.
        type: float
        default: 26
      success_age_critical_hours:
        description: The last successful synchronization is older than this many hours (3 days).
        type: float
        default: 72
      missed_schedules_warning:
        description: The most recent planned automatic synchronizations missed in a row.
        type: int
        default: 1
      missed_schedules_critical:
        description: The most recent planned automatic synchronizations missed in a row.
        type: int
        default: 2
      schedule_tolerance_minutes:
        description: How long after a planned time a scheduled start still counts (WSUS adds up to 30 minutes).
        type: float
        default: 30
      schedule_window_hours:
        description: How far back planned times are checked.
        type: float
        default: 72
      pending_download_bytes_warning:
        description: Bytes of update content still to download that make a warning (V(0) never).
        type: int
        default: 0
      failed_downloads_warning:
        description: Updates that failed to download that make a warning.
        type: int
        default: 1
      failed_downloads_critical:
        description: Updates that failed to download that make it critical (V(0) never).
        type: int
        default: 0
  reference_time:
    description:
      - Evaluate as of this time (ISO 8601; a value without a zone is UTC) instead of the controller's clock,
        for a reproducible report or a server whose clock is known to differ.
    type: str
seealso:
  - module: ops.wsus.server_info
  - module: ops.wsus.sync
"""

EXAMPLES = r"""
- name: Check that the server synchronizes
  ops.wsus.sync_health:
    server: wsus01.corp.example
  delegate_to: localhost
  register: health

- name: Fail the play on a critical server, saying why
  ansible.builtin.assert:
    that: health.status != 'critical'
    fail_msg: "{{ inventory_hostname }}: {{ health.reasons | join(' ') }}"

- name: Stricter thresholds for a server that synchronizes every hour
  ops.wsus.sync_health:
    server: wsus02.corp.example
    thresholds:
      success_age_warning_hours: 3
      success_age_critical_hours: 12
      missed_schedules_critical: 3
  delegate_to: localhost
"""

RETURN = r"""
status:
  description: V(healthy), V(warning) or V(critical), the worst of the findings.
  returned: success
  type: str
  sample: warning
reasons:
  description: One sentence per finding, in the order of the checks; empty when healthy.
  returned: success
  type: list
  elements: str
  sample:
    - "The last synchronization (scheduled, started 2026-12-01T03:00:00Z) failed: The remote name could not
      be resolved (error code -2146233079); fix the cause and start one with ops.wsus.sync."
last_sync:
  description: The last (or running) synchronization.
  returned: success
  type: dict
  contains:
    result:
      description: V(running), V(succeeded), V(failed), V(canceled), V(never_run) or V(unknown).
      type: str
    kind:
      description: V(manual), V(scheduled) or V(unknown).
      type: str
    started_at:
      description: Start time (ISO 8601, UTC), or null.
      type: str
    finished_at:
      description: End time (ISO 8601, UTC), or null.
      type: str
    duration_s:
      description: Duration in seconds, or null.
      type: float
    manual:
      description: Whether it was started by hand (event 382) rather than by the schedule (event 381).
      type: bool
    error_text:
      description: The server's error text of a failed synchronization, or null.
      type: str
    error_code:
      description: The Win32HResult of a failed synchronization's end event, or null.
      type: int
    event_id:
      description: The end event's id (namespace 2), or null.
      type: int
last_success:
  description: End of the last successful synchronization (ISO 8601, UTC), or null when there is none.
  returned: success
  type: str
last_success_age_s:
  description: Seconds since RV(last_success), or null.
  returned: success
  type: float
schedule:
  description: Whether automatic synchronizations happen as scheduled.
  returned: success
  type: dict
  contains:
    enabled:
      description: Whether the server synchronizes automatically.
      type: bool
    per_day:
      description: Planned synchronizations a day.
      type: int
    times_utc:
      description: The planned times of day (UTC, before WSUS's random offset), or null when not enabled.
      type: str
    next_sync:
      description: The next planned synchronization (ISO 8601, UTC), or null.
      type: str
    planned:
      description: Planned times checked (in the window, after the last subscription change).
      type: int
    missed:
      description: Planned times with no scheduled start within the tolerance.
      type: int
    missed_in_a_row:
      description: The most recent planned times missed in a row.
      type: int
    scheduled_starts_seen:
      description: Scheduled starts (event 381) in the window.
      type: int
    last_scheduled_start:
      description: The last scheduled start (ISO 8601, UTC), or null.
      type: str
    status:
      description: This check's status.
      type: str
    reason:
      description: This check's reason, or null.
      type: str
downloads:
  description: Update content downloads.
  returned: success
  type: dict
  contains:
    downloaded_bytes:
      description: Bytes downloaded of the queued content.
      type: int
    pending_bytes:
      description: Bytes still to download.
      type: int
    failed_updates:
      description: Updates whose content failed to download.
      type: int
components_with_errors:
  description: Server components in an error state.
  returned: success
  type: list
  elements: str
thresholds:
  description: The thresholds used (defaults merged with O(thresholds)).
  returned: success
  type: dict
version:
  description: The server's WSUS version (GetServerVersion), for the hierarchy checks.
  returned: success
  type: str
  sample: 10.0.20348.1
downstream_servers:
  description:
    - The downstream servers and replicas registered at this server (ExecuteSPGetAllDownstreamServers), nested
      ones included, in the server's order; an empty list on a server with none.
    - V(null) when they could not be read (see RV(downstream_servers_error); the status is then at least
      V(warning)).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The full domain name the downstream server registered under.
      type: str
    id:
      description: Its server id (GUID).
      type: str
    parent_id:
      description: The id of the server it synchronizes from, or null.
      type: str
    direct:
      description: Whether it synchronizes from this server itself (not through another downstream server).
      type: bool
    version:
      description: Its WSUS version, or null.
      type: str
    replica:
      description: Whether it is a replica (approvals and settings from its upstream).
      type: bool
    last_sync:
      description: Its last synchronization from its upstream (ISO 8601, UTC), or null when never.
      type: str
    last_rollup:
      description: The last time it rolled up its reports (ISO 8601, UTC), or null when never.
      type: str
  sample:
    - name: wsus02.branch.corp.example
      id: 7d3c2f0a-5b1e-4c8e-9f61-2a4b6c8d0e1f
      parent_id: null
      direct: true
      version: 10.0.20348.1
      replica: true
      last_sync: "2026-12-01T04:12:31Z"
      last_rollup: "2026-12-01T04:20:02Z"
downstream_servers_error:
  description: Why RV(downstream_servers) could not be read, or null.
  returned: success
  type: str
state:
  description: The raw subscription state (0 idle).
  returned: success
  type: int
checked_at:
  description: The time the evaluation was made as of (ISO 8601, UTC).
  returned: success
  type: str
soap_calls:
  description: The SOAP operations the task called, in order.
  returned: always
  type: list
  elements: str
"""

import datetime

from ansible_collections.ops.wsus.plugins.module_utils._module import WsusModule
from ansible_collections.ops.wsus.plugins.module_utils._state.health import DEFAULT_THRESHOLDS
from ansible_collections.ops.wsus.plugins.module_utils._sync_health import read_sync_health

ARGSPEC = dict(
    thresholds=dict(
        type="dict",
        default={},
        options={
            name: dict(type="float" if isinstance(value, float) else "int", default=value)
            for name, value in DEFAULT_THRESHOLDS.items()
        },
    ),
    reference_time=dict(type="str"),
)


def parse_reference_time(module, text):
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        module.fail_json(msg="reference_time: %r is not an ISO 8601 time (e.g. 2026-12-01T06:00:00Z)" % text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc)


def run(module):
    now = parse_reference_time(module, module.params["reference_time"])
    result = read_sync_health(module.client(), thresholds=module.params["thresholds"], now=now)
    result["changed"] = False
    return result


def main():
    module = WsusModule(argument_spec=ARGSPEC, supports_check_mode=True)
    module.run(run)


if __name__ == "__main__":
    main()
