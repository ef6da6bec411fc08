"""apply_plan without a server: the write order, what a failure message says was and wasn't applied, and
SetSubscription re-sending the list the user did not change. The plans come from ``plan_all`` against an
in-memory server (``fake_server.FakeServer``) that records every call; what other writers do while a task
runs is in test_other_writers.py."""

from __future__ import annotations

import pytest

from ansible_collections.ops.wsus.plugins.module_utils._state.document import normalize
from ansible_collections.ops.wsus.plugins.module_utils._writes import ApplyError
from ansible_collections.ops.wsus.plugins.module_utils._sync_options import (
    ServerReader,
    apply_plan,
    ensure_sync_options,
    plan_all,
)
from ansible_collections.ops.wsus.plugins.module_utils._wsusar.errors import (
    WsusConnectionError,
    WsusError,
    WsusPermissionError,
    WsusSoapFault,
    WsusTimeoutError,
)

from fake_server import FakeServer, invalid_operation
from state_fixtures import CRITICAL, DRIVERS, SECURITY, WIN10, WS2019, WS2022

ALL_STEPS = ["configuration", "proxy password", "subscription"]
PROXY_PASSWORD = "Pr0xy-Apply-S3cret"
CONFIGURATION = {"proxy": {"enabled": True, "server": "proxy.corp"}, "languages": ["de"]}
PASSWORD = {"proxy": {"password": PROXY_PASSWORD}}
FULL = {
    "proxy": {"enabled": True, "server": "proxy.corp", "password": PROXY_PASSWORD},
    "languages": ["de"],
    "products": ["Windows 10"],
    "classifications": ["Security Updates", "Drivers"],
    "schedule": {"automatic": True},
}
PLAN_READS = [
    "get_configuration",
    "get_languages",
    "has_proxy_password",
    "get_categories",
    "get_subscription_categories",
    "get_categories",
    "get_subscription_categories",
    "get_subscription",
]


def apply(server, document=None, user_name="CORP\\ansible"):
    desired = normalize(FULL if document is None else document)
    reader = ServerReader(server)
    return apply_plan(server, reader, plan_all(reader, desired), user_name, desired)


def document(configuration=True, password=True, subscription=True):
    found = {}
    if configuration:
        found.update(CONFIGURATION)
        found["proxy"] = dict(CONFIGURATION["proxy"])
    if password:
        found.setdefault("proxy", {}).update(PASSWORD["proxy"])
    if subscription:
        found["schedule"] = {"automatic": True}
    return found


def sync_running_fault(operation):
    return invalid_operation(operation, "The operation cannot be performed while a synchronization is running.")


# ----------------------------------------------------------------------------- order


def test_writes_configuration_then_proxy_password_then_subscription():
    server = FakeServer()
    assert apply(server) == ALL_STEPS
    [configuration, password, subscription] = server.writes()
    assert configuration[0] == "set_configuration" and configuration[2:] == (["de"], ["en"])
    assert configuration[1].get_bool("UseProxy") and configuration[1].get_str("ProxyName") == "proxy.corp"
    assert password == ("set_proxy_password", PROXY_PASSWORD)
    assert subscription[0] == "set_subscription" and subscription[1].get_bool("SynchronizeAutomatically")
    assert subscription[2:] == ([WIN10.id], [SECURITY.id, DRIVERS.id], "CORP\\ansible")


def test_the_subscription_is_read_right_before_it_is_written_and_read_back_after():
    server = FakeServer()
    apply(server)
    assert server.names() == PLAN_READS + [
        "set_configuration",
        "set_proxy_password",
        # planned again from a read made right before the write (the row and both lists) ...
        "get_subscription_categories",
        "get_subscription_categories",
        "get_subscription",
        "set_subscription",
        # ... and its declared parts read back
        "get_subscription_categories",
        "get_subscription_categories",
        "get_subscription",
    ]


def test_a_no_op_and_check_mode_cost_only_the_planning_reads():
    server = FakeServer()
    apply(server)
    for check_mode in (False, True):
        server.calls = []
        changed, result = ensure_sync_options(server, FULL, check_mode=check_mode)
        assert changed is False and result["applied"] == [] and result["conflicts"] == []
        assert server.names() == PLAN_READS


