"""How a failure reaches the user, in the modules (WsusModule.run) and in the sync action plugin
(failure_from_error): a user's mistake (DocumentError) or a WSUS error in one line, anything else (a bug)
with its type in the message and its traceback in ``exception`` (shown with -vvv)."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.plugins.action import ActionBase

from ansible_collections.ops.wsus.plugins.action import sync as sync_action
from ansible_collections.ops.wsus.plugins.module_utils import _module
from ansible_collections.ops.wsus.plugins.module_utils._module import WsusModule, failure_from_error
from ansible_collections.ops.wsus.plugins.module_utils._state.errors import DocumentError
from ansible_collections.ops.wsus.plugins.module_utils._state.plan import PlanError
from ansible_collections.ops.wsus.plugins.module_utils._state.resolve import ResolveError
from ansible_collections.ops.wsus.plugins.module_utils._state.schedule import ScheduleError
from ansible_collections.ops.wsus.plugins.module_utils._sync_run import SYNC_ARGSPEC, SyncError, parse_duration
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import (
    WsusConnectionError,
    WsusMissingLibraryError,
)

PARAMS = {"server": "wsus01.corp.example"}


def broken_work(*args, **kwargs):
    """A bug: a KeyError deep in the work."""
    return {}["UpdateSource"]


def raised(function, *args):
    try:
        function(*args)
    except Exception as error:  # the error with its traceback, as the callers catch it
        return error
    raise AssertionError("%s raised nothing" % function.__name__)


# ------------------------------------------------------------------ the error family


@pytest.mark.parametrize("error_class", [PlanError, ResolveError, ScheduleError])
def test_the_documents_errors_are_document_errors(error_class):
    assert issubclass(error_class, DocumentError) and issubclass(error_class, ValueError)


def test_a_bad_duration_is_the_users_mistake():
    assert isinstance(raised(parse_duration, "soon", "max_age"), DocumentError)


# ------------------------------------------------------------------ failure_from_error (module and action plugin)


def test_a_document_error_gives_its_one_line_message():
    fields = failure_from_error(PlanError("languages: the server does not offer xx"), PARAMS)
    assert fields == {"failed": True, "changed": False, "msg": "languages: the server does not offer xx"}


def test_a_wsus_error_names_the_server_without_a_traceback():
    fields = failure_from_error(
        WsusConnectionError("connection refused", "GetServerVersion"), PARAMS, calls=["GetServerVersion"]
    )
    assert fields == {
        "failed": True,
        "changed": False,
        "msg": "wsus01.corp.example: connection refused",
        "soap_calls": ["GetServerVersion"],
    }


def test_a_missing_library_is_the_controllers_not_the_servers():
    fields = failure_from_error(WsusMissingLibraryError("install pyspnego"), PARAMS, calls=[])
    assert fields["msg"] == "install pyspnego" and "exception" not in fields


def test_a_sync_error_reports_the_result_so_far():
    outcome = {
        "changed": True,
        "started": True,
        "result": "running",
        "sync": {},
        "progress": {},
        "msg": "joined a synchronization",
    }
    fields = failure_from_error(SyncError("the synchronization did not finish within 2h", outcome), PARAMS)
    assert fields == dict(outcome, failed=True, msg="wsus01.corp.example: the synchronization did not finish within 2h")


@pytest.mark.parametrize("error", [raised(broken_work), raised(int, "x")], ids=["KeyError", "ValueError"])
def test_an_unexpected_exception_is_a_failure_with_its_traceback(error):
    fields = failure_from_error(error, PARAMS, calls=["GetSubscription"])
    kind = type(error).__name__
    assert fields["failed"] is True and fields["changed"] is False and fields["soap_calls"] == ["GetSubscription"]
    assert fields["msg"].startswith("wsus01.corp.example: unexpected %s: " % kind)
    assert "-vvv" in fields["msg"] and "\n" not in fields["msg"]
    assert fields["exception"].startswith("Traceback (most recent call last):")
    assert fields["exception"].rstrip().splitlines()[-1].startswith(kind)
    if kind == "KeyError":
        assert "in broken_work" in fields["exception"]


# ------------------------------------------------------------------ WsusModule.run


class Exited(Exception):
    def __init__(self, how, fields):
        super().__init__(how)
        self.how = how
        self.fields = fields


class FakeClient:
    def __init__(self):
        self.calls = []
        self.closed = False

    def get_subscription_state(self):
        self.calls.append("GetSubscriptionState")
        return 0

    def close(self):
        self.closed = True


def module_args(args):
    """AnsibleModule's input (ansible.module_utils.testing.patch_module_args where ansible-core has it)."""
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:  # ansible-core < 2.19
        return mock.patch.object(basic, "_ANSIBLE_ARGS", json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode())
    return patch_module_args(args)


@pytest.fixture
def module(monkeypatch):
    def exit_json(self, **fields):
        raise Exited("exit_json", fields)

    def fail_json(self, msg, **fields):
        raise Exited("fail_json", dict(fields, msg=msg))

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    client = FakeClient()
    monkeypatch.setattr(_module, "client_from_params", lambda params: client)
    with module_args({"server": "wsus01.corp.example"}):
        yield WsusModule(argument_spec=SYNC_ARGSPEC, supports_check_mode=True)


