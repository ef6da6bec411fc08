#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: server_info
short_description: Read a WSUS server's version, the caller's role, its sync options and sync status
version_added: 0.1.0
description:
  - Returns the server's version and the caller's WSUS role.
  - Returns the server's synchronization options in exactly the shape of the C(wsus_sync) document, so that
    it validates against the schema and can be pasted into inventory to adopt a server as it is (applying it
    back with M(ops.wsus.sync_options) reports no change).
  - Returns the synchronization status, the next scheduled synchronization, and the last one's result,
    times and error text (from the server's event history).
  - Returns the server's e-mail notifications in the shape of the document's C(notifications) section
    (without the SMTP password, which WSUS never gives back); applying it back with
    M(ops.wsus.notifications) reports no change.
author:
  - ops.wsus contributors (@ops)
extends_documentation_fragment:
  - ops.wsus.connection
  - ops.wsus.attributes.INFO_MODULE
options:
  timezone:
    description: >-
      IANA time zone in which to express C(schedule.time) of RV(sync_options) and C(status_report.time) of
      RV(notifications).
    type: str
    default: UTC
  gather:
    description: >-
      What to read. V(server) is version and role; V(sync_options) the document; V(sync) the status;
      V(notifications) the e-mail notifications.
    type: list
    elements: str
    choices: [server, sync_options, sync, notifications]
    default: [server, sync_options, sync, notifications]
seealso:
  - module: ops.wsus.sync_options
"""

EXAMPLES = r"""
- name: Adopt a server as it is
  ops.wsus.server_info:
    server: wsus01.corp.example
  delegate_to: localhost
  register: wsus

- name: Show its settings as inventory YAML (the whole wsus_sync document, with its notifications)
  ansible.builtin.debug:
    msg: "{{ wsus.sync_options | combine({'notifications': wsus.notifications}) | to_nice_yaml }}"
"""

RETURN = r"""
version:
  description: The server's version string (GetServerVersion).
  returned: when O(gather) has V(server)
  type: str
  sample: 10.0.20348.1
protocol_version:
  description: The protocol version string (GetServerProtocolVersion).
  returned: when O(gather) has V(server)
  type: str
role:
  description: The caller's WSUS role.
  returned: when O(gather) has V(server)
  type: str
  sample: administrator
sync_options:
  description: The server's settings in the C(wsus_sync) document's shape.
  returned: when O(gather) has V(sync_options)
  type: dict
notifications:
  description:
    - The server's e-mail notifications as the C(notifications) section of the C(wsus_sync) document
      (C(language), C(new_updates), C(status_report), C(smtp)); never the SMTP password.
    - C(status_report.time) is in O(timezone); it is left out when the server stores a value that is no number
      of seconds of a day. Empty text settings (no SMTP host yet) are left out.
    - To adopt a server as it is, C(wsus_sync) is RV(sync_options) with this as its C(notifications).
    - V(null), with a warning saying why, when the server refuses the user the e-mail settings (a permission
      error, as it might a WSUS Reporter); the other facts are still returned. Leave V(notifications) out of
      O(gather) not to read them.
  returned: when O(gather) has V(notifications)
  type: dict
  sample:
    language: en
    new_updates: {enabled: true, recipients: [wsus-admins@example.com]}
    status_report: {enabled: false, frequency: weekly, time: "00:00", timezone: UTC, recipients: []}
    smtp: {host: smtp.example.com, port: 25, authentication: false}
result:
  description: >-
    The state of synchronization: V(running) while one runs, otherwise the last one's result
    (V(succeeded), V(failed), V(canceled)), V(never_run), or V(unknown) (its end event is one ops.wsus does
    not know, see RV(sync.event_id), or there is none).
  returned: when O(gather) has V(sync)
  type: str
  sample: succeeded
sync:
  description: The last (or running) synchronization.
  returned: when O(gather) has V(sync)
  type: dict
  contains:
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
      description: Whether it was started by hand (or by a tool), not by the schedule.
      type: bool
    error_text:
      description: The server's error message for a failed synchronization, or null when it gave none.
      type: str
    event_id:
      description: The id of the end event the result was read from (namespace 2), or null.
      type: int
progress:
  description: Progress of a running synchronization.
  returned: when O(gather) has V(sync)
  type: dict
  contains:
    phase:
      description: V(not_processing), V(categories), V(updates) or V(approvals).
      type: str
    processed:
      description: Items processed.
      type: int
    total:
      description: Items in this phase.
      type: int
    percent:
      description: Percentage of this phase.
      type: int
next_sync:
  description: The next scheduled synchronization (ISO 8601, UTC), or null when none is scheduled.
  returned: when O(gather) has V(sync)
  type: str
soap_calls:
  description: The SOAP operations the task called, in order.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.ops.wsus.plugins.module_utils._module import WsusModule
from ansible_collections.ops.wsus.plugins.module_utils._notifications import read_section
from ansible_collections.ops.wsus.plugins.module_utils._sync_options import ServerReader, read_sync_options
from ansible_collections.ops.wsus.plugins.module_utils._sync_status import read_sync_status, iso
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusPermissionError

ARGSPEC = dict(
    timezone=dict(type="str", default="UTC"),
    gather=dict(
        type="list",
        elements="str",
        default=["server", "sync_options", "sync", "notifications"],
        choices=["server", "sync_options", "sync", "notifications"],
    ),
)


def run(module):
    client = module.client()
    gather = module.params["gather"]
    result = {"changed": False}
    if "server" in gather:
        result.update(
            version=client.get_server_version(),
            protocol_version=client.get_server_protocol_version(),
            role=client.get_current_user_role(),
        )
    if "sync_options" in gather:
        reader = ServerReader(client, module.params["culture"])
        result["sync_options"] = read_sync_options(reader, module.params["timezone"])
    if "sync" in gather:
        status = read_sync_status(client)
        result.update(status)
        result["next_sync"] = iso(client.get_next_sync_time())
    if "notifications" in gather:
        result["notifications"], warning = read_notifications(client, module.params["timezone"])
        result["warnings"] = [warning] if warning else []
    return module.finish(False, result)


def read_notifications(client, timezone):
    """(the notifications section, None), or (None, a warning) when the user may not read the e-mail settings.

    Whether a real server lets a WSUS Reporter read them is not known (docs/evidence.md): a refusal costs the
    task only this section, not the server's other facts."""
    try:
        return read_section(client, timezone), None
    except WsusPermissionError as error:
        return None, (
            "notifications were not read (returned as null): %s. Leave notifications out of gather to skip "
            "this read." % error
        )


def main():
    module = WsusModule(argument_spec=ARGSPEC, supports_check_mode=True)
    module.run(run)


if __name__ == "__main__":
    main()