def test_check_mode_with_changes_writes_and_reads_nothing_more():
    server = FakeServer()
    changed, result = ensure_sync_options(server, FULL, check_mode=True)
    assert changed is True and result["applied"] == [] and server.names() == PLAN_READS


@pytest.mark.parametrize(
    "configuration, password, subscription, expected",
    [
        (True, False, False, ["configuration"]),
        (False, True, False, ["proxy password"]),
        (False, False, True, ["subscription"]),
        (False, True, True, ["proxy password", "subscription"]),
        (True, False, True, ["configuration", "subscription"]),
        (False, False, False, []),
    ],
)
def test_writes_only_what_the_plan_changes(configuration, password, subscription, expected):
    server = FakeServer()
    assert apply(server, document(configuration, password, subscription)) == expected
    writes = {
        "configuration": "set_configuration",
        "proxy password": "set_proxy_password",
        "subscription": "set_subscription",
    }
    assert [call[0] for call in server.writes()] == [writes[step] for step in expected]


# ----------------------------------------------------------------------------- SetSubscription's lists


def test_set_subscription_resends_the_unchanged_classifications():
    server = FakeServer(classifications=(CRITICAL, SECURITY))
    apply(server, {"products": ["Windows 10"]})
    assert server.writes()[0][2:] == ([WIN10.id], [CRITICAL.id, SECURITY.id], "CORP\\ansible")


def test_set_subscription_resends_the_unchanged_products():
    server = FakeServer(products=(WS2022, WS2019))
    apply(server, {"classifications": ["Drivers"]})
    assert server.writes()[0][2:] == ([WS2022.id, WS2019.id], [DRIVERS.id], "CORP\\ansible")


def test_a_schedule_only_change_resends_both_lists_as_the_server_has_them():
    server = FakeServer(products=(WIN10,), classifications=(SECURITY, DRIVERS))
    apply(server, {"schedule": {"automatic": True}}, user_name=None)
    [call] = server.writes()
    assert call[1].get_bool("SynchronizeAutomatically") is True
    assert call[2:] == ([WIN10.id], [SECURITY.id, DRIVERS.id], "ops.wsus")


def test_an_emptied_selection_is_sent_empty_not_resent():
    server = FakeServer(products=(WIN10,), classifications=(SECURITY,))
    apply(server, {"products": [], "classifications": []})
    assert server.writes()[0][2:] == ([], [], "CORP\\ansible")


# ----------------------------------------------------------------------------- failures


def test_a_failing_first_step_applies_nothing_and_stops():
    server = FakeServer(
        fail={
            "set_configuration": WsusSoapFault(
                "WSUS rejected ExecuteSPSetConfiguration: ArgumentException: bad port.", "ExecuteSPSetConfiguration"
            )
        }
    )
    with pytest.raises(ApplyError) as caught:
        apply(server)
    assert str(caught.value) == (
        "WSUS rejected ExecuteSPSetConfiguration: ArgumentException: bad port. Applied: nothing. "
        "Not applied: configuration, proxy password, subscription. Running the task again applies the rest."
    )
    assert caught.value.operation == "ExecuteSPSetConfiguration"
    # one read tells a refusal from a conflict: the change number did not move, so it is not retried
    assert server.names()[len(PLAN_READS) :] == ["set_configuration", "get_configuration"]


def test_a_failing_middle_step_names_what_was_applied_and_what_was_not():
    server = FakeServer(
        fail={"set_proxy_password": WsusSoapFault("WSUS rejected SetProxyPassword: boom", "SetProxyPassword")}
    )
    with pytest.raises(ApplyError) as caught:
        apply(server)
    message = str(caught.value)
    assert "Applied: configuration. Not applied: proxy password, subscription." in message
    assert "Not known whether applied" not in message
    assert [call[0] for call in server.writes()] == ["set_configuration", "set_proxy_password"], (
        "the subscription must not be written"
    )


def test_a_failing_last_step_after_the_others():
    server = FakeServer(
        fail={
            "set_subscription": WsusSoapFault(
                "WSUS rejected SetSubscription: SqlException: Timeout expired", "SetSubscription"
            )
        }
    )
    with pytest.raises(ApplyError) as caught:
        apply(server)
    assert str(caught.value) == (
        "WSUS rejected SetSubscription: SqlException: Timeout expired. Applied: configuration, proxy password. "
        "Not applied: subscription. Running the task again applies the rest."
    )


