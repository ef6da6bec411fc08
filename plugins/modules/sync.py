#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sync
short_description: Synchronize a WSUS server now, idempotently, and report the result
version_added: 0.1.0
description:
  - Makes sure a synchronization has run (starting one only when needed), waits for it with progress lines,
    and reports its result; or starts one without waiting; or cancels a running one.
  - A synchronization already running is joined, never started twice. C(changed) is true only when this task
    started or stopped one.
  - >-
    WSUS refuses a start (an C(InvalidOperationException) fault) while a synchronization runs or stops, and
    while it saves its configuration. When a start is refused and the server now reads busy (a scheduled run
    began between the task's state read and its start), the task joins that run (C(changed=false),
    C(started=false), RV(msg) says so). When the server reads idle, a save is in progress: the start is
    retried after 1, 2, 4 ... seconds (at most O(poll_interval) apart) until O(wait_timeout), then the task
    fails with C(result=not_started).
  - >-
    O(state=stopped) waits until the synchronization has stopped (WSUS passes through a stopping state), so
    that the next task is not refused.
  - With O(max_age), nothing is started when the last successful synchronization ended less than O(max_age)
    ago and none is running.
  - >-
    The action plugin runs the work on the controller and prints a line per phase change and per 10 % step
    while it waits, for example C(wsus01: synchronizing updates 1200/3400 (35 %)).
  - Delegated to a host other than the controller (a jump host), the task runs the module on that host; the
    result is the same, but it arrives when the task ends, without progress lines.
author:
  - ops.wsus contributors (@ops)
extends_documentation_fragment:
  - ops.wsus.connection
  - ops.wsus.attributes
options:
  state:
    description:
      - V(completed) makes sure a synchronization has finished, starting one if needed, and waits for it.
      - V(started) starts one unless one is running, and does not wait.
      - V(stopped) cancels a running synchronization, if any.
    type: str
    choices: [completed, started, stopped]
    default: completed
  mode:
    description: V(full) synchronizes updates; V(categories_only) only products and classifications.
    type: str
    choices: [full, categories_only]
    default: full
  max_age:
    description:
      - A duration (V(90m), V(24h), V(7d), V(1h30m)). When the last successful synchronization ended less than
        this long ago and none runs, nothing is started and the task reports no change.
    type: str
  wait_timeout:
    description:
      - How long to wait for the synchronization (a duration), including retried starts and, for
        O(state=stopped), the stop. On timeout the task fails with the progress reached and leaves the
        synchronization running, unless O(cancel_on_timeout=true).
      - Named C(wait_timeout) because O(timeout) is the per-request timeout shared by every module.
    type: str
    default: 2h
  poll_interval:
    description:
      - The longest pause between two status requests, in seconds. Polling starts near 2 seconds and backs off
        to this cap. Each poll makes one status request (two when the phase reads idle).
    type: int
    default: 15
  cancel_on_timeout:
    description: Cancel the synchronization when O(wait_timeout) is reached (and wait up to 60 s for it to stop).
    type: bool
    default: false
  fail_on_error:
    description:
      - Fail the task when the synchronization ends failed, canceled, or with a result that cannot be read
        (V(unknown)), with the server's error text.
      - A failure the server recorded without a reason fails with a message that says so and points to the
        console's Synchronizations node and C(%ProgramFiles%\Update Services\LogFiles\SoftwareDistribution.log).
    type: bool
    default: true
seealso:
  - module: ops.wsus.sync_options
  - module: ops.wsus.server_info
"""

EXAMPLES = r"""
- name: Synchronize unless a successful synchronization is less than a day old
  ops.wsus.sync:
    server: wsus01.corp.example
    max_age: 24h
  delegate_to: localhost
  register: sync

- name: Cancel a running synchronization
  ops.wsus.sync:
    server: wsus01.corp.example
    state: stopped
  delegate_to: localhost
"""

RETURN = r"""
started:
  description: Whether this task started a synchronization.
  returned: always
  type: bool
result:
  description: >-
    V(succeeded), V(failed), V(canceled), V(running) (not waited for), V(never_run), V(not_running)
    (O(state=stopped) with nothing to stop), V(stopping) (asked to stop, not stopped in time), V(not_started)
    (WSUS kept refusing the start while none ran) or V(unknown) (the end event is one ops.wsus does not know,
    see RV(sync.event_id), or there is none).
  returned: always
  type: str
  sample: succeeded
sync:
  description: The synchronization this task started, joined or found.
  returned: always
  type: dict
  contains:
    started_at:
      description: Start time (ISO 8601, UTC).
      type: str
    finished_at:
      description: End time (ISO 8601, UTC).
      type: str
    duration_s:
      description: Duration in seconds.
      type: float
    manual:
      description: Started by hand or by a tool rather than by the schedule.
      type: bool
    error_text:
      description: >-
        The server's error message when it failed (for example C(Synchronization failed. Reason: The remote
        name could not be resolved: 'sws.update.microsoft.com'.)), or null when the server gave no reason.
      type: str
    event_id:
      description: >-
        The id of the end event the result was read from (namespace 2: 384 succeeded, 385 or 387 canceled,
        386 failed; any end event with a non-zero Win32HResult is a failure), or null.
      type: int
msg:
  description: Why nothing was started (O(max_age)), or that the task joined a synchronization that started between
    its state read and its start request.
  returned: sometimes
  type: str
progress:
  description: The progress reached.
  returned: always
  type: dict
  contains:
    phase:
      description: V(not_processing), V(categories), V(updates) or V(approvals).
      type: str
    processed:
      description: Items processed in the phase.
      type: int
    total:
      description: Items in the phase.
      type: int
    percent:
      description: Percentage of the phase.
      type: int
soap_calls:
  description: The SOAP operations the task called, in order.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.ops.wsus.plugins.module_utils._module import WsusModule
from ansible_collections.ops.wsus.plugins.module_utils._sync_run import SYNC_ARGSPEC, run_sync


def work(module):
    return run_sync(module.client(), module.params, module.check_mode)


def main():
    # The action plugin of the same name validates the same SYNC_ARGSPEC and calls the same run_sync.
    module = WsusModule(argument_spec=SYNC_ARGSPEC, supports_check_mode=True)
    module.run(work)


if __name__ == "__main__":
    main()
