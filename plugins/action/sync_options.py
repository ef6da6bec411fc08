# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validate the declared document against schemas/wsus_sync.schema.json on the controller, before
the module makes any call to the server, then run the module."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.action import ActionBase

from ansible_collections.ops.wsus.plugins.module_utils._module import CONNECTION_ARGSPEC
from ansible_collections.ops.wsus.plugins.module_utils._state.document import SECTIONS
from ansible_collections.ops.wsus.plugins.plugin_utils._validate import validate

# The name under which validation errors are reported (the role's variable).
DOCUMENT_VARIABLE = "wsus_sync"


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # Everything but the connection options is the document, so that a misspelled section gets
        # the schema's "did you mean" rather than Ansible's list of parameters.
        document = {
            key: value
            for key, value in self._task.args.items()
            if key not in CONNECTION_ARGSPEC and (value is not None or key not in SECTIONS)
        }
        problems = check_document(document)
        if problems:
            result.update(failed=True, changed=False, msg=problems, validation_errors=problems.splitlines()[1:])
            return result
        result.update(
            self._execute_module(module_name="ops.wsus.sync_options", module_args=self._task.args, task_vars=task_vars)
        )
        return result


def check_document(document):
    """The formatted violations of ``document``, or "" when it is valid."""
    if not validate.HAS_JSONSCHEMA:
        raise AnsibleActionFail(
            missing_required_lib("jsonschema") + " (on the controller, to validate the wsus_sync document)"
        )
    violations = validate.validate_document(validate.plain_data(document), root=DOCUMENT_VARIABLE)
    return validate.format_violations(violations) if violations else ""