def run(module, work):
    with pytest.raises(Exited) as exited:
        module.run(work)
    return exited.value


def test_the_module_exits_with_the_work_and_its_calls(module):
    def work(module):
        return {"changed": False, "state": module.client().get_subscription_state()}

    exited = run(module, work)
    assert exited.how == "exit_json"
    assert exited.fields == {"changed": False, "state": 0, "soap_calls": ["GetSubscriptionState"]}
    assert module.client().closed


def test_the_module_fails_in_one_line_on_a_document_error(module):
    def work(module):
        module.client().get_subscription_state()
        raise ResolveError("products[0]: no product matches 'Windows Server 2099'")

    exited = run(module, work)
    assert exited.how == "fail_json"
    assert exited.fields == {
        "failed": True,
        "changed": False,
        "soap_calls": ["GetSubscriptionState"],
        "msg": "products[0]: no product matches 'Windows Server 2099'",
    }
    assert module.client().closed


def test_the_module_fails_with_the_traceback_on_an_unexpected_exception(module):
    def work(module):
        module.client().get_subscription_state()
        return broken_work()

    exited = run(module, work)
    assert exited.how == "fail_json"
    assert exited.fields["msg"].startswith("wsus01.corp.example: unexpected KeyError: 'UpdateSource'")
    assert "Traceback (most recent call last):" in exited.fields["exception"]
    assert "in broken_work" in exited.fields["exception"]
    assert exited.fields["soap_calls"] == ["GetSubscriptionState"]
    assert module.client().closed


def test_the_module_fails_in_one_line_on_a_wsus_error(module):
    def work(module):
        raise WsusConnectionError("connection refused")

    exited = run(module, work)
    assert exited.fields == {
        "failed": True,
        "changed": False,
        "soap_calls": [],
        "msg": "wsus01.corp.example: connection refused",
    }


# ------------------------------------------------------------------ the sync action plugin


def sync_task(monkeypatch, run_sync):
    client = FakeClient()
    monkeypatch.setattr(sync_action, "client_from_params", lambda params: client)
    monkeypatch.setattr(sync_action, "run_sync", run_sync)
    task = mock.MagicMock(async_val=0, check_mode=False, args={"server": "wsus01.corp.example"})
    connection = mock.MagicMock(transport="local")
    action = sync_action.ActionModule(task, connection, mock.MagicMock(check_mode=False), None, None)
    assert isinstance(action, ActionBase)
    return action.run(task_vars={"inventory_hostname": "wsus01"}), client


def test_the_action_fails_with_the_traceback_on_an_unexpected_exception(monkeypatch):
    def run_sync(client, params, check_mode, report=None, label=None):
        client.get_subscription_state()
        return broken_work()

    result, client = sync_task(monkeypatch, run_sync)
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("wsus01.corp.example: unexpected KeyError: 'UpdateSource'")
    assert "in broken_work" in result["exception"]
    assert result["soap_calls"] == ["GetSubscriptionState"] and client.closed


def test_the_action_fails_in_one_line_on_a_document_error(monkeypatch):
    def run_sync(client, params, check_mode, report=None, label=None):
        parse_duration(params["wait_timeout"] + "x", "wait_timeout")

    result, client = sync_task(monkeypatch, run_sync)
    assert result["failed"] is True and "exception" not in result
    assert result["msg"] == "wait_timeout must be a duration such as 90s, 30m, 2h, 7d or 1h30m, got '2hx'"
    assert result["soap_calls"] == [] and client.closed


# ------------------------------------------------------------------ NTLM over plain HTTP: one warning per task


def test_ntlm_over_plain_http_warns_once_per_task_naming_use_ssl(module, monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning: warnings.append(warning))

    def work(module):
        client = module.client()
        client.transport = mock.MagicMock(ntlm_over_http=True)
        client.get_subscription_state()
        client.get_subscription_state()
        return {"changed": False}

    run(module, work)
    assert warnings == [_module.PLAIN_HTTP_NTLM_WARNING]
    assert "use_ssl: true" in warnings[0] and "relay" in warnings[0] and "wsus01" not in warnings[0]


def test_the_warning_also_comes_with_a_failure(module, monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning: warnings.append(warning))

    def work(module):
        module.client().transport = mock.MagicMock(ntlm_over_http=True)
        raise WsusConnectionError("connection lost")

    assert run(module, work).how == "fail_json"
    assert warnings == [_module.PLAIN_HTTP_NTLM_WARNING]


def test_no_warning_without_ntlm_over_plain_http(module, monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning: warnings.append(warning))

    def work(module):
        module.client().transport = mock.MagicMock(ntlm_over_http=False)  # HTTPS, or Kerberos
        return {"changed": False}

    run(module, work)
    assert warnings == []


@pytest.mark.parametrize("option", ["timeout", "request_timeout", "max_response_mb"])
def test_a_limit_below_one_is_the_users_mistake(option):
    params = dict(
        server="wsus01",
        port=None,
        use_ssl=False,
        validate_certs=True,
        ca_path=None,
        username="u",
        password="p",
        auth="ntlm",
        timeout=60,
        request_timeout=300,
        max_response_mb=64,
    )
    params[option] = 0
    error = raised(_module.client_from_params, params)
    assert isinstance(error, DocumentError) and str(error) == "%s must be at least 1, not 0" % option
