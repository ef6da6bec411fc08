#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sync_options
short_description: Make the synchronization options of a WSUS server match a declared document
version_added: 0.1.0
description:
  - Declares what a Windows Server Update Services (WSUS) server synchronizes and how; the options are
    the sections of the C(wsus_sync) document described by C(schemas/wsus_sync.schema.json).
  - Every section is optional. A section or key that is not declared is left as the server has it.
  - The document is validated against the schema on the controller before any call to the server
    (by the action plugin); the error names every offending path.
  - Reads only what the declared sections need, each SOAP call at most once, and writes with at most one
    configuration save, one subscription save and one proxy password change, unless another writer saves
    the same server while the task runs (see RV(conflicts)). A run that writes the subscription reads it
    again right before and right after the write.
  - Never reverts what another writer saved meanwhile in fields the document does not declare. A
    configuration write is refused by WSUS when it is based on a stale read (C(detectConfigChange)) and is
    then planned again on a fresh read. The subscription has no such server-side check, so it is planned on
    a read made right before it is written and read back afterwards.
  - Check mode computes everything, including the diff, and writes nothing.
author:
  - ops.wsus contributors (@ops)
extends_documentation_fragment:
  - ops.wsus.connection
  - ops.wsus.attributes
options:
  update_source:
    description: Where the server synchronizes from.
    type: dict
    suboptions:
      type:
        description: V(microsoft_update), or V(upstream) for another WSUS server.
        type: str
        choices: [microsoft_update, upstream]
      server:
        description: Host name of the upstream WSUS server.
        type: str
      port:
        description: Port of the upstream server. Defaults to V(8530) when O(update_source.type=upstream).
        type: int
      ssl:
        description: Use SSL to synchronize from the upstream server.
        type: bool
      replica:
        description: Make this server a replica of the upstream server (approvals and products come from it).
        type: bool
      content_from_microsoft_update:
        description: Download update files from Microsoft Update even when metadata comes from the upstream.
        type: bool
  proxy:
    description: The proxy the server uses to synchronize.
    type: dict
    suboptions:
      enabled:
        description: Use a proxy server.
        type: bool
      server:
        description: Proxy host name.
        type: str
      port:
        description: Proxy port. Defaults to V(80) when O(proxy.server) is given.
        type: int
      ssl_server:
        description: A separate proxy for SSL traffic.
        type: str
      ssl_port:
        description: Port of the SSL proxy. Defaults to V(443) when O(proxy.ssl_server) is given.
        type: int
      username:
        description: User name for the proxy; setting it turns anonymous proxy access off.
        type: str
      domain:
        description: Domain of O(proxy.username).
        type: str
      password:
        description:
          - Proxy password. WSUS cannot return it, so O(proxy.update_password) decides when it is sent.
          - Never shown in output, diffs or logs.
        type: str
      update_password:
        description:
          - V(on_create) sets the password only when the server has none or the user name changes.
          - V(always) sets it on every run (and so always reports a change).
        type: str
        choices: [on_create, always]
      allow_basic_auth:
        description: Allow sending the credentials in clear text (basic authentication).
        type: bool
  products:
    description:
      - The exact set of products to synchronize. Each item is a title (case-insensitive, with V(*) and V(?)
        wildcards), a GUID, C({title, type}) with type V(company), V(product_family) or V(product), or C({id}).
      - A product family or company stands for all its products, future ones too.
    type: list
    elements: raw
  classifications:
    description: The exact set of update classifications, by title or GUID.
    type: list
    elements: raw
  schedule:
    description: When the server synchronizes by itself.
    type: dict
    suboptions:
      automatic:
        description: Synchronize automatically every day.
        type: bool
      time:
        description: Time of day of the first synchronization, C(HH:MM), 24-hour, in O(schedule.timezone).
        type: str
      timezone:
        description:
          - IANA time zone of O(schedule.time). Defaults to V(UTC) when O(schedule.time) is given.
          - WSUS stores the time in UTC; after a daylight saving change the next run reports the shifted time.
            RV(dst_note) says when the next change comes.
        type: str
      per_day:
        description: Synchronizations per day, 1 to 24, spread evenly.
        type: int
  languages:
    description: V(all), or the list of update language codes to synchronize (e.g. V(en), V(de), V(pt-br)).
    type: raw
  storage:
    description: Where update files are stored.
    type: dict
    suboptions:
      local:
        description: Store update files locally; V(false) lets clients download them from Microsoft Update.
        type: bool
      download_only_approved:
        description: Download files only for approved updates.
        type: bool
      express_files:
        description: Download express installation files.
        type: bool
seealso:
  - module: ops.wsus.server_info
  - module: ops.wsus.categories_info
  - module: ops.wsus.sync
