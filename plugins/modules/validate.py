#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: validate
short_description: Check a wsus_sync document against the collection's JSON Schema, on the controller
version_added: 0.1.0
description:
  - >-
    Validates a C(wsus_sync) document against C(schemas/wsus_sync.schema.json) (JSON Schema 2020-12) on the
    Ansible controller and fails with the path of B(every) violation, for example
    C(wsus_sync.proxy.port: must be an integer from 1 to 65535 (got 70000)).
  - Makes no connection and no call to any WSUS server, so it can run before anything else (the
    P(ops.wsus.wsus_sync#role) role runs it first).
  - Messages never show the value of a password; such values appear as C(********).
  - Runs entirely in its action plugin. It is a member of the action group C(group/ops.wsus.wsus) and ignores
    the connection options that C(module_defaults) gives the group (C(server), C(password), ...).
author:
  - ops.wsus contributors (@ops)
extends_documentation_fragment:
  - ops.wsus.attributes
attributes:
  check_mode:
    support: full
    details: Only reads its arguments; runs the same in check mode.
  diff_mode:
    support: none
    details: Changes nothing.
options:
  document:
    description:
      - The document to check, usually C({{ wsus_sync }}). See C(docs/document.md) for its sections.
      - V(null) and anything that is not a mapping are reported as violations, not as argument errors.
    type: raw
    required: true
  name:
    description: The name the paths in the messages start with (the inventory variable that holds the document).
    type: str
    default: wsus_sync
requirements:
  - jsonschema >= 4.18 (on the controller)
seealso:
  - module: ops.wsus.sync_options
"""

EXAMPLES = r"""
- name: Check the document before touching any server
  ops.wsus.validate:
    document: "{{ wsus_sync }}"

- name: Check a document held in another variable; paths then start with its name
  ops.wsus.validate:
    document: "{{ candidate_settings }}"
    name: candidate_settings
  register: check
  ignore_errors: true

- name: Show the violations one per line
  ansible.builtin.debug:
    msg: "{{ check.violations | map(attribute='path') | list }}"
"""

RETURN = r"""
msg:
  description: >-
    C(<name> is valid), or the formatted list of violations (one C(- path: message) line each).
  returned: always
  type: str
  sample: "wsus_sync is invalid (1 problem):\n- wsus_sync.proxy.port: must be an integer from 1 to 65535 (got 70000)"
check_mode:
  description:
    - Whether the task ran in check mode, from C(--check) or from the task's own C(check_mode) keyword (unlike
      C(ansible_check_mode), which only reflects C(--check)). The P(ops.wsus.wsus_sync#role) role uses it to
      label its report.
  returned: always
  type: bool
  sample: false
violations:
  description: Every violation, sorted by path; empty when the document is valid.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: Where the problem is, such as C(wsus_sync.products[3]) or C(wsus_sync.schedule.time).
      type: str
    message:
      description: What is wrong and what is allowed.
      type: str
    got:
      description:
        - A short display of the offending value; C(********) for a password; null when there is nothing to show.
      type: str
  sample: [{"path": "wsus_sync.prodcts", "message": "unknown key 'prodcts'; did you mean 'products'?", "got": null}]
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(
        argument_spec=dict(document=dict(type="raw", required=True), name=dict(type="str", default="wsus_sync")),
        supports_check_mode=True,
    )
    module.fail_json(
        msg="ops.wsus.validate runs on the controller through its action plugin; it cannot run as "
        "a module on a target. Call it as a task (ops.wsus.validate) from a playbook or role."
    )


if __name__ == "__main__":
    main()
