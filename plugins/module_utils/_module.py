# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""WsusModule: the AnsibleModule every ops.wsus module uses (shared connection options, the
client, and errors turned into one-line ``fail_json`` messages).

FOR INTERNAL COLLECTION USE ONLY: may change in any release.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ._wsusar import transport
from ._wsusar.client import WsusClient
from ._wsusar.errors import WsusError, WsusMissingLibraryError

CONNECTION_ARGSPEC = dict(
    server=dict(type="str", required=True, fallback=(env_fallback, ["WSUS_SERVER"])),
    port=dict(type="int"),
    use_ssl=dict(type="bool", default=False),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    username=dict(type="str", fallback=(env_fallback, ["WSUS_USERNAME"])),
    password=dict(type="str", no_log=True, fallback=(env_fallback, ["WSUS_PASSWORD"])),
    auth=dict(type="str", default="negotiate", choices=["negotiate", "ntlm", "kerberos"]),
    timeout=dict(type="int", default=60),
    culture=dict(type="str", default="en"),
)


class WsusModule(AnsibleModule):
    """An AnsibleModule with the shared WSUS connection options and a ``client()`` factory."""

    def __init__(self, argument_spec=None, **kwargs):
        spec = dict(CONNECTION_ARGSPEC)
        spec.update(argument_spec or {})
        super().__init__(argument_spec=spec, **kwargs)
        if not transport.HAS_SPNEGO:
            self.fail_json(msg=missing_required_lib("pyspnego"), exception=transport.SPNEGO_IMPORT_ERROR)
        self._client = None

    def client(self):
        if self._client is None:
            params = self.params
            self._client = WsusClient.connect(
                params["server"], port=params["port"], use_ssl=params["use_ssl"],
                validate_certs=params["validate_certs"], ca_path=params["ca_path"], username=params["username"],
                password=params["password"], auth=params["auth"], timeout=params["timeout"])
        return self._client

    def calls(self):
        """The SOAP operations this task made, in order (returned for transparency and tests)."""
        return list(self._client.calls) if self._client else []

    def fail_from_error(self, error, **result):
        """One line, no traceback: the message already says what to check."""
        if isinstance(error, WsusMissingLibraryError):
            self.fail_json(msg=str(error), **result)
        self.fail_json(msg="%s: %s" % (self.params["server"], error), soap_calls=self.calls(), **result)

    def run(self, work):
        """Run ``work(self)`` -> result dict; WSUS and planning errors become fail_json."""
        try:
            result = work(self)
        except WsusError as error:
            self.fail_from_error(error)
        except ValueError as error:  # PlanError, ResolveError, ScheduleError: the document's fault
            self.fail_json(msg=str(error), soap_calls=self.calls())
        finally:
            if self._client is not None:
                self._client.close()
        result.setdefault("soap_calls", self.calls())
        self.exit_json(**result)
