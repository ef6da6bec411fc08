# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate the declared notifications section against schemas/wsus_sync.schema.json on the controller,
before the module makes any call to the server, then run the module (as action/sync_options.py does)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.ops.wsus.plugins.action.sync_options import check_document
from ansible_collections.ops.wsus.plugins.module_utils._module import CONNECTION_ARGSPEC

# The task's options that are no key of the section.
TASK_OPTIONS = ("send_test_email",)


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # Everything but the connection and task options is the section, so that a misspelt key gets the
        # schema's "did you mean" and its path (wsus_sync.notifications.<key>) rather than Ansible's list.
        section = {
            key: value
            for key, value in self._task.args.items()
            if key not in CONNECTION_ARGSPEC and key not in TASK_OPTIONS and value is not None
        }
        problems = check_document({"notifications": section})
        if problems:
            result.update(failed=True, changed=False, msg=problems, validation_errors=problems.splitlines()[1:])
            return result
        result.update(
            self._execute_module(module_name="ops.wsus.notifications", module_args=self._task.args, task_vars=task_vars)
        )
        return result
