"""WsusModule.finish (the result of a module that plans: its warnings shown, its diff only in diff mode) and
server_info's notifications read, which a permission error turns into null and a warning rather than a
failed task."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from ansible.module_utils import basic

from ansible_collections.ops.wsus.plugins.module_utils import _module
from ansible_collections.ops.wsus.plugins.module_utils._module import WsusModule
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import WsusPermissionError, WsusSoapFault
from ansible_collections.ops.wsus.plugins.modules import server_info

REFUSED = WsusPermissionError(
    "user WSUS\\reporter may not call ExecuteSPGetEmailNotificationConfiguration on wsus01.corp.example:8530 "
    "(Access denied)",
    "ExecuteSPGetEmailNotificationConfiguration",
)


class Exited(Exception):
    def __init__(self, how, fields):
        super().__init__(how)
        self.how = how
        self.fields = fields


class FakeClient:
    """Answers the server facts; the e-mail configuration read raises ``email_error``."""

    def __init__(self, email_error):
        self.calls = []
        self.email_error = email_error

    def _call(self, name, value):
        self.calls.append(name)
        return value

    def get_server_version(self):
        return self._call("GetServerVersion", "10.0.20348.1")

    def get_server_protocol_version(self):
        return self._call("GetServerProtocolVersion", "1.20")

    def get_current_user_role(self):
        return self._call("GetCurrentUserRole", "reporter")

    def get_email_configuration(self):
        self.calls.append("ExecuteSPGetEmailNotificationConfiguration")
        raise self.email_error

    def close(self):
        pass


def module_args(args):
    """AnsibleModule's input (ansible.module_utils.testing.patch_module_args where ansible-core has it)."""
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:  # ansible-core < 2.19
        return mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
    return patch_module_args(args)


@pytest.fixture
def make_module(monkeypatch):
    """A WsusModule for ``args`` whose exits raise Exited and whose warnings are recorded in ``.warned``."""

    def exit_json(self, **fields):
        raise Exited("exit_json", fields)

    def fail_json(self, msg, **fields):
        raise Exited("fail_json", dict(fields, msg=msg))

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)

    def make(args, argument_spec=None, client=None):
        monkeypatch.setattr(_module, "client_from_params", lambda params: client)
        with module_args(dict({"server": "wsus01.corp.example"}, **args)):
            module = WsusModule(argument_spec=argument_spec or {}, supports_check_mode=True)
        module.warned = []
        monkeypatch.setattr(module, "warn", module.warned.append)
        return module

    return make


@pytest.mark.parametrize("diff_mode", [True, False])
def test_finish_shows_the_warnings_and_keeps_the_diff_only_in_diff_mode(make_module, diff_mode):
    module = make_module({"_ansible_diff": diff_mode})
    diff = {"before": "a: 1\n", "after": "a: 2\n"}
    result = {"applied": ["configuration"], "warnings": ["first", "second"], "diff": diff}
    finished = module.finish(True, result)
    assert finished is result
    assert module.warned == ["first", "second"]
    assert finished == dict({"applied": ["configuration"], "changed": True}, **({"diff": diff} if diff_mode else {}))


def test_finish_without_warnings_or_diff_sets_only_changed(make_module):
    module = make_module({"_ansible_diff": True})
    assert module.finish(False, {"applied": []}) == {"applied": [], "changed": False}
    assert module.warned == []


def run_server_info(make_module, gather, email_error):
    client = FakeClient(email_error)
    module = make_module({"gather": gather}, server_info.ARGSPEC, client)
    with pytest.raises(Exited) as exited:
        module.run(server_info.run)
    return exited.value, module, client


@pytest.mark.parametrize("gather", [["server", "notifications"], ["notifications"]])
def test_server_info_returns_null_notifications_and_a_warning_when_refused(make_module, gather):
    exited, module, client = run_server_info(make_module, gather, REFUSED)
    assert exited.how == "exit_json", exited.fields
    assert exited.fields["notifications"] is None and exited.fields["changed"] is False
    assert "warnings" not in exited.fields  # shown through module.warn, not returned as a key
    [warning] = module.warned
    assert warning.startswith("notifications were not read (returned as null): user WSUS\\reporter may not call")
    assert warning.endswith("Leave notifications out of gather to skip this read.")
    assert client.calls.count("ExecuteSPGetEmailNotificationConfiguration") == 1
    assert exited.fields["soap_calls"] == client.calls
    if "server" in gather:
        assert exited.fields["role"] == "reporter"  # the other facts are still returned


def test_server_info_still_fails_on_another_error_of_the_email_read(make_module):
    fault = WsusSoapFault("WSUS rejected ExecuteSPGetEmailNotificationConfiguration: SqlException", "x")
    exited, module, client = run_server_info(make_module, ["notifications"], fault)
    assert exited.how == "fail_json"
    assert exited.fields["msg"] == "wsus01.corp.example: %s" % fault
    assert module.warned == []


def test_server_info_returns_what_was_read_without_a_warning(make_module, monkeypatch):
    section = {"language": "en", "new_updates": {"enabled": False, "recipients": []}}
    monkeypatch.setattr(server_info, "read_section", lambda client, timezone: dict(section, tz=timezone))
    exited, module, client = run_server_info(make_module, ["notifications"], REFUSED)
    assert exited.fields["notifications"] == dict(section, tz="UTC")
    assert module.warned == []
