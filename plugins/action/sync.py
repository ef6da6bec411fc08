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

from ansible_collections.ops.wsus.plugins.module_utils._module import CONNECTION_ARGSPEC
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.client import WsusClient
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusError
from ansible_collections.ops.wsus.plugins.modules.sync import ARGSPEC, run_sync
from ansible_collections.ops.wsus.plugins.module_utils._sync_run import SyncError

display = Display()


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        spec = dict(CONNECTION_ARGSPEC)
        spec.update(ARGSPEC)
        try:
            dummy, params = self.validate_argument_spec(argument_spec=spec)
        except AnsibleActionFail as error:
            result.update(failed=True, msg=str(error))
            return result
        if not _runs_on_controller(self._connection):
            # Delegated to a host that is not the controller (a jump host that reaches WSUS): the module
            # runs there, as sync_options does. Its output arrives only when it ends: no live progress.
            result.update(self._execute_module(module_name="ops.wsus.sync", module_args=self._task.args,
                                               task_vars=task_vars))
            return result
        client = WsusClient.connect(params["server"], port=params["port"], use_ssl=params["use_ssl"],
                                    validate_certs=params["validate_certs"], ca_path=params["ca_path"],
                                    username=params["username"], password=params["password"],
                                    auth=params["auth"], timeout=params["timeout"])
        try:
            label = (task_vars or {}).get("inventory_hostname") or params["server"]
            result.update(run_sync(client, params, self._play_context.check_mode, report=display.display,
                                   label=label))
        except SyncError as error:
            result.update(error.result, failed=True, msg="%s: %s" % (params["server"], error))
        except WsusError as error:
            result.update(failed=True, changed=False, msg="%s: %s" % (params["server"], error))
        except ValueError as error:
            result.update(failed=True, changed=False, msg=str(error))
        finally:
            client.close()
        result["soap_calls"] = list(client.calls)
        return result


def _runs_on_controller(connection):
    """True for the local connection (delegate_to: localhost, connection: local)."""
    return getattr(connection, "transport", None) in ("local", "ansible.builtin.local")
