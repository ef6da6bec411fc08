#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: notifications
short_description: Make the e-mail notifications of a WSUS server match the notifications section of a document
version_added: 0.1.0
description:
  - Declares the e-mail notifications of a Windows Server Update Services (WSUS) server, the C(notifications)
    section of the C(wsus_sync) document (C(schemas/wsus_sync.schema.json), docs/document.md).
  - Every key is optional. A key that is not declared is left as the server has it; a recipients list is an
    exact set (compared case-insensitively), V([]) clears it.
  - The section is validated against the schema on the controller before any call to the server (by the
    action plugin); the planner then refuses, before any write, settings WSUS could not use (notifications
    on with no recipient, authentication with no user, a stored time of day that is no number of seconds).
  - Reads the e-mail configuration once, each recipient list only when the task needs it, and whether an
    SMTP password is set only when O(smtp.password) is declared. Writes at most the configuration, each
    recipient list, and the password, in that order.
  - Check mode computes everything, including the diff, and writes nothing.
  - WSUS stores the status report's time of day in UTC. In a zone with daylight saving, the stored time means
    another local time after the next change of offset; RV(dst_note) says when, and the task must run again
    then to move it back.
author:
  - ops.wsus contributors (@ops)
extends_documentation_fragment:
  - ops.wsus.connection
  - ops.wsus.attributes
options:
  language:
    description: The language of the e-mails, as WSUS lists it (V(en), V(de), V(zh-cn), ...).
    type: str
  new_updates:
    description: The e-mail WSUS sends when a synchronization brings new updates.
    type: dict
    suboptions:
      enabled:
        description: Send it.
        type: bool
      recipients:
        description: Its recipients, one plain address per item; exactly this set. V([]) clears the list.
        type: list
        elements: str
  status_report:
    description: The status report WSUS sends daily or weekly.
    type: dict
    suboptions:
      enabled:
        description: Send it.
        type: bool
      frequency:
        description: How often.
        type: str
        choices: [daily, weekly]
      time:
        description:
          - Local time of day, V(HH:MM), in O(status_report.timezone).
          - WSUS stores it in UTC; after a daylight saving change the next run moves it back (see RV(dst_note)).
        type: str
      timezone:
        description: IANA time zone of O(status_report.time). Defaults to V(UTC) when O(status_report.time) is set.
        type: str
      recipients:
        description: Its recipients, one plain address per item; exactly this set. V([]) clears the list.
        type: list
        elements: str
  smtp:
    description: The SMTP server WSUS sends through.
    type: dict
    suboptions:
      host:
        description: Host name or IP address (no scheme, no port).
        type: str
      port:
        description: TCP port, 1 to 65535. Defaults to V(25) when O(smtp.host) is set.
        type: int
      sender_name:
        description: The sender's display name.
        type: str
      sender_address:
        description: The sender's e-mail address.
        type: str
      authentication:
        description: Whether the SMTP server needs a user and password.
        type: bool
      user:
        description: The SMTP user name.
        type: str
      password:
        description:
          - The SMTP user's password, write-only. WSUS only tells whether one is set, so it is shown nowhere
            (changes, diff, report) and sent as O(smtp.update_password) says.
        type: str
      update_password:
        description:
          - V(on_create) sends O(smtp.password) only when the server has none, or when O(smtp.user) changes
            (as C(proxy.password) of M(ops.wsus.sync_options)); V(always) sends it on every run (the task then
            always reports a change). Defaults to V(on_create) when O(smtp.password) is set.
        type: str
        choices: [on_create, always]
  send_test_email:
    description:
      - V(on_change) asks the server to send its test e-mail after this task changed something, V(always)
        on every run, V(never) not at all. Never in check mode.
      - It goes to every address of both recipient lists, with the server's settings after the writes.
      - With O(smtp.update_password=always), V(on_change) sends it on every run too, since writing the password
        is a change on every run.
    type: str
    choices: [never, on_change, always]
    default: never
seealso:
  - module: ops.wsus.sync_options
  - module: ops.wsus.server_info