@pytest.mark.parametrize(
    "error",
    [
        WsusConnectionError(
            "the connection to wsus:8530 was lost during ExecuteSPSetConfiguration (RemoteDisconnected)",
            "ExecuteSPSetConfiguration",
        ),
        WsusTimeoutError(
            "WSUS server wsus:8530 did not answer ExecuteSPSetConfiguration within 5s", "ExecuteSPSetConfiguration"
        ),
    ],
    ids=["lost", "timeout"],
)
def test_an_outcome_unknown_write_is_neither_applied_nor_not_applied(error):
    error.outcome_unknown = True
    server = FakeServer(fail={"set_configuration": error})
    with pytest.raises(ApplyError) as caught:
        apply(server)
    message = str(caught.value)
    assert message == (
        "%s. Applied: nothing. Not known whether applied: configuration. "
        "Not applied: proxy password, subscription. Running the task again applies the rest." % error.message
    )
    assert "Not applied: configuration" not in message
    assert server.names()[len(PLAN_READS) :] == ["set_configuration"], "not a refusal: nothing is read again"


def test_an_outcome_unknown_last_write_leaves_nothing_not_applied():
    error = WsusConnectionError("the connection was lost during SetSubscription", "SetSubscription")
    error.outcome_unknown = True
    server = FakeServer(fail={"set_subscription": error})
    with pytest.raises(ApplyError) as caught:
        apply(server)
    assert (
        "Applied: configuration, proxy password. Not known whether applied: subscription. Not applied: nothing."
    ) in str(caught.value)


def test_the_same_error_without_outcome_unknown_is_not_applied():
    server = FakeServer(
        fail={
            "set_configuration": WsusConnectionError(
                "cannot connect to wsus:8530 (Connection refused)", "ExecuteSPSetConfiguration"
            )
        }
    )
    with pytest.raises(ApplyError) as caught:
        apply(server)
    assert "Not known whether applied" not in str(caught.value)
    assert "Not applied: configuration, proxy password, subscription." in str(caught.value)


def test_a_running_synchronization_says_to_wait_or_stop_it_rather_than_rerun():
    server = FakeServer(fail={"set_subscription": sync_running_fault("SetSubscription")})
    with pytest.raises(ApplyError) as caught:
        apply(server)
    message = str(caught.value)
    assert "Applied: configuration, proxy password. Not applied: subscription." in message
    assert "wait for it (ops.wsus.sync state=completed) or stop it (state=stopped)" in message
    assert "Running the task again applies the rest" not in message


def test_a_running_synchronization_refusing_the_configuration_is_not_a_conflict():
    server = FakeServer(fail={"set_configuration": sync_running_fault("ExecuteSPSetConfiguration")})
    with pytest.raises(ApplyError) as caught:
        apply(server)
    assert (
        "Applied: nothing. Not applied: configuration, proxy password, subscription. A synchronization is "
        "running" in str(caught.value)
    )
    assert server.names().count("set_configuration") == 1


def test_a_permission_error_says_to_use_an_administrator():
    server = FakeServer(
        fail={
            "set_configuration": WsusPermissionError(
                "user WSUS\\reporter may not call ExecuteSPSetConfiguration on wsus:8530", "ExecuteSPSetConfiguration"
            )
        }
    )
    with pytest.raises(ApplyError) as caught:
        apply(server)
    message = str(caught.value)
    assert message.endswith("Run the task again with an account in WSUS Administrators to apply the rest.")
    assert "Running the task again applies the rest" not in message
    assert server.names()[len(PLAN_READS) :] == ["set_configuration"]


def test_the_apply_error_is_a_one_line_wsus_error_without_the_password():
    server = FakeServer(fail={"set_subscription": WsusError("failed", "SetSubscription")})
    with pytest.raises(ApplyError) as caught:
        apply(server)
    assert isinstance(caught.value, WsusError) and caught.value.operation == "SetSubscription"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert "\n" not in str(caught.value) and PROXY_PASSWORD not in str(caught.value)


def test_an_error_that_is_not_a_wsus_error_is_not_wrapped():
    server = FakeServer(fail={"set_configuration": KeyError("bug")})
    with pytest.raises(KeyError):
        apply(server)
    assert [call[0] for call in server.writes()] == ["set_configuration"]
