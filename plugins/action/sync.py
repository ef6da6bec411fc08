# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ops.wsus.sync on the controller itself, so that the progress of a running
synchronization reaches the terminal while the task waits (a module's output only arrives at its end).
Delegated to any other host, the task runs the module there instead."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.ops.wsus.plugins.module_utils._module import (
    client_from_params,
    failure_from_error,
    plain_http_warning,
    wsus_argument_spec,
)
from ansible_collections.ops.wsus.plugins.module_utils._sync_run import SYNC_ARGSPEC, run_sync

display = Display()


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        try:
            dummy, params = self.validate_argument_spec(argument_spec=wsus_argument_spec(SYNC_ARGSPEC))
        except AnsibleActionFail as error:
            result.update(failed=True, msg=str(error))
            return result
        if not _runs_on_controller(self._connection):
            # Delegated to a host that is not the controller (a jump host that reaches WSUS): the module
            # runs there, as sync_options does. Its output arrives only when it ends: no live progress.
            result.update(
                self._execute_module(module_name="ops.wsus.sync", module_args=self._task.args, task_vars=task_vars)
            )
            return result
        try:
            client = client_from_params(params)
        except ValueError as error:  # DocumentError: a connection option out of range
            result.update(failed=True, msg=str(error))
            return result
        try:
            label = (task_vars or {}).get("inventory_hostname") or params["server"]
            result.update(run_sync(client, params, self._play_context.check_mode, report=display.display, label=label))
        except Exception as error:  # as WsusModule.run: user errors in one line, bugs with their traceback
            result.update(failure_from_error(error, params))
        finally:
            client.close()
        warning = plain_http_warning(client)
        if warning:
            display.warning(warning)  # once per task; Ansible shows one text once per run
        result["soap_calls"] = list(client.calls)
        return result


def _runs_on_controller(connection):
    """True for the local connection (delegate_to: localhost, connection: local)."""
    return getattr(connection, "transport", None) in ("local", "ansible.builtin.local")