"""

EXAMPLES = r"""
- name: E-mail the WSUS admins after each synchronization that brings new updates, through an SMTP relay
  ops.wsus.notifications:
    server: wsus01.corp.example
    language: en
    new_updates:
      enabled: true
      recipients: [wsus-admins@example.com, ops@example.com]
    status_report:
      enabled: true
      frequency: daily
      time: "07:00"
      timezone: Europe/Berlin
      recipients: [wsus-admins@example.com]
    smtp:
      host: smtp.example.com
      port: 587
      sender_name: WSUS Contoso
      sender_address: wsus@example.com
      authentication: true
      user: CONTOSO\wsus-mail
      password: "{{ vault_smtp_password }}"
    send_test_email: on_change
  delegate_to: localhost
"""

RETURN = r"""
changes:
  description: One readable line per change made (or, in check mode, that would be made); never a password.
  returned: always
  type: list
  elements: str
  sample:
    - "notifications.new_updates.recipients: +ops@example.com"
    - "notifications.smtp.port: 25 -> 587"
    - "notifications.smtp.password: set (the server has none)"
diff:
  description:
    - Before and after of the declared keys, in the document's shape under C(notifications); the password
      only as a mask when one is (or will be) set.
    - O(status_report.time) comes with C(time_utc) (what WSUS stores) and, in a zone with daylight saving,
      C(dst_note).
  returned: when diff mode is on
  type: dict
applied:
  description:
    - The writes made, in order (V(configuration), V(new_updates recipients), V(status_report recipients),
      V(smtp password)); empty in check mode.
  returned: always
  type: list
  elements: str
dst_note:
  description:
    - When O(status_report.time) is declared in a zone whose UTC offset changes within a year, the day it
      changes and the local time the stored UTC time will mean then; null otherwise.
  returned: always
  type: str
  sample: >-
    on 2027-03-28 Europe/Berlin changes its UTC offset: notifications.status_report.time (07:00), stored as
    06:00 UTC, will then mean 08:00 local time instead of 07:00; run the role again on or after that day to move
    it back
test_email:
  description: The test e-mail, when O(send_test_email) is not V(never); null otherwise.
  returned: always
  type: dict
  contains:
    sent:
      description: >-
        Whether the server was asked to send it and accepted (false in check mode, or when nothing changed with
        V(on_change)).
      type: bool
    recipients:
      description: The addresses it goes (or would go) to.
      type: list
      elements: str
    error:
      description: The server's answer when sending failed (the task then fails), else null.
      type: str
soap_calls:
  description: The SOAP operations the task called, in order.
  returned: always
  type: list
  elements: str
  sample: [ExecuteSPGetEmailNotificationConfiguration, ExecuteSPGetEmailNotificationRecipients]
"""

from ansible_collections.ops.wsus.plugins.module_utils._module import WsusModule
from ansible_collections.ops.wsus.plugins.module_utils._notifications import ensure_notifications

SECTION_OPTIONS = ("language", "new_updates", "status_report", "smtp")

ARGSPEC = dict(
    language=dict(type="str"),
    new_updates=dict(
        type="dict",
        options=dict(enabled=dict(type="bool"), recipients=dict(type="list", elements="str")),
    ),
    status_report=dict(
        type="dict",
        options=dict(
            enabled=dict(type="bool"),
            frequency=dict(type="str", choices=["daily", "weekly"]),
            time=dict(type="str"),
            timezone=dict(type="str"),
            recipients=dict(type="list", elements="str"),
        ),
    ),
    smtp=dict(
        type="dict",
        options=dict(
            host=dict(type="str"),
            port=dict(type="int"),
            sender_name=dict(type="str"),
            sender_address=dict(type="str"),
            authentication=dict(type="bool"),
            user=dict(type="str"),
            password=dict(type="str", no_log=True),
            update_password=dict(type="str", choices=["on_create", "always"], no_log=False),
        ),
    ),
    send_test_email=dict(type="str", choices=["never", "on_change", "always"], default="never"),
)


def run(module):
    section = {name: module.params[name] for name in SECTION_OPTIONS}
    changed, result = ensure_notifications(
        module.client(),
        section,
        check_mode=module.check_mode,
        send_test_email=module.params["send_test_email"],
        user_name=module.params["username"],
    )
    return module.finish(changed, result)


def main():
    module = WsusModule(argument_spec=ARGSPEC, supports_check_mode=True)
    module.run(run)


if __name__ == "__main__":
    main()
