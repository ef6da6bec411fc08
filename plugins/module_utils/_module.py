# -*- coding: utf-8 -*-
# Copyright: (c) 2026, ops.wsus contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""WsusModule: the AnsibleModule every ops.wsus module uses (shared connection options, the
client, and errors turned into ``fail_json``). ``client_from_params`` and ``failure_from_error`` are
shared with the action plugins that do a module's work on the controller (``action/sync.py``).

FOR INTERNAL COLLECTION USE ONLY: may change in any release.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ._state.errors import DocumentError
from ._wsusar import limits, transport
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
    spn_host=dict(type="str"),
    timeout=dict(type="int", default=60),
    request_timeout=dict(type="int", default=limits.DEFAULT_REQUEST_TIMEOUT),
    max_response_mb=dict(type="int", default=limits.DEFAULT_MAX_RESPONSE_MB),
    culture=dict(type="str", default="en"),
)


def wsus_argument_spec(options=None):
    """The connection options followed by a module's own ``options``."""
    spec = dict(CONNECTION_ARGSPEC)
    spec.update(options or {})
    return spec


def client_from_params(params):
    """A WsusClient for the validated connection options in ``params`` (a module's or an action's)."""
    for name in ("timeout", "request_timeout", "max_response_mb"):
        if params[name] < 1:
            raise DocumentError("%s must be at least 1, not %s" % (name, params[name]))
    return WsusClient.connect(
        params["server"],
        port=params["port"],
        use_ssl=params["use_ssl"],
        validate_certs=params["validate_certs"],
        ca_path=params["ca_path"],
        username=params["username"],
        password=params["password"],
        auth=params["auth"],
        spn_host=params["spn_host"],
        timeout=params["timeout"],
        request_timeout=params["request_timeout"],
        max_response_mb=params["max_response_mb"],
    )


# Not tied to a server on purpose: Ansible shows a warning text once per run, however many tasks and hosts
# return it (docs/faults.md, "Credentials on plain HTTP").
PLAIN_HTTP_NTLM_WARNING = (
    "ops.wsus authenticated with NTLM over plain HTTP (use_ssl: false): anyone on the network path can relay "
    "that exchange to another server or try to crack the password from it offline. Set use_ssl: true (WSUS "
    "serves HTTPS on 8531) or use Kerberos (auth: kerberos); see docs/faults.md, 'Credentials on plain HTTP'."
)


def plain_http_warning(client):
    """PLAIN_HTTP_NTLM_WARNING when ``client`` authenticated with NTLM over plain HTTP, else None."""
    if getattr(getattr(client, "transport", None), "ntlm_over_http", False):
        return PLAIN_HTTP_NTLM_WARNING
    return None


def failure_from_error(error, params, calls=None):
    """The fields of a failed task's result for ``error``, raised while doing the task with ``params``.

    A WsusError says what happened on which server in one line (an error that carries the task's result so
    far, such as SyncError's ``result``, adds its fields). A DocumentError is the user's mistake: its one
    line as it is. Anything else is a bug in ops.wsus: the message names the exception's type and
    ``exception`` holds the traceback (Ansible shows it with -vvv). ``calls``: the SOAP operations made, for
    ``soap_calls``."""
    fields: dict = {"failed": True, "changed": False}
    if isinstance(error, WsusMissingLibraryError):
        fields["msg"] = str(error)  # the controller lacks a package: not the server's fault
    elif isinstance(error, WsusError):
        fields.update(getattr(error, "result", None) or {})
        fields["msg"] = "%s: %s" % (params["server"], error)
    elif isinstance(error, DocumentError):
        fields["msg"] = str(error)
    else:
        fields["msg"] = "%s: unexpected %s: %s (a bug in ops.wsus; run with -vvv for the traceback)" % (
            params["server"],
            type(error).__name__,
            error,
        )
        fields["exception"] = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    if calls is not None:
        fields["soap_calls"] = list(calls)
    return fields


class WsusModule(AnsibleModule):
    """An AnsibleModule with the shared WSUS connection options and a ``client()`` factory."""

    def __init__(self, argument_spec=None, **kwargs):
        super().__init__(argument_spec=wsus_argument_spec(argument_spec), **kwargs)
        if not transport.HAS_SPNEGO:
            self.fail_json(msg=missing_required_lib("pyspnego"), exception=transport.SPNEGO_IMPORT_ERROR)
        self._client = None

    def client(self):
        if self._client is None:
            self._client = client_from_params(self.params)
        return self._client

    def calls(self):
        """The SOAP operations this task made, in order (returned for transparency and tests)."""
        return list(self._client.calls) if self._client else []

    def _warn_plain_http(self):
        """Once per task, not per request: the transport only records that it happened."""
        warning = plain_http_warning(self._client)
        if warning:
            self.warn(warning)

    def fail_from_error(self, error, **result):
        """fail_json for ``error`` (see ``failure_from_error``), with ``result``'s fields added."""
        fields = failure_from_error(error, self.params, self.calls())
        fields.update(result)
        self.fail_json(**fields)

    def finish(self, changed, result):
        """``result`` made ready to return: its ``warnings`` shown as the task's warnings, its ``diff`` kept only
        in diff mode (a plan always computes one; showing it unasked would print what the user did not ask
        for), and ``changed`` set. Returns ``result``."""
        for warning in result.pop("warnings", None) or []:
            self.warn(warning)
        if "diff" in result:
            diff = result.pop("diff")
            if self._diff:
                result["diff"] = diff
        result["changed"] = changed
        return result

    def run(self, work):
        """Run ``work(self)`` -> result dict, and exit with it; any exception becomes fail_json: WSUS errors
        and the document's (DocumentError) in one line, others (bugs) with their traceback."""
        try:
            result = work(self)
        except Exception as error:  # anything: failure_from_error tells user errors from bugs
            self._warn_plain_http()
            self.fail_from_error(error)
        finally:
            if self._client is not None:
                self._client.close()
        self._warn_plain_http()
        result.setdefault("soap_calls", self.calls())
        self.exit_json(**result)
