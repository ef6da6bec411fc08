# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ops.wsus.validate: check a wsus_sync document against schemas/wsus_sync.schema.json on the
controller and report every violation with its path. Makes no connection and no call to any server."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.ops.wsus.plugins.module_utils._module import CONNECTION_ARGSPEC
from ansible_collections.ops.wsus.plugins.plugin_utils._validate import validate

ARGSPEC = dict(
    document=dict(type="raw", required=True),
    name=dict(type="str", default="wsus_sync"),
)


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # The module is in the action group group/ops.wsus.wsus, so module_defaults may hand it the
        # connection options: accept them and ignore them (nothing here talks to a server).
        args = {key: value for key, value in self._task.args.items() if key not in CONNECTION_ARGSPEC}
        if "document" not in args:
            result.update(failed=True, changed=False, msg="missing required arguments: document")
            return result
        # validate_argument_spec would coerce and template again; only 'name' needs checking.
        unknown = sorted(set(args) - set(ARGSPEC))
        if unknown:
            result.update(
                failed=True,
                changed=False,
                msg="Unsupported parameters for (ops.wsus.validate): %s. Supported parameters: %s"
                % (", ".join(unknown), ", ".join(sorted(ARGSPEC))),
            )
            return result
        name = args.get("name") or ARGSPEC["name"]["default"]
        if not isinstance(name, str):
            result.update(failed=True, changed=False, msg="name must be a string, got %r" % (name,))
            return result
        if not validate.HAS_JSONSCHEMA:
            raise AnsibleActionFail(validate.MISSING_JSONSCHEMA_MSG)

        violations = validate.validate_document(validate.plain_data(args["document"]), root=str(name))
        result["changed"] = False
        # ansible_check_mode only reflects --check; this is the task's own (check_mode: true, apply: ...)
        result["check_mode"] = bool(self._play_context.check_mode)
        result["violations"] = [dict(path=v.path, message=v.message, got=v.got) for v in violations]
        if violations:
            result.update(failed=True, msg=validate.format_violations(violations))
        else:
            result["msg"] = "%s is valid" % name
        return result