"""

EXAMPLES = r"""
- name: Synchronize Windows Server from Microsoft Update every night through a proxy
  ops.wsus.sync_options:
    server: wsus01.corp.example
    username: CORP\svc-wsus
    password: "{{ vault_wsus_password }}"
    update_source:
      type: microsoft_update
    proxy:
      enabled: true
      server: proxy.corp.example
      port: 3128
      username: svc-proxy
      domain: CORP
      password: "{{ vault_proxy_password }}"
    products:
      - Windows Server 2022
      - title: Office
        type: product_family
    classifications: [Critical Updates, Security Updates]
    schedule:
      automatic: true
      time: "03:00"
      timezone: Europe/Berlin
      per_day: 1
    languages: [en, de]
  delegate_to: localhost

- name: Only change the schedule, leave everything else as it is
  ops.wsus.sync_options:
    server: wsus01.corp.example
    schedule:
      automatic: false
  delegate_to: localhost
"""

RETURN = r"""
changes:
  description: One readable line per change made (or, in check mode, that would be made).
  returned: always
  type: list
  elements: str
  sample: ["products: +Windows Server 2022, -Windows 10", "proxy.port: 80 -> 3128"]
diff:
  description:
    - Before and after of the declared sections, in the document's shape; passwords masked.
    - O(schedule.time) comes, in a zone with daylight saving, with C(dst_note) (see RV(dst_note)).
  returned: when diff mode is on
  type: dict
dst_note:
  description:
    - When O(schedule.time) is declared in a zone whose UTC offset changes within a year, the day it changes and
      the local time the stored UTC time will mean then; null otherwise. A note, not a change (also in check
      mode); the task must run again on or after that day to move the time back.
  returned: always
  type: str
  sample: >-
    on 2027-03-28 Europe/Berlin changes its UTC offset: schedule.time (03:00), stored as 02:00 UTC, will then mean
    04:00 local time instead of 03:00; run the role again on or after that day to move it back
applied:
  description: The writes made, in order (V(configuration), V(proxy password), V(subscription)).
  returned: always
  type: list
  elements: str
conflicts:
  description:
    - What other writers (the WSUS console, a script, another pipeline) saved on the server while the task
      ran, and what the task did about it; empty when nobody did. One line per event.
    - A configuration write is sent with the change number that was read and WSUS refuses it when someone
      saved the configuration since; the task then reads it again, plans again and writes again (at most 3
      writes). The subscription is planned again on a read made right before it is written, and its declared
      parts are read back afterwards; when they differ, it is written once more on a fresh read.
    - When such a second plan differs from what the first read gave (what check mode and the diff showed),
      the line says so, gives both, and is also a warning; RV(changes) and RV(diff) are then
      those of the plan that was written. See docs/faults.md, "Other writers".
  returned: always
  type: list
  elements: str
  sample:
    - "configuration: WSUS refused the write because another writer saved the configuration after this task read
      it (configurationChangeNumber 41, now 42); read it again and planned again: writing it again (write 2 of at
      most 3)"
declared:
  description: The sections the task declared.
  returned: always
  type: list
  elements: str
soap_calls:
  description: The SOAP operations the task called, in order.
  returned: always
  type: list
  elements: str
  sample: [ExecuteSPGetConfiguration, GetSubscription]
"""

from ansible_collections.ops.wsus.plugins.module_utils._module import WsusModule
from ansible_collections.ops.wsus.plugins.module_utils._sync_options import ensure_sync_options
from ansible_collections.ops.wsus.plugins.module_utils._state.document import SECTIONS


def _section(**options):
    return dict(type="dict", options={name: dict(type=kind) for name, kind in options.items()})


ARGSPEC = dict(
    update_source=dict(
        type="dict",
        options=dict(
            type=dict(type="str", choices=["microsoft_update", "upstream"]),
            server=dict(type="str"),
            port=dict(type="int"),
            ssl=dict(type="bool"),
            replica=dict(type="bool"),
            content_from_microsoft_update=dict(type="bool"),
        ),
    ),
    proxy=dict(
        type="dict",
        options=dict(
            enabled=dict(type="bool"),
            server=dict(type="str"),
            port=dict(type="int"),
            ssl_server=dict(type="str"),
            ssl_port=dict(type="int"),
            username=dict(type="str"),
            domain=dict(type="str"),
            password=dict(type="str", no_log=True),
            update_password=dict(type="str", choices=["on_create", "always"], no_log=False),
            allow_basic_auth=dict(type="bool"),
        ),
    ),
    products=dict(type="list", elements="raw"),
    classifications=dict(type="list", elements="raw"),
    schedule=_section(automatic="bool", time="str", timezone="str", per_day="int"),
    languages=dict(type="raw"),
    storage=_section(local="bool", download_only_approved="bool", express_files="bool"),
)


def run(module):
    document = {section: module.params[section] for section in SECTIONS}
    changed, result = ensure_sync_options(
        module.client(),
        document,
        check_mode=module.check_mode,
        culture=module.params["culture"],
        user_name=module.params["username"],
    )
    return module.finish(changed, result)


def main():
    module = WsusModule(argument_spec=ARGSPEC, supports_check_mode=True)
    module.run(run)


if __name__ == "__main__":
    main()
